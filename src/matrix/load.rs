//! Loading `matrix` inputs through the fingerprint cache, and aligning the
//! cached records probe by probe with the same rule as
//! [`crate::input::align`]: by `probe_id` when every record of every input
//! has one, else by the normalised-prompt hash; a probe is analysed only
//! when every model answers it; the first record of a repeated probe counts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rayon::prelude::*;

use super::cache::{self, CachedRecord, Entry};
use crate::compare::ModelSpec;
use crate::fingerprint::channels::{self, Aligned, CHANNELS};
use crate::fingerprint::{default_extractors, SparseVec};
use crate::input::{
    self, align::AlignBy, hash::prompt_key, Format, InputError, Limits, ReadOptions,
};
use crate::progress::Progress;

/// One input after loading: its identity and cached fingerprint.
pub struct Loaded {
    pub name: String,
    pub path: String,
    pub sha256: String,
    pub entry: Entry,
    /// Whether the fingerprint came from the cache.
    pub hit: bool,
}

/// Parameters that change the cached counts, part of every cache key.
/// Reading options are named only when given, so the keys of plain runs
/// stay as they were. (A FastChat question file is named by path, not by
/// content: edit one and clear the cache.)
pub fn cache_params(format: Option<Format>, read: &ReadOptions) -> String {
    let ex: Vec<&str> = default_extractors().iter().map(|e| e.name()).collect();
    let mut p = format!(
        "extractors={};channels={};format={}",
        ex.join(","),
        CHANNELS.join(","),
        format.map_or("sniff", |f| f.as_str())
    );
    if !read.is_default() {
        p.push_str(";read=");
        p.push_str(&read.cache_tag());
    }
    p
}

/// Load every spec in parallel through the cache; the first error in
/// argument order wins.
pub fn load_all(
    specs: &[ModelSpec],
    cache_dir: &Path,
    format: Option<Format>,
    limits: &Limits,
    read: &ReadOptions,
    progress: &Progress,
) -> anyhow::Result<Vec<Loaded>> {
    let params = cache_params(format, read);
    let bar = progress.bar(specs.len() as u64, "fingerprinting");
    let out: Vec<anyhow::Result<Loaded>> = specs
        .par_iter()
        .map(|s| {
            let r = load_one(s, cache_dir, &params, format, limits, read);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    // Store only once every input loaded: bad input writes nothing (exit 2).
    let loaded: Vec<Loaded> = out.into_iter().collect::<anyhow::Result<_>>()?;
    let key_params = &params;
    loaded
        .par_iter()
        .filter(|l| !l.hit)
        .try_for_each(|l| cache::store(cache_dir, &cache::key(&l.sha256, key_params), &l.entry))?;
    Ok(loaded)
}

fn load_one(
    spec: &ModelSpec,
    cache_dir: &Path,
    params: &str,
    format: Option<Format>,
    limits: &Limits,
    read: &ReadOptions,
) -> anyhow::Result<Loaded> {
    let sha = hash_capped(&spec.path, limits)?;
    let key = cache::key(&sha, params);
    let loaded = |entry, hit| Loaded {
        name: spec.name.clone(),
        path: spec.path.display().to_string(),
        sha256: sha.clone(),
        entry,
        hit,
    };
    if let Some(e) = cache::load(cache_dir, &key).filter(well_formed) {
        return Ok(loaded(e, true));
    }
    let ds = input::load_with(&spec.name, &spec.path, format, limits, read)?;
    anyhow::ensure!(
        ds.sha256 == sha,
        "{} changed while it was being read",
        spec.path.display()
    );
    let texts: Vec<Option<&str>> = ds.records.iter().map(|r| r.response.as_deref()).collect();
    let counts = channels::count_all(&texts);
    let entry = Entry {
        format: ds.format.as_str().to_string(),
        records: ds
            .records
            .iter()
            .zip(counts)
            .map(|(r, c)| CachedRecord {
                probe_id: r.probe_id.clone(),
                prompt_key: prompt_key(&r.prompt),
                answered: r.response.as_deref().is_some_and(|t| !t.trim().is_empty()),
                channels: c,
            })
            .collect(),
    };
    Ok(loaded(entry, false))
}

/// Every answered record carries every channel (a foreign or damaged cache
/// file that decodes but does not is treated as a miss).
fn well_formed(e: &Entry) -> bool {
    e.records
        .iter()
        .all(|r| !r.answered || r.channels.len() == CHANNELS.len())
}

/// SHA-256 of a file, refusing files over the size cap (bad input, exit 2).
fn hash_capped(path: &Path, limits: &Limits) -> Result<String, InputError> {
    Ok(input::hash::sha256_hex(&input::read_capped(path, limits)?))
}

/// Aligned counts and the bookkeeping the report shows.
pub struct Alignment {
    pub by: AlignBy,
    pub probe_keys: Vec<String>,
    /// Probes in the union left out because some model lacks an answer.
    pub excluded: usize,
    /// Distinct probes answered per model.
    pub probes: Vec<usize>,
    pub channels: Aligned,
}

/// Align the loaded inputs, moving their counts into `[channel][model][probe]`.
pub fn align(loaded: &mut [Loaded]) -> Alignment {
    let by = if loaded
        .iter()
        .all(|l| l.entry.records.iter().all(|r| r.probe_id.is_some()))
    {
        AlignBy::ProbeId
    } else {
        AlignBy::PromptHash
    };
    let key = |r: &CachedRecord| match (by, &r.probe_id) {
        (AlignBy::ProbeId, Some(id)) => id.clone(),
        _ => r.prompt_key.clone(),
    };
    let maps: Vec<BTreeMap<String, usize>> = loaded
        .iter()
        .map(|l| {
            let mut m = BTreeMap::new();
            for (i, r) in l.entry.records.iter().enumerate() {
                m.entry(key(r)).or_insert(i);
            }
            m
        })
        .collect();
    let union: BTreeSet<&String> = maps.iter().flat_map(|m| m.keys()).collect();
    let keep: Vec<String> = union
        .iter()
        .filter(|k| {
            loaded
                .iter()
                .zip(&maps)
                .all(|(l, m)| m.get(**k).is_some_and(|&i| l.entry.records[i].answered))
        })
        .map(|k| k.to_string())
        .collect();
    let excluded = union.len() - keep.len();
    let probes = maps.iter().map(BTreeMap::len).collect();
    let mut channels: Aligned = vec![Vec::with_capacity(loaded.len()); CHANNELS.len()];
    for (l, m) in loaded.iter_mut().zip(&maps) {
        let mut per: Vec<Vec<SparseVec>> = vec![Vec::with_capacity(keep.len()); CHANNELS.len()];
        for k in &keep {
            let rec = &mut l.entry.records[m[k]];
            for (c, slot) in per.iter_mut().enumerate() {
                slot.push(std::mem::take(&mut rec.channels[c]));
            }
        }
        l.entry.records = Vec::new();
        for (c, v) in per.into_iter().enumerate() {
            channels[c].push(v);
        }
    }
    Alignment {
        by,
        probe_keys: keep,
        excluded,
        probes,
        channels,
    }
}
