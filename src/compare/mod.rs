//! `lineage compare`: is the student closer to a candidate teacher than the
//! reference panel explains?
//!
//! Pipeline: load and hash every input ([`crate::input`]), align probes,
//! extract fingerprints per family ([`crate::fingerprint`]), compute
//! per-candidate evidence ([`analysis`], [`profile`], [`refusal`]), rank
//! candidates and apply the decision rule ([`verdict`]), then assemble the
//! [`Report`] with the refusal and self-identification sections
//! ([`refusal`], [`identity`]).

pub mod analysis;
pub mod calibration;
pub mod detail;
pub mod distribution;
pub mod exhibits;
pub mod identity;
pub mod pairscore;
pub mod prepared;
pub mod profile;
pub mod refusal;
pub mod resampling;
pub mod templates;
pub mod verdict;

use std::borrow::Borrow;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::fingerprint::distribution::{ScoreFile, ScoreTable};
use crate::fingerprint::{channels, default_extractors, Family};
use crate::input::{self, align::Corpus, Dataset, Format, InputError, Limits};
use crate::progress::Progress;
use crate::report::schema::*;
use crate::stats::excess::SimCube;
use analysis::{FamilyCube, Resampling, Roles};

/// A model given on the command line: `name=path` or a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSpec {
    pub name: String,
    pub path: PathBuf,
}

/// Everything `compare` needs, resolved from the command line.
#[derive(Debug, Clone)]
pub struct CompareConfig {
    pub student: ModelSpec,
    pub teachers: Vec<ModelSpec>,
    pub references: Vec<ModelSpec>,
    pub format: Option<Format>,
    pub alpha: f64,
    pub resampling: Resampling,
    pub limits: Limits,
    /// Score files of `lineage score` for the `distribution` family.
    pub scores: Vec<PathBuf>,
    /// Calibration file of `lineage calibrate` (`--calibration`).
    pub calibration: Option<PathBuf>,
    /// Options of the formats that take some (`--questions`, ...).
    pub read: input::ReadOptions,
}

impl CompareConfig {
    /// Defaults for everything but the models.
    pub fn new(student: ModelSpec, teachers: Vec<ModelSpec>, references: Vec<ModelSpec>) -> Self {
        CompareConfig {
            student,
            teachers,
            references,
            format: None,
            alpha: 0.01,
            resampling: Resampling::COMPARE,
            limits: Limits::default(),
            scores: Vec::new(),
            calibration: None,
            read: input::ReadOptions::default(),
        }
    }
}

/// Weight of each family in the combined score (see docs/methodology.md).
pub fn family_weight(f: Family) -> f64 {
    match f {
        Family::Style => 0.5,
        Family::Content => 0.25,
        Family::NearDuplicate => 0.25,
    }
}

/// Load every input in parallel; the first error in argument order wins.
pub fn load_all(cfg: &CompareConfig, progress: &Progress) -> Result<Vec<Dataset>, InputError> {
    let specs: Vec<&ModelSpec> = std::iter::once(&cfg.student)
        .chain(&cfg.teachers)
        .chain(&cfg.references)
        .collect();
    load_specs(cfg, &specs, progress)
}

/// Load `specs` in parallel with `cfg`'s format and limits; the first error
/// in `specs` order wins.
pub fn load_specs(
    cfg: &CompareConfig,
    specs: &[&ModelSpec],
    progress: &Progress,
) -> Result<Vec<Dataset>, InputError> {
    let bar = progress.bar(specs.len() as u64, "loading");
    let out: Vec<Result<Dataset, InputError>> = specs
        .par_iter()
        .map(|s| {
            let d = input::load_with(&s.name, &s.path, cfg.format, &cfg.limits, &cfg.read);
            bar.inc(1);
            d
        })
        .collect();
    bar.finish_and_clear();
    out.into_iter().collect()
}

/// Run the whole comparison on already-loaded datasets (student first, then
/// candidates, then references, as in [`load_all`]).
pub fn analyse(cfg: &CompareConfig, datasets: &[Dataset], progress: &Progress) -> Report {
    analyse_with(cfg, datasets, &[], progress).0
}

