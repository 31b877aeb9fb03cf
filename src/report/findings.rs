//! A report's findings: in memory as read from a report file, or — for a live audit, which may
//! span a thousand accounts — written to an anonymous temporary file group by group as each
//! account is evaluated ([`Spill`]) and read back, a verdict's group at a time, when rendered.
//!
//! A group is the findings of one control in one account, in the order its check produced them;
//! the report's order is its groups' order. What is kept in memory per group is its control,
//! its account and where its bytes are: memory no longer grows with the findings of an
//! organisation (a thousand accounts' findings are some 200 MB).

use super::ReportFinding;
use crate::checks::FindingSink;
use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex};

/// Every finding of a report, in report order.
#[derive(Clone)]
pub struct Findings(Repr);

#[derive(Clone)]
enum Repr {
    Listed(Vec<ReportFinding>),
    Grouped(Arc<Grouped>),
}

struct Grouped {
    groups: Vec<Group>,
    /// The file the written groups are in (none if nothing was written).
    file: Option<Mutex<File>>,
    count: usize,
    /// The first failure to read a group back: the renderers' output would lack its findings,
    /// so the run reports it ([`Findings::read_error`]).
    error: Mutex<Option<String>>,
}

/// The findings of one control in one account.
pub(crate) struct Group {
    control: String,
    account: String,
    count: u32,
    body: Body,
}

enum Body {
    Kept(Vec<ReportFinding>),
    Written { at: u64, len: usize },
}

/// Where a finding (a report without groups) or a group (a spilled report) is.
pub(crate) type Units = Vec<usize>;

impl Default for Findings {
    fn default() -> Self {
        Findings(Repr::Listed(Vec::new()))
    }
}

impl From<Vec<ReportFinding>> for Findings {
    fn from(v: Vec<ReportFinding>) -> Self {
        Findings(Repr::Listed(v))
    }
}

impl FromIterator<ReportFinding> for Findings {
    fn from_iter<I: IntoIterator<Item = ReportFinding>>(iter: I) -> Self {
        Findings(Repr::Listed(iter.into_iter().collect()))
    }
}

impl Findings {
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Listed(v) => v.len(),
            Repr::Grouped(g) => g.count,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every finding in report order; a written group is read back as it is reached.
    pub fn iter(&self) -> Box<dyn Iterator<Item = Cow<'_, ReportFinding>> + '_> {
        match &self.0 {
            Repr::Listed(v) => Box::new(v.iter().map(Cow::Borrowed)),
            Repr::Grouped(g) => Box::new((0..g.groups.len()).flat_map(move |i| g.read(i))),
        }
    }

    /// The findings as a list (read back whole if they were written).
    pub fn to_vec(&self) -> Vec<ReportFinding> {
        self.iter().map(Cow::into_owned).collect()
    }

    /// The findings of a report read from a file, to be completed in place; none for a spilled
    /// report (a live run's findings are complete).
    pub(crate) fn listed_mut(&mut self) -> Option<&mut Vec<ReportFinding>> {
        match &mut self.0 {
            Repr::Listed(v) => Some(v),
            Repr::Grouped(_) => None,
        }
    }

    /// The units (findings, or groups) by control id, then account.
    pub(crate) fn by_control_and_account(&self) -> HashMap<String, HashMap<String, Units>> {
        let mut out: HashMap<String, HashMap<String, Units>> = HashMap::new();
        self.each_unit(|i, control, account| {
            out.entry(control.to_string()).or_default().entry(account.to_string()).or_default().push(i)
        });
        out
    }

    /// The units by account, in report order.
    pub(crate) fn by_account(&self) -> HashMap<String, Units> {
        let mut out: HashMap<String, Units> = HashMap::new();
        self.each_unit(|i, _, account| out.entry(account.to_string()).or_default().push(i));
        out
    }

    fn each_unit(&self, mut f: impl FnMut(usize, &str, &str)) {
        match &self.0 {
            Repr::Listed(v) => v.iter().enumerate().for_each(|(i, x)| f(i, &x.control, &x.account)),
            Repr::Grouped(g) => g.groups.iter().enumerate().for_each(|(i, x)| f(i, &x.control, &x.account)),
        }
    }

