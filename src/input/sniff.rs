//! Format detection (rules in docs/formats.md, "Sniffing"). Content wins
//! over the extension, because exported files are often misnamed: a
//! leading `[` means an AlpacaEval array, and the top-level keys of the
//! first JSON line tell the JSONL flavours apart. Only then does the
//! extension decide.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::IgnoredAny;

use super::{Format, InputError};

pub fn sniff(path: &Path, text: &str) -> Result<Format, InputError> {
    if let Some(f) = from_content(text) {
        return Ok(f);
    }
    from_extension(path).ok_or_else(|| InputError::UnknownFormat {
        path: path.to_path_buf(),
        reason: format!(
            "content is neither a JSON array nor a JSON line with `prompt`, `custom_id` \
             or `choices`, and the extension {} is not .csv, .json or .jsonl",
            path.extension().map_or("(none)".to_string(), |e| format!(
                "`.{}`",
                e.to_string_lossy()
            ))
        ),
    })
}

fn from_content(text: &str) -> Option<Format> {
    let text = text.trim_start();
    if text.starts_with('[') {
        return Some(Format::Alpaca);
    }
    let first = text.lines().next()?;
    // IgnoredAny skips values without building them, so even a huge or
    // deeply nested first line costs no memory (serde_json stops at depth
    // 128 and we fall back to the extension).
    let keys: BTreeMap<String, IgnoredAny> = serde_json::from_str(first).ok()?;
    let has = |k: &str| keys.contains_key(k);
    if has("custom_id") && has("result") {
        Some(Format::AnthropicBatch)
    } else if (has("custom_id") && has("response")) || has("choices") {
        Some(Format::OpenaiBatch)
    } else if has("prompt") {
        Some(Format::Jsonl)
    } else {
        None
    }
}

fn from_extension(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(Format::Csv),
        "json" => Some(Format::Alpaca),
        "jsonl" | "ndjson" => Some(Format::Jsonl),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniffed(name: &str, text: &str) -> Result<Format, InputError> {
        sniff(Path::new(name), text)
    }

    #[test]
    fn content_decides_first() {
        assert_eq!(sniffed("a.csv", " \n[{}]").unwrap(), Format::Alpaca);
        let anth = r#"{"custom_id": "a", "result": {"type": "expired"}}"#;
        assert_eq!(sniffed("x.txt", anth).unwrap(), Format::AnthropicBatch);
        let oai = "{\"custom_id\": \"a\", \"response\": null, \"error\": {}}\r\n";
        assert_eq!(sniffed("x", oai).unwrap(), Format::OpenaiBatch);
        assert_eq!(
            sniffed("x", r#"{"choices": []}"#).unwrap(),
            Format::OpenaiBatch
        );
        let own = "\n{\"prompt\": \"p\", \"response\": \"r\"}\n";
        assert_eq!(sniffed("x.json", own).unwrap(), Format::Jsonl);
    }

    #[test]
    fn extension_is_the_fallback() {
        assert_eq!(sniffed("a.CSV", "prompt,response\n").unwrap(), Format::Csv);
        assert_eq!(sniffed("a.json", "{\n}").unwrap(), Format::Alpaca);
        assert_eq!(sniffed("a.jsonl", r#"{"q": 1}"#).unwrap(), Format::Jsonl);
        assert_eq!(sniffed("a.jsonl", "").unwrap(), Format::Jsonl);
    }

    #[test]
    fn unknown_format_says_why() {
        let e = sniffed("notes.txt", "hello").unwrap_err().to_string();
        assert!(
            e.starts_with("notes.txt: cannot tell the format (content is neither"),
            "{e}"
        );
        assert!(e.contains("extension `.txt`"), "{e}");
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(sniffed("x", &deep).unwrap(), Format::Alpaca);
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        assert!(sniffed("x", &deep)
            .unwrap_err()
            .to_string()
            .contains("(none)"));
    }

    const FORMATS: [Format; 5] = [
        Format::Jsonl,
        Format::Alpaca,
        Format::Csv,
        Format::OpenaiBatch,
        Format::AnthropicBatch,
    ];

    /// One small valid file per format, to be damaged at random below.
    const SAMPLES: [&str; 5] = [
        r#"{"probe_id": 1, "prompt": "p", "logprobs": [{"token": "a", "logprob": -1, "top": []}]}"#,
        r#"[{"instruction": "i", "output": "o", "generator": "g", "dataset": "d"}]"#,
        "id,prompt,response\n1,\"a\nb\",c\n",
        r#"{"custom_id": "c", "messages": [{"role": "user", "content": [{"type": "text", "text": "q"}]}], "response": {"status_code": 200, "body": {"choices": [{"message": {"content": "a"}, "logprobs": {"content": [{"token": "a", "logprob": -1, "top_logprobs": [{"token": "b", "logprob": -2}]}]}}]}}}"#,
        r#"{"custom_id": "c", "params": {"messages": [{"role": "user", "content": "q"}]}, "result": {"type": "succeeded", "message": {"content": [{"type": "text", "text": "a"}]}}}"#,
    ];

    fn parse_all(text: &str) {
        let limits = crate::input::Limits {
            max_json_depth: 6,
            ..Default::default()
        };
        let _ = sniff(Path::new("x"), text);
        for f in FORMATS {
            let _ = crate::input::parse(f, Path::new("x"), text, &limits);
        }
    }

    #[test]
    fn samples_are_valid() {
        for (f, text) in FORMATS.into_iter().zip(SAMPLES) {
            assert_eq!(sniffed("x.csv", text).unwrap(), f);
            let recs = crate::input::parse(f, Path::new("x"), text, &Default::default());
            assert_eq!(recs.unwrap().len(), 1, "{f:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn random_text_never_panics(text in "[\\[\\]{}\",:a-z0-9 \\\\\r\n]{0,120}|\\PC{0,60}") {
            parse_all(&text);
        }

        #[test]
        fn damaged_samples_never_panic(
            which in 0..SAMPLES.len(),
            at in 0usize..400,
            cut in 0usize..8,
            junk in "[\\[\\]{}\",:0-9n \\\\\r\n-]{0,4}",
        ) {
            let s = SAMPLES[which];
            let at = (0..=at.min(s.len())).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
            let end = (at..=at.saturating_add(cut).min(s.len())).rev()
                .find(|&i| s.is_char_boundary(i)).unwrap_or(at);
            parse_all(&format!("{}{junk}{}", &s[..at], &s[end..]));
        }
    }

    /// End-to-end check on the shared sample data (`../shared/data` beside
    /// the crate root); run with `cargo test --lib -- --ignored`.
    /// `LINEAGE_SAMPLE_DATA` overrides the directory.
    #[test]
    #[ignore]
    fn sample_files_load() {
        let dir = std::env::var("LINEAGE_SAMPLE_DATA")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data").to_string());
        let dir = Path::new(&dir);
        let limits = crate::input::Limits::default();
        for (file, format, n) in [
            ("alpacaeval/vicuna-13b.json", Format::Alpaca, 805),
            ("xstest/xstest_v2_completions_gpt4.csv", Format::Csv, 450),
        ] {
            let ds = crate::input::load("m", &dir.join(file), None, &limits).unwrap();
            assert_eq!((ds.format, ds.records.len()), (format, n), "{file}");
            assert!(ds.records.iter().all(|r| r.response.is_some()));
        }
    }
}
