//! The check of a sweep's results before plotting: every value one of its
//! axis's values, every rate and interval within 0..1, and exactly one result
//! per combination of the swept values, put in row-major order.

use super::{Axis, SweepPoint};

/// The points in row-major order over the axes, checked to be exactly one per
/// combination (found by their values, so their order does not matter).
pub(super) fn arrange<'p>(
    axes: &[Axis],
    points: &'p [SweepPoint],
) -> Result<Vec<&'p SweepPoint>, String> {
    if let Some(a) = axes.iter().find(|a| a.values.is_empty()) {
        return Err(format!("plot: parameter {} has no values", a.name));
    }
    let total: usize = axes.iter().map(|a| a.values.len()).product();
    if points.len() != total {
        return Err(format!(
            "plot: {} results for {} combinations of the swept parameters",
            points.len(),
            total
        ));
    }
    let mut slots: Vec<Option<&SweepPoint>> = vec![None; total];
    for p in points {
        if p.values.len() != axes.len() {
            return Err(format!(
                "plot: a result has {} parameter values, not {}",
                p.values.len(),
                axes.len()
            ));
        }
        let mut flat = 0;
        for (a, v) in axes.iter().zip(&p.values) {
            let i =
                a.values.iter().position(|x| x == v).ok_or_else(|| {
                    format!("plot: {}={} is not one of the swept values", a.name, v)
                })?;
            flat = flat * a.values.len() + i;
        }
        let ok = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
        if !(ok(p.rate) && ok(p.ci_low) && ok(p.ci_high)) {
            return Err(format!(
                "plot: rate {} (interval {}..{}) is not within 0..1",
                p.rate, p.ci_low, p.ci_high
            ));
        }
        if slots[flat].replace(p).is_some() {
            return Err(format!(
                "plot: two results for the combination {}",
                p.values.join(", ")
            ));
        }
    }
    // Every slot is filled: as many points as slots and none twice.
    Ok(slots.into_iter().flatten().collect())
}
