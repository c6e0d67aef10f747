//! Behavioural text fingerprints.
//!
//! Each extractor turns every aligned response into a sparse, L2-normalised
//! feature vector; the similarity of two models on one probe is the cosine of
//! their vectors ([`SparseVec::dot`]). Extractors belong to an evidence
//! [`Family`]: `content` (what is said: TF-IDF of words and character
//! n-grams), `style` (how it is said: openers, closers, Markdown habits,
//! length, hedges, function-word skeleton) and `near_duplicate` (long shared
//! passages). The families stay separate in the report because content
//! similarity is also explained by a shared base model, while style is what a
//! distilled student inherits from its teacher.

pub mod channels;
pub mod content;
pub mod distribution;
pub mod features;
pub mod identity;
pub mod lexicon;
pub mod neardup;
pub mod profile;
pub mod refusal;
pub mod sparse;
pub mod style;
pub mod tokenize;

use serde::Serialize;

use crate::input::align::Corpus;
pub use sparse::SparseVec;

/// An evidence family, reported separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Content,
    Style,
    NearDuplicate,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Content => "content",
            Family::Style => "style",
            Family::NearDuplicate => "near_duplicate",
        }
    }
}

/// Per-response feature vectors: `[model][probe]`.
pub type Features = Vec<Vec<SparseVec>>;

/// One fingerprint extractor.
pub trait Extractor: Send + Sync {
    /// Stable name, recorded in the report.
    fn name(&self) -> &'static str;
    fn family(&self) -> Family;
    /// Vectors for every response of the corpus. Extractors that weight by
    /// document frequency compute it over the whole corpus, so the vectors
    /// of one call are comparable with each other only.
    fn extract(&self, corpus: &Corpus) -> Features;
}

/// The default extractor set, in report order.
pub fn default_extractors() -> Vec<Box<dyn Extractor>> {
    vec![
        Box::new(content::WordTfidf),
        Box::new(content::CharTfidf),
        Box::new(style::Style),
        Box::new(neardup::Shingles),
    ]
}
