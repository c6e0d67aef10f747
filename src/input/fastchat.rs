//! FastChat answer files, as MT-Bench and Arena-Hard publish every model's
//! answers (FastChat `llm_judge` README; `data/<bench>/model_answer/
//! <model>.jsonl` beside `data/<bench>/question.jsonl`). An answer line is
//! `{"question_id", "answer_id", "model_id", "choices": [{"index": 0,
//! "turns": [...]}], "tstamp"}`, a question line `{"question_id",
//! "category", "turns": [...]}`; a turn is a string (MT-Bench) or an object
//! with a `content` string (Arena-Hard).
//!
//! The answers do not repeat the questions, so both files are read: turn k
//! (1-based) of `choices[0]` becomes one record with probe_id
//! `<question_id>/<k>`, prompt = turn k of the question, model =
//! `model_id`, category = the question's `category`; other answer fields go
//! to metadata. Further choices (`--num-choices`) are not read. An answer
//! to a question the question file lacks, or with more turns than its
//! question, is an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::jsonutil::{self, Loc, Object};
use super::{InputError, Limits, ReadOptions, Record};

const KNOWN: &[&str] = &["question_id", "model_id", "choices"];

/// One question: its turns and category.
pub(super) struct Question {
    turns: Vec<String>,
    category: Option<String>,
}

/// Questions by id, with the file they came from (named in errors).
pub(super) struct Questions<'a> {
    path: &'a Path,
    by_id: BTreeMap<String, Question>,
}

/// The question file for `answers`: `--questions`, else the first of
/// `../question.jsonl` (the published layout) and `./question.jsonl`
/// relative to the answers' folder that exists.
pub(super) fn question_file(answers: &Path, opts: &ReadOptions) -> Result<PathBuf, InputError> {
    if let Some(q) = &opts.questions {
        return Ok(q.clone());
    }
    let dir = answers.parent().unwrap_or(Path::new(""));
    let beside = dir.parent().map(|d| d.join("question.jsonl"));
    let candidates = [beside, Some(dir.join("question.jsonl"))];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
        .ok_or_else(|| InputError::Unusable {
            path: answers.to_path_buf(),
            reason: "FastChat answers need their questions: no question.jsonl beside \
                     the answers' folder or in it, and no --questions FILE"
                .into(),
        })
}

/// Parse a question file.
pub(super) fn parse_questions<'a>(
    path: &'a Path,
    text: &str,
    limits: &Limits,
) -> Result<Questions<'a>, InputError> {
    let mut by_id = BTreeMap::new();
    jsonutil::parse_lines_multi(path, text, limits, |loc, o, out| {
        let id = loc.need(
            o,
            "question_id",
            "a string or an integer",
            jsonutil::id_text,
        )?;
        let turns = loc.need(o, "turns", "an array of turns", Value::as_array)?;
        let turns = turn_texts(&loc.at("turns"), turns)?
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
        let q = Question {
            turns,
            category: loc.opt_str(o, "category")?,
        };
        if by_id.insert(id.clone(), q).is_some() {
            return Err(InputError::Field {
                path: path.to_path_buf(),
                line: loc.line,
                field: "question_id".into(),
                expected: "an id not used before",
                found: format!("`{id}` again"),
            });
        }
        // One placeholder per question, so the driver's record cap and
        // empty-file check apply to questions too.
        out.push(Record::default());
        Ok(())
    })?;
    Ok(Questions { path, by_id })
}

/// Parse an answer file against its questions.
pub(super) fn parse(
    path: &Path,
    text: &str,
    limits: &Limits,
    questions: &Questions,
) -> Result<Vec<Record>, InputError> {
    jsonutil::parse_lines_multi(path, text, limits, |loc, o, out| {
        answer(loc, o, questions, out)
    })
}

fn answer(
    loc: &Loc,
    o: &Object,
    questions: &Questions,
    out: &mut Vec<Record>,
) -> Result<(), InputError> {
    let id = loc.need(
        o,
        "question_id",
        "a string or an integer",
        jsonutil::id_text,
    )?;
    let q = questions.by_id.get(&id).ok_or_else(|| InputError::Field {
        path: loc.path.to_path_buf(),
        line: loc.line,
        field: "question_id".into(),
        expected: "an id listed in the question file",
        found: format!("`{id}`, absent from {}", questions.path.display()),
    })?;
    let choices = loc.need(o, "choices", "an array", Value::as_array)?;
    let cl = loc.at("choices");
    let (l, choice) = cl
        .objects(choices)
        .next()
        .unwrap_or_else(|| Err(cl.wrong("[0]", "an object", None)))?;
    let turns = l.need(choice, "turns", "an array of turns", Value::as_array)?;
    let tl = l.at("turns");
    let texts = turn_texts(&tl, turns)?;
    if texts.len() > q.turns.len() {
        return Err(InputError::Field {
            path: loc.path.to_path_buf(),
            line: loc.line,
            field: tl.at(&format!("[{}]", q.turns.len())).prefix,
            expected: "no more turns than the question has",
            found: format!(
                "{} turns for a {}-turn question",
                texts.len(),
                q.turns.len()
            ),
        });
    }
    let model = loc.opt_str(o, "model_id")?;
    let metadata = jsonutil::metadata(o, KNOWN);
    for (k, (response, prompt)) in texts.into_iter().zip(&q.turns).enumerate() {
        out.push(Record {
            probe_id: Some(format!("{id}/{}", k + 1)),
            prompt: prompt.clone(),
            response,
            model: model.clone(),
            category: q.category.clone(),
            metadata: metadata.clone(),
            ..Record::default()
        });
    }
    Ok(())
}

