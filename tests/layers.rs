//! The house rules of `src/`, checked on the source: every top-level module imports only from the
//! layers below it (ARCHITECTURE.md), and no module imports, directly or not, one that imports
//! it back — between top-level modules and between the modules of each folder ("room").
//!
//! An import is any `crate::a::…` or `super::…` path in a non-test source line (comments and
//! `#[cfg(test)]` modules aside).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules, from the top layer down; a module may import only those after it
/// (modules on one line are one layer: they may not import each other).
const LAYERS: &[&[&str]] = &[
    &["main", "lib"],
    &["cli"],
    &["config"],
    &["run"],
    &["report"],
    &["policy"],
    &["remediate"],
    &["checks"],
    &["actions"],
    &["pattern", "eventpattern", "snsfilter", "finding", "iam"],
    &["catalog"],
    &["inventory", "clock"],
    &["aws"],
];

fn rank(m: &str) -> usize {
    LAYERS.iter().position(|l| l.contains(&m)).unwrap_or_else(|| panic!("module {m} is in no layer of LAYERS"))
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a source file (`src/checks/monitoring/mod.rs` → [checks, monitoring]).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and `#[cfg(test)]` modules written inline.
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut skip_depth: Option<i32> = None;
    let mut pending_test = false;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(d) = skip_depth.as_mut() {
            *d += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            if *d <= 0 {
                skip_depth = None;
            }
            continue;
        }
        if t.starts_with("//") {
            continue;
        }
        if t.starts_with("#[cfg(test)]") {
            pending_test = true;
            continue;
        }
        if pending_test && t.starts_with("mod ") && t.ends_with('{') {
            skip_depth = Some(1);
            pending_test = false;
            continue;
        }
        pending_test = false;
        // A comment at the end of a line.
        out.push_str(line.find(" //").map_or(line, |i| &line[..i]));
        out.push('\n');
    }
    out
}

/// Every path after `prefix` in `code` (`crate::checks::trail::x` → [checks, trail, x]).
fn paths(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
        let p: Vec<String> = rest[..end].split("::").filter(|s| !s.is_empty()).map(String::from).collect();
        out.push(p);
    }
    out
}

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Module → modules it imports, within `room` (a module path prefix), by their next name.
fn graph(edges: &[(Vec<String>, Vec<String>)], room: &[String]) -> Graph {
    let n = room.len();
    let mut g = Graph::new();
    for (from, to) in edges {
        if from.len() <= n || to.len() <= n || from[..n] != *room || to[..n] != *room || from[n] == to[n] {
            continue;
        }
        g.entry(from[n].clone()).or_default().insert(to[n].clone());
    }
    g
}

/// A cycle of `g`, if it has one.
fn cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(g: &Graph, v: &str, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|x| x == v) {
            let mut c = path[i..].to_vec();
            c.push(v.to_string());
            return Some(c);
        }
        if done.contains(v) {
            return None;
        }
        path.push(v.to_string());
        for w in g.get(v).into_iter().flatten() {
            if let Some(c) = visit(g, w, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(v.to_string());
        None
    }
    let mut done = BTreeSet::new();
    g.keys().find_map(|v| visit(g, v, &mut Vec::new(), &mut done))
}

/// (importing module, imported path), every room (folder module), of the whole source.
type Edges = (Vec<(Vec<String>, Vec<String>)>, BTreeSet<Vec<String>>);

fn edges() -> Edges {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut edges = Vec::new();
    let mut rooms = BTreeSet::new();
    for f in files {
        let m = module_of(&src, &f);
        let test_only = m.iter().any(|p| p == "tests" || p == "fixtures" || p == "snapshots");
        if m.is_empty() || test_only {
            continue;
        }
        if m.len() > 1 {
            rooms.insert(m[..m.len() - 1].to_vec());
        }
        let text = code(&std::fs::read_to_string(&f).unwrap());
        for p in paths(&text, "crate::") {
            edges.push((m.clone(), p));
        }
        // `super::` from a file module `a/b.rs` (or `a/b/mod.rs`) names `a::…`.
        let parent = m[..m.len() - 1].to_vec();
        for p in paths(&text, "super::") {
            edges.push((m.clone(), parent.iter().cloned().chain(p).collect()));
        }
    }
    (edges, rooms)
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let (edges, rooms) = edges();
    let mut all = vec![vec![]];
    all.extend(rooms);
    for room in all {
        let g = graph(&edges, &room);
        if let Some(c) = cycle(&g) {
            panic!(
                "import cycle in {}: {}",
                if room.is_empty() { "src".into() } else { room.join("/") },
                c.join(" → ")
            );
        }
    }
}

#[test]
fn every_top_level_module_imports_only_layers_below_it() {
    let (edges, _) = edges();
    let g = graph(&edges, &[]);
    let mut wrong = Vec::new();
    for (from, tos) in &g {
        for to in tos {
            if rank(to) <= rank(from) {
                wrong.push(format!("{from} imports {to}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers (ARCHITECTURE.md): {}", wrong.join("; "));
}

#[test]
fn the_checker_finds_what_it_should() {
    let text =
        code("use crate::a::b; // crate::z\n#[cfg(test)]\nmod tests {\n use crate::t;\n}\nfn f() { super::x::y(); }\n");
    assert_eq!(paths(&text, "crate::"), vec![vec!["a".to_string(), "b".into()]]);
    assert_eq!(paths(&text, "super::"), vec![vec!["x".to_string(), "y".into()]]);
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    assert!(cycle(&g).is_some());
    g.remove("b");
    assert!(cycle(&g).is_none());
}
