//! The checker on small made-up trees.

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
    let s =
        "fn f<'a>(x: &'a str) -> char { let _ = \"crate::top\"; let _ = r#\"crate::top\"#; '{' }\n\
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