/// [`analyse`] with score files for the `distribution` family, plus the
/// per-probe series the HTML charts draw (not part of report.json).
pub fn analyse_with(
    cfg: &CompareConfig,
    datasets: &[Dataset],
    scores: &[ScoreFile],
    progress: &Progress,
) -> (Report, detail::Detail) {
    analyse_prepared(cfg, datasets, scores, None, progress)
}

/// [`analyse_with`] on owned or borrowed datasets, reusing per-model work
/// done once for a batch ([`prepared`], one entry per dataset, in the same
/// order); the report is the same with or without it.
pub fn analyse_prepared<D: Borrow<Dataset> + Sync>(
    cfg: &CompareConfig,
    datasets: &[D],
    scores: &[ScoreFile],
    prep: Option<&[&prepared::ModelPrep]>,
    progress: &Progress,
) -> (Report, detail::Detail) {
    let corpus = input::align::align(datasets);
    let nt = cfg.teachers.len();
    let roles = Roles {
        student: 0,
        candidates: (1..=nt).collect(),
        panel: (nt + 1..datasets.len()).collect(),
    };
    let rs = Resampling {
        sequential: Some(cfg.alpha),
        ..cfg.resampling
    };
    // The per-probe families and the corpus-level evidence do not depend on
    // each other; running them side by side keeps both cores busy through
    // each one's serial stretches.
    let ((families, mut evidence, profiles), (classes, (identity, identity_scores))) = rayon::join(
        || text_evidence(&corpus, &roles, rs, prep, progress),
        || {
            rayon::join(
                || match prep {
                    Some(p) => prepared::classify(p, &corpus),
                    None => refusal::classify(&corpus),
                },
                || match prep {
                    Some(p) => identity::section_with(&corpus, &roles, &|m, i| {
                        prepared::claims(p, &corpus, m, i)
                    }),
                    None => identity::section_with_scores(&corpus, &roles),
                },
            )
        },
    );
    for (ev, pr) in evidence.iter_mut().zip(profiles) {
        ev.families.insert(profile::PROFILE.to_string(), pr.result);
    }
    // Reported evidence only: the decision rule does not require it, but
    // its p-value takes part in the Holm adjustment like every family.
    let (refusal_results, refusal_section) = refusal::evaluate(&corpus, &roles, &classes, rs);
    for (ev, r) in evidence.iter_mut().zip(refusal_results) {
        ev.families.insert(refusal::REFUSAL.to_string(), r);
    }
    let (deciding, distribution_section) =
        add_distribution(scores, &corpus, &roles, &mut evidence, rs);
    let mut decided = verdict::decide_by(cfg, &corpus, &roles, evidence, rs, deciding);
    let cand_names: Vec<String> = roles
        .candidates
        .iter()
        .map(|&t| corpus.models[t].clone())
        .collect();
    pairscore::add_identity(&mut decided.candidates, &cand_names, &identity_scores);
    pairscore::add_templates(
        &mut decided.candidates,
        &refusal_section.template_inheritance,
    );
    let exhibits = exhibits::select(&corpus, &families, &roles, decided.top_index(), 5);
    let detail = detail::compute(&families, &roles, &corpus.models, decided.top_index());
    let report = Report {
        schema_version: SCHEMA_VERSION.to_string(),
        tool: Tool {
            name: "lineage".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            git_commit: env!("LINEAGE_GIT_COMMIT").into(),
        },
        parameters: Parameters {
            read_options: cfg.read.clone(),
            ..parameters(cfg.format, cfg.alpha, rs)
        },
        inputs: inputs(datasets, &corpus, nt)
            .into_iter()
            .chain(scores.iter().map(score_input))
            .collect(),
        alignment: Alignment {
            by: match corpus.align_by {
                input::align::AlignBy::ProbeId => "probe_id".into(),
                input::align::AlignBy::PromptHash => "prompt_hash".into(),
            },
            probes_analysed: corpus.n_probes(),
            probes_excluded: corpus.excluded_probes,
        },
        student: corpus.models[0].clone(),
        reference_panel: roles
            .panel
            .iter()
            .map(|&i| corpus.models[i].clone())
            .collect(),
        candidates: decided.candidates,
        ranking: decided.ranking,
        verdict: decided.verdict,
        exhibits,
        refusal: Some(refusal_section),
        identity: Some(identity),
        distribution: distribution_section,
    };
    (report, detail)
}

