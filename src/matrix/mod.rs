//! `lineage matrix`: who learned from whom, over many models at once.
//!
//! Pipeline: hash every input and fingerprint it once into a
//! content-addressed cache ([`cache`], [`load`]; a `--shard K/N` run stops
//! there), align the cached counts, weigh them into the default extractors'
//! features ([`channels`]) and compute every pair's per-probe similarities
//! with the cubes of `compare`, then the calibrated pairwise evidence
//! ([`pairs`]), each model's most likely teacher, and an average-linkage
//! lineage tree ([`tree`]). The result ([`schema::MatrixReport`]) is written
//! as `matrix.json`, `matrix.csv` and `matrix.html`.

pub mod cache;
pub mod channels;
pub mod load;
pub mod pairs;
pub mod schema;
pub mod tree;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::compare::analysis::{Resampling, COMBINED, RANK_FAMILY};
use crate::compare::{weigh_cubes, ModelSpec};
use crate::input::{align::AlignBy, Format, Limits};
use crate::progress::Progress;
use crate::report::schema::{Alignment, Tool};
use schema::*;

/// Everything `matrix` needs, resolved from the command line.
#[derive(Debug, Clone)]
pub struct MatrixConfig {
    /// Models analysed: rows of the matrix, leaves of the tree.
    pub inputs: Vec<ModelSpec>,
    /// Extra calibration-panel models (never attributed or clustered).
    pub references: Vec<ModelSpec>,
    pub cache: PathBuf,
    /// `(k, n)`, 1-based: fingerprint only every n-th input from the k-th.
    pub shard: Option<(usize, usize)>,
    pub format: Option<Format>,
    pub alpha: f64,
    pub seed: u64,
    pub resamples: usize,
    pub bootstrap: usize,
    pub confidence: f64,
    pub limits: Limits,
}

impl MatrixConfig {
    pub fn new(inputs: Vec<ModelSpec>, references: Vec<ModelSpec>, cache: PathBuf) -> Self {
        MatrixConfig {
            inputs,
            references,
            cache,
            shard: None,
            format: None,
            alpha: 0.01,
            seed: 0,
            resamples: 999,
            bootstrap: 1000,
            confidence: 0.95,
            limits: Limits::default(),
        }
    }

    fn specs(&self) -> Vec<ModelSpec> {
        self.inputs
            .iter()
            .chain(&self.references)
            .cloned()
            .collect()
    }
}

/// What a run did besides its report (printed, never written).
#[derive(Debug, Default)]
pub struct RunInfo {
    pub fingerprinted: usize,
    pub cache_hits: usize,
}

/// Fingerprint this shard's inputs into the cache; returns the counts.
pub fn run_shard(cfg: &MatrixConfig, progress: &Progress) -> anyhow::Result<RunInfo> {
    let (k, n) = cfg.shard.unwrap_or((1, 1));
    let specs: Vec<ModelSpec> = cfg
        .specs()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % n == k - 1)
        .map(|(_, s)| s)
        .collect();
    let loaded = load::load_all(&specs, &cfg.cache, cfg.format, &cfg.limits, progress)?;
    Ok(info(&loaded))
}

fn info(loaded: &[load::Loaded]) -> RunInfo {
    let hits = loaded.iter().filter(|l| l.hit).count();
    RunInfo {
        fingerprinted: loaded.len() - hits,
        cache_hits: hits,
    }
}

