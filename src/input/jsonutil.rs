//! Helpers shared by the parsers: limit checks, a JSON nesting pre-scan,
//! typed field access that names the JSON path in its errors, and the
//! message/content-block walking that the OpenAI and Anthropic batch
//! adapters have in common.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::{InputError, Limits, Record, TokenLogprob, TopLogprob};

pub(super) type Object = Map<String, Value>;

/// 1-based line number of the `i`-th line (0-based), without overflow.
pub(super) fn line_no(i: usize) -> u64 {
    u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1)
}

pub(super) fn limit_error(
    path: &Path,
    line: Option<u64>,
    limit: &'static str,
    value: usize,
) -> InputError {
    InputError::Limit {
        path: path.to_path_buf(),
        line,
        limit,
        value: u64::try_from(value).unwrap_or(u64::MAX),
    }
}

/// Fails when a record of `len` bytes starting at `line` is over the cap.
pub(super) fn check_len(
    path: &Path,
    line: u64,
    len: usize,
    limits: &Limits,
) -> Result<(), InputError> {
    if len > limits.max_line_bytes {
        return Err(limit_error(
            path,
            Some(line),
            "max_line_bytes",
            limits.max_line_bytes,
        ));
    }
    Ok(())
}

/// Fails when `have` records are already held and one more arrives.
pub(super) fn check_count(
    path: &Path,
    line: u64,
    have: usize,
    limits: &Limits,
) -> Result<(), InputError> {
    if have >= limits.max_records {
        return Err(limit_error(
            path,
            Some(line),
            "max_records",
            limits.max_records,
        ));
    }
    Ok(())
}

/// A file that yields nothing is an error: an empty dataset would
/// otherwise surface much later as a puzzling alignment result.
pub(super) fn non_empty(path: &Path, records: Vec<Record>) -> Result<Vec<Record>, InputError> {
    if records.is_empty() {
        return Err(InputError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(records)
}

/// Byte offset of the first `[` or `{` (outside strings) that nests deeper
/// than `max`. Run before serde_json so hostile nesting gets our own clear
/// limit error instead of serde_json's fixed recursion limit of 128.
pub(super) fn too_deep(text: &str, max: usize) -> Option<usize> {
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if in_str {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth = depth.saturating_add(1);
                if depth > max {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// A serde_json error as [`InputError::Json`]; `first_line` is the file
/// line where the parsed text starts.
pub(super) fn json_error(path: &Path, first_line: u64, e: &serde_json::Error) -> InputError {
    let full = e.to_string();
    // serde_json counts lines within the text it was given; restate the
    // position in file terms instead.
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let bare = full.strip_suffix(&suffix).unwrap_or(&full);
    let message = if e.column() > 0 {
        format!("{bare} (column {})", e.column())
    } else {
        bare.to_string()
    };
    let offset = u64::try_from(e.line().saturating_sub(1)).unwrap_or(u64::MAX);
    InputError::Json {
        path: path.to_path_buf(),
        line: first_line.saturating_add(offset),
        message,
    }
}

/// Drives a JSONL adapter: skips blank lines (CRLF tolerated), applies the
/// limits, parses each line as a JSON object and hands it to `record`.
pub(super) fn parse_lines<F>(
    path: &Path,
    text: &str,
    limits: &Limits,
    mut record: F,
) -> Result<Vec<Record>, InputError>
where
    F: FnMut(&Loc, &Object) -> Result<Record, InputError>,
{
    let mut out = Vec::new();
    for (i, s) in text.lines().enumerate() {
        let line = line_no(i);
        check_len(path, line, s.len(), limits)?;
        if s.trim().is_empty() {
            continue;
        }
        check_count(path, line, out.len(), limits)?;
        if too_deep(s, limits.max_json_depth).is_some() {
            return Err(limit_error(
                path,
                Some(line),
                "max_json_depth",
                limits.max_json_depth,
            ));
        }
        let value: Value = serde_json::from_str(s).map_err(|e| json_error(path, line, &e))?;
        let loc = Loc::new(path, line);
        let mut rec = record(&loc, loc.as_object(&value)?)?;
        rec.line = line;
        out.push(rec);
    }
    non_empty(path, out)
}

/// [`parse_lines`] for formats where one line can yield several records
/// (one per conversation turn): `records` appends them to the output and
/// each gets the line's number; `max_records` counts every record.
pub(super) fn parse_lines_multi<F>(
    path: &Path,
    text: &str,
    limits: &Limits,
    mut records: F,
) -> Result<Vec<Record>, InputError>
where
    F: FnMut(&Loc, &Object, &mut Vec<Record>) -> Result<(), InputError>,
{
    let mut out = Vec::new();
    for (i, s) in text.lines().enumerate() {
        let line = line_no(i);
        check_len(path, line, s.len(), limits)?;
        if s.trim().is_empty() {
            continue;
        }
        check_count(path, line, out.len(), limits)?;
        if too_deep(s, limits.max_json_depth).is_some() {
            return Err(limit_error(
                path,
                Some(line),
                "max_json_depth",
                limits.max_json_depth,
            ));
        }
        let value: Value = serde_json::from_str(s).map_err(|e| json_error(path, line, &e))?;
        let loc = Loc::new(path, line);
        let before = out.len();
        records(&loc, loc.as_object(&value)?, &mut out)?;
        if out.len() > limits.max_records {
            return Err(limit_error(
                path,
                Some(line),
                "max_records",
                limits.max_records,
            ));
        }
        for r in out.iter_mut().skip(before) {
            r.line = line;
        }
    }
    non_empty(path, out)
}

/// An identifier given as a string or an integer, as text.
pub(super) fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// Text of a message's content: a string, the text parts of an array, or
/// `None` for null or absent.
pub(super) fn content_text(loc: &Loc, o: &Object, key: &str) -> Result<Option<String>, InputError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Array(parts)) => text_blocks(&loc.at(key), parts).map(Some),
        other => Err(loc.wrong(key, "a string or an array of parts", other)),
    }
}

/// How a JSON value is named in "expected X, found Y" messages.
pub(super) fn type_name(v: Option<&Value>) -> &'static str {
    match v {
        None => "nothing",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "a boolean",
        Some(Value::Number(_)) => "a number",
        Some(Value::String(_)) => "a string",
        Some(Value::Array(_)) => "an array",
        Some(Value::Object(_)) => "an object",
    }
}

/// Fields not in `known`, kept verbatim: strings as they are, anything
/// else as its compact JSON text.
pub(super) fn metadata(obj: &Object, known: &[&str]) -> BTreeMap<String, String> {
    obj.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), json_text(v)))
        .collect()
}

