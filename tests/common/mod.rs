//! Shared test fixtures: small, deterministic probe-response datasets with a
//! known lineage, and writers for every supported input format.
//!
//! The generated suite has a `teacher` with distinctive habits (a fixed
//! opener, numbered lists, a fixed closer, its own sentence templates), a
//! `student` that copies those habits and some of the teacher's sentences on
//! most probes but picks its own content words, a `rival` candidate and a
//! reference panel whose members each have their own habits. Everything is
//! derived from a seed with ChaCha8, so the same seed gives the same bytes.
//!
//! Used by the integration tests and, through `#[path]`, by
//! `benches/text.rs`; not every user calls every helper.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// Topics of the probes; probe `i` is about `TOPICS[i % TOPICS.len()]`.
pub const TOPICS: &[&str] = &[
    "volcanoes",
    "tides",
    "sourdough bread",
    "suspension bridges",
    "vaccines",
    "comets",
    "honey bees",
    "glaciers",
    "lithium batteries",
    "compilers",
    "coral reefs",
    "rainbows",
    "saxophones",
    "elections",
    "mushrooms",
    "satellites",
    "deserts",
    "earthquakes",
    "printing presses",
    "submarines",
];

/// Question shapes; probe `i` uses `ASKS[(i / TOPICS.len()) % ASKS.len()]`.
const ASKS: &[&str] = &[
    "Explain how {t} work.",
    "Give me three facts about {t}.",
    "What are common misconceptions about {t}?",
    "Why do people care about {t}?",
    "Summarise the history of {t}.",
    "How would you teach a child about {t}?",
    "What are the risks associated with {t}?",
    "Compare {t} with something similar.",
    "What is the future of {t}?",
    "List practical tips related to {t}.",
];

const CATEGORIES: &[&str] = &[
    "explain",
    "facts",
    "misconceptions",
    "motivation",
    "history",
];

/// Syllables for the pseudo-words that make up each topic's vocabulary.
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ten", "ra", "vo", "su", "pel", "dri", "no", "ga", "zu", "fen", "tor", "li",
    "ba", "qui", "mer", "sa", "do", "vin", "tha", "ro", "cle",
];

/// One probe.
#[derive(Debug, Clone)]
pub struct Probe {
    pub id: String,
    pub prompt: String,
    pub category: String,
}

/// One model's answers, aligned with [`Suite::probes`]; `None` is a missing
/// answer.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub responses: Vec<Option<String>>,
}

/// A generated corpus: probes and the models' answers to them.
#[derive(Debug, Clone)]
pub struct Suite {
    pub probes: Vec<Probe>,
    pub models: Vec<Model>,
}

impl Suite {
    pub fn model(&self, name: &str) -> &Model {
        self.models
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no model named {name}"))
    }

    pub fn model_mut(&mut self, name: &str) -> &mut Model {
        self.models
            .iter_mut()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no model named {name}"))
    }

    /// Names of the reference-panel models, in order.
    pub fn panel_names(&self) -> Vec<String> {
        self.models
            .iter()
            .filter(|m| m.name.starts_with("panel-"))
            .map(|m| m.name.clone())
            .collect()
    }

