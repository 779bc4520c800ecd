//! The search at the heart of `wmsim fences`: the Pareto-minimal barrier
//! placements that make a scenario safe, given a check of one placement.
//!
//! A placement gives each site a choice; each site's choices form a small
//! partial order by strength ([`Strength`]), and placements are ordered
//! site by site. Strengthening never adds behaviours on our machines, so
//! the safe placements are closed upwards: a placement stronger than a safe
//! one is safe, one weaker than an unsafe one is unsafe.
//!
//! Where the placements are few enough ([`FULL_SEARCH_MAX`]) the search
//! looks at all of them, weakest first (by total rank), and asks the check
//! only about those neither rule decides; so every safe placement it asks
//! about is minimal (any weaker one has a smaller rank and was decided
//! before it), and it finds every minimal one. Beyond that it descends
//! greedily from the strongest, once in each site order, to placements
//! where every one-step weakening was checked unsafe: minimal, but not
//! necessarily all of them ([`Search::every`] says which).

use std::collections::BTreeMap;

/// Above this many placements, the search descends greedily instead of
/// looking at every placement.
pub const FULL_SEARCH_MAX: usize = 20_000;

/// A site's choices and their order: `above[i]` lists the choices
/// directly stronger than choice `i`; choice 0 is the weakest. The order
/// is the reflexive-transitive closure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strength {
    above: Vec<Vec<usize>>,
    /// `stronger[i][j]`: choice `j` is at least as strong as choice `i`.
    stronger: Vec<Vec<bool>>,
    rank: Vec<usize>,
}

impl Strength {
    /// From the choices directly above each choice.
    pub fn new(above: Vec<Vec<usize>>) -> Strength {
        let n = above.len();
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
            above,
            stronger,
            rank,
        }
    }

    /// Between two memory accesses of a thread: nothing < `smp_rmb()`,
    /// `smp_wmb()` < `smp_mb()`.
    pub fn fence() -> Strength {
        Strength::new(vec![vec![1, 2], vec![3], vec![3], vec![]])
    }

    pub fn len(&self) -> usize {
        self.above.len()
    }

    pub fn is_empty(&self) -> bool {
        self.above.is_empty()
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

/// What checking one placement found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Safe,
    Unsafe,
    /// Not decided: a bound or the time limit stopped it.
    Unknown,
}

/// What the search found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    /// The minimal safe placements, in the order found (weakest first in a
    /// full search).
    pub placements: Vec<Placement>,
    /// How many placements were checked (the others were decided by the
    /// order).
    pub checked: usize,
    /// Whether every placement was looked at (so `placements` are all the
    /// minimal ones), rather than a greedy descent.
    pub every: bool,
    /// The placements whose check was not decided. While there are any,
    /// a placement above one of them may not be minimal, and one below may
    /// be safe.
    pub unknown: Vec<Placement>,
}

fn at_least(sites: &[Strength], a: &[usize], b: &[usize]) -> bool {
    sites
        .iter()
        .zip(a.iter().zip(b))
        .all(|(s, (&x, &y))| s.at_least(x, y))
}

/// How many placements lie at or below `within`.
pub fn count_within(sites: &[Strength], within: &[usize]) -> usize {
    sites
        .iter()
        .zip(within)
        .map(|(s, &w)| (0..s.len()).filter(|&c| s.at_least(c, w)).count())
        .fold(1usize, |a, b| a.saturating_mul(b))
}

/// Every Pareto-minimal placement at or below `within` that `check` finds
/// safe. `check` must be monotone (a placement at least as strong as a
/// safe one is safe).
pub fn minimal_safe(
    sites: &[Strength],
    within: &[usize],
    check: impl FnMut(&[usize]) -> Check,
) -> Search {
    if count_within(sites, within) <= FULL_SEARCH_MAX {
        full(sites, within, check)
    } else {
        greedy(sites, within, check)
    }
}

