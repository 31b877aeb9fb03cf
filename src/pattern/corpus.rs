//! A corpus of realistic CloudTrail records used to judge filter patterns by
//! what they match.
//!
//! Base records live as JSON under `checks/corpus/`:
//! - `monitored-events.json`: one record per API call the CIS monitoring
//!   controls 4.4–4.15 name (IAM user, console, us-east-1, success);
//! - `other-events.json`: unrelated calls (DescribeSecurityGroups, RunInstances,
//!   GetObject, ...), so that "equivalent" can be told from "broader";
//! - `principals.json`: the identities and user agents variants are made with;
//! - `special-records.json`: hand-made records with fixed ids (ConsoleLogin
//!   success/failure with and without MFA, root with and without `invokedBy`,
//!   `AwsServiceEvent`s, AccessDenied/UnauthorizedOperation cases including
//!   `delivery.logs.amazonaws.com` and `HeadBucket`).
//!
//! Every base record of the first two files is expanded into six variants:
//! IAM user / assumed role / root / a role used by CloudFormation
//! (`invokedBy: cloudformation.amazonaws.com`), console and CLI user agents,
//! several regions, and two variants that fail with the service's
//! authorization error (`AccessDenied`, `AccessDeniedException` or
//! `Client.UnauthorizedOperation`).

use std::sync::OnceLock;

use serde_json::{Map, Value as Json};

use super::ast::Pattern;

const MONITORED: &str = include_str!("../../checks/corpus/monitored-events.json");
const OTHER: &str = include_str!("../../checks/corpus/other-events.json");
const PRINCIPALS: &str = include_str!("../../checks/corpus/principals.json");
const SPECIAL: &str = include_str!("../../checks/corpus/special-records.json");

/// One CloudTrail record of the corpus.
#[derive(Debug, Clone)]
pub struct CorpusRecord {
    /// Stable id, e.g. `AuthorizeSecurityGroupIngress/assumed-role/cli/eu-west-1`
    /// or `.../error-UnauthorizedOperation`.
    pub id: String,
    pub event_name: String,
    pub event_source: String,
    /// Human description, e.g. "RevokeSecurityGroupEgress by an assumed role (cli, eu-west-1)".
    pub description: String,
    pub event: Json,
    /// The record as CloudTrail delivers it to CloudWatch Logs (compact JSON).
    pub raw: String,
}

/// (identity, user agent, region, fails with the authorization error)
const VARIANTS: [(&str, &str, &str, bool); 6] = [
    ("iam-user", "console", "us-east-1", false),
    ("assumed-role", "cli", "eu-west-1", false),
    ("root", "console", "us-east-1", false),
    ("service-cloudformation", "cloudformation", "us-west-2", false),
    ("iam-user", "cli", "ap-southeast-2", true),
    ("assumed-role", "sdk", "eu-central-1", true),
];

/// Number of variants generated from each base record.
#[cfg(test)]
pub(crate) const VARIANTS_PER_EVENT: usize = VARIANTS.len();

fn global_service(source: &str) -> bool {
    matches!(source, "iam.amazonaws.com" | "organizations.amazonaws.com" | "sts.amazonaws.com")
}

fn auth_error(source: &str) -> (&'static str, &'static str) {
    match source {
        "ec2.amazonaws.com" => ("Client.UnauthorizedOperation", "UnauthorizedOperation"),
        "kms.amazonaws.com" | "organizations.amazonaws.com" | "config.amazonaws.com" => {
            ("AccessDeniedException", "AccessDeniedException")
        }
        _ => ("AccessDenied", "AccessDenied"),
    }
}

fn str_field<'a>(v: &'a Json, k: &str) -> &'a str {
    v.get(k).and_then(Json::as_str).unwrap_or("")
}

fn builtin_bases() -> Vec<Json> {
    let mut bases: Vec<Json> = serde_json::from_str(MONITORED).expect("monitored-events.json is valid JSON");
    let other: Vec<Json> = serde_json::from_str(OTHER).expect("other-events.json is valid JSON");
    bases.extend(other);
    bases
}

/// A base record for an event the corpus does not have (a custom control's), shaped like the
/// built-in ones: a successful call by an IAM user.
pub(crate) fn synthetic_base(event_source: &str, event_name: &str) -> Json {
    serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {},
        "eventTime": "2026-01-15T10:00:00Z",
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "",
        "requestParameters": {},
        "responseElements": null,
        "requestID": "00000000-0000-4000-8000-000000000000",
        "eventID": "00000000-0000-4000-8000-0000000000ff",
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management"
    })
}

