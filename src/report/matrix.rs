//! The control × account matrix of an organisation's report (HTML heat map, markdown summary):
//! one cell per account and control (the worst of its regional verdicts), accounts grouped by
//! organizational unit, worst first; per control, the share of decided verdicts that pass.
//! Built in one pass over the verdicts. Presentation only: nothing here decides a verdict.

use super::{Report, ScopeState};
use crate::finding::Status;
use std::collections::HashMap;

/// What one cell shows: the account's verdicts of the control, the worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Cell {
    /// No verdict of the control in this account.
    None,
    Pass,
    Skipped,
    Manual,
    /// FAIL or ERROR, every one of them suppressed.
    Suppressed,
    Fail,
    Error,
}

impl Cell {
    fn of(status: Status, suppressed: bool) -> Cell {
        match status {
            Status::Fail | Status::Error if suppressed => Cell::Suppressed,
            Status::Pass => Cell::Pass,
            Status::Fail => Cell::Fail,
            Status::Error => Cell::Error,
            Status::Manual => Cell::Manual,
            Status::Skipped => Cell::Skipped,
        }
    }

    /// One letter: the HTML class and the markdown symbol's key.
    pub(crate) fn letter(self) -> char {
        match self {
            Cell::None => 'n',
            Cell::Pass => 'P',
            Cell::Skipped => 'S',
            Cell::Manual => 'M',
            Cell::Suppressed => 'X',
            Cell::Fail => 'F',
            Cell::Error => 'E',
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Cell::None => "no verdict",
            Cell::Pass => "PASS",
            Cell::Skipped => "SKIPPED",
            Cell::Manual => "MANUAL",
            Cell::Suppressed => "suppressed",
            Cell::Fail => "FAIL",
            Cell::Error => "ERROR",
        }
    }
}

/// A control shown as a column.
pub(crate) struct Column<'a> {
    pub key: &'a str,
    pub control: &'a str,
    pub title: &'a str,
    /// Verdicts that pass, and verdicts decided (PASS, FAIL, ERROR; suppressed ones by status).
    pub pass: usize,
    pub decided: usize,
    /// Accounts whose cell is FAIL or ERROR.
    pub failing_accounts: usize,
}

impl Column<'_> {
    /// Percentage of decided verdicts that pass (None: nothing decided).
    pub(crate) fn compliance(&self) -> Option<f64> {
        (self.decided > 0).then(|| 100.0 * self.pass as f64 / self.decided as f64)
    }
}

pub(crate) struct Row<'a> {
    pub account: &'a str,
    pub name: Option<&'a str>,
    pub failed: bool,
    /// One cell per column, in the columns' order.
    pub cells: Vec<Cell>,
    /// Counted FAIL and ERROR verdicts (suppressed ones left out).
    pub failing: usize,
    pub errors: usize,
}

pub(crate) struct Group<'a> {
    /// The OU path (`Root/Prod`), or "" when unknown.
    pub ou: &'a str,
    pub rows: Vec<Row<'a>>,
    /// Per column: passing and decided verdicts of the group's accounts.
    pub pass: Vec<usize>,
    pub decided: Vec<usize>,
}

impl Group<'_> {
    pub(crate) fn failing(&self) -> usize {
        self.rows.iter().map(|r| r.failing).sum()
    }
}

pub(crate) struct Matrix<'a> {
    /// Controls with at least one verdict other than MANUAL, worst compliance first.
    pub columns: Vec<Column<'a>>,
    /// Controls MANUAL in every account that could be read (not evaluated from an API): not
    /// shown as columns.
    pub manual_only: Vec<(&'a str, &'a str)>,
    /// Accounts by OU: the groups with the most failing verdicts per account first, and in each
    /// the accounts with the most failing verdicts first.
    pub groups: Vec<Group<'a>>,
}

/// The accounts with verdicts.
pub(crate) fn account_count(r: &Report) -> usize {
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    r.controls.iter().filter(|c| seen.insert(&c.account)).count()
}

