//! The metric-filter link (CIS 4.x audit steps 2–4): a metric filter on the trail's log group
//! whose pattern catches every event the benchmark's pattern catches.
//!
//! Decided by meaning: the pattern is parsed and evaluated over a corpus of CloudTrail records
//! (see [`crate::pattern`]); the benchmark's own texts are the oracle. A filter counts when it is
//! **exact** (the benchmark's text, whitespace aside), **equivalent** or **broader**;
//! `--strict-patterns` accepts only exact. The verdict is set arithmetic over memoised record
//! sets; the explanation of each missed record is built only for the filter a report shows.

use super::link::{Link, State};
use crate::actions::{logs as lg, Hint};
use crate::catalog::{cis, Control, PatternVariant};
use crate::checks::Context;
use crate::finding::{Evidence, LinkKind, LinkState, Subject};
use crate::inventory::MetricFilter;
use crate::pattern::{Coverage, CoverageKind, ParseError, Verdict};
use std::rc::Rc;

/// The verdict on `pattern` for the variant (None when the data's own patterns do not parse,
/// which the catalog tests rule out).
pub(crate) fn verdict(ctx: &Context, variant: &PatternVariant, pattern: &str) -> Result<Verdict, ParseError> {
    let oracle = ctx.oracle(variant);
    let oracle = oracle.as_ref().as_ref().map_err(|e| e.clone())?;
    ctx.judge.verdict(pattern, oracle)
}

/// Whether `pattern` covers the control (as the audit judges it).
pub(crate) fn covers(ctx: &Context, variant: &PatternVariant, pattern: &str) -> bool {
    verdict(ctx, variant, pattern).is_ok_and(|v| v.is_covered(ctx.opts.strict_patterns))
}

/// The full coverage of `pattern`, with every missed record explained.
pub fn coverage(ctx: &Context, variant: &PatternVariant, pattern: &str) -> Result<Coverage, ParseError> {
    let oracle = ctx.oracle(variant);
    let oracle = oracle.as_ref().as_ref().map_err(|e| e.clone())?;
    ctx.judge.coverage(pattern, oracle)
}

/// How a filter pattern measures up, in words: covered or not, its kind (`exact`, `equivalent`,
/// `broader`, `incomplete`, or `invalid` when it does not parse), one line on why, and the
/// misses per event.
#[derive(Debug, Clone)]
pub(crate) struct Judgement {
    pub covered: bool,
    pub kind: String,
    pub summary: String,
    pub detail: Vec<String>,
}

/// Memoised per (pattern text, variant): an organisation's accounts share their filters.
pub(crate) fn judgement(ctx: &Context, variant: &PatternVariant, pattern: &str) -> std::sync::Arc<Judgement> {
    let key = format!("{}\u{0}{pattern}", variant.patterns.join("\u{0}"));
    ctx.memo(key, || judge_now(ctx, variant, pattern))
}

fn judge_now(ctx: &Context, variant: &PatternVariant, pattern: &str) -> Judgement {
    let strict = ctx.opts.strict_patterns;
    match coverage(ctx, variant, pattern) {
        Err(e) => Judgement {
            covered: false,
            kind: "invalid".into(),
            summary: format!("the filter pattern does not parse: {e}"),
            detail: vec![],
        },
        Ok(c) => {
            let covered = c.is_covered(strict);
            let mut summary = one_line(&c);
            if strict && !covered && c.is_covered(false) {
                summary = format!("{summary}; --strict-patterns accepts only the benchmark's exact text");
            }
            Judgement {
                covered,
                kind: c.kind.to_string(),
                summary,
                detail: c.miss_groups().iter().map(|g| g.to_string()).collect(),
            }
        }
    }
}

/// The coverage verdict on one line: its first sentence, the events missed (a few by name), the
/// reason for the first, and whether the pattern can match anything at all.
pub(crate) fn one_line(c: &Coverage) -> String {
    let summary = c.summary();
    let mut s = summary.lines().next().unwrap_or_default().to_string();
    let groups = c.miss_groups();
    if !groups.is_empty() {
        const SHOWN: usize = 4;
        let names: Vec<String> = groups
            .iter()
            .take(SHOWN)
            .map(|g| {
                if g.missed == g.required {
                    g.event.clone()
                } else {
                    format!("{} ({} of {} variants)", g.event, g.missed, g.required)
                }
            })
            .collect();
        s.push_str(&format!("; misses {}", names.join(", ")));
        if groups.len() > SHOWN {
            s.push_str(&format!(" and {} more event(s)", groups.len() - SHOWN));
        }
        if let Some(r) = groups[0].reasons.first() {
            s.push_str(&format!(" (e.g. {}: {r})", groups[0].event));
        }
    }
    if let Some(why) = &c.contradiction {
        s.push_str(&format!("; it can never match: {why}"));
    } else if c.never_matches {
        s.push_str("; it matches no CloudTrail record at all");
    }
    s
}

