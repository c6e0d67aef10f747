//! Conversations as probe-response records, shared by the chat-message
//! (`messages.rs`) and ShareGPT (`sharegpt.rs`) loaders, which differ only
//! in their key names and role names ([`Style`]).
//!
//! A conversation is a list of turns. An *exchange* is a user turn and the
//! assistant turn that answers it: the prompt is the last user turn before
//! the answer (as for batch requests, `jsonutil::request_prompt`), the
//! response that answer. System, tool and other turns are skipped. Only
//! the first exchange becomes a record unless `all_turns` is set. A
//! conversation whose last user turn has no answer yields that turn with no
//! response (a request file), when it is the conversation's only exchange
//! or `all_turns` is set. The file is JSONL (one conversation per line) or
//! one JSON array of conversations.
//!
//! Records carry no probe id: a conversation's `id` names it within one
//! dataset (ShareGPT's `QWJhYvA_0`), not a probe that other models answered
//! under the same name, so it goes to metadata and conversations align with
//! other datasets by prompt. With `all_turns`, metadata `exchange` gives
//! the 1-based exchange number.

use std::path::Path;

use serde_json::Value;

use super::jsonutil::{self, Loc, Object};
use super::{jsonarray, InputError, Limits, Record};

/// Key and role names of one conversation format.
pub(super) struct Style {
    /// Key of the turn list in each conversation object.
    pub list: &'static str,
    /// Key of a turn's role, and of its text.
    pub role: &'static str,
    pub text: &'static str,
    /// Role values (compared case-insensitively) of user and assistant turns.
    pub user: &'static [&'static str],
    pub assistant: &'static [&'static str],
}

pub(super) fn parse(
    path: &Path,
    text: &str,
    limits: &Limits,
    style: &Style,
    all_turns: bool,
) -> Result<Vec<Record>, InputError> {
    let each =
        |loc: &Loc, o: &Object, out: &mut Vec<Record>| conversation(loc, o, style, all_turns, out);
    if text.trim_start().starts_with('[') {
        jsonarray::parse(path, text, limits, each)
    } else {
        jsonutil::parse_lines_multi(path, text, limits, each)
    }
}

enum Role {
    User,
    Assistant,
    Other,
}

fn role_of(style: &Style, role: &str) -> Role {
    let is = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(role));
    if is(style.user) {
        Role::User
    } else if is(style.assistant) {
        Role::Assistant
    } else {
        Role::Other
    }
}

/// Appends the records of one conversation object at `loc`.
fn conversation(
    loc: &Loc,
    o: &Object,
    style: &Style,
    all_turns: bool,
    out: &mut Vec<Record>,
) -> Result<(), InputError> {
    let turns = loc.need(o, style.list, "an array of turns", Value::as_array)?;
    let base = Record {
        model: loc.opt_str(o, "model")?,
        metadata: jsonutil::metadata(o, &[style.list, "model"]),
        ..Record::default()
    };
    let pairs = exchanges(loc, turns, style, all_turns)?;
    if pairs.is_empty() {
        return Err(InputError::Field {
            path: loc.path.to_path_buf(),
            line: loc.line,
            field: loc.at(style.list).prefix,
            expected: "a conversation with a user turn",
            found: "none".into(),
        });
    }
    for (k, (prompt, response)) in pairs.into_iter().enumerate() {
        let mut r = base.clone();
        r.prompt = prompt;
        r.response = response;
        if all_turns {
            r.metadata.insert("exchange".into(), (k + 1).to_string());
        }
        out.push(r);
    }
    Ok(())
}

/// The (prompt, response) exchanges of a turn list, in order.
fn exchanges(
    loc: &Loc,
    turns: &[Value],
    style: &Style,
    all_turns: bool,
) -> Result<Vec<(String, Option<String>)>, InputError> {
    let mut pairs = Vec::new();
    let mut pending = None;
    for item in loc.at(style.list).objects(turns) {
        let (l, t) = item?;
        let role = l.req_str(t, style.role)?;
        match role_of(style, &role) {
            Role::User => {
                pending = Some(jsonutil::content_text(&l, t, style.text)?.unwrap_or_default());
            }
            Role::Assistant => {
                if let Some(p) = pending.take() {
                    pairs.push((p, jsonutil::content_text(&l, t, style.text)?));
                    if !all_turns {
                        return Ok(pairs);
                    }
                }
            }
            Role::Other => {}
        }
    }
    if let Some(p) = pending.filter(|_| all_turns || pairs.is_empty()) {
        pairs.push((p, None));
    }
    Ok(pairs)
}
