//! Synthetic probe-response corpora with known lineage.
//!
//! `lineage compare` can only be trusted if it finds students that really
//! were distilled and stays quiet, at the promised rate, on models that were
//! not. Real corpora with certified lineage are rare, so this module writes
//! corpora whose lineage is known by construction. The generative story
//! mirrors the three sources of similarity the analysis must tell apart:
//!
//! 1. **Public knowledge.** Every probe has a latent topic (photosynthesis,
//!    saving money, ...) with a topic vocabulary of content slots. Every
//!    model answering the probe draws its content words from these slots,
//!    so all answers to a probe share topical words, whoever wrote them.
//! 2. **Shared pretraining (bases).** A latent *base* fixes, for every
//!    synonym group ("sunlight | light energy | solar radiation",
//!    "important | essential | crucial"), a preferred member, how much each
//!    topic slot is emphasised, and which everyday adverbials ("in
//!    practice", "over time") it favours. Models on the same base therefore
//!    use similar content words even when they are unrelated: the
//!    confounder that makes content similarity alone insufficient evidence.
//!    Each model departs from its base's preferences on a few groups.
//! 3. **Habits (what distillation copies).** Every model has a persona:
//!    openers, closers, introductions, conclusions, hedges and disclaimers,
//!    a preferred layout (numbered list, bullets, prose, headed sections),
//!    bold leads, list markers, typical length, a preferred set of
//!    sentence templates (the function-word constructions around content
//!    slots) and sometimes idiosyncratic stock passages. Habits are drawn
//!    from shared pools with Zipf popularity, so unrelated models overlap
//!    by chance on the popular ones ("Sure! Here's a quick rundown.", "I
//!    hope this helps!") and only rarely on the tail; how often a model
//!    shows a habit is mostly either "nearly always" or "rarely", as with
//!    real assistants, and each answer draws from the persona at random,
//!    so no single answer shows all of it.
//!
//! Roles:
//! - a **teacher** is an ordinary model on its own base;
//! - a **student** of teacher T lives on a *different* base (so its
//!   topical word choice points elsewhere) and has its own persona, but
//!   each habit is replaced by T's with probability
//!   [`SynthConfig::inherit`] (surface habits seen in every training
//!   answer, openers, closers and layout, with `1 - (1 - inherit)^2`), and
//!   so is its preference in each generic word group (T's pet words, such
//!   as "crucial" over "important": register, not knowledge). Each answer
//!   follows the inherited persona with probability [`FIDELITY`] (else its
//!   own), and with probability [`COPY_PROB`] reuses one or two items of
//!   T's actual answer to that probe verbatim;
//! - **independents** and the **reference panel** are drawn by exactly the
//!   same procedure (random base, which may coincide with a teacher's, and
//!   own persona), so an independent is exchangeable with panel members:
//!   the null hypothesis of the calibration tests holds by construction.
//!
//! Why this shape: the analysis must find lineage from style while content
//! points to the wrong model (student and teacher never share a base,
//! independents sometimes do share the teacher's), must not mistake
//! popular habits for lineage, and must cope with students that show the
//! teacher's habits in most, not all, answers.
//!
//! Everything is deterministic in the seed: the world (probes, bases) and
//! each model draw from their own ChaCha8 stream
//! ([`crate::stats::rng::stream`]), named after the task.

pub mod refusal;
mod vocab;

use std::path::{Path, PathBuf};

use anyhow::Context;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::input::Record;
use crate::stats::rng::stream;
use vocab::*;

/// Probability that a student answer follows its inherited persona rather
/// than its own.
pub const FIDELITY: f64 = 0.85;
/// Probability that a student answer reuses sentences of its teacher's
/// answer to the same probe.
pub const COPY_PROB: f64 = 0.25;
/// Probability that a model uses its preferred member of a synonym group.
const LOYALTY: f64 = 0.8;
/// Probability that a model's preference for a synonym group departs from
/// its base's.
const IDIOLECT: f64 = 0.15;
/// Probability that a sentence ends with an everyday adverbial.
const ADVERBIAL_RATE: f64 = 0.3;
/// Latent bases beyond one per teacher.
const EXTRA_BASES: usize = 2;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthConfig {
    pub seed: u64,
    /// Probes answered by every model.
    pub probes: usize,
    pub teachers: usize,
    pub students_per_teacher: usize,
    /// Models unrelated to every teacher, drawn like panel models.
    pub independents: usize,
    /// Reference-panel models.
    pub panel: usize,
    /// Probability that a student copies each of its teacher's habit groups.
    pub inherit: f64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            seed: 1,
            probes: 200,
            teachers: 2,
            students_per_teacher: 1,
            independents: 1,
            panel: 8,
            inherit: 0.75,
        }
    }
}