/// The metric filter the benchmark's remediation puts on `group`.
pub(crate) fn fix(control: &Control, group: &str, region: &str) -> Hint {
    let metric = control.def.metric();
    let pattern = control.variant.as_ref().and_then(|v| v.patterns.first()).cloned().unwrap_or_default();
    Hint::new(
        region,
        [lg::PutMetricFilter {
            log_group: group.to_string(),
            filter_name: metric.clone(),
            pattern,
            metric_name: metric,
            metric_namespace: cis::METRIC_NAMESPACE.into(),
        }
        .into()],
    )
}

/// The filter link for one filter of a log group with `n_filters` filters. Its message and
/// evidence are rendered only if the chain is the one reported.
pub(crate) fn link<'a>(
    ctx: &'a Context<'a>,
    control: &'a Control,
    variant: &'a PatternVariant,
    f: &'a MetricFilter,
    (g_acct, g_region, g_name): (&'a str, &'a str, &'a str),
    partition: &str,
    n_filters: usize,
) -> (Link<'a>, Option<Verdict>) {
    let resource = format!("arn:{partition}:logs:{g_region}:{g_acct}:log-group:{g_name}:metric-filter:{}", f.name);
    let v = verdict(ctx, variant, &f.pattern).ok();
    let covered = v.as_ref().is_some_and(|v| v.is_covered(ctx.opts.strict_patterns));
    let matches_none = v.as_ref().is_some_and(|v| v.matched_required == 0);
    let render = Rc::new(move || {
        let j = judgement(ctx, variant, &f.pattern);
        let mut evidence = vec![
            Evidence::info("log_group", format!("{g_name} ({g_acct}, {g_region})")),
            Evidence::info("metric_filter.name", f.name.clone()),
            Evidence::info("metric_filter.pattern", f.pattern.clone()),
            Evidence::new("metric_filter.coverage", j.kind.clone(), Some(j.covered)),
            Evidence::info("metric_filter.coverage_detail", j.summary.clone()),
        ];
        if !j.detail.is_empty() {
            evidence.push(Evidence::bad("metric_filter.missed_events", serde_json::json!(j.detail)));
        }
        for t in &f.transformations {
            evidence.push(Evidence::info(
                "metric_filter.metric",
                format!("{}/{} value={}", t.metric_namespace, t.metric_name, t.metric_value),
            ));
        }
        let message = if j.covered {
            format!("filter {} ({})", f.name, j.kind)
        } else if n_filters > 1 && matches_none {
            format!("none of the {n_filters} metric filters on log group {g_name} catches any of these events")
        } else if n_filters > 1 {
            format!(
                "none of the {n_filters} metric filters on log group {g_name} covers the control; closest is {}: {}",
                f.name, j.summary
            )
        } else {
            format!("filter {} on {g_name}: {}", f.name, j.summary)
        };
        (message, evidence)
    });
    let kind = match &v {
        Some(v) => v.kind.to_string(),
        None => "invalid".to_string(),
    };
    let state = if covered { State::Ok } else { State::Fail };
    let group_arn = format!("arn:{partition}:logs:{g_region}:{g_acct}:log-group:{g_name}");
    let mut link = Link::new(
        Subject::MetricFilter,
        state,
        Some(resource.clone()),
        String::new(),
        vec![],
        (!covered).then(|| fix(control, g_name, g_region).render()),
    )
    .node(LinkKind::LogGroup, LinkState::Holds, g_name, Some(group_arn))
    .node(LinkKind::MetricFilter, state.link_state(), format!("{} — {kind}", f.name), Some(resource));
    link.render = Some(render);
    (link, v)
}

/// Closeness of a failing filter to covering the control: fewer misses is closer.
pub(crate) fn closeness(v: Option<&Verdict>) -> i64 {
    match v {
        Some(v) if v.kind != CoverageKind::Exact => -(v.misses.min(i64::MAX as usize) as i64),
        Some(_) => 0,
        None => i64::MIN,
    }
}