/// Each turn's text: a string, an object's `content` string, or null.
fn turn_texts(loc: &Loc, turns: &[Value]) -> Result<Vec<Option<String>>, InputError> {
    turns
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let l = loc.at(&format!("[{i}]"));
            match t {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s.clone())),
                Value::Object(o) => l.opt_str(o, "content"),
                other => Err(l.wrong("", "a string or an object with `content`", Some(other))),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUESTIONS: &str = r#"{"question_id": 81, "category": "writing", "turns": ["Write a poem.", "Now shorter."]}
{"question_id": "ah-1", "category": "arena-hard-v0.1", "turns": [{"content": "Explain X."}]}
"#;

    fn run(answers: &str) -> Result<Vec<Record>, InputError> {
        let limits = Limits::default();
        let q = parse_questions(Path::new("question.jsonl"), QUESTIONS, &limits).unwrap();
        parse(Path::new("m.jsonl"), answers, &limits, &q)
    }

    fn err(answers: &str) -> String {
        run(answers).unwrap_err().to_string()
    }

    #[test]
    fn one_record_per_turn() {
        let a = r#"{"question_id": 81, "answer_id": "x", "model_id": "vicuna", "choices": [{"index": 0, "turns": ["Roses.", "Red."]}], "tstamp": 1.5}
{"question_id": "ah-1", "model_id": "vicuna", "choices": [{"index": 0, "turns": [{"content": "X is.", "token_len": 3}]}]}"#;
        let recs = run(a).unwrap();
        let got: Vec<_> = recs
            .iter()
            .map(|r| {
                (
                    r.probe_id.as_deref().unwrap(),
                    r.prompt.as_str(),
                    r.response.as_deref(),
                    r.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("81/1", "Write a poem.", Some("Roses."), 1),
                ("81/2", "Now shorter.", Some("Red."), 1),
                ("ah-1/1", "Explain X.", Some("X is."), 2)
            ]
        );
        let r = &recs[0];
        assert_eq!(
            (r.model.as_deref(), r.category.as_deref()),
            (Some("vicuna"), Some("writing"))
        );
        assert_eq!(
            (
                r.metadata["answer_id"].as_str(),
                r.metadata["tstamp"].as_str()
            ),
            ("x", "1.5")
        );
    }

    #[test]
    fn bad_answers_are_named() {
        assert_eq!(
            err(r#"{"question_id": 99, "choices": [{"turns": ["a"]}]}"#),
            "m.jsonl:1: field `question_id`: expected an id listed in the question file, found `99`, absent from question.jsonl"
        );
        assert_eq!(
            err(r#"{"question_id": "ah-1", "choices": [{"turns": ["a", "b"]}]}"#),
            "m.jsonl:1: field `choices[0].turns[1]`: expected no more turns than the question has, found 2 turns for a 1-turn question"
        );
        assert_eq!(
            err(r#"{"question_id": 81, "choices": [{"turns": ["a", 5]}]}"#),
            "m.jsonl:1: field `choices[0].turns[1]`: expected a string or an object with `content`, found a number"
        );
        assert_eq!(
            err(r#"{"question_id": 81, "choices": []}"#),
            "m.jsonl:1: field `choices[0]`: expected an object, found nothing"
        );
        assert_eq!(
            err(r#"{"question_id": 1.5, "choices": []}"#),
            "m.jsonl:1: field `question_id`: expected a string or an integer, found a number"
        );
    }

    #[test]
    fn bad_questions_are_named() {
        let p = Path::new("q.jsonl");
        let l = Limits::default();
        let e = |t: &str| parse_questions(p, t, &l).err().unwrap().to_string();
        assert_eq!(
            e("{\"question_id\": 1, \"turns\": [\"a\"]}\n{\"question_id\": 1, \"turns\": []}"),
            "q.jsonl:2: field `question_id`: expected an id not used before, found `1` again"
        );
        assert_eq!(
            e(r#"{"question_id": 1}"#),
            "q.jsonl:1: field `turns`: expected an array of turns, found nothing"
        );
        assert_eq!(e(""), "q.jsonl: no records found");
    }

    #[test]
    fn question_file_is_found_beside_the_answers_folder() {
        let dir = tempfile::tempdir().unwrap();
        let answers = dir.path().join("model_answer");
        std::fs::create_dir(&answers).unwrap();
        let a = answers.join("m.jsonl");
        let opts = ReadOptions::default();
        let e = question_file(&a, &opts).unwrap_err().to_string();
        assert!(e.contains("no question.jsonl beside"), "{e}");
        std::fs::write(answers.join("question.jsonl"), "").unwrap();
        assert_eq!(
            question_file(&a, &opts).unwrap(),
            answers.join("question.jsonl")
        );
        std::fs::write(dir.path().join("question.jsonl"), "").unwrap();
        assert_eq!(
            question_file(&a, &opts).unwrap(),
            dir.path().join("question.jsonl")
        );
        let given = ReadOptions {
            questions: Some("q.jsonl".into()),
            ..ReadOptions::default()
        };
        assert_eq!(question_file(&a, &given).unwrap(), PathBuf::from("q.jsonl"));
    }
}