/// The true lineage of a generated model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Teacher,
    Student { teacher: String },
    Independent,
    Panel,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Teacher => "teacher",
            Role::Student { .. } => "student",
            Role::Independent => "independent",
            Role::Panel => "panel",
        }
    }
}

/// One generated model and its answers, in probe order.
#[derive(Debug, Clone)]
pub struct SynthModel {
    pub name: String,
    pub role: Role,
    pub records: Vec<Record>,
}

/// Name of the `i`-th teacher: `teacher-a`, `teacher-b`, ...
pub fn teacher_name(i: usize) -> String {
    format!("teacher-{}", letters(i))
}

/// Name of the `j`-th student of the `i`-th teacher: `student-a1`, ...
pub fn student_name(i: usize, j: usize) -> String {
    format!("student-{}{}", letters(i), j + 1)
}

fn letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// Generate every model: teachers, then students (per teacher), then
/// independents, then the panel.
pub fn generate(cfg: &SynthConfig) -> Vec<SynthModel> {
    let world = World::new(cfg);
    let mut out = Vec::new();
    let mut teacher_items = Vec::new();
    for i in 0..cfg.teachers {
        let name = teacher_name(i);
        let mut rng = stream(cfg.seed, &format!("synth/model/{name}"));
        let persona = Persona::draw(&mut rng, &world, i);
        let answers: Vec<Answer> = world
            .probes
            .iter()
            .map(|p| compose(&mut rng, &world, p, &persona.habits, &persona.lex, None))
            .collect();
        out.push(model(&world, name, Role::Teacher, &answers));
        teacher_items.push((persona, answers));
    }
    for (i, (teacher, t_answers)) in teacher_items.iter().enumerate() {
        for j in 0..cfg.students_per_teacher {
            let name = student_name(i, j);
            let mut rng = stream(cfg.seed, &format!("synth/model/{name}"));
            let base = (i + 1 + rng.gen_range(0..world.bases.len() - 1)) % world.bases.len();
            let mut own = Persona::draw(&mut rng, &world, base);
            own.lex
                .inherit_register(&teacher.lex, cfg.inherit, &mut rng);
            let mixed = own.habits.inherit(&teacher.habits, cfg.inherit, &mut rng);
            let answers: Vec<Answer> = world
                .probes
                .iter()
                .zip(t_answers)
                .map(|(p, ta)| {
                    let habits = if rng.gen_bool(FIDELITY) {
                        &mixed
                    } else {
                        &own.habits
                    };
                    let copy = rng.gen_bool(COPY_PROB).then_some(ta.items.as_slice());
                    compose(&mut rng, &world, p, habits, &own.lex, copy)
                })
                .collect();
            out.push(model(
                &world,
                name,
                Role::Student {
                    teacher: teacher_name(i),
                },
                &answers,
            ));
        }
    }
    for k in 0..cfg.independents {
        let name = format!("indep-{}", k + 1);
        out.push(unrelated(cfg, &world, name, Role::Independent));
    }
    for k in 0..cfg.panel {
        let name = format!("ref-{:02}", k + 1);
        out.push(unrelated(cfg, &world, name, Role::Panel));
    }
    out
}

/// A model unrelated to every other: random base, own persona. Independents
/// and panel members come from here alike.
fn unrelated(cfg: &SynthConfig, world: &World, name: String, role: Role) -> SynthModel {
    let mut rng = stream(cfg.seed, &format!("synth/model/{name}"));
    let base = rng.gen_range(0..world.bases.len());
    let persona = Persona::draw(&mut rng, world, base);
    let answers: Vec<Answer> = world
        .probes
        .iter()
        .map(|p| compose(&mut rng, world, p, &persona.habits, &persona.lex, None))
        .collect();
    model(world, name, role, &answers)
}

fn model(world: &World, name: String, role: Role, answers: &[Answer]) -> SynthModel {
    let records = world
        .probes
        .iter()
        .zip(answers)
        .enumerate()
        .map(|(i, (p, a))| Record {
            probe_id: Some(p.id.clone()),
            prompt: p.prompt.clone(),
            response: Some(a.text.clone()),
            model: Some(name.clone()),
            line: i as u64 + 1,
            ..Record::default()
        })
        .collect();
    SynthModel {
        name,
        role,
        records,
    }
}

/// One line of the canonical JSONL.
#[derive(Serialize)]
struct Line<'a> {
    probe_id: &'a str,
    prompt: &'a str,
    response: &'a str,
    model: &'a str,
}

