//! The numbers of the violation-rate scale: its top rounded up to a nice
//! number, its tick labels, and the rates written on a chart.

/// The rate as written on a chart: "0", "1", "<0.001" or "0.213".
pub(super) fn fmt_rate(r: f64) -> String {
    if r == 0.0 {
        "0".into()
    } else if r == 1.0 {
        "1".into()
    } else if r < 0.0005 {
        "<0.001".into()
    } else {
        format!("{r:.3}")
    }
}

/// A tick value, without trailing zeros ("0", "0.05", "0.25").
pub(super) fn fmt_tick(v: f64) -> String {
    let s = format!("{:.4}", v.max(0.0));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".into()
    } else {
        s.into()
    }
}

/// `x` rounded up to a "nice" number (1, 2, 2.5 or 5 times a power of 10),
/// at most 1.
pub(super) fn nice_ceil(x: f64) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    let m = [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .find(|&m| m * p >= x * (1.0 - 1e-9))
        .unwrap_or(10.0);
    (m * p).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plot_nice_numbers() {
        assert_eq!(nice_ceil(0.213), 0.25);
        assert_eq!(nice_ceil(0.9), 1.0);
        assert_eq!(nice_ceil(2.0), 1.0);
        assert_eq!(fmt_tick(0.05), "0.05");
        assert_eq!(fmt_tick(0.0), "0");
        assert_eq!(fmt_tick(1.0), "1");
        assert_eq!(fmt_rate(0.2134), "0.213");
        assert_eq!(fmt_rate(0.0001), "<0.001");
        assert_eq!(fmt_rate(0.0), "0");
    }
}
