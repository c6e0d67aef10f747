//! The `distribution` evidence family: what open-weight models think of
//! each other's responses, from score files of `lineage score`
//! ([`crate::fingerprint::distribution`]).
//!
//! Two measures, each tested per candidate teacher T like the text
//! families ([`super::analysis`]): per-probe excess over the reference
//! panel, percentile-bootstrap CI, one-sided sign-flip test against every
//! panel model (maximum p, Berger 1982), prediction-interval test against
//! the panel's between-model spread (Geisser 1993), Holm across families.
//!
//! - `distribution` (cross-likelihood). A student distilled from T was
//!   fitted to T's outputs, so it gives T's responses unusually high
//!   likelihood (the sequence-level view of knowledge distillation: Hinton
//!   et al. 2015; Kim & Rush 2016; membership-style likelihood tests,
//!   Carlini et al. 2021, "Extracting training data from large language
//!   models", USENIX Security). For scorer X and probe i the *preference*
//!   `d_X(i) = ℓ_X(T_i) − mean_R ℓ_X(R_i)` compares the per-byte
//!   log-likelihood ℓ X gives T's response with the mean it gives the
//!   panel's responses (R ≠ X). Per byte, so models with different
//!   tokenizers compare. The student's preference is calibrated by the
//!   panel models' own preferences for T: excess `e_i = d_S(i) −
//!   mean_j d_{R_j}(i)`, contrast against R_j `d_S(i) − d_{R_j}(i)`, and
//!   the between-model null sample `mean_i(d_{R_j} − mean_{k≠j} d_{R_k})`.
//!   Needed: S and every panel model score the responses of every
//!   candidate and every panel model.
//! - `distribution_jsd` (next-token distributions; reported). When the
//!   scorers share T's tokenizer and read T's own responses with
//!   `--top-logprobs K`, the per-position Jensen–Shannon divergence (Lin
//!   1991, IEEE Trans. Inf. Theory 37:145–151) between X's and T's top-K
//!   distributions, each completed to the union of both lists plus one
//!   tail bucket (a token missing from one list gets a share of that
//!   list's leftover mass, at most its smallest listed probability) and
//!   renormalised; exact when the lists hold all the mass. Similarity
//!   `1 − JSD / ln 2` in [0, 1], averaged over positions, then the same
//!   excess and tests as above. The top-1 agreement rate (X's and T's most
//!   likely next tokens coincide) is reported alongside.
//!
//! Only the cross-likelihood decides (see [`super::verdict`]): it needs no
//! shared tokenizer, and T need not be open-weight.

use std::collections::{BTreeMap, BTreeSet};

use crate::fingerprint::distribution::{Position, ScoreRecord, ScoreTable};
use crate::report::schema::{DistributionCandidate, FamilyResult};
use crate::stats::mean;

use super::analysis::{summarise, Resampling, Roles, Series};
use super::verdict::MIN_PROBES;

/// Name of the cross-likelihood family (decisive when present).
pub const DISTRIBUTION: &str = "distribution";
/// Name of the next-token-distribution family (reported).
pub const DISTRIBUTION_JSD: &str = "distribution_jsd";

/// The one sentence that reconciles `compare` and `weights`.
pub const WEIGHT_TRACE_NOTE: &str = "Distillation leaves a behavioural trace but no weight trace: a student trained from its own initialisation on a teacher's outputs inherits the teacher's output distribution, measured here, but none of its weights, so `lineage weights` finds the same pair unrelated or not comparable.";

/// Evidence of one candidate.
pub struct DistEvidence {
    pub families: BTreeMap<String, FamilyResult>,
    /// Per-probe cross-likelihood excess (for the ranking test).
    pub rank_excess: Option<Vec<f64>>,
    pub detail: DistributionCandidate,
}

/// Evidence for every candidate, in candidate order.
pub fn evaluate(
    table: &ScoreTable,
    roles: &Roles,
    names: &[String],
    rs: Resampling,
) -> Vec<DistEvidence> {
    let xlik_probes = common_probes(table, roles, names);
    roles
        .candidates
        .iter()
        .map(|&t| candidate(table, roles, names, t, &xlik_probes, rs))
        .collect()
}