fn build(bases: Vec<Json>) -> Vec<CorpusRecord> {
    let principals: Json = serde_json::from_str(PRINCIPALS).expect("principals.json is valid JSON");
    let identities = principals["identities"].as_object().expect("identities");
    let agents = principals["userAgents"].as_object().expect("userAgents");

    // Event names that occur with more than one eventSource get a service prefix in ids.
    let ambiguous = |name: &str, bases: &[Json]| {
        let mut sources: Vec<&str> =
            bases.iter().filter(|b| str_field(b, "eventName") == name).map(|b| str_field(b, "eventSource")).collect();
        sources.sort();
        sources.dedup();
        sources.len() > 1
    };

    let mut out = Vec::new();
    for base in &bases {
        let name = str_field(base, "eventName").to_string();
        let source = str_field(base, "eventSource").to_string();
        let service = source.trim_end_matches(".amazonaws.com").to_string();
        let label = if ambiguous(&name, &bases) { format!("{service}:{name}") } else { name.clone() };
        for (vi, (ident, agent, region, fails)) in VARIANTS.iter().enumerate() {
            let principal = &identities[*ident];
            let mut rec: Map<String, Json> = base.as_object().expect("record is an object").clone();
            let user_identity = principal["userIdentity"].clone();
            let arn = str_field(&user_identity, "arn").to_string();
            rec.insert("userIdentity".into(), user_identity);
            let region = if global_service(&source) { "us-east-1" } else { region };
            rec.insert("awsRegion".into(), Json::String(region.to_string()));
            rec.insert("userAgent".into(), agents[*agent].clone());
            if let Some(ip) = principal.get("sourceIPAddress") {
                rec.insert("sourceIPAddress".into(), ip.clone());
            }
            if let Some(Json::String(id)) = rec.get("eventID").cloned() {
                let keep: String = id.chars().take(id.len().saturating_sub(2)).collect();
                rec.insert("eventID".into(), Json::String(format!("{keep}{vi:02x}")));
            }
            let mut id = format!("{label}/{ident}/{agent}/{region}");
            let who = str_field(principal, "describe");
            let mut description = format!("{name} by {who} ({agent}, {region})");
            if *fails {
                let (code, short) = auth_error(&source);
                let message = if source == "ec2.amazonaws.com" {
                    "You are not authorized to perform this operation. Encoded authorization failure message: EXAMPLE-encoded-message".to_string()
                } else {
                    format!("User: {arn} is not authorized to perform: {service}:{name} because no identity-based policy allows the {service}:{name} action")
                };
                // CloudTrail puts errorCode/errorMessage after requestParameters/responseElements.
                rec.insert("responseElements".into(), Json::Null);
                let mut ordered = Map::new();
                for (k, v) in rec {
                    let after = k == "responseElements";
                    ordered.insert(k, v);
                    if after {
                        ordered.insert("errorCode".into(), Json::String(code.to_string()));
                        ordered.insert("errorMessage".into(), Json::String(message.clone()));
                    }
                }
                rec = ordered;
                id.push_str(&format!("/error-{short}"));
                description.push_str(&format!(", failing with {code}"));
            }
            let event = Json::Object(rec);
            let raw = event.to_string();
            out.push(CorpusRecord {
                id,
                event_name: name.clone(),
                event_source: source.clone(),
                description,
                event,
                raw,
            });
        }
    }

    let special: Vec<Json> = serde_json::from_str(SPECIAL).expect("special-records.json is valid JSON");
    for s in special {
        let event = s["record"].clone();
        out.push(CorpusRecord {
            id: str_field(&s, "id").to_string(),
            event_name: str_field(&event, "eventName").to_string(),
            event_source: str_field(&event, "eventSource").to_string(),
            description: str_field(&s, "describe").to_string(),
            raw: event.to_string(),
            event,
        });
    }
    out
}

/// A set of corpus records (a bitset over record positions).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordSet {
    words: Vec<u64>,
}

impl RecordSet {
    pub(crate) fn empty(len: usize) -> Self {
        RecordSet { words: vec![0; len.div_ceil(64)] }
    }
    pub(crate) fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }
    pub(crate) fn contains(&self, i: usize) -> bool {
        self.words.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    pub(crate) fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }
    /// |self \ other|, without building the set.
    pub(crate) fn difference_count(&self, other: &RecordSet) -> usize {
        self.words.iter().zip(&other.words).map(|(a, b)| (a & !b).count_ones() as usize).sum()
    }
    pub(crate) fn difference(&self, other: &RecordSet) -> RecordSet {
        RecordSet { words: self.words.iter().zip(&other.words).map(|(a, b)| a & !b).collect() }
    }
    /// Positions in increasing order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, w)| {
            let w = *w;
            (0..64).filter(move |b| w & (1 << b) != 0).map(move |b| wi * 64 + b)
        })
    }
}

