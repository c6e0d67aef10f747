//! Chat-message JSONL, the OpenAI chat fine-tuning format (OpenAI API
//! guide "Fine-tuning", "Preparing your dataset"): one conversation per
//! line, `{"messages": [{"role": "system"|"user"|"assistant", "content":
//! ...}, ...]}`, `content` a string or an array of `{"type": "text"}`
//! parts. A JSON array of such objects is accepted too. Exchanges are
//! taken as described in `conversation.rs`; `model`, when present, gives
//! the model, other top-level keys (`id` included) go to metadata.

use std::path::Path;

use super::conversation::{self, Style};
use super::{InputError, Limits, Record};

const STYLE: Style = Style {
    list: "messages",
    role: "role",
    text: "content",
    user: &["user"],
    assistant: &["assistant"],
};

pub fn parse(
    path: &Path,
    text: &str,
    limits: &Limits,
    all_turns: bool,
) -> Result<Vec<Record>, InputError> {
    conversation::parse(path, text, limits, &STYLE, all_turns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, all: bool) -> Result<Vec<Record>, InputError> {
        parse(Path::new("m.jsonl"), text, &Limits::default(), all)
    }

    const CHAT: &str = r#"{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": [{"type": "text", "text": "More"}]}, {"role": "assistant", "content": "No."}], "weight": 1}"#;

    #[test]
    fn first_exchange_by_default() {
        let recs = run(&format!("{CHAT}\n\n{CHAT}\n"), false).unwrap();
        assert_eq!(recs.len(), 2);
        let r = &recs[0];
        assert_eq!(
            (r.prompt.as_str(), r.response.as_deref()),
            ("Hi?", Some("Hello."))
        );
        assert_eq!((r.probe_id.as_deref(), r.line), (None, 1));
        assert_eq!(r.metadata["weight"], "1");
        assert_eq!(recs[1].line, 3);
    }

    #[test]
    fn every_exchange_with_all_turns() {
        let line = CHAT.replacen('{', r#"{"id": 7, "model": "m", "#, 1);
        let recs = run(&line, true).unwrap();
        let got: Vec<_> = recs
            .iter()
            .map(|r| {
                (
                    r.metadata["exchange"].as_str(),
                    r.prompt.as_str(),
                    r.response.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [("1", "Hi?", Some("Hello.")), ("2", "More", Some("No."))]
        );
        assert_eq!(recs[1].model.as_deref(), Some("m"));
        assert_eq!(
            (recs[0].probe_id.as_deref(), recs[0].metadata["id"].as_str()),
            (None, "7")
        );
    }

    #[test]
    fn unanswered_requests_have_no_response() {
        let req =
            r#"{"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]}"#;
        let recs = run(req, false).unwrap();
        assert_eq!(
            (recs[0].prompt.as_str(), recs[0].response.as_deref()),
            ("b", None)
        );
        let open = r#"{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "x"}, {"role": "user", "content": "b"}]}"#;
        assert_eq!(run(open, false).unwrap().len(), 1);
        assert_eq!(run(open, true).unwrap()[1].response, None);
    }

    #[test]
    fn bad_lines_are_named() {
        let e = |t: &str| run(t, false).unwrap_err().to_string();
        assert_eq!(
            e(&format!("{CHAT}\n{{\"messages\": [{{\"role\": \"user\", \"content\": 5}}]}}")),
            "m.jsonl:2: field `messages[0].content`: expected a string or an array of parts, found a number"
        );
        assert_eq!(
            e(r#"{"messages": [{"content": "a"}]}"#),
            "m.jsonl:1: field `messages[0].role`: expected a string, found nothing"
        );
        assert_eq!(
            e(r#"{"messages": [{"role": "system", "content": "a"}]}"#),
            "m.jsonl:1: field `messages`: expected a conversation with a user turn, found none"
        );
        assert_eq!(
            e(r#"{"messages": {}}"#),
            "m.jsonl:1: field `messages`: expected an array of turns, found an object"
        );
        assert!(e("{\"messages\": [").starts_with("m.jsonl:1: malformed JSON"));
        assert_eq!(e("\n"), "m.jsonl: no records found");
    }

    #[test]
    fn limits_count_every_exchange() {
        let limits = Limits {
            max_records: 1,
            ..Limits::default()
        };
        let e = parse(Path::new("m.jsonl"), CHAT, &limits, true).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("m.jsonl:1: limit `max_records` (1)"),
            "{e}"
        );
    }
}
