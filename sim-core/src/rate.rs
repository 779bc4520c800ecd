//! A campaign's failure rate and how far to trust it.
//!
//! A run that ended at the step bound neither passed nor failed: it says
//! nothing about the condition. So the rate and its interval count only the
//! decided runs (complete or deadlocked), and the runs cut at the bound are
//! reported beside them; when they are more than a stated share of all
//! runs, the rate is not an answer (`bound_share_exceeded`).

/// Failing runs out of the decided runs, and the runs cut at the bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Violating or deadlocked runs.
    pub failing: u64,
    /// Runs that completed or deadlocked: every run but those cut at the bound.
    pub decided: u64,
    /// Runs that ended at the step bound.
    pub bound_exceeded: u64,
}

/// The share of runs cut at the step bound above which a campaign's rate is
/// not an answer (exit 4), unless the user states another.
pub const BOUND_SHARE_MAX_DEFAULT: f64 = 0.01;

impl Rate {
    /// `failing` of `runs`, `bound_exceeded` of which were cut at the bound.
    pub fn new(failing: u64, runs: u64, bound_exceeded: u64) -> Rate {
        assert!(failing + bound_exceeded <= runs, "more outcomes than runs");
        Rate {
            failing,
            decided: runs - bound_exceeded,
            bound_exceeded,
        }
    }

    /// Every run, decided or not.
    pub fn runs(&self) -> u64 {
        self.decided + self.bound_exceeded
    }

    /// Failing / decided, rounded to six decimals; none when no run was
    /// decided.
    pub fn value(&self) -> Option<f64> {
        (self.decided > 0).then(|| round6(self.failing as f64 / self.decided as f64))
    }

    /// The 95% Wilson score interval of the rate (0..1 when no run was
    /// decided: nothing is known).
    pub fn interval(&self) -> (f64, f64) {
        wilson(self.failing, self.decided)
    }

    /// Whether more than `share_max` of the runs were cut at the bound.
    pub fn bound_share_exceeded(&self, share_max: f64) -> bool {
        self.bound_exceeded as f64 > share_max * self.runs() as f64
    }
}

/// Six decimals: what every output prints of a rate.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The 95% Wilson score interval of `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let n = n as f64;
    let p = k as f64 / n;
    let denominator = 1.0 + z * z / n;
    let center = (p + z * z / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((center - half).max(0.0), (center + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_matches_known_values() {
        // 0 of 100: [0, 0.0370]; 50 of 100: [0.4038, 0.5962].
        let (l, h) = wilson(0, 100);
        assert!(l.abs() < 1e-9 && (h - 0.036_995).abs() < 1e-4, "{l} {h}");
        let (l, h) = wilson(50, 100);
        assert!(
            (l - 0.403_8).abs() < 1e-3 && (h - 0.596_2).abs() < 1e-3,
            "{l} {h}"
        );
    }

    #[test]
    fn runs_cut_at_the_bound_are_neither_passes_nor_failures() {
        // 1000 runs, all cut: no rate, nothing known, far above 1%.
        let all_cut = Rate::new(0, 1000, 1000);
        assert_eq!(all_cut.value(), None);
        assert_eq!(all_cut.interval(), (0.0, 1.0));
        assert!(all_cut.bound_share_exceeded(BOUND_SHARE_MAX_DEFAULT));
        // 30 failing of 100 runs, 40 cut: the rate is 30 of the 60 decided.
        let some_cut = Rate::new(30, 100, 40);
        assert_eq!(some_cut.value(), Some(0.5));
        assert_eq!(some_cut.interval(), wilson(30, 60));
        // Exactly the share is not more than it.
        assert!(!Rate::new(0, 100, 1).bound_share_exceeded(0.01));
        assert!(Rate::new(0, 100, 2).bound_share_exceeded(0.01));
        assert!(!Rate::new(0, 100, 100).bound_share_exceeded(1.0));
    }
}