    /// The findings of the units `units` (of [`Findings::by_control_and_account`] or
    /// [`Findings::by_account`]), in order.
    pub(crate) fn of_units<'a>(&'a self, units: &[usize]) -> Vec<Cow<'a, ReportFinding>> {
        match &self.0 {
            Repr::Listed(v) => units.iter().filter_map(|i| v.get(*i)).map(Cow::Borrowed).collect(),
            Repr::Grouped(g) => units.iter().flat_map(|i| g.read(*i)).collect(),
        }
    }

    /// Why a written group could not be read back, if one could not: what was rendered lacks
    /// its findings.
    pub(crate) fn read_error(&self) -> Option<String> {
        match &self.0 {
            Repr::Listed(_) => None,
            Repr::Grouped(g) => g.error.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        }
    }
}

impl Grouped {
    /// The findings of group `i`.
    fn read(&self, i: usize) -> Vec<Cow<'_, ReportFinding>> {
        let Some(group) = self.groups.get(i) else { return Vec::new() };
        match &group.body {
            Body::Kept(v) => v.iter().map(Cow::Borrowed).collect(),
            Body::Written { at, len } => match self.read_written(*at, *len) {
                Ok(v) => v.into_iter().map(Cow::Owned).collect(),
                Err(e) => {
                    let mut error = self.error.lock().unwrap_or_else(|e| e.into_inner());
                    error.get_or_insert_with(|| {
                        format!(
                            "the findings of {} in account {} could not be read back from the temporary file: {e}",
                            group.control, group.account
                        )
                    });
                    Vec::new()
                }
            },
        }
    }

    fn read_written(&self, at: u64, len: usize) -> std::io::Result<Vec<ReportFinding>> {
        let Some(file) = &self.file else { return Err(std::io::Error::other("no temporary file")) };
        let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
        let mut buf = vec![0u8; len];
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut buf)?;
        serde_json::from_slice(&buf).map_err(std::io::Error::other)
    }
}

/// Writes each group of findings, as it is evaluated, to an anonymous temporary file (deleted
/// by the system when the run ends, however it ends). A group that cannot be written — no
/// temporary directory, a full disk — is kept in memory instead, and so is every one after it:
/// nothing is lost, the run only uses more memory.
pub(crate) struct Spill {
    file: Option<File>,
    at: u64,
}

impl Spill {
    /// A spill to a new file in the system's temporary directory (`TMPDIR`), or one that keeps
    /// everything in memory if that cannot be created.
    pub(crate) fn new() -> Spill {
        Spill { file: tempfile::tempfile().ok(), at: 0 }
    }

    /// A spill that keeps everything in memory.
    #[cfg(test)]
    pub(crate) fn in_memory() -> Spill {
        Spill { file: None, at: 0 }
    }

    /// The findings of `groups` (this spill's), in that order.
    pub(crate) fn finish(self, groups: Vec<Group>) -> Findings {
        let count = groups.iter().map(|g| g.count as usize).sum();
        let file = self.file.map(Mutex::new);
        Findings(Repr::Grouped(Arc::new(Grouped { groups, file, count, error: Mutex::new(None) })))
    }
}

impl FindingSink for Spill {
    type Group = Group;

    /// The group of `findings` of `control` in `account`, written out if it can be.
    fn put(&mut self, control: &str, account: &str, findings: Vec<Finding>) -> Group {
        let findings: Vec<ReportFinding> = findings.into_iter().map(ReportFinding::from).collect();
        let count = findings.len() as u32;
        let group = |body| Group { control: control.to_string(), account: account.to_string(), count, body };
        let Some(file) = &mut self.file else { return group(Body::Kept(findings)) };
        let bytes = match serde_json::to_vec(&findings) {
            Ok(b) => b,
            Err(_) => return group(Body::Kept(findings)),
        };
        match file.write_all(&bytes) {
            Ok(()) => {
                let body = Body::Written { at: self.at, len: bytes.len() };
                self.at += bytes.len() as u64;
                group(body)
            }
            Err(_) => {
                // What follows the last whole group is unknown: write no more.
                self.file = None;
                group(Body::Kept(findings))
            }
        }
    }
}

impl Serialize for Findings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for f in self.iter() {
            seq.serialize_element(f.as_ref())?;
        }
        if let Some(e) = self.read_error() {
            return Err(S::Error::custom(e));
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Findings {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<ReportFinding>::deserialize(d).map(Findings::from)
    }
}

