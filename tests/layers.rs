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

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Known violations being removed on another branch: (importing module
/// prefix, imported layer entry, why). An entry that no longer matches
/// anything fails the check, so it is deleted once the fix lands.
const ALLOWED: &[(&str, &str, &str)] = &[(
    "weights::report",
    "report",
    "issue 18: the weights writers move into report/",
)];

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

/// Source text with comments and the insides of string and character
/// literals blanked out (newlines kept, so line numbers stay).
fn strip(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |out: &mut String, s: &[char]| {
        out.extend(s.iter().map(|&ch| if ch == '\n' { '\n' } else { ' ' }))
    };
    while i < c.len() {
        let end = literal_end(&c, i);
        if end > i {
            blank(&mut out, &c[i..end]);
            i = end;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// End of the comment or literal starting at `i`, or `i` if none does.
fn literal_end(c: &[char], i: usize) -> usize {
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    let ident = |k: usize| c[k].is_alphanumeric() || c[k] == '_';
    // `r"…"` or `br#"…"#`, not the end of an identifier such as `for`.
    let raw_start = match i {
        0 => true,
        1 => !ident(0) || c[0] == 'b',
        _ => !ident(i - 1) || (c[i - 1] == 'b' && !ident(i - 2)),
    };
    match (at(i), at(i + 1)) {
        ('/', '/') => (i..c.len()).find(|&k| c[k] == '\n').unwrap_or(c.len()),
        ('/', '*') => block_comment_end(c, i),
        ('"', _) => string_end(c, i + 1),
        ('r', '"' | '#') if raw_start => raw_string_end(c, i + 1).unwrap_or(i),
        ('\'', '\\') => (i + 2..c.len())
            .find(|&k| c[k] == '\'')
            .map_or(c.len(), |k| k + 1),
        ('\'', _) if at(i + 2) == '\'' => i + 3,
        _ => i,
    }
}

fn block_comment_end(c: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    while i + 1 < c.len() {
        match (c[i], c[i + 1]) {
            ('/', '*') => (depth, i) = (depth + 1, i + 2),
            ('*', '/') => {
                (depth, i) = (depth - 1, i + 2);
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    c.len()
}

/// End of a string whose contents start at `i`.
fn string_end(c: &[char], mut i: usize) -> usize {
    while i < c.len() {
        match c[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    c.len()
}

/// End of a raw string `r#…"…"#…` whose hashes start at `i`.
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    let hashes = c[i..].iter().take_while(|&&ch| ch == '#').count();
    if c.get(i + hashes) != Some(&'"') {
        return None;
    }
    let close: Vec<char> = std::iter::once('"')
        .chain(std::iter::repeat('#').take(hashes))
        .collect();
    let body = i + hashes + 1;
    Some(
        (body..c.len())
            .find(|&k| c[k..].starts_with(&close))
            .map_or(c.len(), |k| k + close.len()),
    )
}

/// Identifiers, `::` and single punctuation characters, with line numbers.
fn tokens(code: &str) -> Vec<(usize, String)> {
    let c: Vec<char> = code.chars().collect();
    let (mut out, mut line, mut i) = (Vec::new(), 1, 0);
    while i < c.len() {
        let ch = c[i];
        let len = if ch.is_alphanumeric() || ch == '_' {
            c[i..]
                .iter()
                .take_while(|x| x.is_alphanumeric() || **x == '_')
                .count()
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            2
        } else {
            1
        };
        if ch == '\n' {
            line += 1;
        } else if !ch.is_whitespace() {
            out.push((line, c[i..i + len].iter().collect()));
        }
        i += len;
    }
    out
}

/// Every absolute module path a file names through `crate::` or `super::`,
/// with its line, resolved against the file's (and inline modules') path.
fn paths(s: &Source) -> Vec<(usize, Vec<String>)> {
    let t = tokens(&strip(&s.text));
    let mut out = Vec::new();
    // Inline modules: (name, brace depth inside it).
    let (mut inline, mut depth, mut pending): (Vec<(String, usize)>, usize, Option<String>) =
        (Vec::new(), 0, None);
    for i in 0..t.len() {
        let tok = t[i].1.as_str();
        match tok {
            "mod" if t.get(i + 2).is_some_and(|x| x.1 == "{") => pending = Some(t[i + 1].1.clone()),
            "{" => {
                depth += 1;
                if let Some(name) = pending.take() {
                    inline.push((name, depth));
                }
            }
            "}" => {
                if inline.last().is_some_and(|m| m.1 == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            "crate" | "super" if starts_path(&t, i) => {
                let mut here = s.module.clone();
                here.extend(inline.iter().map(|m| m.0.clone()));
                let base = if tok == "crate" { Vec::new() } else { here };
                let mut leaves = Vec::new();
                tree(&t, i, base, &mut leaves);
                out.extend(leaves.into_iter().map(|p| (t[i].0, p)));
            }
            _ => {}
        }
    }
    out
}

/// Whether the tokens before `i` end with `prev`.
fn after(t: &[(usize, String)], i: usize, prev: &[&str]) -> bool {
    i >= prev.len()
        && t[i - prev.len()..i]
            .iter()
            .zip(prev)
            .all(|(a, b)| a.1 == *b)
}

/// Whether a `crate` or `super` at `i` starts a path: not inside one, and
/// not a visibility (`pub(crate)`, `pub(super)`, `pub(in crate::…)`).
fn starts_path(t: &[(usize, String)], i: usize) -> bool {
    !after(t, i, &["::"]) && !after(t, i, &["pub", "("]) && !after(t, i, &["pub", "(", "in"])
}

/// Expand the path or use tree starting at token `i` (`crate`, `super`, an
/// identifier or `{`) below `base` into its leaves.
fn tree(
    t: &[(usize, String)],
    mut i: usize,
    mut base: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        match t.get(i).map(|x| x.1.as_str()) {
            Some("crate") => {}
            Some("super") => {
                if base.pop().is_none() {
                    return i + 1;
                }
            }
            Some("self") | Some("*") => {}
            Some("{") => return group(t, i + 1, &base, out),
            Some(id) if id.starts_with(|c: char| c.is_alphabetic() || c == '_') => {
                base.push(id.to_string())
            }
            _ => break,
        }
        if t.get(i + 1).map(|x| x.1.as_str()) != Some("::") {
            i += 1;
            break;
        }
        i += 2;
    }
    out.push(base);
    i
}

/// The members of a use group `{a, b::c, …}` whose first token is at `i`.
fn group(
    t: &[(usize, String)],
    mut i: usize,
    base: &[String],
    out: &mut Vec<Vec<String>>,
) -> usize {
    while i < t.len() && t[i].1 != "}" {
        i = tree(t, i, base.to_vec(), out);
        // Skip `as name` and the separating comma.
        while i < t.len() && t[i].1 != "," && t[i].1 != "}" {
            i += 1;
        }
        if t.get(i).is_some_and(|x| x.1 == ",") {
            i += 1;
        }
    }
    i + 1
}

/// The checker on small made-up trees.
mod self_test {
    use super::*;

    const README: &str = "# x\n\n## Layout\n\nLayers:\n\n\
        1. `base` — bottom\n2. `mid`, `top::low` — middle\n3. `top` — top\n\n## Next\n";
    const LIB: &str = "pub mod base;\npub mod mid;\npub mod top;\n";

    fn src(path: &str, text: &str) -> Source {
        let rel = path.trim_start_matches("src/").trim_end_matches(".rs");
        let module = rel
            .split('/')
            .filter(|p| *p != "mod")
            .map(String::from)
            .collect();
        Source {
            path: path.into(),
            module,
            text: text.into(),
        }
    }

    fn base_files() -> Vec<Source> {
        vec![
            src("src/base.rs", ""),
            src("src/mid/mod.rs", ""),
            src("src/top/mod.rs", ""),
            src("src/top/low.rs", ""),
        ]
    }

    fn run(extra: Vec<Source>, lib: &str) -> Result<(), Vec<String>> {
        let mut files = base_files();
        files.extend(extra);
        check(README, lib, &files, &[])
    }

    #[test]
    fn downward_and_same_layer_uses_pass() {
        let ok = src(
            "src/top/x.rs",
            "use crate::{base, mid::{a::B, c as d}};\nuse super::low::Y;\nfn f() { crate::base::g(); }",
        );
        assert_eq!(
            run(vec![ok, src("src/top/low.rs", "use crate::mid::Q;")], LIB),
            Ok(())
        );
    }

    #[test]
    fn an_upward_use_names_file_and_line() {
        let bad = src(
            "src/mid/y.rs",
            "//! crate::top in a comment is fine\nuse std::fmt;\nuse crate::{base, top::Z};\n",
        );
        let e = run(vec![bad], LIB).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("src/mid/y.rs:3: `mid` (layer 2) uses `crate::top::Z`"),
            "{e:?}"
        );
    }

    #[test]
    fn super_paths_resolve_through_inline_modules() {
        // top::low is below top: reaching up to its parent through super
        // is an upward import, from an inline test module too.
        let low = src(
            "src/top/low.rs",
            "mod tests {\n    use super::super::Up;\n    use super::*;\n}\n",
        );
        let e = run(vec![low], LIB).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("src/top/low.rs:2: `top::low` (layer 2) uses `crate::top::Up`"),
            "{e:?}"
        );
    }

    #[test]
    fn strings_chars_and_lifetimes_do_not_hide_or_fake_paths() {
        let s = "fn f<'a>(x: &'a str) -> char { let _ = \"crate::top\"; let _ = r#\"crate::top\"#; '{' }\n\
                 fn g() { crate::top::h() }";
        let e = run(vec![src("src/base.rs", s)], LIB).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("src/base.rs:2:"), "{e:?}");
    }

    #[test]
    fn visibilities_are_not_uses_but_call_arguments_are() {
        let s = "pub(super) fn a() {}\npub(crate) fn b() {}\npub(in crate::top) fn c() {}\n\
                 fn d() { e(crate::top::f()); }";
        let e = run(vec![src("src/top/low.rs", s)], LIB).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("src/top/low.rs:4:"), "{e:?}");
    }

    #[test]
    fn a_new_top_level_module_without_a_layer_fails() {
        let e = run(
            vec![src("src/newbie.rs", "")],
            &format!("{LIB}pub mod newbie;\n"),
        )
        .unwrap_err();
        assert!(
            e[0].contains("`newbie` has no layer: add it to the layer list in README.md's Layout"),
            "{e:?}"
        );
    }

    #[test]
    fn stale_allowances_fail() {
        let e = check(README, LIB, &base_files(), &[("base", "top", "gone")]).unwrap_err();
        assert!(e[0].contains("no longer needed"), "{e:?}");
    }
}
