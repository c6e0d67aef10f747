//! Holm's step-down adjustment (Holm 1979, "A simple sequentially rejective
//! multiple test procedure", Scand. J. Statist. 6:65–70). Controls the
//! family-wise error rate under any dependence between the tests.

/// Holm-adjusted p-values, in the input order.
pub fn adjust(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut out = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computation() {
        let a = adjust(&[0.01, 0.04, 0.03]);
        assert_eq!(a, vec![0.03, 0.06, 0.06]);
        assert_eq!(adjust(&[0.5]), vec![0.5]);
        assert!(adjust(&[0.9, 0.9]).iter().all(|&x| x <= 1.0));
    }
}
