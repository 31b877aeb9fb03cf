//! The pure part of following a route: how what each pass saw becomes the links' results, and
//! how the rule's figures and delivered message are read.

use super::*;
use crate::inventory::{EventRule, InputTransformer, RuleTarget};
use serde_json::json;

/// Seen `at` seconds after the change.
fn at(s: Seen, t: f64) -> Option<(Seen, f64)> {
    Some((s, t))
}

fn yes(d: &str) -> Option<(Seen, f64)> {
    at(Seen::yes(d), 1.0)
}

/// Seen at link `i` only, `t` seconds after the change.
fn only(links: &[&str], i: usize, s: Seen, t: f64) -> Vec<Option<(Seen, f64)>> {
    let mut v = vec![None; links.len()];
    v[i] = Some((s, t));
    v
}

fn states(links: &[LinkResult]) -> Vec<(&'static str, LinkState)> {
    links.iter().map(|l| (l.link, l.state)).collect()
}

#[test]
fn a_route_seen_link_by_link_arrives_with_each_latency() {
    let mut p = Progress::new(METRIC_LINKS, METRIC_LINKS.len());
    for (i, t) in [1.0, 2.0, 3.0, 3.0, 4.0, 4.0].into_iter().enumerate() {
        assert!(p.next() == i && p.pending(i) && (i == 0 || !p.pending(i - 1)));
        p.observe(&mut only(METRIC_LINKS, i, Seen::yes(format!("link {i}")), t));
    }
    assert!(p.finished());
    let links = p.finish(None, false);
    assert!(links.iter().all(|l| l.state == LinkState::Happened), "{links:?}");
    assert_eq!(links.iter().map(|l| l.latency_seconds.unwrap()).collect::<Vec<_>>(), [1.0, 2.0, 3.0, 3.0, 4.0, 4.0]);
    assert_eq!(stopped_at(&links), None);
}

#[test]
fn a_link_not_seen_by_the_timeout_is_missed_and_the_rest_not_reached() {
    let mut p = Progress::new(METRIC_LINKS, METRIC_LINKS.len());
    p.observe(&mut only(METRIC_LINKS, 0, Seen::yes("record"), 1.0));
    p.observe(&mut only(METRIC_LINKS, 1, Seen::NotYet, 2.0));
    assert_eq!(p.next(), 1, "not yet: waits");
    assert!(!p.finished());
    p.timeout(8.0);
    let links = p.finish(None, false);
    assert_eq!(stopped_at(&links), Some("metric-data-point"));
    assert_eq!(links[1].state, LinkState::Missed);
    assert_eq!(links[1].detail, "not seen within 8 s of the change");
    assert_eq!(links[2].state, LinkState::NotReached);
    assert_eq!(links[2].detail, "not reached: metric data point did not happen");
    assert_eq!(links[3].detail, "not reached");
}

#[test]
fn a_failed_or_unreadable_link_stops_the_route_at_once() {
    let mut p = Progress::new(METRIC_LINKS, METRIC_LINKS.len());
    let mut seen =
        vec![yes("r"), yes("m"), yes("a"), at(Seen::Failed("Failed to execute action".into()), 3.0), None, None];
    p.observe(&mut seen);
    assert!(p.finished());
    let links = p.finish(None, false);
    assert_eq!(stopped_at(&links), Some("alarm-action"));
    assert_eq!(links[3].state, LinkState::Failed);
    assert_eq!(links[4].detail, "not reached: alarm action did not happen");

    let mut p = Progress::new(RULE_LINKS, RULE_LINKS.len());
    p.observe(&mut only(RULE_LINKS, 0, Seen::Unreadable("AccessDenied".into()), 1.0));
    let links = p.finish(None, false);
    assert_eq!(states(&links)[0], ("cloudtrail-event", LinkState::Unreadable));
    assert_eq!(stopped_at(&links), Some("cloudtrail-event"));
}

