//! AlpacaEval `model_outputs.json` (format described in the AlpacaEval
//! README, "Evaluating a model"): one JSON array of objects
//! `{instruction, output, generator, dataset}`. Mapping: prompt =
//! `instruction`, response = `output`, model = `generator`, category =
//! `dataset`; any other field goes to metadata.
//!
//! The array has no meaningful lines, so a record's `line` is its element
//! index plus one. Field errors follow suit: their `line` is the element
//! index plus one and their `field` is the JSON path with the 0-based
//! index, e.g. `[12].output` on "line" 13 (so does the `max_records`
//! error). Syntax errors and the line-length and depth limits give the
//! physical file line, which is what an editor needs there.

use std::fmt;
use std::path::Path;

use serde::de::{Deserializer as _, Error as _, SeqAccess, Visitor};
use serde_json::Value;

use super::jsonutil::{self, Loc};
use super::{line_of_offset, InputError, Limits, Record};

const KNOWN: &[&str] = &["instruction", "output", "generator", "dataset"];

pub fn parse(path: &Path, text: &str, limits: &Limits) -> Result<Vec<Record>, InputError> {
    if text.trim().is_empty() {
        return jsonutil::non_empty(path, Vec::new());
    }
    // A JSON string cannot hold a raw newline, so a physical-line cap also
    // caps every single field.
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
    };
    let result = (&mut de).deserialize_seq(visitor).and_then(|()| de.end());
    if let Some(e) = failure {
        return Err(e);
    }
    result.map_err(|e| jsonutil::json_error(path, 1, &e))?;
    jsonutil::non_empty(path, out)
}

/// Converts array elements one at a time, so a huge file never exists as
/// a full `serde_json::Value` tree and `max_records` stops it early.
struct Elements<'a> {
    path: &'a Path,
    limits: &'a Limits,
    out: &'a mut Vec<Record>,
    /// Our own error, kept aside because serde can only carry a string.
    failure: &'a mut Option<InputError>,
}

impl<'de> Visitor<'de> for Elements<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array of AlpacaEval output objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            let line = jsonutil::line_no(self.out.len());
            let rec = jsonutil::check_count(self.path, line, self.out.len(), self.limits)
                .and_then(|()| record(&Loc::new(self.path, line), self.out.len(), &v));
            match rec {
                Ok(r) => self.out.push(r),
                Err(e) => {
                    *self.failure = Some(e);
                    return Err(A::Error::custom("rejected element"));
                }
            }
        }
        Ok(())
    }
}

fn record(loc: &Loc, index: usize, v: &Value) -> Result<Record, InputError> {
    let loc = loc.at(&format!("[{index}]"));
    let o = loc.as_object(v)?;
    // `output: null` is a missing answer; an absent key is a broken file.
    if !o.contains_key("output") {
        return Err(loc.wrong("output", "a string or null", None));
    }
    Ok(Record {
        prompt: loc.req_str(o, "instruction")?,
        response: loc.get(o, "output", "a string or null", |v| {
            v.as_str().map(str::to_string)
        })?,
        model: loc.opt_str(o, "generator")?,
        category: loc.opt_str(o, "dataset")?,
        metadata: jsonutil::metadata(o, KNOWN),
        line: loc.line,
        ..Record::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Vec<Record>, InputError> {
        parse(Path::new("o.json"), text, &Limits::default())
    }

    fn err(text: &str) -> String {
        run(text).unwrap_err().to_string()
    }

    const TWO: &str = r#"[
      {"instruction": "Name a colour.", "output": "Blue.", "generator": "m1",
       "dataset": "helpful_base", "price": 0.5},
      {"instruction": "Say nothing.", "output": null, "generator": "m1", "dataset": "koala"}
    ]"#;

    #[test]
    fn maps_fields() {
        let recs = run(TWO).unwrap();
        assert_eq!(recs.len(), 2);
        let r = &recs[0];
        assert_eq!(
            (r.prompt.as_str(), r.response.as_deref()),
            ("Name a colour.", Some("Blue."))
        );
        assert_eq!(
            (r.model.as_deref(), r.category.as_deref()),
            (Some("m1"), Some("helpful_base"))
        );
        assert_eq!((r.line, r.metadata["price"].as_str()), (1, "0.5"));
        assert_eq!((recs[1].line, recs[1].response.as_deref()), (2, None));
        assert_eq!(recs[1].probe_id, None);
    }

    #[test]
    fn tolerates_crlf() {
        let recs = run(&TWO.replace('\n', "\r\n")).unwrap();
        assert_eq!(recs[1].prompt, "Say nothing.");
    }

    #[test]
    fn malformed_json_gives_the_file_line() {
        let e = err("[\n{\"instruction\": \"a\", \"output\": \"b\"},\n{\"instruction\": }\n]");
        assert!(
            e.starts_with("o.json:3: malformed JSON: expected value (column"),
            "{e}"
        );
        assert!(err("[{\"instruction\":\"a\",\"output\":\"b\"}] x").contains("trailing"));
        assert!(err("{\"instruction\": \"a\"}").contains("expected a JSON array"));
    }

    #[test]
    fn field_errors_name_the_element() {
        let ok = r#"{"instruction": "a", "output": "b"}"#;
        assert_eq!(
            err(&format!(
                "[{ok}, {{\"instruction\": \"c\", \"output\": 5}}]"
            )),
            "o.json:2: field `[1].output`: expected a string or null, found a number"
        );
        assert_eq!(
            err(r#"[{"instruction": "c"}]"#),
            "o.json:1: field `[0].output`: expected a string or null, found nothing"
        );
        assert_eq!(
            err(&format!("[{ok}, {ok}, 3]")),
            "o.json:3: field `[2]`: expected an object, found a number"
        );
    }

    #[test]
    fn limits_are_enforced() {
        let limits = Limits {
            max_line_bytes: 40,
            max_records: 1,
            max_json_depth: 3,
            ..Limits::default()
        };
        let p = Path::new("o.json");
        let run = |t: &str| parse(p, t, &limits).unwrap_err().to_string();
        let long = format!(
            "[\n{{\"instruction\": \"{}\", \"output\": \"\"}}\n]",
            "x".repeat(40)
        );
        assert!(run(&long).starts_with("o.json:2: limit `max_line_bytes`"));
        let two = "[\n{\"instruction\":\"a\",\"output\":\"b\"},\n{\"instruction\":\"a\",\"output\":\"b\"}]";
        assert!(run(two).starts_with("o.json:2: limit `max_records` (1)"));
        let deep = "[\n{\"instruction\": \"a\",\n\"output\": \"b\", \"x\": [[1]]}]";
        assert!(run(deep).starts_with("o.json:3: limit `max_json_depth` (3)"));
    }

    #[test]
    fn empty_inputs_are_errors() {
        assert_eq!(err("  \n"), "o.json: no records found");
        assert_eq!(err("[ ]"), "o.json: no records found");
    }
}
