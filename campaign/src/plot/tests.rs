//! End-to-end tests of `sweep_svg`: each kind of chart, parsed back as SVG
//! and checked for its text and colours, and the refusal of bad input.

use super::color::{PALETTE, ZERO_COLOR};
use super::scale::fmt_rate;
use super::{sweep_svg, Axis, SweepPoint};
use plotters::style::RGBColor;

fn axis(name: &str, values: &[&str]) -> Axis {
    Axis {
        name: name.into(),
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

/// Every combination of `axes` in row-major order, its rate from `f`
/// (given the value indices), with a rough Wilson interval for 200 runs.
fn points(axes: &[Axis], f: impl Fn(&[usize]) -> f64) -> Vec<SweepPoint> {
    let total: usize = axes.iter().map(|a| a.values.len()).product();
    (0..total)
        .map(|mut flat| {
            let mut is = vec![0; axes.len()];
            for (k, a) in axes.iter().enumerate().rev() {
                is[k] = flat % a.values.len();
                flat /= a.values.len();
            }
            let rate = f(&is);
            let (lo, hi) = wilson(rate, 200.0);
            SweepPoint {
                values: axes
                    .iter()
                    .zip(&is)
                    .map(|(a, &i)| a.values[i].clone())
                    .collect(),
                rate,
                decided_runs: 100,
                bound_exceeded_runs: 0,
                ci_low: lo,
                ci_high: hi,
            }
        })
        .collect()
}

fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z = 1.96f64;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let m = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt() / d;
    ((c - m).max(0.0), (c + m).min(1.0))
}

fn one_axis() -> (Vec<Axis>, Vec<SweepPoint>) {
    let axes = vec![
        axis("sb_depth", &["0", "1", "2", "3", "4", "5", "6", "7", "8"]),
        axis("iq_depth", &["2"]),
        axis("miss_latency", &["20..120"]),
    ];
    let pts = points(&axes, |is| {
        [0.0, 0.0, 0.035, 0.09, 0.14, 0.17, 0.185, 0.19, 0.2][is[0]]
    });
    (axes, pts)
}

fn two_axes() -> (Vec<Axis>, Vec<SweepPoint>) {
    let axes = vec![
        axis("sb_depth", &["0", "1", "2", "3", "4"]),
        axis("iq_depth", &["0", "1", "2", "3", "4"]),
        axis("miss_latency", &["20..120"]),
    ];
    let pts = points(&axes, |is| {
        let (s, q) = (is[0] as f64, is[1] as f64);
        if is[0] == 0 || is[1] == 0 {
            0.0
        } else {
            ((s * 0.05 + q * 0.035) * (1.0 - 0.04 * s)).min(1.0)
        }
    });
    (axes, pts)
}

fn three_axes() -> (Vec<Axis>, Vec<SweepPoint>) {
    let axes = vec![
        axis("sb_depth", &["0", "1", "2", "3", "4"]),
        axis("iq_depth", &["1", "2", "4"]),
        axis("miss_latency", &["20", "20..120"]),
        axis("interrupt_rate", &["0"]),
    ];
    let pts = points(&axes, |is| {
        let s = is[0] as f64;
        let q: f64 = [1.0, 2.0, 4.0][is[1]];
        let m = if is[2] == 1 { 1.6 } else { 1.0 };
        if is[0] == 0 {
            0.0
        } else {
            (0.02 * s * q.sqrt() * m).min(1.0)
        }
    });
    (axes, pts)
}

/// Parses `svg` and returns the text of its `<text>` elements.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

fn check(title: &str, axes: &[Axis], pts: &[SweepPoint]) -> (String, Vec<String>) {
    let svg = sweep_svg(title, axes, pts).expect("plot");
    assert_eq!(svg, sweep_svg(title, axes, pts).unwrap(), "deterministic");
    let t = texts(&svg);
    assert!(t.iter().any(|s| s == title), "title in {t:?}");
    (svg, t)
}

fn save(name: &str, svg: &str) {
    if let Some(dir) = std::env::var_os("WMSIM_PLOT_OUT") {
        let dir = if dir.is_empty() {
            std::path::PathBuf::from("/tmp")
        } else {
            std::path::PathBuf::from(dir)
        };
        std::fs::write(dir.join(format!("plot-{name}.svg")), svg).unwrap();
    }
}

#[test]
fn plot_one_varying_axis_is_a_line_chart() {
    let (axes, pts) = one_axis();
    let (svg, t) = check("SB (store buffering) on TSO", &axes, &pts);
    assert!(t.iter().any(|s| s == "sb_depth"));
    assert!(t.iter().any(|s| s == "violation rate"));
    assert!(t
        .iter()
        .any(|s| s.contains("iq_depth=2") && s.contains("miss_latency=20..120")));
    assert!(t.iter().any(|s| s == "0.035"), "rates written");
    assert!(t.iter().any(|s| s == "8"), "category ticks");
    assert!(svg.contains("<polyline"), "a line");
    save("1axis", &svg);
}

#[test]
fn plot_two_varying_axes_is_a_heat_map() {
    let (axes, pts) = two_axes();
    let (svg, t) = check("MP (message passing) on ARM", &axes, &pts);
    assert!(t.iter().any(|s| s == "sb_depth"));
    assert!(t.iter().any(|s| s == "iq_depth"));
    assert!(t.iter().any(|s| s.contains("miss_latency=20..120")));
    // One label per cell, zero cells written "0" in their own colour.
    let zeros = t.iter().filter(|s| *s == "0").count();
    assert!(zeros >= 9, "{zeros} zero labels");
    let z = ZERO_COLOR;
    let zero_fill = format!("fill=\"#{:02X}{:02X}{:02X}\"", z.0, z.1, z.2);
    // The nine zero cells and the legend's swatch.
    assert_eq!(svg.matches(&zero_fill).count(), 10, "zero cells coloured");
    assert!(t.iter().any(|s| s == &fmt_rate(pts[24].rate)));
    assert!(t.iter().any(|s| s == "rate 0"), "legend for zero");
    save("2axis", &svg);
}

#[test]
fn plot_more_varying_axes_is_one_line_per_combination() {
    let (axes, pts) = three_axes();
    let (svg, t) = check("LB (load buffering) on POWER", &axes, &pts);
    assert!(t.iter().any(|s| s == "sb_depth"));
    assert!(t.iter().any(|s| s == "iq_depth=2, miss_latency=20..120"));
    assert!(t.iter().any(|s| s.contains("interrupt_rate=0")));
    // Six lines in six colours, and no seventh.
    let stroke = |c: RGBColor| format!("stroke=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
    assert!(PALETTE[..6].iter().all(|&c| svg.contains(&stroke(c))));
    assert!(!svg.contains(&stroke(PALETTE[6])));
    save("3axis", &svg);
}

#[test]
fn plot_nothing_varying_is_one_bar() {
    let axes = vec![axis("sb_depth", &["2"]), axis("iq_depth", &["1"])];
    let pts = points(&axes, |_| 0.25);
    let (svg, t) = check("SB on TSO", &axes, &pts);
    assert!(t.iter().any(|s| s == "0.250"));
    assert!(t.iter().any(|s| s.contains("sb_depth=2, iq_depth=1")));
    save("0axis", &svg);
    // No axes at all: the one combination.
    let one = [SweepPoint {
        values: vec![],
        rate: 0.0,
        ci_low: 0.0,
        ci_high: 0.02,
        decided_runs: 100,
        bound_exceeded_runs: 0,
    }];
    check("SB on SC", &[], &one);
}

#[test]
fn plot_escapes_text_and_allows_all_zero_and_all_one() {
    let axes = vec![
        axis("sb_depth", &["0", "1"]),
        axis("iq<&>", &["a&b", "<c>"]),
    ];
    for r in [0.0, 1.0] {
        let pts = points(&axes, |_| r);
        let (_, t) = check("\"odd\" <title> & 'quotes'", &axes, &pts);
        assert!(t.iter().any(|s| s == "iq<&>"));
        assert!(t.iter().any(|s| s == "a&b"));
    }
    let axes = vec![axis("sb_depth", &["0", "1", "2"])];
    check("zeros", &axes, &points(&axes, |_| 0.0));
}

#[test]
fn plot_orders_points_by_their_values() {
    let (axes, pts) = two_axes();
    let mut shuffled = pts.clone();
    shuffled.reverse();
    assert_eq!(
        sweep_svg("t", &axes, &pts).unwrap(),
        sweep_svg("t", &axes, &shuffled).unwrap()
    );
}

#[test]
fn plot_refuses_too_many_lines_and_bad_input() {
    let axes = vec![
        axis("sb_depth", &["0", "1", "2"]),
        axis("iq_depth", &["0", "1", "2", "3"]),
        axis("miss_latency", &["10", "20", "40", "80"]),
    ];
    let pts = points(&axes, |_| 0.1);
    let e = sweep_svg("t", &axes, &pts).unwrap_err();
    assert!(e.contains("16 lines") && e.contains("fix"), "{e}");
    // 12 lines are fine.
    let axes = vec![
        axis("sb_depth", &["0", "1", "2"]),
        axis("iq_depth", &["0", "1", "2", "3"]),
        axis("miss_latency", &["10", "20", "40"]),
    ];
    let pts = points(&axes, |is| 0.01 * (is[1] * 3 + is[2]) as f64);
    let (svg, _) = check("twelve", &axes, &pts);
    save("12lines", &svg);

    let (axes, mut pts) = two_axes();
    assert!(sweep_svg("t", &axes, &pts[1..]).is_err(), "missing point");
    pts[1] = pts[0].clone();
    assert!(sweep_svg("t", &axes, &pts).is_err(), "duplicate point");
    let (axes, mut pts) = two_axes();
    pts[3].values[1] = "9".into();
    assert!(sweep_svg("t", &axes, &pts).is_err(), "unknown value");
    let (axes, mut pts) = two_axes();
    pts[3].rate = f64::NAN;
    assert!(sweep_svg("t", &axes, &pts).is_err(), "NaN rate");
    assert!(sweep_svg("t", &[axis("x", &[])], &[]).is_err(), "no values");
}

#[test]
fn plot_large_sweeps_stay_readable() {
    let lat: Vec<String> = (1..=30)
        .map(|i| format!("{}..{}", 10 * i, 60 * i))
        .collect();
    let lat: Vec<&str> = lat.iter().map(|s| s.as_str()).collect();
    let axes = vec![axis("miss_latency", &lat)];
    let pts = points(&axes, |is| 0.004 * is[0] as f64);
    let (svg, t) = check("many values", &axes, &pts);
    assert!(t.iter().any(|s| s == "10..60"));
    save("30values", &svg);
    let axes = vec![
        axis("miss_latency", &lat),
        axis("iq_depth", &["1", "2", "4"]),
    ];
    let pts = points(&axes, |is| 0.0001 * (is[0] * is[1]) as f64);
    let (svg, _) = check("wide grid", &axes, &pts);
    save("30x3", &svg);
}