#[test]
fn a_later_link_seen_shows_the_earlier_ones_happened() {
    // The rule's message arrived before AWS/Events or the log group showed anything (as in AWS:
    // metrics lag, CloudTrail reaches the log group in minutes).
    let mut p = Progress::new(RULE_LINKS, RULE_LINKS.len());
    let mut seen = vec![
        at(Seen::NotYet, 1.1),
        at(Seen::NotYet, 1.4),
        at(Seen::NotYet, 1.4),
        at(Seen::Yes { detail: "the rule's message".into(), message: Some("\"The user …\"".into()) }, 2.5),
        None,
    ];
    p.observe(&mut seen);
    assert_eq!(p.next(), 4);
    assert_eq!(p.message_of("sns-delivery"), Some("\"The user …\""));
    p.observe(&mut only(RULE_LINKS, 4, Seen::yes("1 receive(s) it"), 2.5));
    let links = p.finish(None, false);
    assert_eq!(stopped_at(&links), None);
    for l in &links[..3] {
        assert_eq!(l.state, LinkState::Happened);
        assert_eq!(l.latency_seconds, Some(2.5));
        assert_eq!(l.detail, "not seen itself yet; shown by SNS delivery (the drill's queue)");
    }
    // A figure that says "failed" is contradicted by the delivery: it happened, and says both.
    let mut p = Progress::new(RULE_LINKS, RULE_LINKS.len());
    let mut seen = vec![yes("r"), yes("m"), at(Seen::Failed("FailedInvocations 1 of 1".into()), 1.0), yes("msg"), None];
    p.observe(&mut seen);
    assert_eq!(p.next(), 4);
    let links = p.finish(None, false);
    assert_eq!(links[2].state, LinkState::Happened);
    assert!(links[2].detail.contains("FailedInvocations 1 of 1; yet SNS delivery"), "{}", links[2].detail);
}

#[test]
fn a_link_shown_by_a_later_one_and_seen_afterwards_shows_what_was_seen_when_it_was_shown() {
    let mut p = Progress::new(RULE_LINKS, RULE_LINKS.len());
    let delivered = Seen::Yes { detail: "the rule's message".into(), message: Some("m".into()) };
    let mut seen = vec![at(Seen::NotYet, 1.1), yes("matched"), yes("invoked"), at(delivered, 1.2), None];
    p.observe(&mut seen);
    p.observe(&mut only(RULE_LINKS, 4, Seen::yes("1 receive(s) it"), 1.2));
    assert!(p.finished());
    assert!(p.only_shown(0));
    // Links seen themselves are never rewritten.
    assert!(!p.only_shown(1));
    p.seen_afterwards(1, "something else".into());
    p.seen_afterwards(0, "CreateSecurityGroup naming sg-1 in log group ct-logs (us-east-1)".into());
    assert!(!p.only_shown(0));
    let links = p.finish(None, false);
    assert_eq!(links[0].state, LinkState::Happened);
    assert_eq!(links[0].latency_seconds, Some(1.0), "it happened no later than rule-matched showed it");
    assert_eq!(
        links[0].detail,
        "CreateSecurityGroup naming sg-1 in log group ct-logs (us-east-1) (read after the later links had shown it)"
    );
    assert_eq!(links[1].detail, "matched");
}

#[test]
fn a_link_the_drill_cannot_see_waits_for_a_later_one() {
    // No log group: the CloudTrail record is shown only by the rule matching it.
    let mut p = Progress::new(RULE_LINKS, RULE_LINKS.len());
    let mut seen = vec![
        at(Seen::Unobservable("not observable: no log group".into()), 0.5),
        at(Seen::NotYet, 1.0),
        None,
        None,
        None,
    ];
    p.observe(&mut seen);
    assert_eq!(p.next(), 1);
    assert!(!p.pending(0) && p.pending(1));
    p.observe(&mut only(RULE_LINKS, 1, Seen::yes("TriggeredRules 1"), 4.0));
    let links = p.clone().finish(None, false);
    assert_eq!(links[0].state, LinkState::Happened);
    assert_eq!(links[0].latency_seconds, Some(4.0));
    assert_eq!(links[0].detail, "not observable: no log group; shown by rule matched the event");

    // A disabled rule: the record stays unobserved, the rule's link fails, and the route stops
    // there (an unobserved link is no stop).
    let mut p = Progress::new(RULE_LINKS, RULE_LINKS.len());
    let mut seen = vec![
        at(Seen::Unobservable("not observable".into()), 0.1),
        at(Seen::Failed("rule sg is DISABLED".into()), 0.1),
        at(Seen::NotYet, 0.1),
        None,
        None,
    ];
    p.observe(&mut seen);
    assert!(p.finished());
    let links = p.finish(None, false);
    assert_eq!(states(&links)[..2], [("cloudtrail-event", LinkState::Unobserved), ("rule-matched", LinkState::Failed)]);
    assert_eq!(stopped_at(&links), Some("rule-matched"));
    assert_eq!(links[2].detail, "not reached: rule matched the event did not happen");
}