/// Load through the cache and analyse every pair.
pub fn run(cfg: &MatrixConfig, progress: &Progress) -> anyhow::Result<(MatrixReport, RunInfo)> {
    let mut loaded = load::load_all(&cfg.specs(), &cfg.cache, cfg.format, &cfg.limits, progress)?;
    let ri = info(&loaded);
    let al = load::align(&mut loaded);
    let n = loaded.len();
    let probes = al.probe_keys.len();
    let fcs = weigh_cubes(al.channels, progress, "comparing pairs");
    let fams: Vec<pairs::Family> = fcs.iter().map(|f| pairs::Family::new(f, n)).collect();
    let ex = pairs::excess_all(&fams);
    let names: Vec<String> = loaded.iter().map(|l| l.name.clone()).collect();
    let na = cfg.inputs.len();
    let rs = Resampling {
        seed: cfg.seed,
        resamples: cfg.resamples,
        bootstrap: cfg.bootstrap,
        confidence: cfg.confidence,
        sequential: None,
    };
    let bar = progress.bar(na as u64, "testing teachers");
    let enough = probes >= crate::compare::verdict::MIN_PROBES && n >= 4;
    let teachers: Vec<TeacherEntry> = (0..na)
        .into_par_iter()
        .map(|s| {
            let t = teacher(&fams, &ex, &names, s, na, rs, cfg.alpha, enough);
            bar.inc(1);
            t
        })
        .collect();
    bar.finish_and_clear();
    let tree = lineage_tree(&ex, &names[..na]);
    let families: Vec<String> = ex.by_family.keys().cloned().collect();
    let square = |f: &dyn Fn(usize, usize) -> f64| -> Vec<Vec<Option<f64>>> {
        (0..na)
            .map(|s| (0..na).map(|t| (s != t).then(|| f(s, t))).collect())
            .collect()
    };
    let mut excess = BTreeMap::new();
    let mut p_values = BTreeMap::new();
    for fam in &families {
        excess.insert(fam.clone(), square(&|s, t| ex.get(fam, s, t)));
        p_values.insert(fam.clone(), square(&|s, t| ex.p_between(fam, s, t)));
    }
    let report = MatrixReport {
        schema_version: MATRIX_SCHEMA_VERSION.to_string(),
        tool: Tool {
            name: "lineage".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            git_commit: env!("LINEAGE_GIT_COMMIT").into(),
        },
        parameters: parameters(cfg, rs),
        inputs: loaded
            .iter()
            .zip(&al.probes)
            .enumerate()
            .map(|(i, (l, &p))| MatrixInput {
                name: l.name.clone(),
                role: if i < na { "analysed" } else { "reference" }.into(),
                path: l.path.clone(),
                format: l.entry.format.clone(),
                sha256: l.sha256.clone(),
                probes: p,
            })
            .collect(),
        alignment: Alignment {
            by: match al.by {
                AlignBy::ProbeId => "probe_id".into(),
                AlignBy::PromptHash => "prompt_hash".into(),
            },
            probes_analysed: probes,
            probes_excluded: al.excluded,
        },
        models: names[..na].to_vec(),
        reference_panel: names[na..].to_vec(),
        families,
        excess,
        p_between_models: p_values,
        teachers,
        tree,
    };
    Ok((report, ri))
}

#[allow(clippy::too_many_arguments)]
fn teacher(
    fams: &[pairs::Family],
    ex: &pairs::Excess,
    names: &[String],
    s: usize,
    na: usize,
    rs: Resampling,
    alpha: f64,
    enough: bool,
) -> TeacherEntry {
    let (top, second) = pairs::rank(ex, s, na);
    let Some(t) = top.filter(|_| enough) else {
        return TeacherEntry {
            model: names[s].clone(),
            teacher: top.map(|t| names[t].clone()),
            runner_up: second.map(|t| names[t].clone()),
            significant: false,
            p_value: 1.0,
            rivals_tested: 0,
            note: Some(format!(
                "too few models or aligned probes for a test (at least 4 models and {} probes)",
                crate::compare::verdict::MIN_PROBES
            )),
            families: BTreeMap::new(),
        };
    };
    let families = pairs::evidence(fams, ex, names, s, t, rs);
    let rank_family = if families.contains_key(RANK_FAMILY) {
        RANK_FAMILY
    } else {
        COMBINED
    };
    let p = families[rank_family].p_holm;
    TeacherEntry {
        model: names[s].clone(),
        teacher: Some(names[t].clone()),
        runner_up: second.map(|r| names[r].clone()),
        significant: p < alpha,
        p_value: p,
        rivals_tested: pairs::RIVALS.min(ex.n.saturating_sub(2)),
        note: None,
        families,
    }
}

fn lineage_tree(ex: &pairs::Excess, names: &[String]) -> Tree {
    let na = names.len();
    let sym = |a: usize, b: usize| 0.5 * (ex.get(COMBINED, a, b) + ex.get(COMBINED, b, a));
    let c = (0..na)
        .flat_map(|a| (0..na).filter(move |&b| b != a).map(move |b| (a, b)))
        .map(|(a, b)| sym(a, b))
        .fold(f64::NEG_INFINITY, f64::max);
    let dist: Vec<f64> = (0..na * na)
        .map(|i| {
            let (a, b) = (i / na, i % na);
            if a == b {
                0.0
            } else {
                c - sym(a, b)
            }
        })
        .collect();
    let merges = tree::upgma(&dist, na);
    Tree {
        method: "average linkage (UPGMA) on c − symmetrised combined excess".into(),
        order: tree::leaf_order(&merges, na)
            .into_iter()
            .map(|i| names[i].clone())
            .collect(),
        newick: tree::newick(&merges, names),
        merges,
    }
}

fn parameters(cfg: &MatrixConfig, rs: Resampling) -> MatrixParameters {
    MatrixParameters {
        common: crate::compare::parameters(cfg.format, cfg.alpha, rs),
        fingerprint_version: cache::FINGERPRINT_VERSION,
        rivals: pairs::RIVALS,
    }
}
