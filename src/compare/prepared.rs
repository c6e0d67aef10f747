//! Per-model work done once for a batch of comparisons.
//!
//! A batch `compare` runs every student against the same candidates and
//! panel. Each model's responses are tokenised and counted once
//! ([`ModelPrep::new`]); each student's comparison then picks the responses
//! its own alignment kept ([`aligned`]). Only the raw counts are shared:
//! TF-IDF and style weights depend on document frequencies over the models
//! of one comparison, so they are computed per student exactly as in a
//! single run, and the report is byte for byte the single run's.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::detail::Detail;
use crate::fingerprint::channels::{self, Aligned, CHANNELS};
use crate::fingerprint::distribution::ScoreFile;
use crate::fingerprint::identity::{extract, IdentityClaim};
use crate::fingerprint::profile::ModelWords;
use crate::fingerprint::refusal::{classify_with_prompt, Classification};
use crate::fingerprint::SparseVec;
use crate::input::align::Corpus;
use crate::input::Dataset;
use crate::progress::Progress;
use crate::report::schema::Report;

/// One model's counted responses, keyed by response text: a response's
/// counts depend on its text only, so whichever probe an alignment puts
/// it under, the counts are the same.
pub struct ModelPrep<'a> {
    index: FxHashMap<&'a str, usize>,
    /// Channel counts of each distinct response, `[response][channel]`.
    counts: Vec<Vec<SparseVec>>,
    /// The words of each distinct response, in the same order.
    words: ModelWords,
    /// Refusal class of each distinct response under the prompt of its
    /// first record (reused when an alignment pairs it with that prompt).
    classes: Vec<(&'a str, Classification)>,
    /// Self-identification claims of each distinct response.
    claims: Vec<Vec<IdentityClaim>>,
}

impl<'a> ModelPrep<'a> {
    /// Tokenise and count every distinct non-empty response of `d`.
    pub fn new(d: &'a Dataset) -> ModelPrep<'a> {
        let mut index = FxHashMap::default();
        let mut texts: Vec<&'a str> = Vec::new();
        let mut prompts: Vec<&'a str> = Vec::new();
        for r in &d.records {
            if let Some(t) = r.response.as_deref().filter(|t| !t.trim().is_empty()) {
                index.entry(t).or_insert_with(|| {
                    texts.push(t);
                    prompts.push(&r.prompt);
                    texts.len() - 1
                });
            }
        }
        let (classes, claims) = texts
            .par_iter()
            .zip(&prompts)
            .map(|(t, p)| ((*p, classify_with_prompt(p, t)), extract(t)))
            .unzip();
        let (counts, words) = channels::count_model(&texts);
        ModelPrep {
            index,
            counts,
            words,
            classes,
            claims,
        }
    }

    /// Position of `text` among this model's responses.
    fn slot(&self, text: &str) -> usize {
        *self
            .index
            .get(text)
            .expect("an aligned response is one of the model's non-empty responses")
    }
}

/// Students and the shared candidates and panel of a batch, each dataset
/// prepared once.
pub struct Batch<'a> {
    students: &'a [Dataset],
    shared: &'a [Dataset],
    student_preps: Vec<ModelPrep<'a>>,
    shared_preps: Vec<ModelPrep<'a>>,
}

impl<'a> Batch<'a> {
    /// Prepare every dataset; `shared` holds the candidates, then the panel,
    /// in `cfg.teachers` and `cfg.references` order.
    pub fn new(students: &'a [Dataset], shared: &'a [Dataset]) -> Batch<'a> {
        let all: Vec<&'a Dataset> = students.iter().chain(shared).collect();
        let mut preps: Vec<ModelPrep<'a>> = all.into_par_iter().map(ModelPrep::new).collect();
        let shared_preps = preps.split_off(students.len());
        Batch {
            students,
            shared,
            student_preps: preps,
            shared_preps,
        }
    }

    pub fn students(&self) -> &'a [Dataset] {
        self.students
    }

    /// The comparison of student `i`: the report (and chart series) a
    /// single-student [`super::analyse_with`] gives for the same inputs.
    /// `cfg.student` must name that student.
    pub fn analyse(
        &self,
        cfg: &super::CompareConfig,
        i: usize,
        scores: &[ScoreFile],
        progress: &Progress,
    ) -> (Report, Detail) {
        let datasets: Vec<&Dataset> = std::iter::once(&self.students[i])
            .chain(self.shared)
            .collect();
        let preps: Vec<&ModelPrep> = std::iter::once(&self.student_preps[i])
            .chain(&self.shared_preps)
            .collect();
        super::analyse_prepared(cfg, &datasets, scores, Some(&preps), progress)
    }
}

