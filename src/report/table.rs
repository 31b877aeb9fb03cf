//! `--format table`: one row per control verdict, coloured on a terminal.

use super::view::{reason_label, status_label, title_label};
use super::Report;
use crate::finding::Status;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, Color, ContentArrangement, Table};

/// The table, `width` columns wide (default: `COLUMNS`, else 160).
pub fn render(report: &Report, color: bool, width: Option<u16>) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    if !color {
        t.force_no_tty();
    } else {
        t.enforce_styling();
    }
    t.set_width(width.or_else(terminal_width).unwrap_or(160));
    let changes = report.baseline.is_some();
    let mut header = vec!["ID", "Title", "Status", "Account", "Region", "Reason"];
    if changes {
        header.insert(3, "Change");
    }
    t.set_header(header);
    for c in &report.controls {
        let mut status = Cell::new(status_label(c));
        if color {
            status = status.fg(match c.status {
                Status::Pass => Color::Green,
                Status::Fail => Color::Red,
                Status::Error => Color::Magenta,
                Status::Manual => Color::Yellow,
                Status::Skipped => Color::Grey,
            });
        }
        let mut row = vec![
            Cell::new(&c.control),
            Cell::new(format!("{}\n{}", title_label(c), c.key)),
            status,
            Cell::new(&c.account),
            Cell::new(c.region.as_deref().unwrap_or("-")),
            Cell::new(reason_label(c)),
        ];
        if changes {
            row.insert(3, Cell::new(c.change.map(|x| x.as_str()).unwrap_or("-")));
        }
        t.add_row(row);
    }
    format!("{t}\n{}\n", report.summary_line())
}

fn terminal_width() -> Option<u16> {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
}