pub(super) fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value at a dotted path of object keys, if every step exists.
pub(super) fn lookup<'v>(root: &'v Object, dotted: &str) -> Option<&'v Value> {
    let mut keys = dotted.split('.');
    let first = root.get(keys.next()?)?;
    keys.try_fold(first, |v, k| v.as_object()?.get(k))
        .filter(|v| !v.is_null())
}

/// Where a value sits: file, line and JSON path, for error messages.
#[derive(Debug, Clone)]
pub(super) struct Loc<'a> {
    pub path: &'a Path,
    pub line: u64,
    /// JSON path of the current value; empty at the top of a line.
    pub prefix: String,
}

impl<'a> Loc<'a> {
    pub fn new(path: &'a Path, line: u64) -> Self {
        Loc {
            path,
            line,
            prefix: String::new(),
        }
    }

    /// The location of `key` (an object key, or `[i]`) below this one.
    pub fn at(&self, key: &str) -> Loc<'a> {
        Loc {
            prefix: self.name(key),
            ..self.clone()
        }
    }

    fn name(&self, key: &str) -> String {
        match (
            self.prefix.is_empty(),
            key.is_empty() || key.starts_with('['),
        ) {
            (true, _) if key.is_empty() => "$".to_string(),
            (true, _) => key.to_string(),
            (false, true) => format!("{}{key}", self.prefix),
            (false, false) => format!("{}.{key}", self.prefix),
        }
    }

    /// A wrong-type or missing-field error for `key` ("" = this value).
    pub fn wrong(&self, key: &str, expected: &'static str, found: Option<&Value>) -> InputError {
        InputError::Field {
            path: self.path.to_path_buf(),
            line: self.line,
            field: self.name(key),
            expected,
            found: type_name(found).to_string(),
        }
    }

    pub fn as_object<'v>(&self, v: &'v Value) -> Result<&'v Object, InputError> {
        v.as_object()
            .ok_or_else(|| self.wrong("", "an object", Some(v)))
    }

    /// `obj[key]` through `pick`; absent or null gives `None`, a value
    /// that `pick` rejects is a type error.
    pub fn get<'v, T>(
        &self,
        obj: &'v Object,
        key: &str,
        expected: &'static str,
        pick: impl FnOnce(&'v Value) -> Option<T>,
    ) -> Result<Option<T>, InputError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => pick(v)
                .map(Some)
                .ok_or_else(|| self.wrong(key, expected, Some(v))),
        }
    }

    /// Like [`Loc::get`], but absent or null is an error.
    pub fn need<'v, T>(
        &self,
        obj: &'v Object,
        key: &str,
        expected: &'static str,
        pick: impl FnOnce(&'v Value) -> Option<T>,
    ) -> Result<T, InputError> {
        self.get(obj, key, expected, pick)?
            .ok_or_else(|| self.wrong(key, expected, obj.get(key)))
    }

    pub fn opt_str(&self, obj: &Object, key: &str) -> Result<Option<String>, InputError> {
        self.get(obj, key, "a string", |v| v.as_str().map(str::to_string))
    }

    pub fn req_str(&self, obj: &Object, key: &str) -> Result<String, InputError> {
        self.need(obj, key, "a string", |v| v.as_str().map(str::to_string))
    }

    /// The elements of an array (at this location) that must be objects.
    pub fn objects<'v>(
        &self,
        arr: &'v [Value],
    ) -> impl Iterator<Item = Result<(Loc<'a>, &'v Object), InputError>> {
        let base = self.clone();
        arr.iter().enumerate().map(move |(i, v)| {
            let loc = base.at(&format!("[{i}]"));
            loc.as_object(v).map(|o| (loc.clone(), o))
        })
    }
}

