//! Drives a parser over one JSON array of objects, element by element, with
//! the same checks and numbering as the AlpacaEval loader (`alpaca.rs`):
//! each physical line is capped, the nesting is pre-scanned, elements are
//! converted one at a time (a huge file never exists as one
//! `serde_json::Value` tree) and an element's "line" is its index plus one.
//! Used by the conversation formats, which ship both as JSONL and as arrays.

use std::fmt;
use std::path::Path;

use serde::de::{Deserializer as _, Error as _, SeqAccess, Visitor};
use serde_json::Value;

use super::jsonutil::{self, Loc, Object};
use super::{line_of_offset, InputError, Limits, Record};

/// Parse `text`, a JSON array; `element` turns the object at `[index]`
/// (its `Loc` already names it) into records appended to the output.
pub(super) fn parse<F>(
    path: &Path,
    text: &str,
    limits: &Limits,
    mut element: F,
) -> Result<Vec<Record>, InputError>
where
    F: FnMut(&Loc, &Object, &mut Vec<Record>) -> Result<(), InputError>,
{
    if text.trim().is_empty() {
        return jsonutil::non_empty(path, Vec::new());
    }
    for (i, s) in text.lines().enumerate() {
        jsonutil::check_len(path, jsonutil::line_no(i), s.len(), limits)?;
    }
    if let Some(at) = jsonutil::too_deep(text, limits.max_json_depth) {
        let line = Some(line_of_offset(text.as_bytes(), at));
        return Err(jsonutil::limit_error(
            path,
            line,
            "max_json_depth",
            limits.max_json_depth,
        ));
    }
    let mut out = Vec::new();
    let mut failure = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let visitor = Elements {
        path,
        limits,
        out: &mut out,
        failure: &mut failure,
        element: &mut element,
    };
    let result = (&mut de).deserialize_seq(visitor).and_then(|()| de.end());
    if let Some(e) = failure {
        return Err(e);
    }
    result.map_err(|e| jsonutil::json_error(path, 1, &e))?;
    jsonutil::non_empty(path, out)
}

struct Elements<'a, F> {
    path: &'a Path,
    limits: &'a Limits,
    out: &'a mut Vec<Record>,
    /// Our own error, kept aside because serde can only carry a string.
    failure: &'a mut Option<InputError>,
    element: &'a mut F,
}

impl<'de, F> Visitor<'de> for Elements<'_, F>
where
    F: FnMut(&Loc, &Object, &mut Vec<Record>) -> Result<(), InputError>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while let Some(v) = seq.next_element::<Value>()? {
            let line = jsonutil::line_no(index);
            let loc = Loc::new(self.path, line).at(&format!("[{index}]"));
            let before = self.out.len();
            let r = loc
                .as_object(&v)
                .and_then(|o| (self.element)(&loc, o, self.out))
                .and_then(|()| check_total(self.path, line, before, self.out, self.limits));
            if let Err(e) = r {
                *self.failure = Some(e);
                return Err(A::Error::custom("rejected element"));
            }
            index = index.saturating_add(1);
        }
        Ok(())
    }
}

/// `max_records` over everything held so far; sets the line of the
/// records the element added.
fn check_total(
    path: &Path,
    line: u64,
    before: usize,
    out: &mut [Record],
    limits: &Limits,
) -> Result<(), InputError> {
    if out.len() > limits.max_records {
        return Err(jsonutil::limit_error(
            path,
            Some(line),
            "max_records",
            limits.max_records,
        ));
    }
    for r in out.iter_mut().skip(before) {
        r.line = line;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(loc: &Loc, o: &Object, out: &mut Vec<Record>) -> Result<(), InputError> {
        out.push(Record {
            prompt: loc.req_str(o, "p")?,
            ..Record::default()
        });
        Ok(())
    }

    #[test]
    fn elements_are_numbered_and_checked() {
        let p = Path::new("a.json");
        let l = Limits::default();
        let recs = parse(p, "[{\"p\": \"a\"},\n {\"p\": \"b\"}]", &l, one).unwrap();
        assert_eq!((recs[1].prompt.as_str(), recs[1].line), ("b", 2));
        let e = parse(p, r#"[{"p": "a"}, {"p": 1}]"#, &l, one).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.json:2: field `[1].p`: expected a string, found a number"
        );
        let e = parse(p, r#"[{"p": "a"}, 3]"#, &l, one).unwrap_err();
        assert!(e.to_string().contains("field `[1]`: expected an object"));
        let tight = Limits {
            max_records: 1,
            ..l
        };
        let e = parse(p, r#"[{"p": "a"}, {"p": "b"}]"#, &tight, one).unwrap_err();
        assert!(e.to_string().starts_with("a.json:2: limit `max_records`"));
        assert_eq!(
            parse(p, "[]", &l, one).unwrap_err().to_string(),
            "a.json: no records found"
        );
    }
}
