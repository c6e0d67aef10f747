//! OpenAI Batch API output file (API reference "Batch", section "The
//! request output object"): JSONL lines `{"id", "custom_id", "response":
//! {"status_code", "body": <chat completion>}, "error"}`. Plain Chat
//! Completions response objects (`{"object": "chat.completion",
//! "choices": [...]}`), one per line, are accepted too.
//!
//! response = `choices[0].message.content`, logprobs =
//! `choices[0].logprobs.content`, probe_id = `custom_id`, model =
//! `body.model`. The output file does not repeat the request, so the
//! prompt is the last user message only when the line carries one
//! (`request.body.messages`, `messages` or `prompt`), else "".
//! A failed request (non-null `error`, or `status_code` other than 200)
//! is kept with no response, so it is counted as missing, not dropped.

use std::path::Path;

use serde_json::Value;

use super::jsonutil::{self, Loc, Object};
use super::{InputError, Limits, Record};

const PROMPT_PATHS: &[&str] = &["request.body.messages", "messages", "prompt"];

pub fn parse(path: &Path, text: &str, limits: &Limits) -> Result<Vec<Record>, InputError> {
    jsonutil::parse_lines(path, text, limits, record)
}

fn record(loc: &Loc, line: &Object) -> Result<Record, InputError> {
    let mut rec = Record {
        prompt: jsonutil::request_prompt(loc, line, PROMPT_PATHS)?,
        ..Record::default()
    };
    if let Some(id) = loc.opt_str(line, "custom_id")? {
        super::set_batch_id(&mut rec, &id);
    }
    if line.contains_key("choices") {
        completion(loc, line, &mut rec)?;
        return Ok(rec);
    }
    let error = line.get("error").filter(|e| !e.is_null());
    let resp = loc.get(line, "response", "an object", Value::as_object)?;
    let Some(resp) = resp else {
        return match error {
            Some(e) => {
                rec.metadata.insert("error".into(), jsonutil::json_text(e));
                Ok(rec)
            }
            None => Err(loc.wrong("response", "an object (or a `choices` array)", None)),
        };
    };
    let rl = loc.at("response");
    let status = rl.get(resp, "status_code", "an integer", Value::as_u64)?;
    if let Some(e) = error {
        rec.metadata.insert("error".into(), jsonutil::json_text(e));
    }
    if status != Some(200) || error.is_some() {
        let status = status.map_or("none".to_string(), |s| s.to_string());
        rec.metadata.insert("status_code".into(), status);
        return Ok(rec);
    }
    let body = rl.need(resp, "body", "an object", Value::as_object)?;
    completion(&rl.at("body"), body, &mut rec)?;
    Ok(rec)
}