fn candidate(
    table: &ScoreTable,
    roles: &Roles,
    names: &[String],
    t: usize,
    probes: &[String],
    rs: Resampling,
) -> DistEvidence {
    let mut families = BTreeMap::new();
    let mut detail = DistributionCandidate {
        name: names[t].clone(),
        cross_likelihood_probes: probes.len(),
        preference: BTreeMap::new(),
        jsd_probes: 0,
        jsd: BTreeMap::new(),
        top1_agreement: BTreeMap::new(),
        notes: Vec::new(),
    };
    let mut rank_excess = None;
    if roles.panel.len() < 3 {
        detail.notes.push("fewer than 3 reference models: the distribution families need a panel of at least 3 open-weight models".into());
    } else if probes.len() < MIN_PROBES {
        detail.notes.push(format!(
            "cross-likelihood: {} probes scored by the student and every panel model on every candidate's and panel model's responses ({MIN_PROBES} needed)",
            probes.len()
        ));
    } else {
        let scorers: Vec<usize> = std::iter::once(roles.student)
            .chain(roles.panel.iter().copied())
            .collect();
        let pref: Vec<Vec<f64>> = scorers
            .iter()
            .map(|&x| preference(table, roles, names, x, t, probes))
            .collect();
        for (&x, d) in scorers.iter().zip(&pref) {
            detail.preference.insert(names[x].clone(), mean(d));
        }
        let s = series(&pref);
        families.insert(
            DISTRIBUTION.to_string(),
            summarise(&s, None, roles, names, t, DISTRIBUTION, rs),
        );
        rank_excess = Some(s.excess);
    }
    if roles.panel.len() >= 3 {
        jsd_family(table, roles, names, t, rs, &mut families, &mut detail);
    }
    DistEvidence {
        families,
        rank_excess,
        detail,
    }
}

/// Probes on which every needed (scorer, responder) pair has a record.
fn common_probes(table: &ScoreTable, roles: &Roles, names: &[String]) -> Vec<String> {
    let scorers = std::iter::once(roles.student).chain(roles.panel.iter().copied());
    let mut sets = Vec::new();
    for x in scorers {
        for &y in roles.candidates.iter().chain(&roles.panel) {
            if x == y {
                continue;
            }
            match table.pair(&names[x], &names[y]) {
                Some(m) => sets.push(m.keys().cloned().collect::<BTreeSet<String>>()),
                None => return Vec::new(),
            }
        }
    }
    let Some(first) = sets.first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|p| sets.iter().all(|s| s.contains(*p)))
        .cloned()
        .collect()
}

/// `d_X(i)`: X's per-byte log-likelihood of T's response minus its mean
/// over the panel's responses (X itself left out).
fn preference(
    table: &ScoreTable,
    roles: &Roles,
    names: &[String],
    x: usize,
    t: usize,
    probes: &[String],
) -> Vec<f64> {
    let others: Vec<&str> = roles
        .panel
        .iter()
        .filter(|&&r| r != x)
        .map(|&r| names[r].as_str())
        .collect();
    probes
        .iter()
        .map(|p| {
            let lt = table.per_byte(&names[x], &names[t], p).unwrap_or(f64::NAN);
            let lr: Vec<f64> = others
                .iter()
                .map(|r| table.per_byte(&names[x], r, p).unwrap_or(f64::NAN))
                .collect();
            lt - mean(&lr)
        })
        .collect()
}