/// Write the default configuration's corpus with `seed` and `probes` into
/// `dir`: one canonical JSONL per model, the panel under `dir/panel/`, and
/// `dir/MANIFEST.tsv` with each model's name, role and teacher. Returns the
/// dataset files written.
pub fn write_corpus(dir: &Path, seed: u64, probes: usize) -> anyhow::Result<Vec<PathBuf>> {
    write_corpus_with(
        dir,
        &SynthConfig {
            seed,
            probes,
            ..SynthConfig::default()
        },
    )
}

/// [`write_corpus`] with every size of the corpus chosen (used by
/// `lineage simulate --teachers ... --panel ...` for scale tests).
pub fn write_corpus_with(dir: &Path, cfg: &SynthConfig) -> anyhow::Result<Vec<PathBuf>> {
    anyhow::ensure!(cfg.probes > 0, "--probes must be at least 1");
    anyhow::ensure!(cfg.teachers > 0, "--teachers must be at least 1");
    let panel_dir = dir.join("panel");
    std::fs::create_dir_all(&panel_dir)
        .with_context(|| format!("cannot create {}", panel_dir.display()))?;
    let mut written = Vec::new();
    let mut manifest = String::from("name\trole\tteacher\n");
    for m in generate(cfg) {
        let folder = if m.role == Role::Panel {
            &panel_dir
        } else {
            dir
        };
        let path = folder.join(format!("{}.jsonl", m.name));
        let mut buf = Vec::new();
        for r in &m.records {
            let line = Line {
                probe_id: r.probe_id.as_deref().unwrap_or_default(),
                prompt: &r.prompt,
                response: r.response.as_deref().unwrap_or_default(),
                model: &m.name,
            };
            serde_json::to_writer(&mut buf, &line)?;
            buf.push(b'\n');
        }
        crate::report::atomic::write(&path, &buf)?;
        let teacher = match &m.role {
            Role::Student { teacher } => teacher.as_str(),
            _ => "-",
        };
        manifest.push_str(&format!("{}\t{}\t{}\n", m.name, m.role.as_str(), teacher));
        written.push(path);
    }
    crate::report::atomic::write(&dir.join("MANIFEST.tsv"), manifest.as_bytes())?;
    Ok(written)
}

// ---------------------------------------------------------------------------
// The world: probes and bases.

struct Probe {
    id: String,
    prompt: String,
    topic: usize,
}

/// A topic's slots: synonym groups of content words.
type Slots = Vec<Vec<&'static str>>;

/// Word preferences: of a base, or of a model derived from its base.
#[derive(Clone)]
struct Lexicon {
    /// Preferred member of each topic slot, `[topic][slot]`.
    topic: Vec<Vec<usize>>,
    /// Emphasis of each topic slot (sampling weight), `[topic][slot]`.
    emphasis: Vec<Vec<f64>>,
    adj: Vec<usize>,
    verb: Vec<usize>,
    noun: Vec<usize>,
    imper: Vec<usize>,
    /// Preference weights over [`ADVERBIALS`].
    adverbials: Vec<f64>,
}

struct World {
    slots: Vec<Slots>,
    probes: Vec<Probe>,
    bases: Vec<Lexicon>,
}

impl World {
    fn new(cfg: &SynthConfig) -> World {
        let slots: Vec<Slots> = TOPICS
            .iter()
            .map(|t| {
                t.slots
                    .split(';')
                    .map(|s| s.split('|').map(str::trim).collect())
                    .collect()
            })
            .collect();
        let mut rng = stream(cfg.seed, "synth/world");
        let mut combos: Vec<(usize, usize, usize)> = Vec::new();
        for (t, topic) in TOPICS.iter().enumerate() {
            let n = match topic.kind {
                Kind::Explain => PROMPTS_EXPLAIN.len(),
                Kind::Advise => PROMPTS_ADVISE.len(),
            };
            for p in 0..n {
                for s in 0..PROMPT_SUFFIXES.len() {
                    combos.push((t, p, s));
                }
            }
        }
        shuffle(&mut combos, &mut rng);
        let probes = (0..cfg.probes)
            .map(|i| {
                let (t, p, s) = combos[i % combos.len()];
                let template = match TOPICS[t].kind {
                    Kind::Explain => PROMPTS_EXPLAIN[p],
                    Kind::Advise => PROMPTS_ADVISE[p],
                };
                let template = agree(template, topic_plural(t));
                let mut prompt = template.replace("{t}", TOPICS[t].name) + PROMPT_SUFFIXES[s];
                if i >= combos.len() {
                    prompt.push_str(&format!(" (variant {})", i / combos.len() + 1));
                }
                Probe {
                    id: format!("p{:04}", i + 1),
                    prompt: capitalise(&prompt),
                    topic: t,
                }
            })
            .collect();
        let n_bases = cfg.teachers + EXTRA_BASES;
        let bases = (0..n_bases)
            .map(|b| Lexicon::base(&slots, &mut stream(cfg.seed, &format!("synth/base/{b}"))))
            .collect();
        World {
            slots,
            probes,
            bases,
        }
    }
}