/// The evidence that comes from the tokenised text: the per-probe
/// families' cubes and tests, and the Cosine Delta profiles (empty without
/// a panel), both from one tokenisation of each response.
fn text_evidence(
    corpus: &Corpus,
    roles: &Roles,
    rs: Resampling,
    prep: Option<&[&prepared::ModelPrep]>,
    progress: &Progress,
) -> (
    Vec<FamilyCube>,
    Vec<analysis::CandidateEvidence>,
    Vec<profile::ProfileEvidence>,
) {
    let spinner = progress.spinner("fingerprinting");
    let (counts, words) = match prep {
        Some(p) => prepared::aligned(p, &corpus.texts),
        None => channels::count_corpus(&corpus.texts),
    };
    spinner.finish_and_clear();
    let ((families, evidence), profiles) = rayon::join(
        || {
            let families = weigh_cubes(counts, progress, "comparing responses");
            let bar = progress.spinner("testing candidates against the panel");
            let evidence = analysis::evaluate(&families, roles, &corpus.models, rs);
            bar.finish_and_clear();
            (families, evidence)
        },
        || {
            if roles.panel.is_empty() {
                Vec::new()
            } else {
                profile::evaluate(&words, &corpus.models, roles, rs)
            }
        },
    );
    (families, evidence, profiles)
}

/// Load, then analyse, then apply the calibration when one is given.
pub fn run(cfg: &CompareConfig, progress: &Progress) -> anyhow::Result<Report> {
    let datasets = load_all(cfg, progress)?;
    let scores = load_scores(cfg)?;
    let mut report = analyse_with(cfg, &datasets, &scores, progress).0;
    calibrate_report(cfg, &datasets, &mut report)?;
    Ok(report)
}

/// Apply `cfg.calibration` to a finished report: refuse a comparison the
/// calibration does not apply to, else add each candidate's likelihood
/// ratio and decide by the calibrated rule.
pub fn calibrate_report(
    cfg: &CompareConfig,
    datasets: &[Dataset],
    report: &mut Report,
) -> anyhow::Result<()> {
    let Some(path) = &cfg.calibration else {
        return Ok(());
    };
    let (cal, sha) = calibration::Calibration::load(path)?;
    let panel = &datasets[1 + cfg.teachers.len()..];
    calibration::apply::check(&cal, path, panel, report.alignment.probes_analysed)?;
    calibration::apply::apply(report, &cal, path, &sha)?;
    Ok(())
}

/// Load the score files of `lineage score` named by `--scores`.
pub fn load_scores(cfg: &CompareConfig) -> Result<Vec<ScoreFile>, InputError> {
    cfg.scores
        .iter()
        .map(|p| crate::fingerprint::distribution::load(p, &cfg.limits))
        .collect()
}

/// Add the `distribution` families to the evidence. Returns the family
/// that decides (the cross-likelihood when every candidate has it, else
/// style) and the report section.
fn add_distribution(
    scores: &[ScoreFile],
    corpus: &Corpus,
    roles: &Roles,
    evidence: &mut [analysis::CandidateEvidence],
    rs: Resampling,
) -> (&'static str, Option<DistributionSection>) {
    if scores.is_empty() {
        return (analysis::RANK_FAMILY, None);
    }
    let table = ScoreTable::new(scores);
    let dist = distribution::evaluate(&table, roles, &corpus.models, rs);
    let decisive = dist.iter().all(|d| d.rank_excess.is_some());
    let mut details = Vec::new();
    for (ev, d) in evidence.iter_mut().zip(dist) {
        ev.families.extend(d.families);
        if let (true, Some(x)) = (decisive, d.rank_excess) {
            ev.rank_excess = x;
        }
        details.push(d.detail);
    }
    let names = |f: fn(&(String, String)) -> &String| -> Vec<String> {
        let set: std::collections::BTreeSet<&String> = table.by_pair.keys().map(f).collect();
        set.into_iter().cloned().collect()
    };
    let section = DistributionSection {
        records: scores.iter().map(|f| f.records.len()).sum(),
        unusable_records: scores.iter().map(|f| f.unusable).sum(),
        scorers: names(|k| &k.0),
        responders: names(|k| &k.1),
        note: distribution::WEIGHT_TRACE_NOTE.to_string(),
        candidates: details,
    };
    let deciding = if decisive {
        distribution::DISTRIBUTION
    } else {
        analysis::RANK_FAMILY
    };
    (deciding, Some(section))
}

