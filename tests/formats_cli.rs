//! The formats of issue 18, end to end on files written here from the
//! generated suite: FastChat answers with their question file (MT-Bench
//! and Arena-Hard layout), ShareGPT and chat-message conversations,
//! Parquet, and AlpacaEval `results/` trees named by folder. Each loads and
//! compares to the known verdict; each kind of bad file exits 2, names the
//! file, line and field, and writes nothing.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use common::{Fixture, Suite};
use predicates::prelude::*;
use serde_json::{json, Value};

/// Fast resampling; see tests/cli.rs.
const FAST: [&str; 4] = ["--resamples", "999", "--bootstrap", "400"];

const VERDICT: &str = "student: distilled-from teacher\n";

fn lineage() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
}

/// `lineage --quiet compare STUDENT --teacher T... --reference R --out OUT`.
fn compare(student: &Path, teachers: &[&Path], reference: &Path, out: &Path) -> Command {
    let mut c = lineage();
    c.args(["--quiet", "compare"]).arg(student);
    for t in teachers {
        c.arg("--teacher").arg(t);
    }
    c.arg("--reference").arg(reference).arg("--out").arg(out);
    c.args(FAST);
    c
}

fn report(out: &Path) -> Value {
    let bytes = std::fs::read(out.join("report.json")).expect("report.json");
    serde_json::from_slice(&bytes).expect("report parses")
}

fn input<'a>(rep: &'a Value, name: &str) -> &'a Value {
    rep["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("no input named {name}"))
}

fn write_lines(path: &Path, lines: impl IntoIterator<Item = Value>) -> PathBuf {
    let text: String = lines.into_iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(path, text).expect("write fixture");
    path.to_path_buf()
}

fn mkdir(p: PathBuf) -> PathBuf {
    std::fs::create_dir_all(&p).expect("mkdir");
    p
}

// ---------------------------------------------------------------------------
// Writers for the new formats.
// ---------------------------------------------------------------------------

/// FastChat questions: probes 2q and 2q+1 are the two turns of question
/// q (MT-Bench has two turns per question); the ids are integers.
fn write_questions(path: &Path, suite: &Suite) -> PathBuf {
    write_lines(
        path,
        suite.probes.chunks(2).enumerate().map(|(q, pair)| {
            let turns: Vec<&str> = pair.iter().map(|p| p.prompt.as_str()).collect();
            json!({"question_id": q + 100, "category": pair[0].category, "turns": turns})
        }),
    )
}

/// FastChat answers of `model`, turn k of question q answering probe
/// 2q+k; `arena` writes Arena-Hard's `{"content": ...}` turns instead of
/// MT-Bench's strings.
fn write_answers(path: &Path, suite: &Suite, model: &str, arena: bool) -> PathBuf {
    let m = suite.model(model);
    write_lines(
        path,
        m.responses.chunks(2).enumerate().map(|(q, pair)| {
            let turns: Vec<Value> = pair
                .iter()
                .map(|r| match arena {
                    true => json!({"content": r, "token_len": 1}),
                    false => json!(r),
                })
                .collect();
            json!({
                "question_id": q + 100,
                "answer_id": format!("a{q}"),
                "model_id": model,
                "choices": [{"index": 0, "turns": turns}],
                "tstamp": 1.0,
            })
        }),
    )
}

/// ShareGPT: one JSON array, a conversation per probe with a system turn
/// and a second exchange that `--all-turns` would add.
fn write_sharegpt(path: &Path, suite: &Suite, model: &str) -> PathBuf {
    let m = suite.model(model);
    let arr: Vec<Value> = suite
        .probes
        .iter()
        .zip(&m.responses)
        .map(|(p, r)| {
            json!({"id": format!("sg-{}", p.id), "conversations": [
                {"from": "system", "value": "You are helpful."},
                {"from": "human", "value": p.prompt},
                {"from": "gpt", "value": r},
                {"from": "human", "value": "Thanks!"},
                {"from": "gpt", "value": "You are welcome."},
            ]})
        })
        .collect();
    std::fs::write(path, serde_json::to_vec_pretty(&arr).unwrap()).unwrap();
    path.to_path_buf()
}