impl Lexicon {
    fn base(slots: &[Slots], rng: &mut ChaCha8Rng) -> Lexicon {
        let favs = |groups: &[&[&str]], rng: &mut ChaCha8Rng| -> Vec<usize> {
            groups.iter().map(|g| rng.gen_range(0..g.len())).collect()
        };
        Lexicon {
            topic: slots
                .iter()
                .map(|t| t.iter().map(|g| rng.gen_range(0..g.len())).collect())
                .collect(),
            emphasis: slots
                .iter()
                .map(|t| t.iter().map(|_| (1.2 * gauss(rng)).exp()).collect())
                .collect(),
            adj: favs(ADJ, rng),
            verb: favs(VERB, rng),
            noun: favs(NOUN, rng),
            imper: favs(IMPER, rng),
            adverbials: (0..ADVERBIALS.len())
                .map(|_| (1.5 * gauss(rng)).exp())
                .collect(),
        }
    }

    /// A model's own preferences: its base's, with a few departures.
    fn derive(&self, world: &World, rng: &mut ChaCha8Rng) -> Lexicon {
        let mut lex = self.clone();
        for (t, favs) in lex.topic.iter_mut().enumerate() {
            for (s, f) in favs.iter_mut().enumerate() {
                if rng.gen_bool(IDIOLECT) {
                    *f = rng.gen_range(0..world.slots[t][s].len());
                }
            }
        }
        for w in lex
            .emphasis
            .iter_mut()
            .flatten()
            .chain(lex.adverbials.iter_mut())
        {
            *w *= (0.4 * gauss(rng)).exp();
        }
        for (favs, groups) in [
            (&mut lex.adj, ADJ),
            (&mut lex.verb, VERB),
            (&mut lex.noun, NOUN),
            (&mut lex.imper, IMPER),
        ] {
            for (f, g) in favs.iter_mut().zip(groups) {
                if rng.gen_bool(IDIOLECT) {
                    *f = rng.gen_range(0..g.len());
                }
            }
        }
        lex
    }
}