/// The records patterns are judged by: the built-in corpus, possibly extended with synthetic
/// records for the events of custom controls.
#[derive(Debug)]
pub struct Corpus {
    records: Vec<CorpusRecord>,
    ambiguous: std::sync::Arc<Vec<String>>,
}

impl Corpus {
    fn from_records(records: Vec<CorpusRecord>) -> Corpus {
        let mut sources: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
        for r in &records {
            let s = sources.entry(r.event_name.as_str()).or_default();
            if !s.contains(&r.event_source.as_str()) {
                s.push(&r.event_source);
            }
        }
        let ambiguous = sources.into_iter().filter(|(_, s)| s.len() > 1).map(|(n, _)| n.to_string()).collect();
        Corpus { ambiguous: std::sync::Arc::new(ambiguous), records }
    }

    /// The built-in corpus (built once per process).
    pub fn builtin() -> &'static Corpus {
        static CORPUS: OnceLock<Corpus> = OnceLock::new();
        CORPUS.get_or_init(|| Corpus::from_records(build(builtin_bases())))
    }

    /// The built-in corpus plus the variants of a synthetic record for each (eventSource,
    /// eventName) it lacks.
    pub(crate) fn with_events(events: &[(String, String)]) -> Corpus {
        let mut bases = builtin_bases();
        for (source, name) in events {
            let known =
                bases.iter().any(|b| str_field(b, "eventName") == name && str_field(b, "eventSource") == source);
            if !known {
                bases.push(synthetic_base(source, name));
            }
        }
        Corpus::from_records(build(bases))
    }

    pub(crate) fn records(&self) -> &[CorpusRecord] {
        &self.records
    }

    /// The records `p` matches.
    pub(crate) fn matching(&self, p: &Pattern) -> RecordSet {
        let mut s = RecordSet::empty(self.records.len());
        for (i, r) in self.records.iter().enumerate() {
            if p.matches(&r.event, &r.raw) {
                s.insert(i);
            }
        }
        s
    }

    /// Event names that occur under more than one event source (reports add the service).
    pub(crate) fn ambiguous_names(&self) -> std::sync::Arc<Vec<String>> {
        self.ambiguous.clone()
    }
}

/// The built-in corpus's records.
pub fn corpus() -> &'static [CorpusRecord] {
    Corpus::builtin().records()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_records_have_the_cloudtrail_shape() {
        let c = corpus();
        assert!(c.len() > 700, "corpus has {} records", c.len());
        let mut ids = HashSet::new();
        for r in c {
            assert!(ids.insert(r.id.clone()), "duplicate id {}", r.id);
            assert!(!r.event_name.is_empty(), "{} has no eventName", r.id);
            for k in [
                "eventVersion",
                "userIdentity",
                "eventTime",
                "eventSource",
                "eventName",
                "awsRegion",
                "sourceIPAddress",
                "userAgent",
                "eventID",
                "eventType",
                "recipientAccountId",
            ] {
                assert!(r.event.get(k).is_some(), "{} lacks {k}", r.id);
            }
            let back: Json = serde_json::from_str(&r.raw).unwrap();
            assert_eq!(back, r.event);
        }
    }

    #[test]
    fn variants_cover_principals_agents_and_errors() {
        let c = corpus();
        let v: Vec<&CorpusRecord> = c.iter().filter(|r| r.event_name == "ModifySecurityGroupRules").collect();
        assert_eq!(v.len(), VARIANTS_PER_EVENT);
        assert!(v.iter().any(|r| r.event["userIdentity"]["type"] == "Root"));
        assert!(v.iter().any(|r| r.event["userIdentity"]["invokedBy"] == "cloudformation.amazonaws.com"));
        assert!(v.iter().any(|r| r.event["errorCode"] == "Client.UnauthorizedOperation"
            && r.id.ends_with("/error-UnauthorizedOperation")));
        assert!(c.iter().any(|r| r.id == "AuthorizeSecurityGroupIngress/assumed-role/cli/eu-west-1"));
        assert!(c.iter().any(|r| r.id == "iam:CreatePolicy/iam-user/console/us-east-1"));
        assert!(c.iter().any(|r| r.id == "organizations:CreatePolicy/iam-user/console/us-east-1"));
        // errorCode sits right after responseElements, as CloudTrail writes it.
        let e = c.iter().find(|r| r.id.starts_with("DeleteTrail/iam-user/cli")).unwrap();
        assert!(e.raw.contains("\"responseElements\":null,\"errorCode\":\"AccessDenied\""), "{}", e.raw);
    }
}
