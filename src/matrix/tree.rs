//! The lineage tree: average-linkage hierarchical clustering (UPGMA; Sokal
//! & Michener 1958) of the models on a distance derived from the calibrated
//! similarities.
//!
//! Distance: `d(a,b) = c − ½ (e(a,b) + e(b,a))`, with `e` the combined
//! excess similarity ([`super::pairs`]) and `c` the largest symmetrised
//! excess, so the closest pair is at distance 0. Average linkage only
//! compares averages of distances, so the shift `c` does not change the
//! tree, only the heights. Ties merge the pair with the smallest cluster
//! ids first, so the tree is deterministic.

use serde::Serialize;

/// One merge: clusters are numbered like SciPy's linkage matrix (leaves
/// `0..n`, the k-th merge creates cluster `n + k`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Merge {
    pub left: usize,
    pub right: usize,
    pub height: f64,
    pub size: usize,
}

/// Average-linkage merges of an `n × n` symmetric distance matrix.
pub fn upgma(dist: &[f64], n: usize) -> Vec<Merge> {
    // Active clusters: (id, size); distances between active clusters.
    let mut active: Vec<(usize, usize)> = (0..n).map(|i| (i, 1)).collect();
    let mut d: Vec<Vec<f64>> = (0..n).map(|i| dist[i * n..(i + 1) * n].to_vec()).collect();
    let mut merges = Vec::with_capacity(n.saturating_sub(1));
    while active.len() > 1 {
        let (mut bi, mut bj, mut best) = (0, 1, f64::INFINITY);
        for (i, row) in d.iter().enumerate() {
            for (j, &x) in row.iter().enumerate().skip(i + 1) {
                if x < best {
                    (bi, bj, best) = (i, j, x);
                }
            }
        }
        let (ida, na) = active[bi];
        let (idb, nb) = active[bj];
        let (wa, wb) = (na as f64, nb as f64);
        let row: Vec<f64> = (0..active.len())
            .map(|k| (wa * d[bi][k] + wb * d[bj][k]) / (wa + wb))
            .collect();
        merges.push(Merge {
            left: ida.min(idb),
            right: ida.max(idb),
            height: best,
            size: na + nb,
        });
        // Replace bi by the new cluster, drop bj.
        active[bi] = (n + merges.len() - 1, na + nb);
        for k in 0..active.len() {
            d[bi][k] = row[k];
            d[k][bi] = row[k];
        }
        d[bi][bi] = 0.0;
        active.remove(bj);
        d.remove(bj);
        d.iter_mut().for_each(|r| {
            r.remove(bj);
        });
    }
    merges
}

/// Leaves in dendrogram order (left to right).
pub fn leaf_order(merges: &[Merge], n: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let Some(root) = merges.len().checked_sub(1).map(|k| n + k) else {
        return vec![0];
    };
    let mut out = Vec::with_capacity(n);
    let mut stack = vec![root];
    while let Some(c) = stack.pop() {
        if c < n {
            out.push(c);
        } else {
            let m = &merges[c - n];
            stack.push(m.right);
            stack.push(m.left);
        }
    }
    out
}

/// Newick string with branch lengths (heights halved, as in UPGMA).
pub fn newick(merges: &[Merge], names: &[String]) -> String {
    let n = names.len();
    if n == 0 {
        return ";".into();
    }
    fn height(c: usize, n: usize, merges: &[Merge]) -> f64 {
        if c < n {
            0.0
        } else {
            merges[c - n].height / 2.0
        }
    }
    fn node(c: usize, n: usize, merges: &[Merge], names: &[String]) -> String {
        if c < n {
            return quote(&names[c]);
        }
        let m = &merges[c - n];
        let h = m.height / 2.0;
        format!(
            "({}:{:.6},{}:{:.6})",
            node(m.left, n, merges, names),
            (h - height(m.left, n, merges)).max(0.0),
            node(m.right, n, merges, names),
            (h - height(m.right, n, merges)).max(0.0)
        )
    }
    let root = if merges.is_empty() {
        0
    } else {
        n + merges.len() - 1
    };
    format!("{};", node(root, n, merges, names))
}

/// Newick-safe label: quoted when it holds a reserved character.
fn quote(name: &str) -> String {
    if name.chars().any(|c| "()[]':;, \t".contains(c)) {
        format!("'{}'", name.replace('\'', "''"))
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_close_pairs_first() {
        // a,b close; c,d close; the two pairs far apart.
        let d = [
            0.0, 1.0, 5.0, 5.0, //
            1.0, 0.0, 5.0, 5.0, //
            5.0, 5.0, 0.0, 2.0, //
            5.0, 5.0, 2.0, 0.0,
        ];
        let m = upgma(&d, 4);
        assert_eq!(
            m[0],
            Merge {
                left: 0,
                right: 1,
                height: 1.0,
                size: 2
            }
        );
        assert_eq!(
            m[1],
            Merge {
                left: 2,
                right: 3,
                height: 2.0,
                size: 2
            }
        );
        assert_eq!((m[2].left, m[2].right, m[2].height), (4, 5, 5.0));
        assert_eq!(leaf_order(&m, 4), vec![0, 1, 2, 3]);
        let names: Vec<String> = ["a", "b", "c d", "e"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            newick(&m, &names),
            "((a:0.500000,b:0.500000):2.000000,('c d':1.000000,e:1.000000):1.500000);"
        );
    }

    #[test]
    fn degenerate_sizes() {
        assert!(upgma(&[], 0).is_empty());
        assert!(upgma(&[0.0], 1).is_empty());
        assert_eq!(leaf_order(&[], 1), vec![0]);
    }
}
