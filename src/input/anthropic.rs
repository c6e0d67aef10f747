//! Anthropic Message Batches results file (API reference "Retrieve Message
//! Batch results"): JSONL lines `{"custom_id", "result": {"type":
//! "succeeded" | "errored" | "canceled" | "expired", "message": {...}}}`.
//!
//! response = the concatenated `text` blocks of `result.message.content`
//! (tool-use and other blocks carry no text), probe_id = `custom_id`,
//! model = `result.message.model`. Results do not repeat the request, so
//! the prompt is the last user message only when the line carries
//! `params.messages` or `request.messages` (`request.params.messages`),
//! else "". A result that did not succeed is kept with no response, so it
//! is counted as missing, not dropped.

use std::path::Path;

use serde_json::Value;

use super::jsonutil::{self, Loc, Object};
use super::{InputError, Limits, Record};

const PROMPT_PATHS: &[&str] = &[
    "params.messages",
    "request.params.messages",
    "request.messages",
];

pub fn parse(path: &Path, text: &str, limits: &Limits) -> Result<Vec<Record>, InputError> {
    jsonutil::parse_lines(path, text, limits, record)
}

fn record(loc: &Loc, line: &Object) -> Result<Record, InputError> {
    let mut rec = Record {
        prompt: jsonutil::request_prompt(loc, line, PROMPT_PATHS)?,
        ..Record::default()
    };
    super::set_batch_id(&mut rec, &loc.req_str(line, "custom_id")?);
    let result = loc.need(line, "result", "an object", Value::as_object)?;
    let rl = loc.at("result");
    let kind = rl.req_str(result, "type")?;
    if kind != "succeeded" {
        if let Some(e) = result.get("error").filter(|e| !e.is_null()) {
            rec.metadata.insert("error".into(), jsonutil::json_text(e));
        }
        rec.metadata.insert("result_type".into(), kind);
        return Ok(rec);
    }
    let msg = rl.need(result, "message", "an object", Value::as_object)?;
    let ml = rl.at("message");
    rec.model = ml.opt_str(msg, "model")?;
    if let Some(reason) = ml.opt_str(msg, "stop_reason")? {
        rec.metadata.insert("stop_reason".into(), reason);
    }
    let content = ml.need(msg, "content", "an array", Value::as_array)?;
    rec.response = Some(jsonutil::text_blocks(&ml.at("content"), content)?);
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Vec<Record>, InputError> {
        parse(Path::new("r.jsonl"), text, &Limits::default())
    }

    fn err(text: &str) -> String {
        run(text).unwrap_err().to_string()
    }

    const OK: &str = r#"{"custom_id": "q1", "result": {"type": "succeeded", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "content": [{"type": "text", "text": "Hello"}, {"type": "tool_use", "id": "t", "name": "f", "input": {}}, {"type": "text", "text": ", world"}], "stop_reason": "end_turn"}}}"#;

    #[test]
    fn parses_results() {
        let errored = r#"{"custom_id": "q2", "result": {"type": "errored", "error": {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}}}"#;
        let expired = r#"{"custom_id": "q3", "result": {"type": "expired"}}"#;
        let recs = run(&format!("{OK}\r\n{errored}\r\n\r\n{expired}\r\n")).unwrap();
        assert_eq!(recs.len(), 3);
        let r = &recs[0];
        assert_eq!((r.probe_id.as_deref(), r.prompt.as_str()), (Some("q1"), ""));
        assert_eq!(
            (r.response.as_deref(), r.model.as_deref()),
            (Some("Hello, world"), Some("claude-x"))
        );
        assert_eq!(r.metadata["stop_reason"], "end_turn");
        assert_eq!((recs[1].response.as_deref(), recs[1].line), (None, 2));
        assert_eq!(recs[1].metadata["result_type"], "errored");
        assert!(recs[1].metadata["error"].contains("invalid_request_error"));
        assert_eq!((recs[2].response.as_deref(), recs[2].line), (None, 4));
    }

    #[test]
    fn takes_prompt_from_params() {
        let line = OK.replacen(
            r#""result""#,
            r#""params": {"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": "Why?"}]}]}, "result""#,
            1,
        );
        assert_eq!(run(&line).unwrap()[0].prompt, "Why?");
    }

    #[test]
    fn bad_lines_are_named() {
        assert!(err(&format!("{OK}\n{{")).starts_with("r.jsonl:2: malformed JSON"));
        assert_eq!(
            err(r#"{"result": {"type": "expired"}}"#),
            "r.jsonl:1: field `custom_id`: expected a string, found nothing"
        );
        assert_eq!(
            err(&OK.replace(r#""text": "Hello""#, r#""text": ["Hello"]"#)),
            "r.jsonl:1: field `result.message.content[0].text`: expected a string, found an array"
        );
        assert_eq!(
            err(r#"{"custom_id": "q", "result": {"type": "succeeded", "message": {}}}"#),
            "r.jsonl:1: field `result.message.content`: expected an array, found nothing"
        );
        let bad_msgs =
            r#"{"custom_id": "q", "params": {"messages": "hi"}, "result": {"type": "expired"}}"#;
        assert!(err(bad_msgs).contains("field `params.messages`: expected an array"));
    }

    #[test]
    fn limits_and_empty() {
        let limits = Limits {
            max_line_bytes: 64,
            max_json_depth: 4,
            max_records: 1,
            ..Limits::default()
        };
        let p = Path::new("r.jsonl");
        let run = |t: &str| parse(p, t, &limits).unwrap_err().to_string();
        assert!(run(OK).contains("max_line_bytes"));
        assert!(run(r#"{"result":{"a":{"b":[[1]]}}}"#).contains("max_json_depth"));
        let exp = r#"{"custom_id": "q", "result": {"type": "expired"}}"#;
        assert!(run(&format!("{exp}\n{exp}")).contains("r.jsonl:2: limit `max_records`"));
        assert_eq!(err(""), "r.jsonl: no records found");
    }
}
