//! The layering rule, checked: a module of `src/` uses only modules of its
//! own layer and the layers below it, as listed (bottom first) in
//! README.md's Layout section.
//!
//! Every `crate::…` and `super::…` path in `src/` (use declarations, use
//! trees and paths in code; comments and string literals are skipped) is
//! resolved to an absolute module path and classified by its longest
//! prefix in the layer list, so a new file in an existing module needs no
//! change here, while a new top-level module without a layer fails with a
//! message saying where to add it. Hand-written rather than built on `syn`:
//! paths are all it needs, and a small lexer keeps it free of new
//! dependencies.

mod lex;
mod self_test;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use lex::{paths, strip, tokens};

/// Known violations being removed on another branch: (importing module
/// prefix, imported layer entry, why). An entry that no longer matches
/// anything fails the check, so it is deleted once the fix lands.
const ALLOWED: &[(&str, &str, &str)] = &[];

/// The layer list: module path (`a` or `a::b`) to layer number.
type Layers = BTreeMap<String, usize>;

/// One source file: path for messages, module path, text.
struct Source {
    path: String,
    module: Vec<String>,
    text: String,
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let sources = read_sources(&root.join("src"));
    if let Err(problems) = check(&readme, &lib, &sources, ALLOWED) {
        panic!("layering (README.md, Layout):\n{}", problems.join("\n"));
    }
}

/// Every problem found: bad or incomplete layer list, upward imports,
/// stale allowances.
fn check(
    readme: &str,
    lib: &str,
    sources: &[Source],
    allowed: &[(&str, &str, &str)],
) -> Result<(), Vec<String>> {
    let layers = parse_layers(readme)?;
    let mut problems = check_list(&layers, lib, sources);
    let mut used = BTreeSet::new();
    for s in sources {
        for (line, target) in paths(s) {
            let (Some(from), Some(to)) = (classify(&layers, &s.module), classify(&layers, &target))
            else {
                continue;
            };
            if layers[to] <= layers[from] {
                continue;
            }
            let source = s.module.join("::");
            let allowance = allowed
                .iter()
                .position(|(f, t, _)| is_prefix(f, &source) && *t == to);
            match allowance {
                Some(k) => {
                    used.insert(k);
                }
                None => problems.push(format!(
                    "{}:{line}: `{from}` (layer {}) uses `crate::{}` (`{to}`, layer {}): \
                     move the code down a layer or invert the dependency",
                    s.path,
                    layers[from],
                    target.join("::"),
                    layers[to]
                )),
            }
        }
    }
    for (k, (f, t, why)) in allowed.iter().enumerate() {
        if !used.contains(&k) {
            problems.push(format!(
                "tests/layers.rs: allowance `{f}` -> `{t}` ({why}) is no longer needed: remove it"
            ));
        }
    }
    problems.is_empty().then_some(()).ok_or(problems)
}

/// Whether module path `prefix` (`a::b`) is a prefix of `path`.
fn is_prefix(prefix: &str, path: &str) -> bool {
    path == prefix || path.starts_with(&format!("{prefix}::"))
}

/// The longest layer-list entry that is a prefix of `module`.
fn classify<'a>(layers: &'a Layers, module: &[String]) -> Option<&'a str> {
    (1..=module.len())
        .rev()
        .find_map(|n| layers.get_key_value(&module[..n].join("::")))
        .map(|(k, _)| k.as_str())
}

/// The numbered list of README's Layout section: `N. `a`, `b::c` — text`.
fn parse_layers(readme: &str) -> Result<Layers, Vec<String>> {
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Layout"))
        .ok_or_else(|| vec!["README.md has no `## Layout` section".to_string()])?;
    let mut layers = Layers::new();
    let mut problems = Vec::new();
    let items = section.lines().filter_map(|l| {
        let (n, rest) = l.trim_start().split_once(". ")?;
        Some((n.parse::<usize>().ok()?, rest))
    });
    for (n, rest) in items {
        let names = rest.split(" — ").next().unwrap_or("");
        for name in names.split('`').skip(1).step_by(2) {
            let ok = name.split("::").all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            });
            if !ok {
                problems.push(format!(
                    "README.md Layout, layer {n}: `{name}` is not a module path"
                ));
            } else if layers.insert(name.to_string(), n).is_some() {
                problems.push(format!("README.md Layout: `{name}` is listed twice"));
            }
        }
    }
    if layers.is_empty() {
        problems.push("README.md's Layout section lists no layers (`1. `module` — ...`)".into());
    }
    problems.is_empty().then_some(layers).ok_or(problems)
}

/// Every top-level module has a layer, and every entry names a module.
fn check_list(layers: &Layers, lib: &str, sources: &[Source]) -> Vec<String> {
    let top: BTreeSet<String> = tokens(&strip(lib))
        .windows(3)
        .filter(|w| w[0].1 == "mod" && w[2].1 == ";")
        .map(|w| w[1].1.clone())
        .collect();
    let modules: BTreeSet<String> = sources.iter().map(|s| s.module.join("::")).collect();
    let mut problems: Vec<String> = top
        .iter()
        .filter(|m| !layers.contains_key(*m))
        .map(|m| {
            format!(
                "src/lib.rs: top-level module `{m}` has no layer: add it to the layer list \
                 in README.md's Layout section"
            )
        })
        .collect();
    for entry in layers.keys() {
        let exists = match entry.split_once("::") {
            None => top.contains(entry),
            Some(_) => modules.contains(entry),
        };
        if !exists {
            problems.push(format!(
                "README.md Layout lists `{entry}`, which is not a module of src/"
            ));
        }
    }
    problems
}

/// Every `.rs` file of the library under `dir` (not `main.rs` or `bin/`:
/// the binaries are separate crates on top of everything).
fn read_sources(dir: &Path) -> Vec<Source> {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(dir).unwrap();
            let mut module: Vec<String> = rel
                .iter()
                .map(|c| c.to_string_lossy().into_owned())
                .collect();
            if module[0] == "bin" || module == ["main.rs"] {
                return None;
            }
            let last = module.pop().unwrap();
            match last.trim_end_matches(".rs") {
                "mod" | "lib" => {}
                stem => module.push(stem.to_string()),
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let path = format!("src/{}", rel.display());
            Some(Source { path, module, text })
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}
