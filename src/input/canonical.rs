//! lineage's canonical JSONL (documented in docs/formats.md): one JSON
//! object per line with `prompt` (required), `response`, `probe_id`,
//! `model`, `sample`, `logprobs` and `category`. Other fields are kept as
//! metadata so nothing in the evidence is lost.

use std::path::Path;

use serde_json::Value;

use super::jsonutil::{self, Loc, Object};
use super::{InputError, Limits, Record};

const KNOWN: &[&str] = &[
    "probe_id", "prompt", "response", "model", "sample", "logprobs", "category",
];

pub fn parse(path: &Path, text: &str, limits: &Limits) -> Result<Vec<Record>, InputError> {
    jsonutil::parse_lines(path, text, limits, record)
}

fn record(loc: &Loc, o: &Object) -> Result<Record, InputError> {
    let logprobs = match loc.get(o, "logprobs", "an array", Value::as_array)? {
        Some(a) => Some(jsonutil::token_logprobs(&loc.at("logprobs"), a, "top")?),
        None => None,
    };
    Ok(Record {
        probe_id: loc.get(o, "probe_id", "a string or an integer", id_text)?,
        prompt: loc.req_str(o, "prompt")?,
        response: loc.opt_str(o, "response")?,
        model: loc.opt_str(o, "model")?,
        sample: loc
            .get(o, "sample", "an integer from 0 to 4294967295", |v| {
                v.as_u64().and_then(|n| u32::try_from(n).ok())
            })?
            .unwrap_or(0),
        logprobs,
        category: loc.opt_str(o, "category")?,
        metadata: jsonutil::metadata(o, KNOWN),
        line: loc.line,
    })
}

/// Integer ids are common in hand-made probe sets; they align as text.
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Vec<Record>, InputError> {
        parse(Path::new("t.jsonl"), text, &Limits::default())
    }

    fn err(text: &str) -> String {
        run(text).unwrap_err().to_string()
    }

    #[test]
    fn parses_every_field() {
        let text = concat!(
            r#"{"probe_id": 7, "prompt": "Hi?", "response": "Hello.", "model": "m", "sample": 2,"#,
            r#" "category": "greet", "seed": 5, "note": "x", "logprobs": [{"token": "Hello","#,
            r#" "logprob": -0.5, "top": [{"token": "Hi", "logprob": -1.25}]}]}"#,
            "\n\n",
            r#"{"prompt": "p2", "response": null}"#,
            "\n"
        );
        let recs = run(text).unwrap();
        assert_eq!(recs.len(), 2);
        let r = &recs[0];
        assert_eq!(r.probe_id.as_deref(), Some("7"));
        assert_eq!(
            (r.prompt.as_str(), r.response.as_deref()),
            ("Hi?", Some("Hello."))
        );
        assert_eq!((r.model.as_deref(), r.sample), (Some("m"), 2));
        assert_eq!(r.category.as_deref(), Some("greet"));
        assert_eq!(r.metadata["seed"], "5");
        assert_eq!(r.metadata["note"], "x");
        let lp = r.logprobs.as_ref().unwrap();
        assert_eq!((lp[0].token.as_str(), lp[0].logprob), ("Hello", -0.5));
        assert_eq!(lp[0].top[0].logprob, -1.25);
        assert_eq!((recs[1].line, recs[1].response.as_deref()), (3, None));
        assert_eq!((recs[1].probe_id.as_deref(), recs[1].sample), (None, 0));
    }

    #[test]
    fn tolerates_crlf() {
        let recs = run("{\"prompt\": \"a\"}\r\n\r\n{\"prompt\": \"b\"}\r\n").unwrap();
        assert_eq!(recs.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(recs[1].prompt, "b");
    }

    #[test]
    fn malformed_line_names_its_line() {
        let e = err("{\"prompt\": \"a\"}\n{\"prompt\": \n");
        assert!(e.starts_with("t.jsonl:2: malformed JSON: EOF"), "{e}");
    }

    #[test]
    fn missing_and_wrong_fields_are_named() {
        assert_eq!(
            err(r#"{"response": "x"}"#),
            "t.jsonl:1: field `prompt`: expected a string, found nothing"
        );
        assert_eq!(
            err(r#"{"prompt": "p", "response": 3}"#),
            "t.jsonl:1: field `response`: expected a string, found a number"
        );
        assert!(err(r#"{"prompt": "p", "sample": -1}"#).contains("`sample`"));
        assert!(err(r#"{"prompt": "p", "probe_id": 1.5}"#).contains("`probe_id`"));
        assert_eq!(
            err(r#"{"prompt": "p", "logprobs": [{"token": "a", "logprob": "x"}]}"#),
            "t.jsonl:1: field `logprobs[0].logprob`: expected a number, found a string"
        );
        assert_eq!(
            err("[1]"),
            "t.jsonl:1: field `$`: expected an object, found an array"
        );
    }

    #[test]
    fn limits_are_enforced() {
        let limits = Limits {
            max_line_bytes: 20,
            max_records: 1,
            max_json_depth: 3,
            ..Limits::default()
        };
        let p = Path::new("t.jsonl");
        let long = format!("{{\"prompt\": \"{}\"}}", "x".repeat(20));
        let e = parse(p, &long, &limits).unwrap_err().to_string();
        assert!(
            e.starts_with("t.jsonl:1: limit `max_line_bytes` (20)"),
            "{e}"
        );
        let e = parse(p, "{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}", &limits).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("t.jsonl:2: limit `max_records` (1)"));
        let e = parse(p, r#"{"a":[[[1]]]}"#, &limits).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("t.jsonl:1: limit `max_json_depth` (3)"));
    }

    #[test]
    fn deep_nesting_is_refused_before_serde() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(err(&deep).contains("max_json_depth"));
    }

    #[test]
    fn empty_file_is_an_error() {
        assert_eq!(err(""), "t.jsonl: no records found");
        assert_eq!(err("\n  \r\n"), "t.jsonl: no records found");
    }
}
