//! Aligning datasets probe by probe.
//!
//! Probes are matched by `probe_id` when every record of every dataset has
//! one, else by a hash of the whitespace-normalised prompt
//! ([`super::hash::prompt_key`]). Nothing is dropped silently: each dataset's
//! missing, duplicated and empty responses are counted in [`InputStats`], and
//! a probe enters the analysis only when every model has a non-empty
//! response to it (the count of probes left out is reported too).

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use super::{hash::prompt_key, Dataset};

/// How probes were matched across datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlignBy {
    ProbeId,
    PromptHash,
}

/// Per-dataset bookkeeping shown in the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InputStats {
    /// Distinct probes the dataset answers.
    pub probes: usize,
    /// Probes of the union of all datasets that this one lacks.
    pub missing: usize,
    /// Extra records for a probe already seen (other samples or true
    /// duplicates); the first sample is analysed.
    pub duplicated: usize,
    /// Probes whose (first) response is empty or absent.
    pub empty: usize,
}

/// Aligned responses: `texts[model][probe]`, same probe order for all.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub models: Vec<String>,
    /// Alignment key of each probe, sorted.
    pub probe_keys: Vec<String>,
    /// Prompt text of each probe (from the first dataset that has it).
    pub prompts: Vec<String>,
    /// Category of each probe, when any dataset carries one.
    pub categories: Vec<Option<String>>,
    pub texts: Vec<Vec<String>>,
    pub align_by: AlignBy,
    pub stats: Vec<InputStats>,
    /// Probes in the union that were left out because some model lacks a
    /// non-empty response.
    pub excluded_probes: usize,
}

impl Corpus {
    pub fn n_models(&self) -> usize {
        self.models.len()
    }
    pub fn n_probes(&self) -> usize {
        self.probe_keys.len()
    }
}

struct Entry<'a> {
    prompt: &'a str,
    category: Option<&'a str>,
    response: Option<&'a str>,
}

/// Align `datasets` (owned or borrowed); the corpus keeps their order.
pub fn align<D: Borrow<Dataset> + Sync>(datasets: &[D]) -> Corpus {
    let align_by = if datasets
        .iter()
        .all(|d| d.borrow().records.iter().all(|r| r.probe_id.is_some()))
    {
        AlignBy::ProbeId
    } else {
        AlignBy::PromptHash
    };
    // Each dataset is indexed on its own (hashing every prompt), so in
    // parallel; the maps come back in dataset order.
    let (maps, mut stats): (Vec<BTreeMap<String, Entry>>, Vec<InputStats>) = datasets
        .par_iter()
        .map(|d| index(d.borrow(), align_by))
        .unzip();
    let union: BTreeSet<&String> = maps.iter().flat_map(|m| m.keys()).collect();
    for (st, map) in stats.iter_mut().zip(&maps) {
        st.missing = union.len() - map.len();
    }
    let keep: Vec<&String> = union
        .iter()
        .copied()
        .filter(|k| maps.iter().all(|m| m.get(*k).is_some_and(non_empty)))
        .collect();
    build(datasets, &maps, &keep, align_by, stats, union.len())
}

fn non_empty(e: &Entry) -> bool {
    e.response.is_some_and(|r| !r.trim().is_empty())
}

fn index(d: &Dataset, by: AlignBy) -> (BTreeMap<String, Entry<'_>>, InputStats) {
    let mut map = BTreeMap::new();
    let mut st = InputStats::default();
    for r in &d.records {
        let key = match (by, &r.probe_id) {
            (AlignBy::ProbeId, Some(id)) => id.clone(),
            _ => prompt_key(&r.prompt),
        };
        if map.contains_key(&key) {
            st.duplicated += 1;
            continue;
        }
        map.insert(
            key,
            Entry {
                prompt: &r.prompt,
                category: r.category.as_deref(),
                response: r.response.as_deref(),
            },
        );
    }
    st.probes = map.len();
    st.empty = map.values().filter(|e| !non_empty(e)).count();
    (map, st)
}

fn build<D: Borrow<Dataset>>(
    datasets: &[D],
    maps: &[BTreeMap<String, Entry>],
    keep: &[&String],
    align_by: AlignBy,
    stats: Vec<InputStats>,
    union: usize,
) -> Corpus {
    let first = |k: &String| maps.iter().find_map(|m| m.get(k));
    let prompts = keep
        .iter()
        .map(|k| first(k).map(|e| e.prompt.to_string()).unwrap_or_default())
        .collect();
    let categories = keep
        .iter()
        .map(|k| maps.iter().find_map(|m| m.get(*k).and_then(|e| e.category)))
        .map(|c| c.map(str::to_string))
        .collect();
    let texts = maps
        .par_iter()
        .map(|m| {
            keep.iter()
                .map(|k| m[*k].response.unwrap_or_default().to_string())
                .collect()
        })
        .collect();
    Corpus {
        models: datasets.iter().map(|d| d.borrow().name.clone()).collect(),
        probe_keys: keep.iter().map(|k| k.to_string()).collect(),
        prompts,
        categories,
        texts,
        align_by,
        stats,
        excluded_probes: union - keep.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Format, Record};

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
    fn aligns_by_prompt_and_counts_gaps() {
        let a = ds("a", &[("p1", "x"), ("p2", "y"), ("p2", "dup"), ("p3", "")]);
        let b = ds("b", &[("p2 ", "y2"), ("p1", "x2"), ("p3", "z")]);
        let c = align(&[a, b]);
        assert_eq!(c.align_by, AlignBy::PromptHash);
        assert_eq!(c.n_probes(), 2);
        assert_eq!(c.excluded_probes, 1);
        assert_eq!(c.stats[0].duplicated, 1);
        assert_eq!(c.stats[0].empty, 1);
        let i = c.prompts.iter().position(|p| p == "p2").unwrap();
        assert_eq!(c.texts[1][i], "y2");
        assert_eq!(c.texts[0][i], "y");
    }

    #[test]
    fn missing_probe_is_counted() {
        let a = ds("a", &[("p1", "x"), ("p2", "y")]);
        let b = ds("b", &[("p1", "x")]);
        let c = align(&[a, b]);
        assert_eq!(c.stats[1].missing, 1);
        assert_eq!(c.n_probes(), 1);
    }
}
