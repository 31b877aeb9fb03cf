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
        let mut w = std::io::BufWriter::new(f);
        let header = format!(
            "{{\n  \"schema_version\": {INVENTORY_SCHEMA_VERSION},\n  \"tool_version\": {},\n  \"accounts\": [",
            serde_json::Value::from(env!("CARGO_PKG_VERSION"))
        );
        let mut me =
            InventoryWriter { path: path.to_path_buf(), tmp, w: None, accounts: 0, error: None, committed: false };
        w.write_all(header.as_bytes()).map_err(fail)?;
        me.w = Some(w);
        Ok(me)
    }

    /// Appends one account.
    pub(crate) fn account(&mut self, a: &super::model::AccountInventory) {
        let (Some(w), None) = (self.w.as_mut(), &self.error) else { return };
        let sep = if self.accounts == 0 { "\n" } else { ",\n" };
        let r = w
            .write_all(sep.as_bytes())
            .and_then(|_| serde_json::to_writer_pretty(&mut *w, a).map_err(std::io::Error::other));
        self.accounts += 1;
        if let Err(e) = r {
            self.error = Some(e);
        }
    }

    /// Writes everything of `inv` but its accounts (those were appended), and commits the file.
    pub(crate) fn finish(mut self, inv: &mut Inventory) -> Result<(), StoreError> {
        let path = self.path.display().to_string();
        let accounts = std::mem::take(&mut inv.accounts);
        let result = (|| {
            if let Some(e) = self.error.take() {
                return Err(e);
            }
            let mut w = self.w.take().ok_or_else(|| std::io::Error::other("already finished"))?;
            let mut v = serde_json::to_value(&*inv).map_err(std::io::Error::other)?;
            if let Some(o) = v.as_object_mut() {
                for k in ["accounts", "schema_version", "tool_version"] {
                    o.remove(k);
                }
                w.write_all(b"\n  ]")?;
                for (k, val) in o.iter() {
                    write!(w, ",\n  {}: ", serde_json::Value::from(k.as_str()))?;
                    serde_json::to_writer_pretty(&mut w, val).map_err(std::io::Error::other)?;
                }
            }
            w.write_all(b"\n}\n")?;
            commit(w, &self.tmp, &self.path)
        })();
        inv.accounts = accounts;
        self.committed = result.is_ok();
        result.map_err(|source| StoreError::Write { path, source })
    }
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
            w.account(a);
        }
        let expected = inv.clone();
        w.finish(&mut inv).unwrap();
        assert_eq!(inv, expected, "finish gives the accounts back");
        assert_eq!(load(&path).unwrap(), expected);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // Stopped before finish (an error, Ctrl-C): no file, no temporary file.
        let other = dir.join("unfinished.json");
        let mut w = InventoryWriter::create(&other).unwrap();
        w.account(&expected.accounts[0]);
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
