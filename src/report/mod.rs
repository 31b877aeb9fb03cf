//! Rendering. Renderers never compute verdicts; they only format a [`Report`].

pub(crate) mod asff;
pub mod compare;
pub(crate) mod csv;
mod findings;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod markdown;
pub(crate) mod matrix;
pub(crate) mod ocsf;
pub(crate) mod plan;
pub(crate) mod sarif;
mod schema;
#[cfg(test)]
mod snapshots;
pub(crate) mod table;
pub(crate) mod view;

pub use findings::Findings;
pub(crate) use findings::Spill;
pub use schema::*;

/// An output format: the one place that maps a format to its name, its renderer and the file it
/// is written to with `--output-dir`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Table,
    Json,
    Markdown,
    Html,
    Csv,
    Junit,
    Sarif,
    Ocsf,
    Asff,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 9] = [
        Format::Table,
        Format::Json,
        Format::Markdown,
        Format::Html,
        Format::Csv,
        Format::Junit,
        Format::Sarif,
        Format::Ocsf,
        Format::Asff,
    ];

    /// The name `--format` takes.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Ocsf => "ocsf",
            Format::Asff => "asff",
        }
    }

    /// The file the format is written to under `--output-dir`; None for the table, which is for
    /// a terminal and always goes to standard output.
    pub fn file_name(self) -> Option<&'static str> {
        match self {
            Format::Table => None,
            Format::Json => Some("cis-audit.json"),
            Format::Markdown => Some("cis-audit.md"),
            Format::Html => Some("cis-audit.html"),
            Format::Csv => Some("cis-audit.csv"),
            Format::Junit => Some("cis-audit.junit.xml"),
            Format::Sarif => Some("cis-audit.sarif"),
            Format::Ocsf => Some("cis-audit.ocsf.json"),
            Format::Asff => Some("cis-audit.asff.json"),
        }
    }

    /// Renders `report`; `color` only matters for the table.
    pub fn render(self, report: &Report, color: bool) -> String {
        match self {
            Format::Table => table::render(report, color, None),
            Format::Json => json::render(report),
            Format::Markdown => markdown::render(report),
            Format::Html => html::render(report),
            Format::Csv => csv::render(report),
            Format::Junit => junit::render(report),
            Format::Sarif => sarif::render(report),
            Format::Ocsf => ocsf::render(report),
            Format::Asff => asff::render(report),
        }
    }

    /// Writes `report` to `w`. JSON, OCSF, ASFF, CSV, Markdown, JUnit and SARIF are streamed (one
    /// verdict's object, row or evidence, one account's test suite, one result at a time), never
    /// built as one string: a thousand accounts' findings would otherwise be held twice (OCSF as
    /// `serde_json::Value`s took 2.4 GiB at 1,000 accounts). The table is for a terminal; an
    /// organisation's HTML is written as a site of pages (`run::output`).
    pub(crate) fn write(self, report: &Report, color: bool, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Format::Json => json::write(report, w),
            Format::Ocsf => write_json_seq(w, report.controls.iter().map(|c| ocsf::finding(report, c))),
            Format::Asff => write_json_seq(w, report.controls.iter().map(|c| asff::finding(report, c))),
            Format::Csv => csv::write(report, w),
            Format::Markdown => markdown::write(report, w),
            Format::Junit => junit::write(report, w),
            Format::Sarif => sarif::write(report, w),
            other => w.write_all(other.render(report, color).as_bytes()),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!("unknown format '{s}' (use {})", names.join(", "))
        })
    }
}

/// A sequence serialised as it is walked (each item built, written, dropped).
pub(crate) struct LazySeq<I>(std::cell::RefCell<Option<I>>);

impl<I> LazySeq<I> {
    pub(crate) fn new(items: I) -> Self {
        LazySeq(std::cell::RefCell::new(Some(items)))
    }
}

impl<I> serde::Serialize for LazySeq<I>
where
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let it = self.0.borrow_mut().take().ok_or_else(|| serde::ser::Error::custom("sequence already written"))?;
        s.collect_seq(it)
    }
}

/// A pretty-printed JSON array of `items` and a newline, streamed to `w`: byte for byte what
/// `serde_json::to_string_pretty` of the collected items gives.
pub(crate) fn write_json_seq<I>(w: &mut dyn std::io::Write, items: I) -> std::io::Result<()>
where
    I: Iterator,
    I::Item: serde::Serialize,
{
    serde_json::to_writer_pretty(&mut *w, &LazySeq::new(items)).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}