#[test]
fn past_what_is_wired_the_first_link_says_why_and_an_interruption_is_said() {
    let mut p = Progress::new(METRIC_LINKS, 2);
    p.observe(&mut [yes("r"), yes("m"), yes("ignored"), None, None, None]);
    assert!(p.finished());
    let links = p.finish(Some("no alarm on metric CISBenchmark/X"), false);
    assert_eq!(links[1].state, LinkState::Happened);
    assert_eq!(links[2].state, LinkState::NotReached);
    assert_eq!(links[2].detail, "no alarm on metric CISBenchmark/X");
    assert_eq!(stopped_at(&links), Some("alarm-state"));

    let mut p = Progress::new(METRIC_LINKS, METRIC_LINKS.len());
    p.observe(&mut only(METRIC_LINKS, 0, Seen::yes("r"), 1.0));
    let links = p.finish(None, true);
    assert_eq!(links[1].detail, "not reached: the drill was interrupted");
    // Out-of-range observations are ignored, never a panic.
    let mut p = Progress::new(RULE_LINKS, 99);
    p.observe(&mut []);
    p.timeout(1.0);
    assert_eq!(p.finish(None, false).len(), RULE_LINKS.len());
}

fn rule_route(target: RuleTarget, state: &str) -> RuleRoute {
    RuleRoute {
        account: "111122223333".into(),
        region: "us-east-1".into(),
        rule: EventRule {
            name: "sg".into(),
            arn: "arn:aws:events:us-east-1:111122223333:rule/sg".into(),
            state: state.into(),
            ..Default::default()
        },
        target,
        topic: "arn:aws:sns:us-east-1:111122223333:rt".into(),
        subscriptions: vec![],
        trail: Some("main".into()),
        log_group: None,
        audit: "the audit credits it".into(),
    }
}

fn sentence_target() -> RuleTarget {
    RuleTarget {
        id: "t0".into(),
        arn: "arn:aws:sns:us-east-1:111122223333:rt".into(),
        input_transformer: Some(InputTransformer {
            input_paths_map: [
                ("user".to_string(), "$.detail.userIdentity.arn".to_string()),
                ("event".to_string(), "$.detail.eventName".to_string()),
            ]
            .into_iter()
            .collect(),
            input_template: "\"The user <user> has initiated <event>.\"".into(),
        }),
        ..Default::default()
    }
}

#[test]
fn the_rules_figures_say_whether_it_matched_and_invoked_its_target() {
    let r = rule_route(sentence_target(), "ENABLED");
    assert_eq!(rule_figures(&r, 0.0, 0.0, 0.0), (Seen::NotYet, Seen::NotYet));
    let (m, i) = rule_figures(&r, 4.0, 4.0, 0.0);
    assert_eq!(m, Seen::yes("AWS/Events TriggeredRules 4 for rule sg since the change"));
    assert!(
        matches!(i, Seen::Yes { ref detail, .. } if detail.starts_with("AWS/Events Invocations 4, FailedInvocations 0"))
    );
    // Every invocation failed: the topic refused EventBridge.
    let (m, i) = rule_figures(&r, 1.0, 1.0, 1.0);
    assert!(matches!(m, Seen::Yes { .. }));
    match i {
        Seen::Failed(d) => assert!(d.starts_with("AWS/Events FailedInvocations 1 of 1 invocation(s)"), "{d}"),
        o => panic!("{o:?}"),
    }
    // Some failed, some went through: invoked.
    assert!(matches!(rule_figures(&r, 4.0, 4.0, 1.0).1, Seen::Yes { .. }));
}

fn envelope(topic: &str, message: &str) -> String {
    json!({"Type": "Notification", "TopicArn": topic, "Message": message}).to_string()
}

