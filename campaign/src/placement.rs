//! The search at the heart of `wmsim fences` (issue 15, in progress): the
//! Pareto-minimal barrier placements that make a scenario safe, given a
//! check of one placement.
//!
//! A placement gives each site a choice; each site's choices form a small
//! partial order by strength ([`Strength`]), and placements are ordered
//! site by site. Strengthening never adds behaviours on our machines, so
//! the safe placements are closed upwards: a placement stronger than a safe
//! one is safe, one weaker than an unsafe one is unsafe. The search asks
//! the check only about placements neither rule decides, weakest first (by
//! total rank), so every safe placement it asks about is minimal: any
//! weaker one has a smaller rank and was decided before it.

/// A site's choices and their order: `above[i]` lists the choices
/// directly stronger than choice `i`; choice 0 is the weakest. The order
/// is the reflexive-transitive closure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strength {
    pub names: Vec<&'static str>,
    above: Vec<Vec<usize>>,
    /// `stronger[i][j]`: choice `j` is at least as strong as choice `i`.
    stronger: Vec<Vec<bool>>,
    rank: Vec<usize>,
}

impl Strength {
    /// From each choice's name and the choices directly above it.
    pub fn new(names: Vec<&'static str>, above: Vec<Vec<usize>>) -> Strength {
        let n = names.len();
        let mut stronger = vec![vec![false; n]; n];
        for (i, row) in stronger.iter_mut().enumerate() {
            let mut stack = vec![i];
            while let Some(c) = stack.pop() {
                if !row[c] {
                    row[c] = true;
                    stack.extend(&above[c]);
                }
            }
        }
        // A choice's rank: how many choices are strictly weaker.
        let rank = (0..n)
            .map(|j| (0..n).filter(|&i| i != j && stronger[i][j]).count())
            .collect();
        Strength {
            names,
            above,
            stronger,
            rank,
        }
    }

    /// Between two memory accesses of a thread: nothing < `barrier()` <
    /// `smp_rmb()`, `smp_wmb()` < `smp_mb()`.
    pub fn fence() -> Strength {
        Strength::new(
            vec!["", "barrier()", "smp_rmb()", "smp_wmb()", "smp_mb()"],
            vec![vec![1], vec![2, 3], vec![4], vec![4], vec![]],
        )
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Whether choice `b` is at least as strong as choice `a`.
    pub fn at_least(&self, a: usize, b: usize) -> bool {
        self.stronger[a][b]
    }

    /// The choices directly weaker than `c`: what "one step weaker" means
    /// when a minimal placement is explained.
    pub fn below(&self, c: usize) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.above[i].contains(&c))
            .collect()
    }
}

/// One choice per site.
pub type Placement = Vec<usize>;

/// What the search found: the minimal safe placements, weakest first, and
/// how many placements it checked (the others were decided by the order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minimal {
    pub placements: Vec<Placement>,
    pub checked: usize,
}

fn at_least(sites: &[Strength], a: &[usize], b: &[usize]) -> bool {
    sites
        .iter()
        .zip(a.iter().zip(b))
        .all(|(s, (&x, &y))| s.at_least(x, y))
}

/// Every Pareto-minimal placement that `safe` accepts. `safe` must be
/// monotone (a placement at least as strong as a safe one is safe).
pub fn minimal_safe(sites: &[Strength], mut safe: impl FnMut(&[usize]) -> bool) -> Minimal {
    let mut all = crate::sweep::every_combination(sites.iter().map(Strength::len));
    let rank = |p: &Placement| -> usize { sites.iter().zip(p).map(|(s, &c)| s.rank[c]).sum() };
    // Weakest first; ties in a fixed order, so the answer is deterministic.
    all.sort_by_key(|p| (rank(p), p.clone()));
    let mut minimal: Vec<Placement> = Vec::new();
    let mut unsafe_: Vec<Placement> = Vec::new();
    let mut checked = 0;
    for p in all {
        if minimal.iter().any(|m| at_least(sites, m, &p)) {
            continue; // at least as strong as a safe one
        }
        if unsafe_.iter().any(|u| at_least(sites, &p, u)) {
            continue; // no stronger than an unsafe one
        }
        checked += 1;
        if safe(&p) {
            minimal.push(p);
        } else {
            // Keep only the strongest unsafe ones: they decide the most.
            unsafe_.retain(|u| !at_least(sites, u, &p));
            unsafe_.push(p);
        }
    }
    Minimal {
        placements: minimal,
        checked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_fence_order_puts_rmb_and_wmb_side_by_side() {
        let f = Strength::fence();
        assert!(f.at_least(0, 4) && f.at_least(1, 2) && f.at_least(2, 4));
        assert!(!f.at_least(2, 3) && !f.at_least(3, 2));
        assert!(!f.at_least(4, 1));
        assert_eq!(f.below(4), vec![2, 3]);
        assert_eq!(f.below(0), Vec::<usize>::new());
    }

    #[test]
    fn store_buffering_needs_a_full_barrier_on_each_side() {
        // SB: safe only with smp_mb() on both sides.
        let sites = [Strength::fence(), Strength::fence()];
        let found = minimal_safe(&sites, |p| p == [4, 4]);
        assert_eq!(found.placements, vec![vec![4, 4]]);
        // Message passing: wmb (or mb) on the writer, rmb (or mb) on the
        // reader: one minimal placement, wmb and rmb.
        let mp = minimal_safe(&sites, |p| {
            sites[0].at_least(3, p[0]) && sites[1].at_least(2, p[1])
        });
        assert_eq!(mp.placements, vec![vec![3, 2]]);
    }

    /// The minimal safe placements, by looking at every placement.
    fn brute_minimal(sites: &[Strength], safe: &dyn Fn(&[usize]) -> bool) -> Vec<Placement> {
        let every = crate::sweep::every_combination(sites.iter().map(Strength::len));
        let safe_ones: Vec<Placement> = every.into_iter().filter(|p| safe(p)).collect();
        let mut minimal: Vec<Placement> = safe_ones
            .iter()
            .filter(|p| !safe_ones.iter().any(|q| q != *p && at_least(sites, q, p)))
            .cloned()
            .collect();
        minimal.sort();
        minimal
    }

    proptest! {
        /// The search finds exactly the minimal elements of any up-closed
        /// set (the safe placements generated from a few seeds), and asks
        /// no more than every placement.
        #[test]
        fn finds_exactly_the_minimal_safe_placements(
            seeds in prop::collection::vec(prop::collection::vec(0usize..5, 3), 0..4)
        ) {
            let sites = [Strength::fence(), Strength::fence(), Strength::fence()];
            let safe = |p: &[usize]| seeds.iter().any(|s| at_least(&sites, s, p));
            let found = minimal_safe(&sites, safe);
            let mut got = found.placements.clone();
            got.sort();
            prop_assert_eq!(got, brute_minimal(&sites, &safe));
            prop_assert!(found.checked <= 125);
        }
    }
}