/// Per-token log-probabilities; `top_key` names the alternatives array
/// (`top` in lineage JSONL, `top_logprobs` in OpenAI output).
pub(super) fn token_logprobs(
    loc: &Loc,
    arr: &[Value],
    top_key: &str,
) -> Result<Vec<TokenLogprob>, InputError> {
    loc.objects(arr)
        .map(|item| {
            let (l, o) = item?;
            let top = match l.get(o, top_key, "an array", Value::as_array)? {
                Some(a) => top_logprobs(&l.at(top_key), a)?,
                None => Vec::new(),
            };
            Ok(TokenLogprob {
                token: l.req_str(o, "token")?,
                logprob: l.need(o, "logprob", "a number", Value::as_f64)?,
                top,
            })
        })
        .collect()
}

fn top_logprobs(loc: &Loc, arr: &[Value]) -> Result<Vec<TopLogprob>, InputError> {
    loc.objects(arr)
        .map(|item| {
            let (l, o) = item?;
            Ok(TopLogprob {
                token: l.req_str(o, "token")?,
                logprob: l.need(o, "logprob", "a number", Value::as_f64)?,
            })
        })
        .collect()
}

/// Concatenated `text` of the `{"type": "text"}` blocks of a content array;
/// other block types (images, tool calls) carry no text and are skipped.
pub(super) fn text_blocks(loc: &Loc, arr: &[Value]) -> Result<String, InputError> {
    let mut out = String::new();
    for item in loc.objects(arr) {
        let (l, o) = item?;
        if o.get("type").and_then(Value::as_str) == Some("text") {
            out.push_str(&l.req_str(o, "text")?);
        }
    }
    Ok(out)
}

/// The prompt a batch line carries: the first of `paths` present decides.
/// A path ending in `messages` gives the last user message; any other must
/// hold a string. Without any of them the prompt is "" and alignment has
/// to rely on the custom id.
pub(super) fn request_prompt(
    loc: &Loc,
    line: &Object,
    paths: &[&str],
) -> Result<String, InputError> {
    for &p in paths {
        let Some(v) = lookup(line, p) else { continue };
        let l = loc.at(p);
        if !p.ends_with("messages") {
            return v
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| l.wrong("", "a string", Some(v)));
        }
        let msgs = v
            .as_array()
            .ok_or_else(|| l.wrong("", "an array", Some(v)))?;
        return last_user_message(&l, msgs);
    }
    Ok(String::new())
}

/// Content of the last `role: "user"` message: a string, or text parts
/// (`[{"type": "text", "text": ...}]`, as both OpenAI and Anthropic allow).
fn last_user_message(loc: &Loc, msgs: &[Value]) -> Result<String, InputError> {
    let mut last = None;
    for item in loc.objects(msgs) {
        let (l, o) = item?;
        if o.get("role").and_then(Value::as_str) == Some("user") {
            last = Some((l, o));
        }
    }
    let Some((l, o)) = last else {
        return Ok(String::new());
    };
    match o.get("content") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(parts)) => text_blocks(&l.at("content"), parts),
        other => Err(l.wrong("content", "a string or an array of parts", other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depth_scan_ignores_brackets_in_strings() {
        assert_eq!(too_deep(r#"{"a":[[1]]}"#, 3), None);
        assert_eq!(too_deep(r#"{"a":[[1]]}"#, 2), Some(6));
        assert_eq!(too_deep(r#"{"a":"[[[[\"[[["}"#, 1), None);
        assert_eq!(too_deep("]]]]{", 1), None);
    }

    #[test]
    fn paths_are_named_in_errors() {
        let p = Path::new("f.json");
        let l = Loc::new(p, 3).at("[2]").at("choices");
        let v = json!({"x": 1});
        let e = l.req_str(v.as_object().unwrap(), "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.json:3: field `[2].choices.x`: expected a string, found a number"
        );
        assert_eq!(Loc::new(p, 1).name(""), "$");
    }

    #[test]
    fn last_user_message_joins_text_parts() {
        let line = json!({"request": {"messages": [
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "x"},
            {"role": "user", "content": [
                {"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}
            ]}
        ]}});
        let loc = Loc::new(Path::new("f"), 1);
        let got = request_prompt(&loc, line.as_object().unwrap(), &["request.messages"]);
        assert_eq!(got.unwrap(), "ab");
    }
}