#[test]
fn the_rules_message_is_found_by_the_resource_it_names_or_by_what_the_target_sends() {
    let r = rule_route(sentence_target(), "ENABLED");
    let alarm = json!({"AlarmName": "sg-alarm", "NewStateValue": "ALARM", "x": "sg-123"}).to_string();
    let sentence = "\"The user arn:aws:sts::1:assumed-role/x has initiated DeleteSecurityGroup for sg-123.\"";
    let bodies = vec![
        "not json".to_string(),
        envelope(&r.topic, &alarm),
        envelope("arn:aws:sns:us-east-1:111122223333:other", sentence),
    ];
    assert_eq!(
        rule_delivery(&bodies, &r, "sg-123", &[]),
        Seen::NotYet,
        "an alarm's or another topic's message is not it"
    );
    let mut with = bodies.clone();
    with.push(envelope(&r.topic, sentence));
    match rule_delivery(&with, &r, "sg-123", &[]) {
        Seen::Yes { detail, message } => {
            assert_eq!(message.as_deref(), Some(sentence));
            assert!(detail.ends_with("(1 for the change; it names sg-123)"), "{detail}");
        }
        o => panic!("{o:?}"),
    }
    // A sentence that does not name the resource: matched to what the target sends for the record.
    let rec = LogRecord {
        timestamp: 0,
        ingestion_time: None,
        message: json!({"eventName": "CreateSecurityGroup", "eventSource": "ec2.amazonaws.com",
                        "userIdentity": {"arn": "arn:aws:iam::1:user/u"}, "responseElements": {"groupId": "sg-9"}})
        .to_string(),
    };
    let expected = expected_messages(&r, &[rec]);
    assert_eq!(expected, ["\"The user arn:aws:iam::1:user/u has initiated CreateSecurityGroup.\""]);
    let bodies = vec![envelope(&r.topic, &expected[0])];
    assert!(
        matches!(rule_delivery(&bodies, &r, "sg-9", &expected), Seen::Yes { ref detail, .. } if detail.contains("what the target sends"))
    );
    assert_eq!(rule_delivery(&bodies, &r, "sg-9", &[]), Seen::NotYet);
    // A constant Input cannot name the change: taken as it is, and said.
    let constant = RuleTarget { input: Some("{\"alert\":\"sg\"}".into()), ..sentence_target() };
    let c = rule_route(RuleTarget { input_transformer: None, ..constant }, "ENABLED");
    let bodies = vec![envelope(&c.topic, "{\"alert\":\"sg\"}")];
    assert!(
        matches!(rule_delivery(&bodies, &c, "sg-9", &[]), Seen::Yes { ref detail, .. } if detail.contains("constant Input"))
    );
    assert_eq!(shown("\"a \\\"quoted\\\" sentence\""), "a \"quoted\" sentence");
    // At the timeout, what arrived instead is said.
    let bodies = vec![envelope(&r.topic, "\"someone else's alert\"")];
    assert_eq!(rule_delivery(&bodies, &r, "sg-9", &[]), Seen::NotYet);
    assert_eq!(
        others(&bodies, &r.topic).as_deref(),
        Some("1 other message(s) from the topic arrived, none naming the change (the first: someone else's alert)")
    );
    let mut p = Progress::new(RULE_LINKS, RULE_LINKS.len());
    p.observe(&mut [yes("r"), yes("m"), yes("i"), at(Seen::NotYet, 1.0), None]);
    p.timeout_saying(8.0, others(&bodies, &r.topic));
    let links = p.finish(None, false);
    assert_eq!(stopped_at(&links), Some("sns-delivery"));
    assert!(
        links[3].detail.starts_with("not seen within 8 s of the change; 1 other message(s)"),
        "{}",
        links[3].detail
    );
    assert_eq!(shown("{\"k\": 1}"), "{\"k\": 1}");
}

#[test]
fn nobody_receives_when_the_topic_has_no_confirmed_subscriber() {
    match subscribers(&[], Some("arn:aws:sqs:us-east-1:1:q"), Some("m")) {
        Seen::Failed(d) => assert!(d.contains("no confirmed subscriber besides the drill's queue"), "{d}"),
        o => panic!("{o:?}"),
    }
    assert!(matches!(subscribers(&[], None, None), Seen::Unreadable(_)));
}
