//! The sweep's plot: violation rate against the swept parameters, as SVG.
//!
//! `sweep_svg` picks the chart from how many of the swept parameters vary
//! (have more than one value):
//! - none: one bar, with its 95% Wilson interval;
//! - one: the rate against that parameter, points joined by a line, with the
//!   Wilson interval as error bars;
//! - two: a heat map (first varying parameter across, second up), each cell
//!   coloured by its rate and labelled with it, rate 0 in a distinct colour;
//! - more: the rate against the first varying parameter, one line per
//!   combination of the others (at most `MAX_SERIES` of them).
//!
//! The text is plain SVG `<text>` in a generic font family, so no font file
//! or system library is needed; the layout estimates text widths.
//!
//! The modules: `check` the results, `lines` and `heatmap` the two kinds of
//! chart, and their shared `categories` (the x axis), `scale` (the rate's
//! numbers), `text` (fonts, widths, the header) and `color`.

mod categories;
mod check;
mod color;
mod heatmap;
mod lines;
mod scale;
#[cfg(test)]
mod tests;
mod text;

use check::arrange;
use color::{MAIN_COLOR, PALETTE};
use heatmap::heat_map;
use lines::{line_chart, Series};
use plotters::coord::Shift;
use plotters::prelude::*;
use text::Header;

/// One combination of a sweep, for plotting.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    /// The value of each axis for this combination, in the axes' order.
    pub values: Vec<String>,
    /// Violating runs / decided runs (0 when none was decided).
    pub rate: f64,
    /// The 95% Wilson interval of the rate (0..1 when none was decided).
    pub ci_low: f64,
    pub ci_high: f64,
    /// Runs cut at the step bound: left out of the rate, and marked with
    /// `CUT_MARK` beside it.
    pub decided_runs: u64,
    pub bound_exceeded_runs: u64,
}

/// Beside a rate some of whose runs were cut at the step bound.
pub const CUT_MARK: &str = "\u{2020}";

impl SweepPoint {
    /// The rate as printed on the chart: `-` when no run was decided, marked
    /// when some runs were cut at the step bound.
    fn label(&self) -> String {
        let rate = if self.decided_runs == 0 {
            "-".to_string()
        } else {
            scale::fmt_rate(self.rate)
        };
        if self.bound_exceeded_runs > 0 {
            format!("{rate}{CUT_MARK}")
        } else {
            rate
        }
    }
}

/// A swept parameter: its name (`sb_depth`) and its values in sweep order.
#[derive(Clone, Debug)]
pub struct Axis {
    pub name: String,
    pub values: Vec<String>,
}

/// The most lines a chart of more than two varying parameters may have.
const MAX_SERIES: usize = 12;

/// The SVG drawing surface every chart draws on.
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// A drawing error as the plot's error message.
fn draw_err<E: std::fmt::Display>(e: E) -> String {
    format!("plot: drawing failed: {e}")
}

/// Whether a sweep over `axes` can be drawn, from its axes alone: checked
/// before any run, so that a plot that cannot be drawn is refused before
/// the work, not after it.
pub fn check_shape(axes: &[Axis]) -> Result<(), String> {
    if let Some(a) = axes.iter().find(|a| a.values.is_empty()) {
        return Err(format!("plot: parameter {} has no values", a.name));
    }
    let varying: Vec<&Axis> = axes.iter().filter(|a| a.values.len() > 1).collect();
    if varying.len() > 2 {
        let others = &varying[1..];
        let count: usize = others.iter().map(|a| a.values.len()).product();
        if count > MAX_SERIES {
            let names: Vec<&str> = others.iter().map(|a| a.name.as_str()).collect();
            return Err(format!(
                "plot: {count} lines (one per combination of {}) are too many to read; \
                 plot at most {MAX_SERIES}: fix some of these parameters to one value \
                 (or sweep fewer values of them)",
                names.join(", ")
            ));
        }
    }
    Ok(())
}

