//! Reading options that only some formats use, given on the command line
//! beside `--format`: the FastChat question file, whether conversations
//! yield every exchange or only the first, and the Parquet (and CSV)
//! column names. The default reads every format as it always has.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadOptions {
    /// FastChat question file (`--questions`); without it, `question.jsonl`
    /// beside the answers' folder (the published MT-Bench/Arena-Hard
    /// layout) or in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questions: Option<PathBuf>,
    /// `messages` and `sharegpt`: every user/assistant exchange of a
    /// conversation becomes a record, not only the first (`--all-turns`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_turns: bool,
    /// Prompt column of a Parquet or CSV file (`--prompt-column`),
    /// matched case-insensitively; else the usual candidates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_column: Option<String>,
    /// Response column (`--response-column`), likewise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_column: Option<String>,
}

impl ReadOptions {
    pub fn is_default(&self) -> bool {
        *self == ReadOptions::default()
    }

    /// A stable text naming the non-default options, for cache keys; empty
    /// for the defaults, so existing keys do not change.
    pub fn cache_tag(&self) -> String {
        if self.is_default() {
            return String::new();
        }
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_has_no_tag() {
        assert_eq!(ReadOptions::default().cache_tag(), "");
        let o = ReadOptions {
            all_turns: true,
            ..ReadOptions::default()
        };
        assert_eq!(o.cache_tag(), r#"{"all_turns":true}"#);
    }
}
