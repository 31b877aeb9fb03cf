//! Saving and loading an inventory, and the one atomic file writer every output uses (reports,
//! inventories, journals): a temporary file beside the target, flushed to disk, then renamed, so
//! a reader never sees half a file and a crash never leaves one.

use super::model::{Inventory, INVENTORY_SCHEMA_VERSION};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Who may read a file written by [`write_atomic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// The usual permissions (reports).
    Shared,
    /// Owner only, 0600 (inventories and journals: they describe an account's security setup).
    Private,
}

/// Writes `bytes` to `path` atomically, creating the parent directory.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], access: Access) -> std::io::Result<()> {
    write_atomic_with(path, access, &mut |w| w.write_all(bytes))
}

/// Like [`write_atomic`], with the content streamed by `write` (a large report is never held in
/// memory as one string).
pub(crate) fn write_atomic_with(
    path: &Path,
    access: Access,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (tmp, f) = open_beside(path, access)?;
    let result = (|| {
        let mut w = std::io::BufWriter::new(f);
        write(&mut w)?;
        commit(w, &tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The temporary file beside `path` an atomic write goes to first (the parent directory
/// created).
fn open_beside(path: &Path, access: Access) -> std::io::Result<(PathBuf, std::fs::File)> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if access == Access::Private {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    Ok((opts.open(&tmp)?, tmp)).map(|(f, t)| (t, f))
}

/// Flushes the temporary file to disk and renames it to `path`.
fn commit(w: std::io::BufWriter<std::fs::File>, tmp: &Path, path: &Path) -> std::io::Result<()> {
    let f = w.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()?;
    std::fs::rename(tmp, path)
}

/// An inventory written while it is collected (`--save-inventory` of an organisation): each
/// account as soon as its reads are done ([`InventoryWriter::account`]), then the rest
/// ([`InventoryWriter::finish`]), so that no account's raw data waits in memory for the file.
/// Atomic like [`write_atomic`]: the file appears complete at `finish`, or not at all.
pub(crate) struct InventoryWriter {
    path: PathBuf,
    tmp: PathBuf,
    w: Option<std::io::BufWriter<std::fs::File>>,
    accounts: usize,
    /// The first write that failed; the others are skipped, `finish` reports it.
    error: Option<std::io::Error>,
    committed: bool,
}

impl InventoryWriter {
    /// Creates the temporary file now, so that a path that cannot be written is said before
    /// anything is collected.
    pub(crate) fn create(path: &Path) -> Result<Self, StoreError> {
        let fail = |source| StoreError::Write { path: path.display().to_string(), source };
        let (tmp, f) = open_beside(path, Access::Private).map_err(fail)?;
        Ok(InventoryWriter {
            path: path.to_path_buf(),
            tmp,
            w: Some(std::io::BufWriter::new(f)),
            accounts: 0,
            error: None,
            committed: false,
        })
    }

    /// Appends one account of the collection started at `collected_at`.
    pub(crate) fn account(&mut self, a: &super::model::AccountInventory, collected_at: &str) {
        if self.error.is_some() {
            return;
        }
        let first = self.accounts == 0;
        self.accounts += 1;
        let Some(w) = self.w.as_mut() else { return };
        let r = (|| {
            if first {
                head(w, collected_at)?;
            }
            w.write_all(if first { b"\n    " } else { b",\n    " })?;
            indented(w, a, "    ")
        })();
        if let Err(e) = r {
            self.error = Some(e);
        }
    }

    /// Writes everything of `inv` but its accounts (those were appended), and commits the file:
    /// the same bytes as [`save`] of the whole inventory.
    pub(crate) fn finish(mut self, inv: &mut Inventory) -> Result<(), StoreError> {
        let path = self.path.display().to_string();
        let accounts = std::mem::take(&mut inv.accounts);
        let result = (|| {
            if let Some(e) = self.error.take() {
                return Err(e);
            }
            let mut w = self.w.take().ok_or_else(|| std::io::Error::other("already finished"))?;
            if self.accounts == 0 {
                head(&mut w, &inv.collected_at)?;
            }
            w.write_all(if self.accounts == 0 { b"]" } else { b"\n  ]" })?;
            let v = serde_json::to_value(&*inv).map_err(std::io::Error::other)?;
            for (k, val) in v.as_object().into_iter().flatten().skip_while(|(k, _)| *k != "accounts").skip(1) {
                write!(w, ",\n  {}: ", serde_json::Value::from(k.as_str()))?;
                indented(&mut w, val, "  ")?;
            }
            w.write_all(b"\n}")?;
            commit(w, &self.tmp, &self.path)
        })();
        inv.accounts = accounts;
        self.committed = result.is_ok();
        result.map_err(|source| StoreError::Write { path, source })
    }
}

/// The inventory's fields before its accounts, and the opening of the accounts' array.
fn head(w: &mut dyn Write, collected_at: &str) -> std::io::Result<()> {
    let shell = Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at: collected_at.to_string(),
        ..Default::default()
    };
    let v = serde_json::to_value(&shell).map_err(std::io::Error::other)?;
    w.write_all(b"{")?;
    for (i, (k, val)) in v.as_object().into_iter().flatten().take_while(|(k, _)| *k != "accounts").enumerate() {
        write!(w, "{}\n  {}: ", if i == 0 { "" } else { "," }, serde_json::Value::from(k.as_str()))?;
        indented(w, val, "  ")?;
    }
    w.write_all(b",\n  \"accounts\": [")
}

/// `value` as pretty JSON nested under `indent` (what `serde_json::to_string_pretty` of the
/// whole would write there; JSON strings hold no raw newline, so every line break is structure).
fn indented(w: &mut dyn Write, value: &impl serde::Serialize, indent: &str) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            w.write_all(b"\n")?;
            w.write_all(indent.as_bytes())?;
        }
        w.write_all(line)?;
    }
    Ok(())
}

impl Drop for InventoryWriter {
    /// Not finished (an error, the run stopped): no half file is left.
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Why an inventory file could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("cannot read inventory {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot write inventory to {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("inventory {path} is not JSON: {message}")]
    NotJson { path: String, message: String },
    #[error(
        "inventory {path} has schema_version {found}, this cis-audit reads versions 1 to {INVENTORY_SCHEMA_VERSION}"
    )]
    Version { path: String, found: String },
    #[error("inventory {path} is not a cis-audit inventory: {message}")]
    Shape { path: String, message: String },
}

/// Writes the inventory (pretty JSON, owner-only).
pub(crate) fn save(inv: &Inventory, path: &Path) -> Result<(), StoreError> {
    let text = serde_json::to_string_pretty(inv)
        .map_err(|e| StoreError::Write { path: path.display().to_string(), source: std::io::Error::other(e) })?;
    write_atomic(path, text.as_bytes(), Access::Private)
        .map_err(|source| StoreError::Write { path: path.display().to_string(), source })
}

/// Reads a saved inventory; version 1 files are upgraded as they load.
pub(crate) fn load(path: &Path) -> Result<Inventory, StoreError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| StoreError::Read { path: p.clone(), source })?;
    parse(&text).map_err(|e| match e {
        ParseError::NotJson(message) => StoreError::NotJson { path: p.clone(), message },
        ParseError::Version(found) => StoreError::Version { path: p.clone(), found },
        ParseError::Shape(message) => StoreError::Shape { path: p.clone(), message },
    })
}

/// Why inventory text does not parse (without a file name; [`load`] adds it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    NotJson(String),
    Version(String),
    Shape(String),
}

/// Parses inventory text. Never panics, whatever the input. The version is read first (a
/// lenient pass over the text), then the inventory straight into its structs.
pub fn parse(text: &str) -> Result<Inventory, ParseError> {
    #[derive(serde::Deserialize)]
    struct Version {
        #[serde(default)]
        schema_version: Option<serde_json::Value>,
    }
    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| ParseError::NotJson(e.to_string()))?;
    let v: Version = serde_json::from_str(text).map_err(|e| ParseError::Shape(e.to_string()))?;
    match v.schema_version.as_ref().and_then(|x| x.as_u64()) {
        Some(1) | Some(2) => {}
        _ => {
            return Err(ParseError::Version(
                v.schema_version.map(|x| x.to_string()).unwrap_or_else(|| "(missing)".into()),
            ))
        }
    }
    let mut inv: Inventory = serde_json::from_str(text).map_err(|e| ParseError::Shape(e.to_string()))?;
    inv.schema_version = INVENTORY_SCHEMA_VERSION;
    Ok(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_is_private_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("cis-audit-store-{}", std::process::id()));
        let path = dir.join("sub").join("inv.json");
        save(&Inventory { schema_version: INVENTORY_SCHEMA_VERSION, ..Default::default() }, &path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let names: Vec<_> =
            std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert_eq!(load(&path).unwrap().schema_version, INVENTORY_SCHEMA_VERSION);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_streamed_inventory_reads_back_as_the_whole_one_and_an_unfinished_one_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("cis-audit-stream-{}", std::process::id()));
        let path = dir.join("inv.json");
        let whole = parse(include_str!("../../tests/fixtures/demo-inventory.json")).unwrap();
        let mut second = whole.accounts[0].clone();
        second.account_id = "444455556666".into();
        let mut inv = Inventory { accounts: vec![whole.accounts[0].clone(), second], ..whole.clone() };
        let mut w = InventoryWriter::create(&path).unwrap();
        for a in &inv.accounts {
            w.account(a, &inv.collected_at);
        }
        let expected = inv.clone();
        w.finish(&mut inv).unwrap();
        assert_eq!(inv, expected, "finish gives the accounts back");
        assert_eq!(load(&path).unwrap(), expected);
        // Byte for byte what saving the whole inventory writes, with accounts and without.
        let whole_path = dir.join("whole.json");
        save(&expected, &whole_path).unwrap();
        assert!(std::fs::read(&path).unwrap() == std::fs::read(&whole_path).unwrap(), "streamed and whole differ");
        let empty = Inventory { accounts: vec![], ..expected.clone() };
        let w = InventoryWriter::create(&path).unwrap();
        w.finish(&mut empty.clone()).unwrap();
        save(&empty, &whole_path).unwrap();
        assert!(std::fs::read(&path).unwrap() == std::fs::read(&whole_path).unwrap(), "no account: differ");
        std::fs::remove_file(&whole_path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // Stopped before finish (an error, Ctrl-C): no file, no temporary file.
        let other = dir.join("unfinished.json");
        let mut w = InventoryWriter::create(&other).unwrap();
        w.account(&expected.accounts[0], &expected.collected_at);
        drop(w);
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("inv.json")]);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bad_inventories_say_what_is_wrong() {
        assert!(matches!(parse("nope"), Err(ParseError::NotJson(_))));
        assert_eq!(parse(r#"{"schema_version": 9}"#), Err(ParseError::Version("9".into())));
        assert_eq!(parse(r#"{}"#), Err(ParseError::Version("(missing)".into())));
        assert!(matches!(parse(r#"{"schema_version": 2, "accounts": 3}"#), Err(ParseError::Shape(_))));
    }

    #[test]
    fn version_1_delivery_channels_load() {
        let v1 = r#"{"region":"us-east-1","recorders":{"ok":[]},"recorder_statuses":{"ok":[]},"delivery_channels":{"ok":["default"]}}"#;
        let rc: crate::inventory::RegionConfig = serde_json::from_str(v1).unwrap();
        assert_eq!(
            rc.delivery_channels,
            crate::inventory::Collected::Ok(vec![crate::inventory::DeliveryChannel {
                name: "default".into(),
                bucket: None
            }])
        );
    }
}