impl Lexicon {
    /// Take the teacher's preferred member of each generic word group
    /// (adjectives, verbs, nouns, imperatives: the register, not the
    /// topical knowledge) with probability `p`, independently.
    fn inherit_register(&mut self, teacher: &Lexicon, p: f64, rng: &mut ChaCha8Rng) {
        let p = p.clamp(0.0, 1.0);
        for (mine, theirs) in [
            (&mut self.adj, &teacher.adj),
            (&mut self.verb, &teacher.verb),
            (&mut self.noun, &teacher.noun),
            (&mut self.imper, &teacher.imper),
        ] {
            for (m, t) in mine.iter_mut().zip(theirs) {
                if rng.gen_bool(p) {
                    *m = *t;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Personas: the habits distillation copies.

/// A weighted choice among entries of a pool.
#[derive(Debug, Clone)]
struct Weighted {
    idx: Vec<usize>,
    w: Vec<f64>,
}

impl Weighted {
    /// `k` distinct entries of a pool of `n`, entry `i` drawn with Zipf
    /// popularity `1 / (i + 1)^s`, each given a random preference weight.
    fn draw(rng: &mut ChaCha8Rng, n: usize, k: usize, s: f64) -> Weighted {
        let mut pop: Vec<f64> = (0..n).map(|i| 1.0 / ((i + 1) as f64).powf(s)).collect();
        let mut idx = Vec::new();
        for _ in 0..k.min(n) {
            let i = pick(rng, &pop);
            pop[i] = 0.0;
            idx.push(i);
        }
        let w = idx.iter().map(|_| rng.gen_range(0.2..1.0)).collect();
        Weighted { idx, w }
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        self.idx[pick(rng, &self.w)]
    }
}

/// Body layouts, by decreasing popularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Numbered,
    Bullets,
    Prose,
    Headed,
}
const LAYOUTS: [Layout; 4] = [
    Layout::Numbered,
    Layout::Bullets,
    Layout::Prose,
    Layout::Headed,
];
const BULLETS: [&str; 3] = ["-", "*", "•"];
const BOLD_LEADS: [&str; 3] = ["**{L}**: ", "**{L}** — ", "**{L}.** "];

/// Everything a model does the same way across topics. Each field is one
/// habit, inherited by a student independently of the others.
#[derive(Debug, Clone)]
struct Habits {
    openers: Weighted,
    p_open: f64,
    closers: Weighted,
    p_close: f64,
    intros_explain: Weighted,
    intros_advise: Weighted,
    p_intro: f64,
    conclusions: Weighted,
    p_conclusion: f64,
    hedges: Weighted,
    p_hedge: f64,
    layouts: Weighted,
    /// Probability that list items start with a bold lead.
    bold: f64,
    bold_style: usize,
    bullet: usize,
    /// `)` rather than `.` after item numbers.
    number_paren: bool,
    heading_level: usize,
    headings: usize,
    /// Mean number of body items.
    items: f64,
    /// Probability that an item has two sentences.
    two_sentences: f64,
    templates_explain: Weighted,
    templates_advise: Weighted,
    passages: Vec<String>,
    p_passage: f64,
}

struct Persona {
    lex: Lexicon,
    habits: Habits,
}

impl Persona {
    fn draw(rng: &mut ChaCha8Rng, world: &World, base: usize) -> Persona {
        let lex = world.bases[base].derive(world, rng);
        Persona {
            lex,
            habits: Habits::draw(rng),
        }
    }
}

impl Habits {
    fn draw(rng: &mut ChaCha8Rng) -> Habits {
        let k = |rng: &mut ChaCha8Rng, lo: usize, hi: usize| rng.gen_range(lo..=hi);
        let set = |rng: &mut ChaCha8Rng, pool: usize, lo: usize, hi: usize, s: f64| {
            let n = k(rng, lo, hi);
            Weighted::draw(rng, pool, n, s)
        };
        let openers = set(rng, OPENERS.len(), 1, 3, 1.0);
        let p_open = habitual(rng, 0.6);
        let closers = set(rng, CLOSERS.len(), 1, 3, 1.0);
        let p_close = habitual(rng, 0.5);
        let intros_explain = set(rng, INTROS_EXPLAIN.len(), 1, 3, 0.8);
        let intros_advise = set(rng, INTROS_ADVISE.len(), 1, 3, 0.8);
        let p_intro = habitual(rng, 0.5);
        let conclusions = set(rng, CONCLUSIONS.len(), 1, 2, 0.8);
        let p_conclusion = habitual(rng, 0.35);
        let hedges = set(rng, HEDGES.len(), 1, 3, 1.0);
        let p_hedge = habitual(rng, 0.35);
        let layouts = set(rng, LAYOUTS.len(), 1, 2, 1.0);
        let bold = if rng.gen_bool(0.5) {
            rng.gen_range(0.3..1.0)
        } else {
            0.0
        };
        let bold_style = pick(rng, &[3.0, 1.5, 1.0]);
        let bullet = pick(rng, &[4.0, 2.0, 1.0]);
        let number_paren = rng.gen_bool(0.15);
        let heading_level = if rng.gen_bool(0.6) { 2 } else { 3 };
        let headings = rng.gen_range(0..HEADINGS.len());
        let items = rng.gen_range(2.5..5.5);
        let two_sentences = rng.gen_range(0.0..0.5);
        let templates_explain = set(rng, TEMPLATES_EXPLAIN.len(), 4, 6, 0.7);
        let templates_advise = set(rng, TEMPLATES_ADVISE.len(), 4, 6, 0.7);
        let (passages, p_passage) = if rng.gen_bool(0.5) {
            let n = k(rng, 1, 2);
            let p = (0..n)
                .map(|_| {
                    format!(
                        "{} {}, {}.",
                        STOCK_LEADS[rng.gen_range(0..STOCK_LEADS.len())],
                        STOCK_MIDDLES[rng.gen_range(0..STOCK_MIDDLES.len())],
                        STOCK_ENDS[rng.gen_range(0..STOCK_ENDS.len())]
                    )
                })
                .collect();
            (p, rng.gen_range(0.1..0.3))
        } else {
            (Vec::new(), 0.0)
        };
        Habits {
            openers,
            p_open,
            closers,
            p_close,
            intros_explain,
            intros_advise,
            p_intro,
            conclusions,
            p_conclusion,
            hedges,
            p_hedge,
            layouts,
            bold,
            bold_style,
            bullet,
            number_paren,
            heading_level,
            headings,
            items,
            two_sentences,
            templates_explain,
            templates_advise,
            passages,
            p_passage,
        }
    }

    /// These habits with each habit replaced by the teacher's with
    /// probability `p`, independently. A habit is a unit a reader would
    /// recognise: "opens with one of these phrases, this often". Surface
    /// habits visible in every training answer (openers, closers, layout)
    /// are learned more reliably: they are copied with probability
    /// `1 - (1 - p)^2`, as if the student had two chances to pick them up.
    fn inherit(&self, teacher: &Habits, p: f64, rng: &mut ChaCha8Rng) -> Habits {
        let p = p.clamp(0.0, 1.0);
        let salient = 1.0 - (1.0 - p) * (1.0 - p);
        let mut h = self.clone();
        macro_rules! take {
            ($prob:expr => $(($($field:ident),+)),+) => {$(
                if rng.gen_bool($prob) {
                    $(h.$field = teacher.$field.clone();)+
                }
            )+};
        }
        take!(salient => (openers, p_open), (closers, p_close), (layouts));
        take!(p =>
            (intros_explain, intros_advise, p_intro),
            (conclusions, p_conclusion),
            (hedges, p_hedge),
            (bold, bold_style),
            (bullet, number_paren),
            (heading_level, headings),
            (items),
            (two_sentences),
            (templates_explain),
            (templates_advise),
            (passages, p_passage)
        );
        h
    }
}

// ---------------------------------------------------------------------------
// Composing one answer.

/// A list item: its lead term and sentences.
#[derive(Debug, Clone)]
struct Item {
    lead: String,
    sentences: Vec<String>,
}

struct Answer {
    text: String,
    items: Vec<Item>,
}

/// Words a template is filled with.
struct Fill<'a> {
    world: &'a World,
    lex: &'a Lexicon,
    topic: usize,
}

impl Fill<'_> {
    fn variant(&self, rng: &mut ChaCha8Rng, group: &[&'static str], fav: usize) -> &'static str {
        if rng.gen_bool(LOYALTY) {
            group[fav]
        } else {
            group[rng.gen_range(0..group.len())]
        }
    }

    /// Two distinct topic slots, by emphasis.
    fn slots(&self, rng: &mut ChaCha8Rng) -> (usize, usize) {
        let mut w = self.lex.emphasis[self.topic].clone();
        let a = pick(rng, &w);
        w[a] = 0.0;
        (a, pick(rng, &w))
    }

    fn term(&self, rng: &mut ChaCha8Rng, slot: usize) -> &'static str {
        let group = &self.world.slots[self.topic][slot];
        self.variant(rng, group, self.lex.topic[self.topic][slot])
    }

    /// Fill `template`; returns the sentence and its `{A}` term.
    fn sentence(&self, rng: &mut ChaCha8Rng, template: &str) -> (String, String) {
        let (sa, sb) = self.slots(rng);
        let a = self.term(rng, sa);
        let b = self.term(rng, sb);
        let plural = is_plural(a);
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = open + rest[open..].find('}').expect("closed placeholder");
            let key = &rest[open + 1..close];
            let group = |rng: &mut ChaCha8Rng, groups: &[&[&'static str]], favs: &[usize]| {
                let g = rng.gen_range(0..groups.len());
                self.variant(rng, groups[g], favs[g])
            };
            match key {
                "A" => out.push_str(a),
                "B" => out.push_str(b),
                "T" => out.push_str(TOPICS[self.topic].name),
                "J" => out.push_str(group(rng, ADJ, &self.lex.adj)),
                "N" => out.push_str(group(rng, NOUN, &self.lex.noun)),
                "I" => out.push_str(group(rng, IMPER, &self.lex.imper)),
                "V" => out.push_str(group(rng, VERB, &self.lex.verb)),
                "VA" => {
                    let v = group(rng, VERB, &self.lex.verb);
                    out.push_str(if plural {
                        v.strip_suffix('s').unwrap_or(v)
                    } else {
                        v
                    });
                }
                alt => {
                    let (sing, plur) = alt.split_once('|').expect("known placeholder");
                    out.push_str(if plural { plur } else { sing });
                }
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        if rng.gen_bool(ADVERBIAL_RATE) {
            if let Some(stem) = out.strip_suffix('.') {
                out = format!("{stem} {}.", ADVERBIALS[pick(rng, &self.lex.adverbials)]);
            }
        }
        (capitalise(&articles(&out)), capitalise(a))
    }
}

/// Grammatical number of a topic name.
fn topic_plural(topic: usize) -> bool {
    let name = TOPICS[topic].name;
    is_plural(name) && !["plate tectonics", "supply and demand"].contains(&name)
}

/// "a" before a vowel becomes "an" (a cheap approximation of English).
fn articles(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut words = text.split(' ').peekable();
    while let Some(w) = words.next() {
        let next_vowel = words
            .peek()
            .and_then(|n| n.trim_start_matches('*').chars().next())
            .is_some_and(|c| "aeiouAEIOU".contains(c));
        out.push_str(match w {
            "a" if next_vowel => "an",
            "A" if next_vowel => "An",
            _ => w,
        });
        if words.peek().is_some() {
            out.push(' ');
        }
    }
    out
}

/// Heuristic grammatical number of a noun phrase.
fn is_plural(phrase: &str) -> bool {
    let head = phrase.split(" of ").next().unwrap_or(phrase);
    if head.contains(" and ") {
        return true;
    }
    let last = head.rsplit(' ').next().unwrap_or(head);
    last.ends_with('s')
        && !["ss", "us", "is"].iter().any(|e| last.ends_with(e))
        && last.chars().any(|c| c.is_lowercase())
}

fn compose(
    rng: &mut ChaCha8Rng,
    world: &World,
    probe: &Probe,
    h: &Habits,
    lex: &Lexicon,
    copy_from: Option<&[Item]>,
) -> Answer {
    let fill = Fill {
        world,
        lex,
        topic: probe.topic,
    };
    let kind = TOPICS[probe.topic].kind;
    let topic_name = TOPICS[probe.topic].name;
    let n_items = (h.items + 0.8 * gauss(rng)).round().clamp(2.0, 8.0) as usize;
    let templates = match kind {
        Kind::Explain => (&h.templates_explain, TEMPLATES_EXPLAIN),
        Kind::Advise => (&h.templates_advise, TEMPLATES_ADVISE),
    };
    let mut items: Vec<Item> = (0..n_items)
        .map(|_| {
            let n = if rng.gen_bool(h.two_sentences) { 2 } else { 1 };
            let mut lead = String::new();
            let sentences = (0..n)
                .map(|k| {
                    let t = templates.1[templates.0.sample(rng)];
                    let (s, a) = fill.sentence(rng, t);
                    if k == 0 {
                        lead = a;
                    }
                    s
                })
                .collect();
            Item { lead, sentences }
        })
        .collect();
    if let Some(teacher) = copy_from.filter(|t| !t.is_empty()) {
        let n = rng.gen_range(1..=2usize).min(items.len());
        for _ in 0..n {
            let src = teacher[rng.gen_range(0..teacher.len())].clone();
            let dst = rng.gen_range(0..items.len());
            items[dst] = src;
        }
    }

    let mut blocks: Vec<String> = Vec::new();
    let mut head = Vec::new();
    if rng.gen_bool(h.p_open) {
        head.push(OPENERS[h.openers.sample(rng)].to_string());
    }
    if rng.gen_bool(h.p_intro) {
        let t = match kind {
            Kind::Explain => INTROS_EXPLAIN[h.intros_explain.sample(rng)],
            Kind::Advise => INTROS_ADVISE[h.intros_advise.sample(rng)],
        };
        head.push(capitalise(
            &agree(t, topic_plural(probe.topic)).replace("{T}", topic_name),
        ));
    }
    let layout = LAYOUTS[h.layouts.sample(rng)];
    if layout == Layout::Headed {
        let (h1, h2) = HEADINGS[h.headings];
        let marks = "#".repeat(h.heading_level);
        blocks.push(format!("{marks} {h1}"));
        let split = items.len().div_ceil(2).min(2);
        let mut intro = head.join(" ");
        let prose = items[..split]
            .iter()
            .flat_map(|i| i.sentences.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        if !intro.is_empty() {
            intro.push(' ');
        }
        blocks.push(intro + &prose);
        blocks.push(format!("{marks} {h2}"));
        blocks.push(list(rng, &items[split..], h, false));
    } else {
        if !head.is_empty() {
            blocks.push(head.join(" "));
        }
        match layout {
            Layout::Numbered => blocks.push(list(rng, &items, h, true)),
            Layout::Bullets => blocks.push(list(rng, &items, h, false)),
            _ => {
                let per = rng.gen_range(2..=3usize);
                for chunk in items.chunks(per) {
                    blocks.push(
                        chunk
                            .iter()
                            .flat_map(|i| i.sentences.iter().cloned())
                            .collect::<Vec<_>>()
                            .join(" "),
                    );
                }
            }
        }
    }
    if !h.passages.is_empty() && rng.gen_bool(h.p_passage) {
        blocks.push(h.passages[rng.gen_range(0..h.passages.len())].clone());
    }
    let mut tail = Vec::new();
    if rng.gen_bool(h.p_hedge) {
        tail.push(HEDGES[h.hedges.sample(rng)].to_string());
    }
    if rng.gen_bool(h.p_conclusion) {
        let t = CONCLUSIONS[h.conclusions.sample(rng)];
        let (sa, sb) = fill.slots(rng);
        let (a, b) = (fill.term(rng, sa), fill.term(rng, sb));
        let text = t
            .replace("{T}", topic_name)
            .replace("{A}", a)
            .replace("{B}", b);
        let text = agree(&text, is_plural(a));
        tail.push(capitalise(&text));
    }
    if !tail.is_empty() {
        blocks.push(tail.join(" "));
    }
    if rng.gen_bool(h.p_close) {
        blocks.push(CLOSERS[h.closers.sample(rng)].to_string());
    }
    Answer {
        text: blocks.join("\n\n"),
        items,
    }
}

/// Resolve `{x|y}` alternatives; other braces are kept.
fn agree(text: &str, plural: bool) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        match rest[open + 1..close].split_once('|') {
            Some((s, p)) => out.push_str(if plural { p } else { s }),
            None => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn list(rng: &mut ChaCha8Rng, items: &[Item], l: &Habits, numbered: bool) -> String {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let marker = if numbered {
                format!("{}{}", i + 1, if l.number_paren { ")" } else { "." })
            } else {
                BULLETS[l.bullet].to_string()
            };
            let lead = if l.bold > 0.0 && rng.gen_bool(l.bold) {
                BOLD_LEADS[l.bold_style].replace("{L}", &it.lead)
            } else {
                String::new()
            };
            format!("{marker} {lead}{}", it.sentences.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------
// Small helpers.

/// Index drawn with probability proportional to `w` (all zero: the last).
fn pick(rng: &mut ChaCha8Rng, w: &[f64]) -> usize {
    let total: f64 = w.iter().sum();
    let mut x = rng.gen_range(0.0..1.0) * total;
    for (i, &v) in w.iter().enumerate() {
        if x < v {
            return i;
        }
        x -= v;
    }
    w.iter().rposition(|&v| v > 0.0).unwrap_or(w.len() - 1)
}

/// How often a model shows a habit: habits are mostly either kept
/// (0.75–0.98 of answers, with probability `keep`) or rare (0.02–0.25).
fn habitual(rng: &mut ChaCha8Rng, keep: f64) -> f64 {
    if rng.gen_bool(keep) {
        rng.gen_range(0.75..0.98)
    } else {
        rng.gen_range(0.02..0.25)
    }
}

/// Standard normal deviate (Box–Muller).
fn gauss(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = 1.0 - rng.gen_range(0.0..1.0);
    let v: f64 = rng.gen_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn shuffle<T>(v: &mut [T], rng: &mut ChaCha8Rng) {
    for i in (1..v.len()).rev() {
        v.swap(i, rng.gen_range(0..=i));
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> SynthConfig {
        SynthConfig {
            probes: 20,
            ..SynthConfig::default()
        }
    }

    #[test]
    fn deterministic_and_complete() {
        let a = generate(&small());
        let b = generate(&small());
        assert_eq!(a.len(), 2 + 2 + 1 + 8);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.name, y.name);
            assert_eq!(x.records, y.records);
            assert_eq!(x.records.len(), 20);
            assert!(x
                .records
                .iter()
                .all(|r| r.response.as_deref().is_some_and(|t| !t.trim().is_empty())));
        }
        let c = generate(&SynthConfig { seed: 2, ..small() });
        assert_ne!(a[0].records, c[0].records);
        assert_eq!(
            a[2].role,
            Role::Student {
                teacher: "teacher-a".into()
            }
        );
        assert!(a.iter().all(|m| !m.records.iter().any(|r| r
            .response
            .as_deref()
            .unwrap()
            .contains('{'))));
    }

    #[test]
    fn names_and_plurals() {
        assert_eq!(letters(0), "a");
        assert_eq!(letters(25), "z");
        assert_eq!(letters(26), "aa");
        assert!(is_plural("leaves"));
        assert!(is_plural("checks and balances"));
        assert!(!is_plural("the rule of thirds"));
        assert!(!is_plural("focus"));
        assert!(!is_plural("CO2"));
        assert_eq!(agree("x {is|are} y", true), "x are y");
        assert_eq!(agree("x {is|are} y", false), "x is y");
        assert_eq!(agree("{T} {is|are}", true), "{T} are");
        assert_eq!(
            articles("a easy role and a hard one"),
            "an easy role and a hard one"
        );
    }

    #[test]
    fn writes_corpus_and_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let files = write_corpus(dir.path(), 3, 10).unwrap();
        assert_eq!(files.len(), 13);
        let manifest = std::fs::read_to_string(dir.path().join("MANIFEST.tsv")).unwrap();
        assert!(manifest.contains("student-a1\tstudent\tteacher-a"));
        assert!(dir.path().join("panel/ref-01.jsonl").is_file());
        let text = std::fs::read_to_string(dir.path().join("teacher-a.jsonl")).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        let keys: Vec<&str> = first
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["probe_id", "prompt", "response", "model"]);
        assert_eq!(first["probe_id"], "p0001");
    }
}
