//! Binary relations over the events of one execution, as bit matrices:
//! the operators herd7's cat language writes `|`, `&`, `\`, `;`, `^-1`,
//! `+`, `*`, `?` and `[S]`, on at most [`EVENTS_MAX`] events.

/// The most events an execution may have for the race check: one bit each
/// in a row.
pub const EVENTS_MAX: usize = 128;

/// A set of events.
pub type Set = u128;

/// A relation on `n` events: `rows[i]` holds the events `i` is related to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    rows: Vec<Set>,
}

impl Relation {
    pub fn empty(n: usize) -> Relation {
        debug_assert!(n <= EVENTS_MAX);
        Relation { rows: vec![0; n] }
    }

    /// `[s]`: the identity on `s`.
    pub fn identity(n: usize, s: Set) -> Relation {
        let mut r = Relation::empty(n);
        for (i, row) in r.rows.iter_mut().enumerate() {
            if s >> i & 1 == 1 {
                *row = 1 << i;
            }
        }
        r
    }

    /// `a * b`: every event of `a` to every event of `b`.
    pub fn product(n: usize, a: Set, b: Set) -> Relation {
        let mut r = Relation::empty(n);
        for (i, row) in r.rows.iter_mut().enumerate() {
            if a >> i & 1 == 1 {
                *row = b;
            }
        }
        r
    }

    /// The relation of the pairs `(i, j)` for which `f` holds.
    pub fn from_fn(n: usize, f: impl Fn(usize, usize) -> bool) -> Relation {
        let mut r = Relation::empty(n);
        for i in 0..n {
            for j in 0..n {
                if f(i, j) {
                    r.rows[i] |= 1 << j;
                }
            }
        }
        r
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.iter().all(|&r| r == 0)
    }

    pub fn add(&mut self, i: usize, j: usize) {
        self.rows[i] |= 1 << j;
    }

    pub fn contains(&self, i: usize, j: usize) -> bool {
        self.rows[i] >> j & 1 == 1
    }

    /// The pairs, in order of their first then second event.
    pub fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.rows.iter().enumerate().flat_map(|(i, &row)| {
            (0..self.rows.len())
                .filter(move |&j| row >> j & 1 == 1)
                .map(move |j| (i, j))
        })
    }

    /// `domain(r)`.
    pub fn domain(&self) -> Set {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, &r)| r != 0)
            .fold(0, |s, (i, _)| s | 1 << i)
    }

    /// `range(r)`.
    pub fn range(&self) -> Set {
        self.rows.iter().fold(0, |s, &r| s | r)
    }

    /// `a | b`.
    pub fn union(&self, other: &Relation) -> Relation {
        self.zip(other, |a, b| a | b)
    }

    /// `a & b`.
    pub fn inter(&self, other: &Relation) -> Relation {
        self.zip(other, |a, b| a & b)
    }

    /// `a \ b`.
    pub fn minus(&self, other: &Relation) -> Relation {
        self.zip(other, |a, b| a & !b)
    }

    fn zip(&self, other: &Relation, f: impl Fn(Set, Set) -> Set) -> Relation {
        Relation {
            rows: self
                .rows
                .iter()
                .zip(&other.rows)
                .map(|(&a, &b)| f(a, b))
                .collect(),
        }
    }

    /// `a ; b`.
    pub fn seq(&self, other: &Relation) -> Relation {
        let rows = self
            .rows
            .iter()
            .map(|&row| {
                let mut out = 0;
                let mut rest = row;
                while rest != 0 {
                    let j = rest.trailing_zeros() as usize;
                    out |= other.rows[j];
                    rest &= rest - 1;
                }
                out
            })
            .collect();
        Relation { rows }
    }

    /// `a ; b ; c ; ...`.
    pub fn chain(parts: &[&Relation]) -> Relation {
        let mut out = parts[0].clone();
        for p in &parts[1..] {
            out = out.seq(p);
        }
        out
    }

    /// `r^-1`.
    pub fn inverse(&self) -> Relation {
        let n = self.rows.len();
        let mut r = Relation::empty(n);
        for (i, j) in self.pairs() {
            r.rows[j] |= 1 << i;
        }
        r
    }

    /// `r+`.
    pub fn plus(&self) -> Relation {
        let mut r = self.clone();
        for k in 0..r.rows.len() {
            let via = r.rows[k];
            for i in 0..r.rows.len() {
                if r.rows[i] >> k & 1 == 1 {
                    r.rows[i] |= via;
                }
            }
        }
        r
    }

    /// `r*`: `r+` and the identity on every event.
    pub fn star(&self) -> Relation {
        self.plus().optional()
    }

    /// `r?`: `r` and the identity on every event.
    pub fn optional(&self) -> Relation {
        let mut r = self.clone();
        for (i, row) in r.rows.iter_mut().enumerate() {
            *row |= 1 << i;
        }
        r
    }

    /// `[a] ; r ; [b]`.
    pub fn restrict(&self, a: Set, b: Set) -> Relation {
        let rows = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, &row)| if a >> i & 1 == 1 { row & b } else { 0 })
            .collect();
        Relation { rows }
    }

    /// Whether `r+` relates no event to itself.
    pub fn is_acyclic(&self) -> bool {
        self.plus().is_irreflexive()
    }

    pub fn is_irreflexive(&self) -> bool {
        self.rows
            .iter()
            .enumerate()
            .all(|(i, &row)| row >> i & 1 == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(n: usize, pairs: &[(usize, usize)]) -> Relation {
        let mut r = Relation::empty(n);
        for &(i, j) in pairs {
            r.add(i, j);
        }
        r
    }

    #[test]
    fn sequence_inverse_and_closures_follow_their_definitions() {
        let a = rel(4, &[(0, 1), (1, 2)]);
        let b = rel(4, &[(2, 3)]);
        assert_eq!(a.seq(&a), rel(4, &[(0, 2)]));
        assert_eq!(a.seq(&b), rel(4, &[(1, 3)]));
        assert_eq!(a.inverse(), rel(4, &[(1, 0), (2, 1)]));
        assert_eq!(a.plus(), rel(4, &[(0, 1), (1, 2), (0, 2)]));
        let star = a.star();
        assert!(star.contains(3, 3) && star.contains(0, 2) && !star.contains(2, 0));
        assert!(a.is_acyclic());
        assert!(!a.union(&rel(4, &[(2, 0)])).is_acyclic());
        assert_eq!(a.restrict(0b10, 0b100), rel(4, &[(1, 2)]));
        assert_eq!(a.domain(), 0b11);
        assert_eq!(a.range(), 0b110);
        assert_eq!(Relation::product(3, 0b1, 0b110), rel(3, &[(0, 1), (0, 2)]));
    }

    #[test]
    fn rows_reach_the_last_of_the_events() {
        let n = EVENTS_MAX;
        let a = rel(n, &[(0, n - 1), (n - 1, 5)]);
        assert!(a.plus().contains(0, 5));
        assert_eq!(a.pairs().collect::<Vec<_>>(), vec![(0, n - 1), (n - 1, 5)]);
    }
}