fn full(sites: &[Strength], within: &[usize], mut check: impl FnMut(&[usize]) -> Check) -> Search {
    // Each site's choices at or below its bound, and their product.
    let allowed: Vec<Vec<usize>> = sites
        .iter()
        .zip(within)
        .map(|(s, &w)| (0..s.len()).filter(|&c| s.at_least(c, w)).collect())
        .collect();
    let mut all: Vec<Placement> = crate::sweep::every_combination(allowed.iter().map(Vec::len))
        .into_iter()
        .map(|indices| indices.iter().zip(&allowed).map(|(&k, a)| a[k]).collect())
        .collect();
    let rank = |p: &Placement| -> usize { sites.iter().zip(p).map(|(s, &c)| s.rank[c]).sum() };
    // Weakest first; ties in a fixed order, so the answer is deterministic.
    all.sort_by_key(|p| (rank(p), p.clone()));
    let mut seen: BTreeMap<Placement, Check> = BTreeMap::new();
    let mut ask = |p: &Placement| *seen.entry(p.clone()).or_insert_with(|| check(p));
    let mut minimal: Vec<Placement> = Vec::new();
    let mut unsafe_: Vec<Placement> = Vec::new();
    for p in all {
        if minimal.iter().any(|m| at_least(sites, m, &p)) {
            continue; // at least as strong as a safe one
        }
        if unsafe_.iter().any(|u| at_least(sites, &p, u)) {
            continue; // no stronger than an unsafe one
        }
        match ask(&p) {
            Check::Safe => minimal.push(p),
            Check::Unsafe => {
                // Grow it to a strongest unsafe placement, one step up at
                // a time: everything below that is decided at once.
                let mut top = p;
                'grow: loop {
                    for i in 0..sites.len() {
                        for &c in &sites[i].above[top[i]] {
                            if !sites[i].at_least(c, within[i]) {
                                continue;
                            }
                            let mut q = top.clone();
                            q[i] = c;
                            if ask(&q) == Check::Unsafe {
                                top = q;
                                continue 'grow;
                            }
                        }
                    }
                    break;
                }
                // Keep only the strongest unsafe ones: they decide the most.
                unsafe_.retain(|u| !at_least(sites, u, &top));
                unsafe_.push(top);
            }
            Check::Unknown => {}
        }
    }
    let unknown = undecided(&seen);
    Search {
        placements: minimal,
        checked: seen.len(),
        every: true,
        unknown,
    }
}

/// The placements whose check was not decided, in order.
fn undecided(seen: &BTreeMap<Placement, Check>) -> Vec<Placement> {
    seen.iter()
        .filter(|(_, &c)| c == Check::Unknown)
        .map(|(p, _)| p.clone())
        .collect()
}