/// What [`crate::compare::refusal::classify`] returns for `corpus`.
pub fn classify(preps: &[&ModelPrep], corpus: &Corpus) -> Vec<Vec<Classification>> {
    preps
        .par_iter()
        .zip(&corpus.texts)
        .map(|(p, texts)| {
            texts
                .iter()
                .zip(&corpus.prompts)
                .map(|(t, prompt)| match p.classes[p.slot(t)] {
                    (own, c) if own == prompt => c,
                    _ => classify_with_prompt(prompt, t),
                })
                .collect()
        })
        .collect()
}

/// The claims [`crate::fingerprint::identity::extract`] finds in response
/// `probe` of `model`.
pub fn claims(
    preps: &[&ModelPrep],
    corpus: &Corpus,
    model: usize,
    probe: usize,
) -> Vec<IdentityClaim> {
    let p = preps[model];
    p.claims[p.slot(&corpus.texts[model][probe])].clone()
}

/// What [`channels::count_corpus`] returns for `texts[model][probe]`, from
/// the models' preparations (`preps[model]` prepared the dataset whose
/// responses are `texts[model]`).
pub fn aligned(preps: &[&ModelPrep], texts: &[Vec<String>]) -> (Aligned, Vec<ModelWords>) {
    let per: Vec<(Vec<Vec<SparseVec>>, ModelWords)> = preps
        .par_iter()
        .zip(texts)
        .map(|(p, m)| {
            let slots: Vec<usize> = m.iter().map(|t| p.slot(t)).collect();
            let chans = (0..CHANNELS.len())
                .map(|c| slots.iter().map(|&s| p.counts[s][c].clone()).collect())
                .collect();
            (chans, p.words.select(&slots))
        })
        .collect();
    let mut out: Aligned = vec![Vec::with_capacity(per.len()); CHANNELS.len()];
    let mut words = Vec::with_capacity(per.len());
    for (chans, w) in per {
        for (c, v) in chans.into_iter().enumerate() {
            out[c].push(v);
        }
        words.push(w);
    }
    (out, words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::profile::build_from;
    use crate::input::{align::align, Format, Record};

    fn ds(name: &str, rows: &[(&str, &str)]) -> Dataset {
        Dataset {
            name: name.into(),
            path: name.into(),
            sha256: String::new(),
            format: Format::Jsonl,
            records: rows
                .iter()
                .map(|(p, r)| Record {
                    prompt: p.to_string(),
                    response: Some(r.to_string()),
                    ..Default::default()
                })
                .collect(),
        }
    }

    #[test]
    fn prepared_counts_equal_counting_the_aligned_corpus() {
        let a = ds(
            "a",
            &[
                ("p3", "Sure! The cat sat."),
                ("p1", "the dog ran and ran"),
                ("p2", "No."),
                ("p4", "only here"),
            ],
        );
        let b = ds(
            "b",
            &[
                ("p1", "No."),
                ("p2", "No."),
                ("p3", "Certainly: the cat, the mat."),
            ],
        );
        let datasets = [a, b];
        let corpus = align(&datasets);
        let (want, want_words) = channels::count_corpus(&corpus.texts);
        let preps: Vec<ModelPrep> = datasets.iter().map(ModelPrep::new).collect();
        let refs: Vec<&ModelPrep> = preps.iter().collect();
        let (got, got_words) = aligned(&refs, &corpus.texts);
        assert_eq!(got, want);
        let (x, y) = (build_from(&got_words), build_from(&want_words));
        assert_eq!(
            (x.vocab, x.counts, x.lengths),
            (y.vocab, y.counts, y.lengths)
        );
    }
}
