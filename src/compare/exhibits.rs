//! Exhibits: the probes where the student and the top candidate agree most
//! distinctively, i.e. where their similarity most exceeds the student's
//! best similarity to any panel model. Quoted as short excerpts.

use crate::input::align::Corpus;
use crate::report::schema::Exhibit;

use super::analysis::{FamilyCube, Roles};

/// Characters kept of each quoted text.
pub const EXCERPT: usize = 240;

/// Up to `k` exhibits for candidate `top`, best first (ties by probe order).
pub fn select(
    corpus: &Corpus,
    families: &[FamilyCube],
    roles: &Roles,
    top: Option<usize>,
    k: usize,
) -> Vec<Exhibit> {
    let Some(t) = top else { return Vec::new() };
    if roles.panel.is_empty() {
        return Vec::new();
    }
    let s = roles.student;
    let total_w: f64 = families.iter().map(|f| f.weight).sum();
    let score = |a: usize, b: usize, p: usize| -> f64 {
        families
            .iter()
            .map(|f| f.weight * f64::from(f.cube.pair(a, b)[p]))
            .sum::<f64>()
            / total_w
    };
    let mut margins: Vec<(usize, f64)> = (0..corpus.n_probes())
        .map(|p| {
            let best_panel = roles
                .panel
                .iter()
                .map(|&r| score(s, r, p))
                .fold(f64::MIN, f64::max);
            (p, score(s, t, p) - best_panel)
        })
        .collect();
    margins.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    margins
        .into_iter()
        .take(k)
        .filter(|m| m.1 > 0.0)
        .map(|(p, margin)| Exhibit {
            probe: corpus.probe_keys[p].clone(),
            prompt: excerpt(&corpus.prompts[p]),
            student: excerpt(&corpus.texts[s][p]),
            teacher: excerpt(&corpus.texts[t][p]),
            margin,
        })
        .collect()
}

/// First [`EXCERPT`] characters, whitespace collapsed, with an ellipsis
/// when cut.
pub fn excerpt(text: &str) -> String {
    let flat = crate::input::hash::normalise_ws(text);
    let mut out: String = flat.chars().take(EXCERPT).collect();
    if flat.chars().count() > EXCERPT {
        out.push('…');
    }
    out
}