impl<'a> Matrix<'a> {
    pub(crate) fn of(r: &'a Report) -> Matrix<'a> {
        // Columns in the report's order of controls, then sorted.
        let mut col_of: HashMap<&str, usize> = HashMap::new();
        let mut keys: Vec<(&str, &str, &str, bool)> = Vec::new();
        let mut row_of: HashMap<&str, usize> = HashMap::new();
        let mut accounts: Vec<&str> = Vec::new();
        for c in &r.controls {
            let k = *col_of.entry(&c.key).or_insert_with(|| {
                keys.push((&c.key, &c.control, &c.title, false));
                keys.len() - 1
            });
            // Evaluated from an API: a verdict other than MANUAL, not counting the ERROR every
            // control gets in an account that could not be read at all.
            if c.status != Status::Manual && !keys[k].3 {
                let unread = r.account_scope(&c.account).is_some_and(|s| s.state == ScopeState::Failed);
                keys[k].3 = !(unread && c.status == Status::Error);
            }
            row_of.entry(&c.account).or_insert_with(|| {
                accounts.push(&c.account);
                accounts.len() - 1
            });
        }
        let ncols = keys.len();
        let mut grid = vec![Cell::None; accounts.len() * ncols];
        let mut failing = vec![(0usize, 0usize); accounts.len()];
        let mut pass = vec![vec![0usize; ncols]; accounts.len()];
        let mut decided = vec![vec![0usize; ncols]; accounts.len()];
        for c in &r.controls {
            let (a, k) = (row_of[c.account.as_str()], col_of[c.key.as_str()]);
            let cell = &mut grid[a * ncols + k];
            *cell = (*cell).max(Cell::of(c.status, c.suppressed.is_some()));
            if matches!(c.status, Status::Pass | Status::Fail | Status::Error) {
                decided[a][k] += 1;
                pass[a][k] += (c.status == Status::Pass) as usize;
            }
            if c.suppressed.is_none() {
                match c.status {
                    Status::Fail => failing[a].0 += 1,
                    Status::Error => {
                        failing[a].0 += 1;
                        failing[a].1 += 1
                    }
                    _ => {}
                }
            }
        }
        // Columns shown: worst compliance first (nothing decided last), then report order.
        let mut shown: Vec<usize> = (0..ncols).filter(|k| keys[*k].3).collect();
        let column = |k: usize| {
            let (key, control, title, _) = keys[k];
            let failing_accounts =
                (0..accounts.len()).filter(|a| matches!(grid[a * ncols + k], Cell::Fail | Cell::Error)).count();
            Column {
                key,
                control,
                title,
                pass: (0..accounts.len()).map(|a| pass[a][k]).sum(),
                decided: (0..accounts.len()).map(|a| decided[a][k]).sum(),
                failing_accounts,
            }
        };
        let mut columns: Vec<(usize, Column)> = shown.drain(..).map(|k| (k, column(k))).collect();
        columns.sort_by(|(ka, a), (kb, b)| {
            let rank = |c: &Column| c.compliance().unwrap_or(f64::INFINITY);
            rank(a).total_cmp(&rank(b)).then(ka.cmp(kb))
        });
        let order: Vec<usize> = columns.iter().map(|(k, _)| *k).collect();
        let manual_only = keys.iter().filter(|k| !k.3).map(|k| (k.1, k.2)).collect();

        let mut by_ou: Vec<Group> = Vec::new();
        let mut group_of: HashMap<&str, usize> = HashMap::new();
        for (a, account) in accounts.iter().enumerate() {
            let scope = r.account_scope(account);
            let ou = scope.and_then(|s| s.ou.as_deref()).unwrap_or("");
            let g = *group_of.entry(ou).or_insert_with(|| {
                by_ou.push(Group { ou, rows: vec![], pass: vec![0; order.len()], decided: vec![0; order.len()] });
                by_ou.len() - 1
            });
            let group = &mut by_ou[g];
            for (i, k) in order.iter().enumerate() {
                group.pass[i] += pass[a][*k];
                group.decided[i] += decided[a][*k];
            }
            group.rows.push(Row {
                account,
                name: scope.and_then(|s| s.name.as_deref()),
                failed: scope.is_some_and(|s| s.state == ScopeState::Failed),
                cells: order.iter().map(|k| grid[a * ncols + k]).collect(),
                failing: failing[a].0,
                errors: failing[a].1,
            });
        }
        for g in &mut by_ou {
            g.rows.sort_by(|x, y| {
                (y.errors, y.failing)
                    .cmp(&(x.errors, x.failing))
                    .then(x.name.cmp(&y.name))
                    .then(x.account.cmp(y.account))
            });
        }
        by_ou.sort_by(|x, y| {
            let rate = |g: &Group| g.failing() as f64 / g.rows.len().max(1) as f64;
            rate(y).total_cmp(&rate(x)).then(x.ou.cmp(y.ou))
        });
        Matrix { columns: columns.into_iter().map(|(_, c)| c).collect(), manual_only, groups: by_ou }
    }
}