fn score_input(f: &ScoreFile) -> InputEntry {
    let probes: std::collections::BTreeSet<&str> =
        f.records.iter().map(|r| r.probe_id.as_str()).collect();
    InputEntry {
        name: f
            .path
            .file_stem()
            .map_or_else(|| "scores".into(), |s| s.to_string_lossy().into_owned()),
        role: "scores".into(),
        path: f.path.display().to_string(),
        format: "lineage-scores".into(),
        sha256: f.sha256.clone(),
        records: f.records.len() + f.unusable,
        probes: probes.len(),
        missing: 0,
        duplicated: 0,
        empty: f.unusable,
    }
}

/// Weigh aligned channel counts into the default extractors' features and
/// group their similarity cubes by family; shared by `compare` and
/// `matrix`, so both see the same similarities.
pub fn weigh_cubes(
    aligned: channels::Aligned,
    progress: &Progress,
    what: &'static str,
) -> Vec<FamilyCube> {
    let bar = progress.bar(default_extractors().len() as u64, what);
    let mut cubes = Vec::new();
    channels::features(aligned, |family, f| {
        cubes.push((family, SimCube::from_features_inverted(&f)));
        bar.inc(1);
    });
    bar.finish_and_clear();
    group_cubes(cubes)
}

/// One cube per family, in order of first appearance: the element-wise mean
/// of its extractors' cubes, with the family's weight.
pub fn group_cubes(cubes: Vec<(Family, SimCube)>) -> Vec<FamilyCube> {
    let mut by_family: Vec<(Family, Vec<SimCube>)> = Vec::new();
    for (family, cube) in cubes {
        match by_family.iter_mut().find(|(f, _)| *f == family) {
            Some((_, v)) => v.push(cube),
            None => by_family.push((family, vec![cube])),
        }
    }
    by_family
        .into_iter()
        .map(|(f, cubes)| FamilyCube {
            name: f.as_str(),
            weight: family_weight(f),
            cube: SimCube::mean_of(&cubes),
        })
        .collect()
}

/// Combination weight of each family of `extractors`, as reported.
pub fn family_weights(
    extractors: &[Box<dyn crate::fingerprint::Extractor>],
) -> std::collections::BTreeMap<String, f64> {
    extractors
        .iter()
        .map(|e| (e.family().as_str().to_string(), family_weight(e.family())))
        .collect()
}

/// The reported settings of an analysis over [`default_extractors`] (the
/// `compare` report and, inlined, the `matrix` report).
pub fn parameters(format: Option<Format>, alpha: f64, rs: Resampling) -> Parameters {
    let extractors = default_extractors();
    let weights = family_weights(&extractors);
    Parameters {
        seed: rs.seed,
        alpha,
        resamples: rs.resamples,
        bootstrap: rs.bootstrap,
        confidence: rs.confidence,
        format: format.map(|f| f.as_str().to_string()),
        extractors: extractors.iter().map(|e| e.name().to_string()).collect(),
        family_weights: weights,
        stop_after_exceedances: rs.sequential.map(|_| rs.stop_after()),
        read_options: input::ReadOptions::default(),
    }
}

fn inputs<D: Borrow<Dataset>>(datasets: &[D], corpus: &Corpus, nt: usize) -> Vec<InputEntry> {
    datasets
        .iter()
        .map(Borrow::borrow)
        .zip(&corpus.stats)
        .enumerate()
        .map(|(i, (d, st))| InputEntry {
            name: d.name.clone(),
            role: match i {
                0 => "student",
                i if i <= nt => "candidate",
                _ => "reference",
            }
            .into(),
            path: d.path.display().to_string(),
            format: d.format.as_str().into(),
            sha256: d.sha256.clone(),
            records: d.records.len(),
            probes: st.probes,
            missing: st.missing,
            duplicated: st.duplicated,
            empty: st.empty,
        })
        .collect()
}