/// Fills response, model and logprobs from a chat completion object.
fn completion(loc: &Loc, body: &Object, rec: &mut Record) -> Result<(), InputError> {
    rec.model = loc.opt_str(body, "model")?;
    let choices = loc.need(body, "choices", "an array", Value::as_array)?;
    let cl = loc.at("choices");
    let (l, choice) = cl
        .objects(choices)
        .next()
        .unwrap_or_else(|| Err(cl.wrong("[0]", "an object", None)))?;
    if let Some(reason) = l.opt_str(choice, "finish_reason")? {
        rec.metadata.insert("finish_reason".into(), reason);
    }
    let msg = l.need(choice, "message", "an object", Value::as_object)?;
    rec.response = l.at("message").opt_str(msg, "content")?;
    let Some(lp) = l.get(choice, "logprobs", "an object", Value::as_object)? else {
        return Ok(());
    };
    let ll = l.at("logprobs");
    if let Some(items) = ll.get(lp, "content", "an array", Value::as_array)? {
        rec.logprobs = Some(jsonutil::token_logprobs(
            &ll.at("content"),
            items,
            "top_logprobs",
        )?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Vec<Record>, InputError> {
        parse(Path::new("b.jsonl"), text, &Limits::default())
    }

    fn err(text: &str) -> String {
        run(text).unwrap_err().to_string()
    }

    fn ok_line(id: &str, content: &str) -> String {
        format!(
            r#"{{"id": "batch_req_1", "custom_id": "{id}", "response": {{"status_code": 200, "request_id": "r", "body": {{"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-x", "choices": [{{"index": 0, "message": {{"role": "assistant", "content": {content}}}, "finish_reason": "stop", "logprobs": null}}]}}}}, "error": null}}"#
        )
    }

    #[test]
    fn sample_suffix_of_custom_id_is_the_sample_index() {
        let text = format!(
            "{}\n{}\n",
            ok_line("q-1__s0", r#""a""#),
            ok_line("q-1__s2", r#""b""#)
        );
        let recs = run(&text).unwrap();
        let got: Vec<_> = recs
            .iter()
            .map(|r| (r.probe_id.as_deref(), r.sample))
            .collect();
        assert_eq!(got, vec![(Some("q-1"), 0), (Some("q-1"), 2)]);
    }

    #[test]
    fn parses_batch_output() {
        let failed = r#"{"id": "b2", "custom_id": "p2", "response": {"status_code": 400, "body": {"error": {"message": "bad"}}}, "error": null}"#;
        let expired = r#"{"id": "b3", "custom_id": "p3", "response": null, "error": {"code": "batch_expired", "message": "expired"}}"#;
        let text = format!("{}\n{failed}\n{expired}\n", ok_line("p1", r#""Hi there""#));
        let recs = run(&text).unwrap();
        assert_eq!(recs.len(), 3);
        let r = &recs[0];
        assert_eq!((r.probe_id.as_deref(), r.prompt.as_str()), (Some("p1"), ""));
        assert_eq!(
            (r.response.as_deref(), r.model.as_deref()),
            (Some("Hi there"), Some("gpt-x"))
        );
        assert_eq!(
            (r.metadata["finish_reason"].as_str(), r.logprobs.as_ref()),
            ("stop", None)
        );
        assert_eq!((recs[1].response.as_deref(), recs[1].line), (None, 2));
        assert_eq!(recs[1].metadata["status_code"], "400");
        assert_eq!(recs[2].response, None);
        assert!(recs[2].metadata["error"].contains("batch_expired"));
    }

    #[test]
    fn parses_chat_completion_with_request_and_logprobs() {
        let line = r#"{"object": "chat.completion", "model": "m", "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": [{"type": "text", "text": "Q?"}]}], "choices": [{"message": {"content": "A."}, "logprobs": {"content": [{"token": "A", "logprob": -0.1, "bytes": [65], "top_logprobs": [{"token": "B", "logprob": -2.0}]}]}}]}"#;
        let recs = run(&format!("{line}\r\n\r\n")).unwrap();
        let r = &recs[0];
        assert_eq!(
            (r.prompt.as_str(), r.response.as_deref()),
            ("Q?", Some("A."))
        );
        assert_eq!(r.probe_id, None);
        let lp = r.logprobs.as_ref().unwrap();
        assert_eq!(
            (lp[0].token.as_str(), lp[0].top[0].token.as_str()),
            ("A", "B")
        );
        let with_req = r#"{"custom_id": "c", "request": {"body": {"messages": [{"role": "user", "content": "hey"}]}}, "choices": [{"message": {"content": "yo"}}]}"#;
        assert_eq!(run(with_req).unwrap()[0].prompt, "hey");
    }

    #[test]
    fn bad_lines_are_named() {
        let e = err(&format!("{}\n{{\"custom_id\": ", ok_line("p1", r#""x""#)));
        assert!(e.starts_with("b.jsonl:2: malformed JSON"), "{e}");
        assert_eq!(
            err(&ok_line("p1", "7")),
            "b.jsonl:1: field `response.body.choices[0].message.content`: expected a string, found a number"
        );
        assert_eq!(
            err(r#"{"custom_id": "p", "choices": []}"#),
            "b.jsonl:1: field `choices[0]`: expected an object, found nothing"
        );
        assert!(err(r#"{"custom_id": "p"}"#).contains("field `response`"));
        assert!(err(r#"{"custom_id": 5, "choices": []}"#).contains("field `custom_id`"));
    }

    #[test]
    fn limits_and_empty() {
        let limits = Limits {
            max_line_bytes: 50,
            max_json_depth: 4,
            ..Limits::default()
        };
        let p = Path::new("b.jsonl");
        let e = parse(p, &ok_line("p", "\"x\""), &limits).unwrap_err();
        assert!(e.to_string().contains("max_line_bytes"));
        let e = parse(p, r#"{"choices":[{"a":[[1]]}]}"#, &limits).unwrap_err();
        assert!(e.to_string().contains("max_json_depth"));
        assert_eq!(err("\r\n"), "b.jsonl: no records found");
    }
}
