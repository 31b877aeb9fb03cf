//! Where the audit's reports go: `--format` (one format or several), `--output FILE`,
//! `--output-dir DIR`. Decided before anything is collected, so a wrong combination costs no
//! AWS call.

use super::RunError;
use crate::inventory::store;
use crate::report::{html, Format, Report};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where one format is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Destination {
    Stdout,
    File(PathBuf),
}

/// Each requested format and where it goes, in the order asked (duplicates dropped).
///
/// - one format: `--output FILE`, else standard output; with `--output-dir DIR`, its fixed name
///   in DIR;
/// - several formats: `--output-dir DIR` is required, each goes to its fixed name in DIR
///   ([`Format::file_name`]); the table, which is for a terminal, goes to standard output.
pub(crate) fn destinations(
    formats: &[Format],
    output: Option<&Path>,
    output_dir: Option<&Path>,
) -> Result<Vec<(Format, Destination)>, RunError> {
    let mut list: Vec<Format> = Vec::new();
    for f in formats {
        if !list.contains(f) {
            list.push(*f);
        }
    }
    if list.is_empty() {
        list.push(Format::Table);
    }
    let names = || list.iter().map(|f| f.name()).collect::<Vec<_>>().join(",");
    if output.is_some() && output_dir.is_some() {
        return Err(RunError("--output and --output-dir cannot be used together".into()));
    }
    if let Some(dir) = output_dir {
        return Ok(list
            .iter()
            .map(|f| (*f, f.file_name().map(|n| Destination::File(dir.join(n))).unwrap_or(Destination::Stdout)))
            .collect());
    }
    if list.len() > 1 {
        return Err(RunError(match output {
            Some(_) => format!(
                "--output takes one format; --format {} writes several reports: use --output-dir DIR instead",
                names()
            ),
            None => format!("--format {} writes several reports: add --output-dir DIR (one file each)", names()),
        }));
    }
    Ok(vec![(list[0], output.map(|p| Destination::File(p.to_path_buf())).unwrap_or(Destination::Stdout))])
}

/// Renders and writes every report (JSON streamed, never built as one string); returns the files
/// written, and whether a table (which ends with the summary line) went to standard output.
/// `quiet_json`: the JSON report is not printed on standard output (with `--remediate --format
/// json` standard output carries the remediation outcome).
pub(crate) fn write_reports(
    report: &Report,
    outputs: &[(Format, Destination)],
    color: bool,
    quiet_json: bool,
) -> Result<(Vec<String>, bool), RunError> {
    let mut written: Vec<String> = Vec::new();
    let mut summary_shown = false;
    for (format, dest) in outputs {
        match dest {
            Destination::Stdout => {
                if *format == Format::Json && quiet_json {
                    continue;
                }
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                let _ = format.write(report, color, &mut out).and_then(|_| out.flush());
                summary_shown |= *format == Format::Table;
            }
            Destination::File(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| RunError(format!("cannot create the directory {}: {e}", dir.display())))?;
                }
                if *format == Format::Html && html::is_organisation(report) {
                    written.extend(write_html_site(report, path)?);
                } else {
                    store::write_atomic_with(path, store::Access::Shared, &mut |w| format.write(report, false, w))
                        .map_err(|e| RunError(format!("cannot write report to {}: {e}", path.display())))?;
                    written.push(path.display().to_string());
                }
            }
        }
        // A live audit's findings are read back from their temporary file as each format is
        // rendered: one that could not be read would be missing from what was just written.
        if let Some(e) = report.findings.read_error() {
            return Err(RunError(format!("the {} report is incomplete: {e}", format.name())));
        }
    }
    Ok((written, summary_shown))
}

/// An organisation's HTML report in a file: the index at `path` (heat map, worst controls,
/// scope), and each account's page (its evidence and chain drawings) under `accounts/` beside
/// it, rendered and written one at a time. Returns what was written.
fn write_html_site(report: &Report, path: &Path) -> Result<Vec<String>, RunError> {
    let write = |p: &Path, text: &str| {
        store::write_atomic_with(p, store::Access::Shared, &mut |w| w.write_all(text.as_bytes()))
            .map_err(|e| RunError(format!("cannot write report to {}: {e}", p.display())))
    };
    write(path, &html::render_index(report))?;
    let dir = path.parent().unwrap_or(Path::new("")).join(html::PAGES_DIR);
    std::fs::create_dir_all(&dir)
        .map_err(|e| RunError(format!("cannot create the directory {}: {e}", dir.display())))?;
    let index = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut pages = 0;
    for (name, text) in html::account_pages(report, &index) {
        write(&dir.join(name), &text)?;
        pages += 1;
    }
    Ok(vec![path.display().to_string(), format!("{} ({pages} account pages)", dir.display())])
}

/// The summary line, and where the reports went.
pub(crate) fn summary(line: &str, written: &[String]) -> String {
    match written.len() {
        0 => line.to_string(),
        1 => format!("{line} — report written to {}", written[0]),
        _ => format!("{line} — reports written to {}", written.join(", ")),
    }
}

/// [`write_reports`], then the one summary line on standard error (unless a table on standard
/// output ended with it already).
pub(crate) fn write_all(
    report: &Report,
    outputs: &[(Format, Destination)],
    color: bool,
    quiet_json: bool,
) -> Result<(), RunError> {
    let (written, summary_shown) = write_reports(report, outputs, color, quiet_json)?;
    if !(summary_shown && written.is_empty()) {
        eprintln!("{}", summary(&report.summary_line(), &written));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_formats_need_an_output_dir() {
        let e = destinations(&[Format::Json, Format::Markdown], None, None).unwrap_err();
        assert!(e.0.contains("--output-dir"), "{e}");
        let e = destinations(&[Format::Json, Format::Markdown], Some(Path::new("x")), None).unwrap_err();
        assert!(e.0.contains("--output-dir"), "{e}");
        let d = destinations(&[Format::Table, Format::Json, Format::Json], None, Some(Path::new("out"))).unwrap();
        assert_eq!(
            d,
            vec![(Format::Table, Destination::Stdout), (Format::Json, Destination::File("out/cis-audit.json".into()))]
        );
        assert_eq!(destinations(&[Format::Json], None, None).unwrap(), vec![(Format::Json, Destination::Stdout)]);
        assert_eq!(
            destinations(&[Format::Markdown], Some(Path::new("r.md")), None).unwrap(),
            vec![(Format::Markdown, Destination::File("r.md".into()))]
        );
    }
}
