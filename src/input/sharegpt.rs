//! ShareGPT conversations, the format of most distillation datasets
//! (e.g. `anon8231489123/ShareGPT_Vicuna_unfiltered`, the FastChat
//! training data): `{"id": ..., "conversations": [{"from": "human",
//! "value": ...}, {"from": "gpt", "value": ...}, ...]}`, usually shipped as
//! one JSON array of such objects, sometimes as JSONL. `from` is `human` or
//! `user` for the user, `gpt`, `assistant`, `chatgpt`, `bard`, `bing` or
//! `model` for the answer; other turns (`system`, tools) are skipped.
//! Exchanges are taken as described in `conversation.rs`.

use std::path::Path;

use super::conversation::{self, Style};
use super::{InputError, Limits, Record};

const STYLE: Style = Style {
    list: "conversations",
    role: "from",
    text: "value",
    user: &["human", "user"],
    assistant: &["gpt", "assistant", "chatgpt", "bard", "bing", "model"],
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
        parse(Path::new("s.json"), text, &Limits::default(), all)
    }

    const TWO: &str = r#"[
      {"id": "QWJ_0", "conversations": [{"from": "human", "value": "Hi?"}, {"from": "gpt", "value": "Hello."}, {"from": "human", "value": "And?"}, {"from": "gpt", "value": "Bye."}]},
      {"id": 2, "conversations": [{"from": "system", "value": "s"}, {"from": "Human", "value": "Q"}, {"from": "chatgpt", "value": "A"}], "lang": "en"}
    ]"#;

    #[test]
    fn array_of_conversations() {
        let recs = run(TWO, false).unwrap();
        let got: Vec<_> = recs
            .iter()
            .map(|r| {
                (
                    r.metadata["id"].as_str(),
                    r.prompt.as_str(),
                    r.response.as_deref(),
                    r.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("QWJ_0", "Hi?", Some("Hello."), 1),
                ("2", "Q", Some("A"), 2)
            ]
        );
        assert_eq!(recs[1].metadata["lang"], "en");
        assert_eq!(run(TWO, true).unwrap().len(), 3);
    }

    #[test]
    fn jsonl_is_accepted() {
        let line = r#"{"conversations": [{"from": "user", "value": "a"}, {"from": "assistant", "value": "b"}]}"#;
        let recs = run(&format!("{line}\r\n{line}\r\n"), false).unwrap();
        assert_eq!(
            (recs.len(), recs[1].line, recs[0].probe_id.as_deref()),
            (2, 2, None)
        );
    }

    #[test]
    fn bad_elements_are_named() {
        let e = |t: &str| run(t, false).unwrap_err().to_string();
        let ok = r#"{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]}"#;
        assert_eq!(
            e(&format!("[{ok}, {{\"conversations\": [{{\"from\": 1}}]}}]")),
            "s.json:2: field `[1].conversations[0].from`: expected a string, found a number"
        );
        assert_eq!(
            e(&format!("[{ok}, {{\"convs\": []}}]")),
            "s.json:2: field `[1].conversations`: expected an array of turns, found nothing"
        );
        assert!(e("[{\"conversations\": ]").starts_with("s.json:1: malformed JSON"));
    }
}
