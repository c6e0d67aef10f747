//! A small lexer for what the layer check needs of Rust source: comments
//! and literals blanked out, tokens with lines, and every `crate::` and
//! `super::` path (use trees expanded) resolved to an absolute module path.

use super::Source;

/// Source text with comments and the insides of string and character
/// literals blanked out (newlines kept, so line numbers stay).
pub(super) fn strip(text: &str) -> String {
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
pub(super) fn tokens(code: &str) -> Vec<(usize, String)> {
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
pub(super) fn paths(s: &Source) -> Vec<(usize, Vec<String>)> {
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