    /// The suite as in-memory datasets (canonical JSONL records with probe
    /// ids), in the order of `names`.
    pub fn datasets(&self, names: &[&str]) -> Vec<lineage::input::Dataset> {
        names
            .iter()
            .map(|n| {
                let m = self.model(n);
                lineage::input::Dataset {
                    name: m.name.clone(),
                    path: PathBuf::from(format!("{}.jsonl", m.name)),
                    sha256: String::new(),
                    format: lineage::input::Format::Jsonl,
                    records: self
                        .probes
                        .iter()
                        .zip(&m.responses)
                        .enumerate()
                        .map(|(i, (p, r))| lineage::input::Record {
                            probe_id: Some(p.id.clone()),
                            prompt: p.prompt.clone(),
                            response: r.clone(),
                            model: Some(m.name.clone()),
                            category: Some(p.category.clone()),
                            line: i as u64 + 1,
                            ..Default::default()
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

/// How a model writes: its habits, independent of the topic.
struct Habits {
    opener: &'static str,
    closer: &'static str,
    layout: Layout,
    templates: &'static [&'static str],
}

#[derive(Clone, Copy)]
enum Layout {
    /// "1. ...", one item per line.
    Numbered,
    /// "- ..." or "* ...".
    Bullets(&'static str),
    /// One paragraph.
    Paragraph,
    /// A Markdown heading, then bold-led lines.
    Headed,
    /// "Answer: ..." on one line.
    Terse,
}

/// Templates: `{a}`, `{b}` are topic words, `{t}` the topic.
const TEACHER: Habits = Habits {
    opener: "Certainly! Here is a short answer:",
    closer: "I hope this helps!",
    layout: Layout::Numbered,
    templates: &[
        "The {a} is closely tied to the {b} of {t}.",
        "In most cases, {t} depend on the {a} and the {b}.",
        "It is worth noting that the {a} shapes the {b}.",
        "A key idea is that {a} and {b} work together within {t}.",
    ],
};

/// The student's habits where it does not imitate the teacher.
const STUDENT_OWN: Habits = Habits {
    opener: "Okay.",
    closer: "That is the gist.",
    layout: Layout::Paragraph,
    templates: &[
        "{t} revolve around {a} plus {b}.",
        "One can see {a} next to {b}.",
        "Think of {a} when {b} shows up.",
    ],
};

const RIVAL: Habits = Habits {
    opener: "Great question! Let's dig in.",
    closer: "Feel free to ask for more details.",
    layout: Layout::Bullets("* "),
    templates: &[
        "You might think of {a} as the engine behind {t}.",
        "Typically, {b} follows from {a}.",
        "For example, {a} can change {b} quite a lot.",
    ],
};

const PANEL: &[Habits] = &[
    Habits {
        opener: "Sure thing.",
        closer: "Let me know if you have questions.",
        layout: Layout::Bullets("- "),
        templates: &[
            "{a} matters for {t} because of {b}.",
            "People often overlook {b} when they study {a}.",
            "{b} and {a} are linked.",
        ],
    },
    Habits {
        opener: "",
        closer: "In summary, {t} are more subtle than they look.",
        layout: Layout::Paragraph,
        templates: &[
            "Broadly speaking, {t} rely on {a}.",
            "Historically, {b} was studied before {a}.",
            "Researchers describe {a} in terms of {b}.",
        ],
    },
    Habits {
        opener: "## Overview",
        closer: "**Bottom line:** {a} drives {t}.",
        layout: Layout::Headed,
        templates: &[
            "**{a}**: central to {t}.",
            "**{b}**: often misunderstood.",
            "**{a} vs {b}**: a useful contrast.",
        ],
    },
    Habits {
        opener: "Of course.",
        closer: "Happy to help further.",
        layout: Layout::Bullets("• "),
        templates: &[
            "Consider {a}; it explains much of {t}.",
            "Then there is {b}, which interacts with {a}.",
            "Finally, {t} show {b} under stress.",
        ],
    },
    Habits {
        opener: "Answer:",
        closer: "",
        layout: Layout::Terse,
        templates: &["{a} and {b} define {t}.", "{t}: {a}, {b}."],
    },
    Habits {
        opener: "Well, let me think about that.",
        closer: "Ultimately, it depends on context.",
        layout: Layout::Paragraph,
        templates: &[
            "My view is that {a} outweighs {b} for {t}.",
            "Others argue {b} deserves more attention than {a}.",
            "Either way, {t} keep evolving.",
        ],
    },
];

/// Settings of [`generate`].
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub seed: u64,
    pub probes: usize,
    /// Reference-panel members (`panel-1` ...).
    pub panel: usize,
    /// Share of probes on which the student imitates the teacher.
    pub imitation: f64,
    /// Chance that a model adds a stock sentence shared by every model to
    /// an answer, so independent models share a few word 6-grams too.
    pub stock: f64,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            seed: 7,
            probes: 60,
            panel: 5,
            imitation: 0.85,
            stock: 0.15,
        }
    }
}

/// Vocabulary of one topic: the topic's own words plus pseudo-words.
fn vocabulary(seed: u64, topic: usize) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC0FFEE);
    rng.set_stream(topic as u64);
    let mut words: Vec<String> = TOPICS[topic].split(' ').map(str::to_string).collect();
    while words.len() < 14 {
        let n = rng.gen_range(2..=3);
        let w: String = (0..n)
            .map(|_| SYLLABLES[rng.gen_range(0..SYLLABLES.len())])
            .collect();
        if !words.contains(&w) {
            words.push(w);
        }
    }
    words
}

fn rng_for(seed: u64, model: u64, probe: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ model);
    rng.set_stream(probe as u64);
    rng
}

fn fill(template: &str, topic: &str, vocab: &[String], rng: &mut ChaCha8Rng) -> String {
    let a = &vocab[rng.gen_range(0..vocab.len())];
    let mut b = &vocab[rng.gen_range(0..vocab.len())];
    if b == a {
        b = &vocab[(vocab.iter().position(|w| w == a).unwrap_or(0) + 1) % vocab.len()];
    }
    let s = template
        .replace("{a}", a)
        .replace("{b}", b)
        .replace("{t}", topic);
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

/// Stock sentences any model may use (see [`Spec::stock`]).
const STOCK: &[&str] = &[
    "This is a topic with a long and interesting history behind it.",
    "There is a lot more that could be said about this subject.",
];

/// Sentences of one answer in the given habits.
fn sentences(
    h: &Habits,
    topic: &str,
    vocab: &[String],
    stock: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<String> {
    let n = match h.layout {
        Layout::Terse => 1,
        _ => rng.gen_range(3..=5),
    };
    let mut out: Vec<String> = (0..n)
        .map(|_| {
            let t = h.templates[rng.gen_range(0..h.templates.len())];
            fill(t, topic, vocab, rng)
        })
        .collect();
    if rng.gen_bool(stock) {
        out.push(STOCK[rng.gen_range(0..STOCK.len())].to_string());
    }
    out
}

/// Lay out `items` with the habits' opener, layout and closer.
fn render(
    h: &Habits,
    topic: &str,
    vocab: &[String],
    items: &[String],
    rng: &mut ChaCha8Rng,
) -> String {
    let body = match h.layout {
        Layout::Numbered => items
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {s}", i + 1))
            .collect::<Vec<_>>()
            .join("\n"),
        Layout::Bullets(b) => items
            .iter()
            .map(|s| format!("{b}{s}"))
            .collect::<Vec<_>>()
            .join("\n"),
        Layout::Paragraph => items.join(" "),
        Layout::Headed => items.join("\n\n"),
        Layout::Terse => items.join(" "),
    };
    let closer = fill(h.closer, topic, vocab, rng);
    let mut parts = Vec::new();
    if !h.opener.is_empty() {
        parts.push(h.opener.to_string());
    }
    parts.push(body);
    if !closer.is_empty() {
        parts.push(closer);
    }
    let sep = if matches!(h.layout, Layout::Terse) {
        " "
    } else {
        "\n\n"
    };
    parts.join(sep)
}

/// Generate a suite: `teacher`, `student`, `rival`, then `panel-1` ...
/// `panel-N`.
pub fn generate(spec: Spec) -> Suite {
    let probes: Vec<Probe> = (0..spec.probes)
        .map(|i| {
            let topic = TOPICS[i % TOPICS.len()];
            let ask = (i / TOPICS.len()) % ASKS.len();
            let round = i / (TOPICS.len() * ASKS.len());
            let mut prompt = ASKS[ask].replace("{t}", topic);
            if round > 0 {
                prompt.push_str(&format!(" (variant {round})"));
            }
            Probe {
                id: format!("p{:03}", i + 1),
                prompt,
                category: CATEGORIES[ask % CATEGORIES.len()].to_string(),
            }
        })
        .collect();
    let topic_of = |i: usize| (TOPICS[i % TOPICS.len()], i % TOPICS.len());
    let vocabs: Vec<Vec<String>> = (0..TOPICS.len())
        .map(|t| vocabulary(spec.seed, t))
        .collect();

    // Teacher first: the student copies some of its sentences.
    let mut teacher_items = Vec::with_capacity(spec.probes);
    let mut teacher = Vec::with_capacity(spec.probes);
    for i in 0..spec.probes {
        let (topic, t) = topic_of(i);
        let mut rng = rng_for(spec.seed, 1, i);
        let items = sentences(&TEACHER, topic, &vocabs[t], spec.stock, &mut rng);
        teacher.push(Some(render(&TEACHER, topic, &vocabs[t], &items, &mut rng)));
        teacher_items.push(items);
    }

    let student = (0..spec.probes)
        .map(|i| {
            let (topic, t) = topic_of(i);
            let mut rng = rng_for(spec.seed, 2, i);
            if rng.gen_bool(spec.imitation) {
                let mut items = sentences(&TEACHER, topic, &vocabs[t], spec.stock, &mut rng);
                if rng.gen_bool(0.6) {
                    let k = rng.gen_range(0..teacher_items[i].len());
                    items[0] = teacher_items[i][k].clone();
                }
                Some(render(&TEACHER, topic, &vocabs[t], &items, &mut rng))
            } else {
                let items = sentences(&STUDENT_OWN, topic, &vocabs[t], spec.stock, &mut rng);
                Some(render(&STUDENT_OWN, topic, &vocabs[t], &items, &mut rng))
            }
        })
        .collect();

    let plain = |habits: &Habits, id: u64| -> Vec<Option<String>> {
        (0..spec.probes)
            .map(|i| {
                let (topic, t) = topic_of(i);
                let mut rng = rng_for(spec.seed, id, i);
                let items = sentences(habits, topic, &vocabs[t], spec.stock, &mut rng);
                Some(render(habits, topic, &vocabs[t], &items, &mut rng))
            })
            .collect()
    };

    let mut models = vec![
        Model {
            name: "teacher".into(),
            responses: teacher,
        },
        Model {
            name: "student".into(),
            responses: student,
        },
        Model {
            name: "rival".into(),
            responses: plain(&RIVAL, 3),
        },
    ];
    for k in 0..spec.panel {
        models.push(Model {
            name: format!("panel-{}", k + 1),
            responses: plain(&PANEL[k % PANEL.len()], 10 + k as u64),
        });
    }
    Suite { probes, models }
}

/// The default suite: 60 probes, 5 panel models.
pub fn suite() -> Suite {
    generate(Spec::default())
}

// ---------------------------------------------------------------------------
// Writers, one per input format.
// ---------------------------------------------------------------------------

fn write_lines(path: &Path, lines: impl IntoIterator<Item = Value>) -> PathBuf {
    let mut out = Vec::new();
    for v in lines {
        serde_json::to_writer(&mut out, &v).expect("serialise");
        out.push(b'\n');
    }
    std::fs::write(path, out).expect("write fixture");
    path.to_path_buf()
}

/// Canonical JSONL with `probe_id`, `prompt`, `response`, `model`,
/// `category`. `with_ids: false` leaves out `probe_id` (alignment by prompt).
pub fn write_jsonl(path: &Path, suite: &Suite, model: &str, with_ids: bool) -> PathBuf {
    let m = suite.model(model);
    write_lines(
        path,
        suite.probes.iter().zip(&m.responses).map(|(p, r)| {
            let mut o = serde_json::Map::new();
            if with_ids {
                o.insert("probe_id".into(), json!(p.id));
            }
            o.insert("prompt".into(), json!(p.prompt));
            o.insert("response".into(), json!(r));
            o.insert("model".into(), json!(m.name));
            o.insert("category".into(), json!(p.category));
            Value::Object(o)
        }),
    )
}

/// AlpacaEval `model_outputs.json`: one array of
/// `{instruction, output, generator, dataset}` (no probe ids).
pub fn write_alpaca(path: &Path, suite: &Suite, model: &str) -> PathBuf {
    let m = suite.model(model);
    let arr: Vec<Value> = suite
        .probes
        .iter()
        .zip(&m.responses)
        .map(|(p, r)| {
            json!({
                "instruction": p.prompt,
                "output": r,
                "generator": m.name,
                "dataset": p.category,
            })
        })
        .collect();
    let mut bytes = serde_json::to_vec_pretty(&Value::Array(arr)).expect("serialise");
    bytes.push(b'\n');
    std::fs::write(path, bytes).expect("write fixture");
    path.to_path_buf()
}

/// CSV with header `id,prompt,response,category,model` (`with_ids: false`
/// leaves out the id column). A missing answer is an empty cell.
pub fn write_csv(path: &Path, suite: &Suite, model: &str, with_ids: bool) -> PathBuf {
    let m = suite.model(model);
    let mut w = csv::Writer::from_path(path).expect("create csv");
    let mut header = vec!["prompt", "response", "category", "model"];
    if with_ids {
        header.insert(0, "id");
    }
    w.write_record(&header).expect("csv header");
    for (p, r) in suite.probes.iter().zip(&m.responses) {
        let mut row = vec![
            p.prompt.as_str(),
            r.as_deref().unwrap_or(""),
            p.category.as_str(),
            m.name.as_str(),
        ];
        if with_ids {
            row.insert(0, p.id.as_str());
        }
        w.write_record(&row).expect("csv row");
    }
    w.flush().expect("flush csv");
    path.to_path_buf()
}

/// OpenAI Batch API output: one request output object per line, with
/// `custom_id` = probe id. `with_prompts` adds the request
/// (`request.body.messages`) so the prompt is known; a missing answer is a
/// line with `"response": null` and an `error`.
pub fn write_openai_batch(path: &Path, suite: &Suite, model: &str, with_prompts: bool) -> PathBuf {
    let m = suite.model(model);
    write_lines(
        path,
        suite
            .probes
            .iter()
            .zip(&m.responses)
            .enumerate()
            .map(|(i, (p, r))| {
                let mut o = serde_json::Map::new();
                o.insert("id".into(), json!(format!("batch_req_{i}")));
                o.insert("custom_id".into(), json!(p.id));
                if with_prompts {
                    o.insert(
                        "request".into(),
                        json!({"method": "POST", "url": "/v1/chat/completions", "body": {
                            "model": m.name,
                            "messages": [
                                {"role": "system", "content": "You are a helpful assistant."},
                                {"role": "user", "content": p.prompt},
                            ],
                        }}),
                    );
                }
                match r {
                    Some(text) => {
                        o.insert(
                            "response".into(),
                            json!({"status_code": 200, "request_id": format!("req_{i}"), "body": {
                                "id": format!("chatcmpl-{i}"),
                                "object": "chat.completion",
                                "model": m.name,
                                "choices": [{
                                    "index": 0,
                                    "message": {"role": "assistant", "content": text},
                                    "logprobs": null,
                                    "finish_reason": "stop",
                                }],
                            }}),
                        );
                        o.insert("error".into(), Value::Null);
                    }
                    None => {
                        o.insert("response".into(), Value::Null);
                        o.insert(
                            "error".into(),
                            json!({"code": "batch_expired", "message": "expired"}),
                        );
                    }
                }
                Value::Object(o)
            }),
    )
}

/// Anthropic Message Batches results: one result per line with
/// `custom_id` = probe id. `with_prompts` adds `params.messages`; a missing
/// answer is an `expired` result.
pub fn write_anthropic_batch(
    path: &Path,
    suite: &Suite,
    model: &str,
    with_prompts: bool,
) -> PathBuf {
    let m = suite.model(model);
    write_lines(
        path,
        suite
            .probes
            .iter()
            .zip(&m.responses)
            .enumerate()
            .map(|(i, (p, r))| {
                let mut o = serde_json::Map::new();
                o.insert("custom_id".into(), json!(p.id));
                if with_prompts {
                    o.insert(
                        "params".into(),
                        json!({"model": m.name, "max_tokens": 1024, "messages": [
                            {"role": "user", "content": [{"type": "text", "text": p.prompt}]},
                        ]}),
                    );
                }
                let result = match r {
                    Some(text) => json!({"type": "succeeded", "message": {
                        "id": format!("msg_{i}"),
                        "type": "message",
                        "role": "assistant",
                        "model": m.name,
                        "content": [{"type": "text", "text": text}],
                        "stop_reason": "end_turn",
                    }}),
                    None => json!({"type": "expired"}),
                };
                o.insert("result".into(), result);
                Value::Object(o)
            }),
    )
}

// ---------------------------------------------------------------------------
// A ready-made fixture directory.
// ---------------------------------------------------------------------------

/// The default suite written as canonical JSONL into a temporary directory:
/// `student.jsonl`, `teacher.jsonl`, `rival.jsonl` and `panel/panel-K.jsonl`.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub suite: Suite,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with(generate(Spec::default()))
    }

    pub fn with(suite: Suite) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = Fixture { dir, suite };
        std::fs::create_dir_all(f.panel_dir()).expect("panel dir");
        for m in &f.suite.models {
            let path = if m.name.starts_with("panel-") {
                f.panel_dir().join(format!("{}.jsonl", m.name))
            } else {
                f.path(&format!("{}.jsonl", m.name))
            };
            write_jsonl(&path, &f.suite, &m.name, true);
        }
        f
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the fixture directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn panel_dir(&self) -> PathBuf {
        self.path("panel")
    }

    /// `PATH` of a model's canonical JSONL file.
    pub fn file(&self, model: &str) -> PathBuf {
        if model.starts_with("panel-") {
            self.panel_dir().join(format!("{model}.jsonl"))
        } else {
            self.path(&format!("{model}.jsonl"))
        }
    }

    /// Every panel file, in name order.
    pub fn panel_files(&self) -> Vec<PathBuf> {
        self.suite
            .panel_names()
            .iter()
            .map(|n| self.file(n))
            .collect()
    }

    /// The standard comparison, `lineage --quiet compare student --teacher
    /// teacher --teacher rival --reference panel/ --out OUT`; callers add
    /// their options (seed, resampling, `--scores`, ...).
    pub fn compare(&self, out: &Path) -> assert_cmd::Command {
        self.compare_against(&["teacher", "rival"], out)
    }

    /// [`Self::compare`] with the given fixture models as the candidates.
    pub fn compare_against(&self, teachers: &[&str], out: &Path) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::new(env!("CARGO_BIN_EXE_lineage"));
        c.args(["--quiet", "compare"]).arg(self.file("student"));
        for t in teachers {
            c.arg("--teacher").arg(self.file(t));
        }
        c.arg("--reference")
            .arg(self.panel_dir())
            .arg("--out")
            .arg(out);
        c
    }

    /// Write raw bytes to a file in the fixture directory.
    pub fn write_raw(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(rel);
        let mut f = std::fs::File::create(&p).expect("create");
        f.write_all(bytes).expect("write");
        p
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

/// Lower-case hex SHA-256 of a file's bytes.
pub fn sha256_file(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).expect("read for hashing");
    hex::encode(Sha256::digest(bytes))
}
