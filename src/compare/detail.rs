//! Per-probe series behind the HTML report's charts, computed from the same
//! similarity cubes as the report: for the top-ranked candidate T, each
//! probe's S–T similarity against S's mean similarity to the panel, and the
//! between-model null sample (each panel member's excess over the student,
//! leave-one-out as in [`super::analysis`]) against T's excess. Not written
//! to report.json, so its schema and bytes do not change.

use super::analysis::{FamilyCube, Roles, RANK_FAMILY};
use crate::stats::mean;

/// Chart data of one family.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FamilyDetail {
    pub family: String,
    /// Per probe: (S–panel mean similarity, S–T similarity).
    pub scatter: Vec<(f64, f64)>,
    /// Each panel member's mean excess over S: the between-model null.
    pub null_excess: Vec<(String, f64)>,
    /// T's mean excess over S.
    pub observed: f64,
}

/// Chart data of a comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detail {
    /// The candidate charted (the top-ranked one).
    pub candidate: Option<String>,
    /// The ranking family first, then the others.
    pub families: Vec<FamilyDetail>,
}

/// Series for candidate `top` (none without a candidate or a panel).
pub fn compute(
    families: &[FamilyCube],
    roles: &Roles,
    names: &[String],
    top: Option<usize>,
) -> Detail {
    let Some(t) = top.filter(|_| !roles.panel.is_empty()) else {
        return Detail::default();
    };
    let s = roles.student;
    let mut out: Vec<FamilyDetail> = families
        .iter()
        .map(|f| {
            let c = &f.cube;
            let st = c.pair(s, t);
            let scatter = (0..c.probes())
                .map(|i| {
                    let panel: Vec<f64> = roles
                        .panel
                        .iter()
                        .map(|&r| f64::from(c.pair(s, r)[i]))
                        .collect();
                    (mean(&panel), f64::from(st[i]))
                })
                .collect();
            let null_excess = roles
                .panel
                .iter()
                .map(|&r| {
                    let others: Vec<usize> =
                        roles.panel.iter().copied().filter(|&x| x != r).collect();
                    (names[r].clone(), mean(&c.excess(s, r, &others)))
                })
                .collect();
            FamilyDetail {
                family: f.name.to_string(),
                scatter,
                null_excess,
                observed: mean(&c.excess(s, t, &roles.panel)),
            }
        })
        .collect();
    out.sort_by_key(|f| f.family != RANK_FAMILY);
    Detail {
        candidate: Some(names[t].clone()),
        families: out,
    }
}