fn greedy(
    sites: &[Strength],
    within: &[usize],
    mut check: impl FnMut(&[usize]) -> Check,
) -> Search {
    let mut seen: BTreeMap<Placement, Check> = BTreeMap::new();
    let mut ask = |p: &Placement| *seen.entry(p.clone()).or_insert_with(|| check(p));
    let mut found: Vec<Placement> = Vec::new();
    let forward: Vec<usize> = (0..sites.len()).collect();
    let backward: Vec<usize> = forward.iter().rev().copied().collect();
    for order in [forward, backward] {
        let mut p: Placement = within.to_vec();
        if ask(&p) != Check::Safe {
            break;
        }
        let mut proven;
        loop {
            let mut moved = false;
            proven = true;
            'sites: for &i in &order {
                // Straight to nothing first, then one step down.
                let mut tries = sites[i].below(p[i]);
                if p[i] != 0 && !tries.contains(&0) {
                    tries.insert(0, 0);
                }
                for c in tries {
                    let mut q = p.clone();
                    q[i] = c;
                    match ask(&q) {
                        Check::Safe => {
                            p = q;
                            moved = true;
                            break 'sites;
                        }
                        Check::Unknown => proven = false,
                        Check::Unsafe => {}
                    }
                }
            }
            if !moved {
                break;
            }
        }
        if proven && !found.contains(&p) {
            found.push(p);
        }
    }
    let unknown = undecided(&seen);
    Search {
        placements: found,
        checked: seen.len(),
        every: false,
        unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_fence_order_puts_rmb_and_wmb_side_by_side() {
        let f = Strength::fence();
        assert!(f.at_least(0, 3) && f.at_least(1, 3) && f.at_least(0, 2));
        assert!(!f.at_least(1, 2) && !f.at_least(2, 1));
        assert!(!f.at_least(3, 1));
        assert_eq!(f.below(3), vec![1, 2]);
        assert_eq!(f.below(0), Vec::<usize>::new());
    }

    fn as_check(safe: bool) -> Check {
        if safe {
            Check::Safe
        } else {
            Check::Unsafe
        }
    }

    #[test]
    fn store_buffering_needs_a_full_barrier_on_each_side() {
        // SB: safe only with smp_mb() on both sides.
        let sites = [Strength::fence(), Strength::fence()];
        let found = minimal_safe(&sites, &[3, 3], |p| as_check(p == [3, 3]));
        assert_eq!(found.placements, vec![vec![3, 3]]);
        assert!(found.every && found.unknown.is_empty());
        // Message passing: wmb (or mb) on the writer, rmb (or mb) on the
        // reader: one minimal placement, wmb and rmb.
        let mp = minimal_safe(&sites, &[3, 3], |p| {
            as_check(sites[0].at_least(2, p[0]) && sites[1].at_least(1, p[1]))
        });
        assert_eq!(mp.placements, vec![vec![2, 1]]);
        // Below (mb, wmb), no placement keeps the reader's rmb.
        let below = minimal_safe(&sites, &[3, 2], |p| {
            as_check(sites[0].at_least(2, p[0]) && sites[1].at_least(1, p[1]))
        });
        assert!(below.placements.is_empty());
        // Only below (wmb, mb): nothing but the input itself.
        let fixed = minimal_safe(&sites, &[2, 0], |p| as_check(p == [2, 0]));
        // Below a bound, the search builds only what lies below it: 40
        // sites of 4 choices would be 4^40 placements, below nothing one.
        let many = vec![Strength::fence(); 40];
        let none = minimal_safe(&many, &[0; 40], |_| Check::Safe);
        assert_eq!((none.placements, none.checked), (vec![vec![0; 40]], 1));
        assert_eq!(fixed.placements, vec![vec![2, 0]]);
        assert_eq!(fixed.checked, 2, "nothing, then the input");
        // SB is unsafe below (mb, mb): growing the first unsafe placement
        // decides most of the others.
        let sb = minimal_safe(&sites, &[3, 3], |p| as_check(p == [3, 3]));
        assert!(sb.checked < 16, "{} checks", sb.checked);
    }

    #[test]
    fn an_undecided_check_decides_nothing_else() {
        let sites = [Strength::fence()];
        // rmb undecided: mb is checked and found minimal, and the answer
        // says rmb is open.
        let found = minimal_safe(&sites, &[3], |p| match p[0] {
            1 => Check::Unknown,
            3 => Check::Safe,
            _ => Check::Unsafe,
        });
        assert_eq!(found.placements, vec![vec![3]]);
        assert_eq!(found.unknown, vec![vec![1]]);
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
            seeds in prop::collection::vec(prop::collection::vec(0usize..4, 3), 0..4)
        ) {
            let sites = [Strength::fence(), Strength::fence(), Strength::fence()];
            let safe = |p: &[usize]| seeds.iter().any(|s| at_least(&sites, s, p));
            let found = minimal_safe(&sites, &[3, 3, 3], |p| as_check(safe(p)));
            let mut got = found.placements.clone();
            got.sort();
            prop_assert_eq!(got, brute_minimal(&sites, &safe));
            prop_assert!(found.checked <= 64);
            prop_assert!(found.unknown.is_empty());
        }

        /// The greedy descent finds only minimal placements, and at least
        /// one whenever the strongest placement is safe.
        #[test]
        fn the_greedy_descent_finds_minimal_placements(
            seeds in prop::collection::vec(prop::collection::vec(0usize..4, 4), 0..4)
        ) {
            let sites = [Strength::fence(), Strength::fence(), Strength::fence(), Strength::fence()];
            let safe = |p: &[usize]| seeds.iter().any(|s| at_least(&sites, s, p));
            let found = greedy(&sites, &[3, 3, 3, 3], |p| as_check(safe(p)));
            let minimal = brute_minimal(&sites, &safe);
            prop_assert!(!found.every);
            prop_assert_eq!(found.placements.is_empty(), minimal.is_empty());
            for p in &found.placements {
                prop_assert!(minimal.contains(p), "{:?} is not minimal", p);
            }
        }
    }
}