/// Chat-message JSONL (OpenAI fine-tuning format).
fn write_messages(path: &Path, suite: &Suite, model: &str) -> PathBuf {
    let m = suite.model(model);
    write_lines(
        path,
        suite.probes.iter().zip(&m.responses).map(|(p, r)| {
            json!({"messages": [
                {"role": "user", "content": p.prompt},
                {"role": "assistant", "content": r},
            ]})
        }),
    )
}

/// Parquet as `datasets` exports it (snappy), with columns `id`,
/// `instruction`, `output`, `generator` and an unused `text`, 16 rows per
/// row group.
fn write_parquet(path: &Path, suite: &Suite, model: &str) -> PathBuf {
    use parquet::basic::Compression;
    use parquet::data_type::{ByteArray, ByteArrayType};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    let m = suite.model(model);
    let schema = parse_message_type(
        "message d { required binary id (UTF8); required binary instruction (UTF8); \
         optional binary output (UTF8); required binary generator (UTF8); \
         required binary text (UTF8); }",
    )
    .unwrap();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(props)).unwrap();
    let rows: Vec<(usize, &Option<String>)> = m.responses.iter().enumerate().collect();
    for group in rows.chunks(16) {
        let mut rg = w.next_row_group().unwrap();
        let cell = |f: &dyn Fn(usize, &Option<String>) -> Option<String>| -> Vec<Option<String>> {
            group.iter().map(|&(i, r)| f(i, r)).collect()
        };
        let columns = [
            cell(&|i, _| Some(suite.probes[i].id.clone())),
            cell(&|i, _| Some(suite.probes[i].prompt.clone())),
            cell(&|_, r| r.clone()),
            cell(&|_, _| Some(model.to_string())),
            cell(&|i, _| Some(format!("row {i}"))),
        ];
        for col in columns {
            let mut cw = rg.next_column().unwrap().unwrap();
            let defs: Vec<i16> = col.iter().map(|c| i16::from(c.is_some())).collect();
            let vals: Vec<ByteArray> = col.iter().flatten().map(|s| s.as_str().into()).collect();
            cw.typed::<ByteArrayType>()
                .write_batch(&vals, Some(&defs), None)
                .unwrap();
            cw.close().unwrap();
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
    path.to_path_buf()
}

/// AlpacaEval tree: `<root>/<model>/model_outputs.json` for each model.
fn write_tree(root: &Path, suite: &Suite, models: &[String]) -> PathBuf {
    for m in models {
        let dir = mkdir(root.join(m));
        common::write_alpaca(&dir.join("model_outputs.json"), suite, m);
    }
    root.to_path_buf()
}

// ---------------------------------------------------------------------------
// Loading and comparing.
// ---------------------------------------------------------------------------

/// MT-Bench layout: `data/mt_bench/question.jsonl` beside
/// `data/mt_bench/model_answer/<model>.jsonl`, found without --questions;
/// the panel in a second answer folder, one of its files Arena-Hard style.
#[test]
fn fastchat_answers_and_questions_compare_end_to_end() {
    let f = Fixture::new();
    let bench = mkdir(f.path("data/mt_bench"));
    write_questions(&bench.join("question.jsonl"), &f.suite);
    let answers = mkdir(bench.join("model_answer"));
    let panel = mkdir(bench.join("panel_answer"));
    for m in ["student", "teacher", "rival"] {
        write_answers(&answers.join(format!("{m}.jsonl")), &f.suite, m, false);
    }
    for (k, m) in f.suite.panel_names().iter().enumerate() {
        write_answers(&panel.join(format!("{m}.jsonl")), &f.suite, m, k == 0);
    }
    let out = f.path("out");
    compare(
        &answers.join("student.jsonl"),
        &[&answers.join("teacher.jsonl"), &answers.join("rival.jsonl")],
        &panel,
        &out,
    )
    .assert()
    .code(0)
    .stdout(VERDICT);
    let rep = report(&out);
    assert_eq!(rep["alignment"]["by"], "probe_id");
    assert_eq!(rep["alignment"]["probes_analysed"], 60);
    assert_eq!(input(&rep, "student")["format"], "fastchat");
    assert_eq!(input(&rep, "panel-1")["probes"], 60);
    assert!(rep["parameters"].get("read_options").is_none());
}

/// `--questions` names the question file anywhere; the report records it
/// and `verify` re-reads with it.
#[test]
fn questions_option_is_recorded_and_verified() {
    let f = Fixture::new();
    let q = write_questions(&f.path("qs.jsonl"), &f.suite);
    let answers = mkdir(f.path("answers"));
    let panel = mkdir(f.path("answers/panel"));
    for m in ["student", "teacher"] {
        write_answers(&answers.join(format!("{m}.jsonl")), &f.suite, m, true);
    }
    // The panel must be FastChat too: files that all carry probe ids align
    // by id, and the canonical panel's ids (`p0001`) are not `100/1`.
    for m in f.suite.panel_names() {
        write_answers(&panel.join(format!("{m}.jsonl")), &f.suite, &m, true);
    }
    let out = f.path("out");
    compare(
        &answers.join("student.jsonl"),
        &[&answers.join("teacher.jsonl")],
        &panel,
        &out,
    )
    .arg("--questions")
    .arg(&q)
    .assert()
    .code(0)
    .stdout(VERDICT);
    let rep = report(&out);
    assert_eq!(
        rep["parameters"]["read_options"]["questions"],
        q.to_str().unwrap()
    );
    lineage()
        .args(["--quiet", "verify"])
        .arg(out.join("report.json"))
        .assert()
        .code(0);
}

/// A ShareGPT student (JSON array), a chat-message teacher and a Parquet
/// rival against a canonical panel: aligned by prompt, first exchange only.
#[test]
fn sharegpt_messages_and_parquet_compare_end_to_end() {
    let f = Fixture::new();
    let student = write_sharegpt(&f.path("student.json"), &f.suite, "student");
    let teacher = write_messages(&f.path("teacher-chat.jsonl"), &f.suite, "teacher");
    let rival = write_parquet(&f.path("rival.parquet"), &f.suite, "rival");
    let out = f.path("out");
    let mut c = lineage();
    c.args(["--quiet", "compare"])
        .arg(&student)
        .arg("--teacher")
        .arg(format!("teacher={}", teacher.display()))
        .arg("--teacher")
        .arg(&rival)
        .arg("--reference")
        .arg(f.panel_dir())
        .arg("--out")
        .arg(&out)
        .args(FAST);
    c.assert().code(0).stdout(VERDICT);
    let rep = report(&out);
    assert_eq!(rep["alignment"]["by"], "prompt_hash");
    assert_eq!(rep["alignment"]["probes_analysed"], 60);
    for (name, format, path) in [
        ("student", "sharegpt", &student),
        ("teacher", "messages", &teacher),
        ("rival", "parquet", &rival),
    ] {
        let i = input(&rep, name);
        assert_eq!(i["format"], format, "{name}");
        assert_eq!(i["sha256"], common::sha256_file(path), "{name}");
        assert_eq!(
            (i["probes"].clone(), i["missing"].clone()),
            (json!(60), json!(0))
        );
    }
}

/// A Parquet teacher with ids aligns by id with canonical JSONL; the
/// columns can be chosen by name.
#[test]
fn parquet_aligns_by_id_and_columns_can_be_named() {
    let f = Fixture::new();
    let teacher = write_parquet(&f.path("teacher.parquet"), &f.suite, "teacher");
    let out = f.path("out");
    compare(&f.file("student"), &[&teacher], &f.panel_dir(), &out)
        .assert()
        .code(0)
        .stdout(VERDICT);
    assert_eq!(report(&out)["alignment"]["by"], "probe_id");
    // Naming the unused `text` column as the response: every answer differs.
    let out2 = f.path("out2");
    compare(&f.file("student"), &[&teacher], &f.panel_dir(), &out2)
        .args(["--response-column", "text"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(VERDICT).not());
}

/// `--reference results/` walks an AlpacaEval tree, naming each model by
/// its folder; a `model_outputs.json` given alone is named so too; `matrix`
/// over the whole tree finds the pair.
#[test]
fn alpaca_eval_results_tree_names_models_by_folder() {
    let f = Fixture::new();
    let cands = f.path("cands");
    write_tree(&cands, &f.suite, &["student".into(), "teacher".into()]);
    let results = write_tree(
        &f.path("alpaca_eval/results"),
        &f.suite,
        &f.suite.panel_names(),
    );
    let out = f.path("out");
    compare(
        &cands.join("student/model_outputs.json"),
        &[&cands.join("teacher/model_outputs.json")],
        &results,
        &out,
    )
    .assert()
    .code(0)
    .stdout(VERDICT);
    let rep = report(&out);
    let names: Vec<&str> = rep["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    let mut want = vec!["student", "teacher"];
    let panel = f.suite.panel_names();
    want.extend(panel.iter().map(String::as_str));
    assert_eq!(names, want);

    let all: Vec<String> = f.suite.models.iter().map(|m| m.name.clone()).collect();
    let tree = write_tree(&f.path("all/results"), &f.suite, &all);
    let mout = f.path("mout");
    lineage()
        .args(["--quiet", "matrix"])
        .arg(&tree)
        .arg("--out")
        .arg(&mout)
        .args([
            "--resamples",
            "199",
            "--bootstrap",
            "199",
            "--alpha",
            "0.05",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("student: closest teacher"));
}

// ---------------------------------------------------------------------------
// Bad input: exit 2, file, line and field named, nothing written.
// ---------------------------------------------------------------------------

fn expect_bad(f: &Fixture, student: &Path, extra: &[&str], needles: &[&str]) {
    let out = f.path("out");
    let res = compare(student, &[&f.file("teacher")], &f.panel_dir(), &out)
        .args(extra)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&res.get_output().stderr).into_owned();
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "something was written to --out");
}

#[test]
fn bad_fastchat_files_exit_2() {
    let f = Fixture::new();
    let answers = mkdir(f.path("bench/model_answer"));
    let a = write_answers(&answers.join("student.jsonl"), &f.suite, "student", false);
    let a = a.to_str().unwrap().to_string();
    expect_bad(&f, Path::new(&a), &[], &[&a, "no question.jsonl beside"]);
    let q = write_questions(&f.path("bench/question.jsonl"), &f.suite);
    let mut text = std::fs::read_to_string(&a).unwrap();
    text = text.replacen("\"question_id\":102", "\"question_id\":999", 1);
    std::fs::write(&a, text).unwrap();
    expect_bad(
        &f,
        Path::new(&a),
        &[],
        &[&format!("{a}:3: field `question_id`"), "`999`, absent from"],
    );
    std::fs::write(&q, "{\"question_id\": 1, \"turns\": 7}\n").unwrap();
    let qs = q.to_str().unwrap();
    expect_bad(
        &f,
        Path::new(&a),
        &[],
        &[&format!(
            "{qs}:1: field `turns`: expected an array of turns"
        )],
    );
}

#[test]
fn bad_conversation_files_exit_2() {
    let f = Fixture::new();
    let sg = write_sharegpt(&f.path("student.json"), &f.suite, "student");
    let text = std::fs::read_to_string(&sg).unwrap();
    let broken = text.replacen("\"from\": \"gpt\"", "\"from\": 5", 2);
    std::fs::write(&sg, broken).unwrap();
    let name = sg.to_str().unwrap();
    expect_bad(
        &f,
        &sg,
        &[],
        &[&format!(
            "{name}:1: field `[0].conversations[2].from`: expected a string, found a number"
        )],
    );
    let m = f.path("chat.jsonl");
    std::fs::write(
        &m,
        "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}\n{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}]}\n",
    )
    .unwrap();
    let name = m.to_str().unwrap();
    expect_bad(
        &f,
        &m,
        &[],
        &[&format!(
            "{name}:2: field `messages`: expected a conversation with a user turn"
        )],
    );
}

#[test]
fn bad_parquet_files_exit_2() {
    let f = Fixture::new();
    let p = write_parquet(&f.path("student.parquet"), &f.suite, "student");
    let name = p.to_str().unwrap().to_string();
    expect_bad(
        &f,
        &p,
        &["--prompt-column", "question"],
        &[&format!(
            "{name}: no prompt column: expected a column named `question`"
        )],
    );
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    expect_bad(&f, &p, &[], &[&format!("{name}: malformed Parquet")]);
    let forced = f.path("student-forced.jsonl");
    std::fs::copy(f.file("student"), &forced).unwrap();
    let fname = forced.to_str().unwrap();
    expect_bad(
        &f,
        &forced,
        &["--format", "parquet"],
        &[&format!("{fname}: malformed Parquet")],
    );
}

#[test]
fn empty_results_tree_exits_2() {
    let f = Fixture::new();
    let results = mkdir(f.path("results/some-model"));
    let out = f.path("out");
    let res = compare(
        &f.file("student"),
        &[&f.file("teacher")],
        results.parent().unwrap(),
        &out,
    )
    .assert()
    .code(2);
    let err = String::from_utf8_lossy(&res.get_output().stderr).into_owned();
    assert!(
        err.contains("no subfolder with a model_outputs.json"),
        "{err}"
    );
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------
// Fuzz seeds
// ---------------------------------------------------------------------------

/// Writes the seeds of the new fuzz targets from the writers above:
/// `LINEAGE_FUZZ_SEEDS=fuzz/seeds cargo test --test e2e -- --ignored
/// write_format_fuzz_seeds` (as `write_fuzz_seeds` in tests/bad_input.rs).
#[test]
#[ignore]
fn write_format_fuzz_seeds() {
    let root = PathBuf::from(std::env::var("LINEAGE_FUZZ_SEEDS").expect("LINEAGE_FUZZ_SEEDS"));
    let suite = common::generate(common::Spec {
        probes: 4,
        panel: 1,
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let t = |n: &str| tmp.path().join(n);
    let q = std::fs::read(write_questions(&t("q.jsonl"), &suite)).unwrap();
    let mut seeds: Vec<(&str, &str, Vec<u8>)> = Vec::new();
    for (name, arena) in [("mtbench", false), ("arena", true)] {
        let a = std::fs::read(write_answers(&t("a.jsonl"), &suite, "student", arena)).unwrap();
        let mut both = q.clone();
        both.push(0xFF);
        both.extend_from_slice(&a);
        seeds.push(("fastchat", name, both));
    }
    let read = |p: PathBuf| std::fs::read(p).unwrap();
    seeds.push((
        "messages",
        "chat.jsonl",
        read(write_messages(&t("m.jsonl"), &suite, "student")),
    ));
    seeds.push((
        "sharegpt",
        "array.json",
        read(write_sharegpt(&t("s.json"), &suite, "student")),
    ));
    seeds.push((
        "parquet",
        "snappy.parquet",
        read(write_parquet(&t("p.parquet"), &suite, "student")),
    ));
    for (target, name, bytes) in seeds {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}