/// The plot of a sweep: `title` names the scenario and model.
pub fn sweep_svg(title: &str, axes: &[Axis], points: &[SweepPoint]) -> Result<String, String> {
    check_shape(axes)?;
    let cells = arrange(axes, points)?;
    let varying: Vec<usize> = (0..axes.len())
        .filter(|&k| axes[k].values.len() > 1)
        .collect();
    let fixed: Vec<String> = axes
        .iter()
        .filter(|a| a.values.len() == 1)
        .map(|a| format!("{}={}", a.name, a.values[0]))
        .collect();
    let cut: u64 = points.iter().map(|p| p.bound_exceeded_runs).sum();
    let mut fixed = if fixed.is_empty() {
        String::new()
    } else {
        format!("fixed: {}", fixed.join(", "))
    };
    if cut > 0 {
        let note = format!("{CUT_MARK} {cut} runs cut at the step bound, left out of the rates");
        fixed = if fixed.is_empty() {
            note
        } else {
            format!("{fixed}   \u{b7}   {note}")
        };
    }
    let with_note = |note: &str| {
        if fixed.is_empty() {
            note.to_string()
        } else {
            format!("{fixed}   \u{b7}   {note}")
        }
    };
    let bars_note = "error bars: 95% Wilson interval";
    // Row-major strides, to find the cell of a combination of value indices.
    let mut strides = vec![1; axes.len()];
    for k in (0..axes.len().saturating_sub(1)).rev() {
        strides[k] = strides[k + 1] * axes[k + 1].values.len();
    }
    // The cell where the varying axes `ks` take value indices `is` (the fixed
    // axes have index 0).
    let cell = |ks: &[usize], is: &[usize]| -> &SweepPoint {
        cells[ks
            .iter()
            .zip(is)
            .map(|(&k, &i)| strides[k] * i)
            .sum::<usize>()]
    };

    let header = Header {
        title,
        subtitle: String::new(),
    };
    match varying.len() {
        0 => {
            let label = if axes.is_empty() {
                "(no swept parameters)".to_string()
            } else {
                "(every parameter fixed)".to_string()
            };
            let series = [Series {
                label: String::new(),
                color: MAIN_COLOR,
                points: vec![cells[0]],
            }];
            line_chart(
                &Header {
                    subtitle: with_note(bars_note),
                    ..header
                },
                "",
                &[label],
                &series,
                true,
            )
        }
        1 => {
            let k = varying[0];
            let series = [Series {
                label: String::new(),
                color: MAIN_COLOR,
                points: (0..axes[k].values.len())
                    .map(|i| cell(&[k], &[i]))
                    .collect(),
            }];
            line_chart(
                &Header {
                    subtitle: with_note(bars_note),
                    ..header
                },
                &axes[k].name,
                &axes[k].values,
                &series,
                false,
            )
        }
        2 => {
            let (kx, ky) = (varying[0], varying[1]);
            let (nx, ny) = (axes[kx].values.len(), axes[ky].values.len());
            let grid: Vec<Vec<&SweepPoint>> = (0..nx)
                .map(|i| (0..ny).map(|j| cell(&[kx, ky], &[i, j])).collect())
                .collect();
            heat_map(
                &Header {
                    subtitle: fixed.clone(),
                    ..header
                },
                &axes[kx],
                &axes[ky],
                &grid,
            )
        }
        _ => {
            let kx = varying[0];
            let others = &varying[1..];
            // At most MAX_SERIES: `check_shape` refused more.
            let count: usize = others.iter().map(|&k| axes[k].values.len()).product();
            let mut series = Vec::with_capacity(count);
            for s in 0..count {
                // The value indices of the other varying axes, row-major.
                let mut is = vec![0; others.len()];
                let mut rest = s;
                for (slot, &k) in is.iter_mut().zip(others).rev() {
                    let n = axes[k].values.len();
                    *slot = rest % n;
                    rest /= n;
                }
                let label: Vec<String> = others
                    .iter()
                    .zip(&is)
                    .map(|(&k, &i)| format!("{}={}", axes[k].name, axes[k].values[i]))
                    .collect();
                let mut ks = vec![kx];
                ks.extend_from_slice(others);
                let points = (0..axes[kx].values.len())
                    .map(|x| {
                        let mut all = vec![x];
                        all.extend_from_slice(&is);
                        cell(&ks, &all)
                    })
                    .collect();
                series.push(Series {
                    label: label.join(", "),
                    color: PALETTE[s % PALETTE.len()],
                    points,
                });
            }
            line_chart(
                &Header {
                    subtitle: with_note(bars_note),
                    ..header
                },
                &axes[kx].name,
                &axes[kx].values,
                &series,
                false,
            )
        }
    }
}