/// Excess, contrasts and between-model null from per-probe scores of the
/// student (row 0) and the panel (rows 1..), higher meaning closer to T.
fn series(rows: &[Vec<f64>]) -> Series {
    let (s, panel) = (&rows[0], &rows[1..]);
    let n = s.len();
    let panel_mean: Vec<f64> = (0..n)
        .map(|i| mean(&panel.iter().map(|r| r[i]).collect::<Vec<_>>()))
        .collect();
    let null_excess: Vec<_> = (0..panel.len())
        .map(|j| {
            let others: Vec<&Vec<f64>> = panel
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != j)
                .map(|(_, r)| r)
                .collect();
            mean(
                &(0..n)
                    .map(|i| panel[j][i] - mean(&others.iter().map(|r| r[i]).collect::<Vec<_>>()))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    Series {
        excess: (0..n).map(|i| s[i] - panel_mean[i]).collect(),
        null_excess,
        contrasts: panel
            .iter()
            .map(|r| (0..n).map(|i| s[i] - r[i]).collect())
            .collect(),
        similarity: mean(s),
        panel_similarity: mean(&panel_mean),
    }
}

/// Per-probe (similarity, top-1 agreement) of scorer X's next-token
/// distributions to T's own on T's responses; `None` for a probe where
/// either lacks positions or the token ids differ (another tokenizer).
fn jsd_probe(x: &[ScoreRecord], t: &[ScoreRecord]) -> Option<(f64, f64)> {
    let mut sims = Vec::new();
    let mut agree = Vec::new();
    for a in x {
        let Some(b) = t.iter().find(|b| b.sample == a.sample) else {
            continue;
        };
        let (Some(pa), Some(pb)) = (&a.positions, &b.positions) else {
            return None;
        };
        if pa.len() != pb.len() || pa.iter().zip(pb).any(|(u, v)| u.token_id != v.token_id) {
            return None;
        }
        for (u, v) in pa.iter().zip(pb) {
            if u.top.is_empty() || v.top.is_empty() {
                return None;
            }
            sims.push(1.0 - jsd(u, v) / std::f64::consts::LN_2);
            agree.push(f64::from(u8::from(top1(u) == top1(v))));
        }
    }
    (!sims.is_empty()).then(|| (mean(&sims), mean(&agree)))
}

fn top1(p: &Position) -> u32 {
    let mut best = &p.top[0];
    for e in &p.top {
        if e.1 > best.1 {
            best = e;
        }
    }
    best.0
}

/// Jensen–Shannon divergence (nats) of two top-K distributions on the
/// union of their lists plus a tail bucket. A token on one list but not
/// the other gets, in the other, an estimate inside that distribution's
/// tail: `min(smallest listed probability, tail / (missing + 1))`; what
/// remains of the tail forms the bucket. Then both are renormalised.
pub fn jsd(a: &Position, b: &Position) -> f64 {
    let union: BTreeSet<u32> = a.top.iter().chain(&b.top).map(|e| e.0).collect();
    let p = complete(a, &union);
    let q = complete(b, &union);
    let kl = |x: &[f64], m: &[f64]| -> f64 {
        x.iter()
            .zip(m)
            .filter(|(a, _)| **a > 0.0)
            .map(|(a, b)| a * (a / b).ln())
            .sum()
    };
    let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| 0.5 * (a + b)).collect();
    (0.5 * kl(&p, &m) + 0.5 * kl(&q, &m)).max(0.0)
}

/// Probabilities of `p` on `union` (in order) and the tail bucket last.
fn complete(p: &Position, union: &BTreeSet<u32>) -> Vec<f64> {
    let listed: BTreeMap<u32, f64> = p.top.iter().map(|&(k, l)| (k, l.exp())).collect();
    let tail = (1.0 - listed.values().sum::<f64>()).max(0.0);
    let missing = union.iter().filter(|k| !listed.contains_key(k)).count();
    let smallest = listed.values().cloned().fold(f64::INFINITY, f64::min);
    let guess = smallest.min(tail / (missing + 1) as f64);
    let mut v: Vec<f64> = union
        .iter()
        .map(|k| listed.get(k).copied().unwrap_or(guess))
        .collect();
    v.push((tail - guess * missing as f64).max(0.0));
    let s: f64 = v.iter().sum();
    if s > 0.0 {
        v.iter_mut().for_each(|x| *x /= s);
    }
    v
}

fn jsd_family(
    table: &ScoreTable,
    roles: &Roles,
    names: &[String],
    t: usize,
    rs: Resampling,
    families: &mut BTreeMap<String, FamilyResult>,
    detail: &mut DistributionCandidate,
) {
    let tn = &names[t];
    let Some(own) = table.pair(tn, tn) else {
        detail.notes.push(format!("next-token distributions: {tn} did not score its own responses, so there is no reference distribution (needs {tn}'s weights and --top-logprobs)"));
        return;
    };
    let scorers: Vec<usize> = std::iter::once(roles.student)
        .chain(roles.panel.iter().copied())
        .collect();
    let mut per: Vec<BTreeMap<&String, (f64, f64)>> = Vec::new();
    for &x in &scorers {
        let Some(m) = table.pair(&names[x], tn) else {
            detail.notes.push(format!(
                "next-token distributions: {} did not score {tn}'s responses",
                names[x]
            ));
            return;
        };
        per.push(
            m.iter()
                .filter_map(|(p, recs)| own.get(p).and_then(|o| jsd_probe(recs, o)).map(|v| (p, v)))
                .collect(),
        );
    }
    let probes: Vec<&String> = per[0]
        .keys()
        .filter(|p| per.iter().all(|m| m.contains_key(*p)))
        .copied()
        .collect();
    detail.jsd_probes = probes.len();
    if probes.len() < MIN_PROBES {
        detail.notes.push(format!(
            "next-token distributions: {} probes where the student and every panel model read {tn}'s responses with the same tokenizer and top-K log-probabilities ({MIN_PROBES} needed)",
            probes.len()
        ));
        return;
    }
    let rows: Vec<Vec<f64>> = per
        .iter()
        .map(|m| probes.iter().map(|p| m[*p].0).collect())
        .collect();
    for ((&x, m), row) in scorers.iter().zip(&per).zip(&rows) {
        detail
            .jsd
            .insert(names[x].clone(), std::f64::consts::LN_2 * (1.0 - mean(row)));
        detail.top1_agreement.insert(
            names[x].clone(),
            mean(&probes.iter().map(|p| m[*p].1).collect::<Vec<_>>()),
        );
    }
    families.insert(
        DISTRIBUTION_JSD.to_string(),
        summarise(&series(&rows), None, roles, names, t, DISTRIBUTION_JSD, rs),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(top: &[(u32, f64)]) -> Position {
        Position {
            token_id: top[0].0,
            logprob: top[0].1,
            top: top.iter().map(|&(k, p)| (k, p.ln())).collect(),
        }
    }

    #[test]
    fn jsd_is_zero_for_equal_and_bounded() {
        let a = pos(&[(1, 0.6), (2, 0.3)]);
        assert!(jsd(&a, &a).abs() < 1e-12);
        let b = pos(&[(3, 0.9), (4, 0.05)]);
        let d = jsd(&a, &b);
        assert!(d > 0.0 && d <= std::f64::consts::LN_2 + 1e-12);
        // Disjoint lists are far apart.
        assert!(d > 0.5);
        // Hand computation on the union {1, 2, 5} + tail: a misses 5
        // (guess min(0.3, 0.1 / 2) = 0.05, tail 0.05); c misses 2 (guess
        // min(0.4, 0.1 / 2) = 0.05, tail 0.05).
        let c = pos(&[(1, 0.5), (5, 0.4)]);
        let p = [0.6f64, 0.3, 0.05, 0.05];
        let q = [0.5f64, 0.05, 0.4, 0.05];
        let kl = |x: &[f64]| -> f64 {
            x.iter()
                .zip(p.iter().zip(&q))
                .map(|(a, (u, v))| a * (a / (0.5 * (u + v))).ln())
                .sum()
        };
        assert!((jsd(&a, &c) - 0.5 * (kl(&p) + kl(&q))).abs() < 1e-12);
    }

    #[test]
    fn series_centres_on_the_panel() {
        let rows = vec![
            vec![3.0, 3.0],
            vec![0.0, 0.0],
            vec![1.0, 1.0],
            vec![2.0, 2.0],
        ];
        let s = series(&rows);
        assert_eq!(s.excess, vec![2.0, 2.0]);
        assert_eq!(s.contrasts[0], vec![3.0, 3.0]);
        assert_eq!(s.null_excess, vec![-1.5, 0.0, 1.5]);
    }
}