impl PartialEq for Findings {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl std::fmt::Debug for Findings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Status, Subject};

    fn finding(control: &str, account: &str, message: &str) -> Finding {
        let c =
            crate::catalog::catalog().select("5.0.0", Some(&["security-group-changes".to_string()])).unwrap().remove(0);
        let mut f = Finding::about(&c, Subject::Trail, account).status(Status::Fail).message(message.to_string());
        f.control = control.to_string();
        f
    }

    fn grouped(spill: Spill) -> Findings {
        let mut spill = spill;
        let groups = vec![
            spill.put(
                "4.10",
                "111111111111",
                vec![finding("4.10", "111111111111", "a"), finding("4.10", "111111111111", "b")],
            ),
            spill.put("4.10", "222222222222", vec![]),
            spill.put("4.11", "111111111111", vec![finding("4.11", "111111111111", "c")]),
        ];
        spill.finish(groups)
    }

    #[test]
    fn written_groups_read_back_as_they_were_in_report_order() {
        let written = grouped(Spill::new());
        let kept = grouped(Spill::in_memory());
        assert!(matches!(&written.0, Repr::Grouped(g) if g.file.is_some()));
        assert_eq!(written.len(), 3);
        let messages: Vec<String> = written.iter().map(|f| f.message.clone()).collect();
        assert_eq!(messages, ["a", "b", "c"]);
        assert_eq!(written, kept);
        assert_eq!(written, Findings::from(kept.to_vec()));
        assert_eq!(serde_json::to_string(&written).unwrap(), serde_json::to_string(&kept.to_vec()).unwrap());
        let index = written.by_control_and_account();
        let units = &index["4.10"]["111111111111"];
        let of: Vec<String> = written.of_units(units).iter().map(|f| f.message.clone()).collect();
        assert_eq!(of, ["a", "b"]);
        let by_account = written.by_account();
        let of: Vec<String> = written.of_units(&by_account["111111111111"]).iter().map(|f| f.message.clone()).collect();
        assert_eq!(of, ["a", "b", "c"]);
        assert_eq!(written.read_error(), None);
    }

    #[test]
    fn a_group_that_cannot_be_written_is_kept_in_memory_and_so_is_every_one_after_it() {
        // A file open for reading only: every write fails, as on a full disk.
        let read_only = File::open(std::env::current_exe().unwrap()).unwrap();
        let findings = grouped(Spill { file: Some(read_only), at: 0 });
        let Repr::Grouped(g) = &findings.0 else { panic!("grouped") };
        assert!(g.file.is_none(), "no more writes after the first failure");
        assert!(g.groups.iter().all(|x| matches!(x.body, Body::Kept(_))));
        assert_eq!(findings, grouped(Spill::in_memory()));
        assert_eq!(findings.read_error(), None);
    }

    #[test]
    fn a_group_that_cannot_be_read_back_is_reported_not_dropped_silently() {
        let mut spill = Spill::new();
        let groups = vec![spill.put("4.10", "111111111111", vec![finding("4.10", "111111111111", "a")])];
        let findings = spill.finish(groups);
        if let Repr::Grouped(g) = &findings.0 {
            g.file.as_ref().unwrap().lock().unwrap().set_len(0).unwrap();
        }
        assert_eq!(findings.iter().count(), 0);
        let e = findings.read_error().unwrap();
        assert!(e.contains("findings of 4.10 in account 111111111111"), "{e}");
        let e = serde_json::to_string(&findings).unwrap_err().to_string();
        assert!(e.contains("could not be read back"), "{e}");
    }

    #[test]
    fn a_streamed_evaluation_spilled_to_a_file_reads_back_as_the_whole_evaluations_findings() {
        let inv = crate::inventory::store::parse(include_str!("../../tests/fixtures/demo-inventory.json")).unwrap();
        let controls = crate::catalog::catalog().select("5.0.0", None).unwrap();
        let opts = crate::checks::EvalOptions::default();
        let whole: Vec<ReportFinding> =
            crate::checks::evaluate(&inv, &controls, opts).findings.into_iter().map(Into::into).collect();
        let mut s = crate::checks::Streamed::new(&controls, opts, Spill::new());
        let mut kept = crate::inventory::Inventory { accounts: Vec::new(), ..inv.clone() };
        for a in &inv.accounts {
            kept.accounts.push(s.account(a.clone(), &inv.collected_at));
        }
        let (_, groups, spill) = s.finish(&kept);
        let findings = spill.finish(groups);
        assert!(matches!(&findings.0, Repr::Grouped(g) if g.file.is_some()));
        assert_eq!(findings.len(), whole.len());
        assert!(findings.iter().zip(&whole).all(|(a, b)| a.as_ref() == b));
        assert_eq!(findings.read_error(), None);
    }
}
