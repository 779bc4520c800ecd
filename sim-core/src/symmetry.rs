//! Symmetric pairings (`power`): when two threads run the same code, a
//! pairing and its image under swapping them give the same runs with the
//! threads' names swapped. The exhaustive driver explores one pairing of
//! each such class and adds the images of its final states.
//!
//! Why it is exact: let π permute cores, mapping each thread to one with
//! the same instructions, expressions, registers and initial registers
//! (locations stay put: identical code names the same ones). Renaming the
//! cores of a state by π maps the initial state of pairing p to that of
//! π(p), and each transition to an enabled transition (a core's behaviour
//! depends on its code, its window, its pair's buffer, and memory), so the
//! final states of π(p) are the images of those of p: a register of core
//! c in one is the same register of π(c) in the other.
//!
//! What a reader sees stays right: an image is recorded with its own
//! values, whether the condition holds there and whether the filter keeps
//! it, evaluated on those values. Its `state` is the original's, which is
//! a witness only if the condition holds on both: where an image differs
//! from its original there, or the original deadlocks (a deadlock's
//! blocked cores and path are not renamed), the driver explores every
//! pairing instead.

use memory_model::ir::{Observable, Scenario};
use memory_model::Machine;

/// The pairings an exploration can skip: each with the pairing explored in
/// its place and how the observed values map.
pub(crate) struct PairingSymmetry {
    pub skipped: Vec<Skipped>,
}

pub(crate) struct Skipped {
    pub pairing: usize,
    pub explored: usize,
    /// `image[k]`: the index in the observed values of the original whose
    /// value the image has at index `k`.
    pub image: Vec<usize>,
}

impl PairingSymmetry {
    /// The skippable pairings of `m`, or `None` when there is none.
    pub fn of(m: &Machine) -> Option<PairingSymmetry> {
        let pairings = m.pairings();
        if pairings.len() < 2 {
            return None;
        }
        let scenario = m.scenario;
        let n = scenario.threads.len();
        let permutations = automorphisms(scenario);
        if permutations.len() < 2 {
            return None;
        }
        let partners: Vec<Vec<Option<usize>>> = pairings
            .iter()
            .map(|p| {
                (0..n)
                    .map(|c| (0..n).find(|&d| d != c && p[d] == p[c] && p[c] != u8::MAX))
                    .collect()
            })
            .collect();
        let mut skipped = Vec::new();
        for q in 1..pairings.len() {
            'explored: for p in 0..q {
                if skipped.iter().any(|s: &Skipped| s.pairing == p) {
                    continue;
                }
                for pi in &permutations {
                    let maps = (0..n).all(|c| partners[p][c].map(|d| pi[d]) == partners[q][pi[c]]);
                    if !maps {
                        continue;
                    }
                    let Some(image) = observed_image(scenario, pi) else {
                        continue;
                    };
                    skipped.push(Skipped {
                        pairing: q,
                        explored: p,
                        image,
                    });
                    break 'explored;
                }
            }
        }
        (!skipped.is_empty()).then_some(PairingSymmetry { skipped })
    }

    pub fn skips(&self, pairing: usize) -> bool {
        self.skipped.iter().any(|s| s.pairing == pairing)
    }
}

/// Every permutation of the cores that maps each thread to one with the
/// same code (the identity first).
fn automorphisms(scenario: &Scenario) -> Vec<Vec<usize>> {
    let threads = &scenario.threads;
    let n = threads.len();
    let same = |a: usize, b: usize| {
        let (s, t) = (&threads[a], &threads[b]);
        s.instrs == t.instrs
            && s.exprs == t.exprs
            && s.registers == t.registers
            && s.initial_registers == t.initial_registers
    };
    let mut out = Vec::new();
    let mut pi = Vec::with_capacity(n);
    let mut used = vec![false; n];
    fn extend(
        n: usize,
        same: &dyn Fn(usize, usize) -> bool,
        pi: &mut Vec<usize>,
        used: &mut [bool],
        out: &mut Vec<Vec<usize>>,
    ) {
        // At most 8 cores, and only identical threads swap: few.
        if out.len() >= 40_320 {
            return;
        }
        let c = pi.len();
        if c == n {
            out.push(pi.clone());
            return;
        }
        for d in 0..n {
            if !used[d] && same(c, d) {
                used[d] = true;
                pi.push(d);
                extend(n, same, pi, used, out);
                pi.pop();
                used[d] = false;
            }
        }
    }
    extend(n, &same, &mut pi, &mut used, &mut out);
    out
}

/// Where each observed value of an image comes from, if `pi` maps the
/// observed set onto itself.
fn observed_image(scenario: &Scenario, pi: &[usize]) -> Option<Vec<usize>> {
    let observed = &scenario.observed;
    let inverse = {
        let mut inv = vec![0; pi.len()];
        for (c, &d) in pi.iter().enumerate() {
            inv[d] = c;
        }
        inv
    };
    observed
        .iter()
        .map(|&o| {
            // The image's value of `o` is the original's value of π⁻¹(o).
            let from = match o {
                Observable::Register(core, reg) => {
                    Observable::Register(inverse[core as usize] as _, reg)
                }
                Observable::Location(l) => Observable::Location(l),
            };
            observed.iter().position(|&x| x == from)
        })
        .collect()
}
