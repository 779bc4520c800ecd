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

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// One combination of a sweep, for plotting.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    /// The value of each axis for this combination, in the axes' order.
    pub values: Vec<String>,
    /// Violating runs / runs.
    pub rate: f64,
    /// The 95% Wilson interval of the rate.
    pub ci_low: f64,
    pub ci_high: f64,
}

/// A swept parameter: its name (`sb_depth`) and its values in sweep order.
#[derive(Clone, Debug)]
pub struct Axis {
    pub name: String,
    pub values: Vec<String>,
}

/// The most lines a chart of more than two varying parameters may have.
const MAX_SERIES: usize = 12;

const FONT: &str = "sans-serif";
/// Font sizes in plotters' units (the SVG font-size is this / 1.24).
const TITLE_SIZE: f64 = 26.0;
const SUBTITLE_SIZE: f64 = 17.0;
const DESC_SIZE: f64 = 18.0;
const TICK_SIZE: f64 = 16.0;
const VALUE_SIZE: f64 = 15.0;
const LEGEND_SIZE: f64 = 16.0;

/// Widest plotting area before tick labels are thinned out.
const MAX_PLOT_W: usize = 1000;

const GRID_GREY: RGBColor = RGBColor(225, 225, 225);
const TEXT_DARK: RGBColor = RGBColor(40, 40, 40);
const TEXT_GREY: RGBColor = RGBColor(90, 90, 90);
/// The colour of a heat-map cell whose rate is exactly 0.
const ZERO_COLOR: RGBColor = RGBColor(204, 224, 204);
/// The colour of the single series (and of the bar).
const MAIN_COLOR: RGBColor = RGBColor(31, 119, 180);
/// Distinct series colours (Tableau 10, then two more).
const PALETTE: [RGBColor; MAX_SERIES] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 128),
    RGBColor(0, 0, 0),
];
/// The heat map's sequential scale, white to dark red (ColorBrewer "Reds").
const HEAT_STOPS: [(f64, f64, f64); 5] = [
    (255.0, 245.0, 240.0),
    (252.0, 187.0, 161.0),
    (251.0, 106.0, 74.0),
    (203.0, 24.0, 29.0),
    (103.0, 0.0, 13.0),
];

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// The plot of a sweep: `title` names the scenario and model.
pub fn sweep_svg(title: &str, axes: &[Axis], points: &[SweepPoint]) -> Result<String, String> {
    let cells = arrange(axes, points)?;
    let varying: Vec<usize> = (0..axes.len())
        .filter(|&k| axes[k].values.len() > 1)
        .collect();
    let fixed: Vec<String> = axes
        .iter()
        .filter(|a| a.values.len() == 1)
        .map(|a| format!("{}={}", a.name, a.values[0]))
        .collect();
    let fixed = if fixed.is_empty() {
        String::new()
    } else {
        format!("fixed: {}", fixed.join(", "))
    };
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
            let count: usize = others.iter().map(|&k| axes[k].values.len()).product();
            if count > MAX_SERIES {
                let names: Vec<&str> = others.iter().map(|&k| axes[k].name.as_str()).collect();
                return Err(format!(
                    "plot: {count} lines (one per combination of {}) are too many to read; \
                     plot at most {MAX_SERIES}: fix some of these parameters to one value \
                     (or sweep fewer values of them)",
                    names.join(", ")
                ));
            }
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

/// The points in row-major order over the axes, checked to be exactly one per
/// combination (found by their values, so their order does not matter).
fn arrange<'p>(axes: &[Axis], points: &'p [SweepPoint]) -> Result<Vec<&'p SweepPoint>, String> {
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

struct Header<'t> {
    title: &'t str,
    subtitle: String,
}

struct Series<'p> {
    label: String,
    color: RGBColor,
    points: Vec<&'p SweepPoint>,
}

fn draw_err<E: std::fmt::Display>(e: E) -> String {
    format!("plot: drawing failed: {e}")
}

/// Estimated width in pixels of `s` at plotters font size `size`.
fn text_w(s: &str, size: f64) -> usize {
    (s.chars().count() as f64 * size / 1.24 * 0.6).ceil() as usize
}

fn style(size: f64, color: &RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    (FONT, size).into_font().color(color).pos(Pos::new(h, v))
}

impl Header<'_> {
    fn height(&self) -> usize {
        if self.subtitle.is_empty() {
            44
        } else {
            70
        }
    }

    fn width(&self) -> usize {
        text_w(self.title, TITLE_SIZE).max(text_w(&self.subtitle, SUBTITLE_SIZE)) + 40
    }

    /// Draws the title and subtitle across the top of `root`; returns the rest.
    fn draw<'a>(&self, root: &Area<'a>) -> Result<Area<'a>, String> {
        let mid = root.dim_in_pixel().0 as i32 / 2;
        let top = style(TITLE_SIZE, &BLACK, HPos::Center, VPos::Top);
        root.draw(&Text::new(self.title.to_string(), (mid, 12), top))
            .map_err(draw_err)?;
        if !self.subtitle.is_empty() {
            let sub = style(SUBTITLE_SIZE, &TEXT_GREY, HPos::Center, VPos::Top);
            root.draw(&Text::new(self.subtitle.clone(), (mid, 42), sub))
                .map_err(draw_err)?;
        }
        Ok(root.margin(self.height() as i32, 0, 0, 0))
    }
}

/// The rate as written on a chart: "0", "1", "<0.001" or "0.213".
fn fmt_rate(r: f64) -> String {
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
fn fmt_tick(v: f64) -> String {
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
fn nice_ceil(x: f64) -> f64 {
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

/// Tick positions (category indices) so that labels `slot` pixels apart
/// do not collide in a plot `plot_w` pixels wide.
fn category_ticks(n: usize, need: usize, plot_w: usize) -> Vec<f64> {
    let per = (plot_w / n.max(1)).max(1);
    let step = need.div_ceil(per).max(1);
    (0..n).step_by(step).map(|i| i as f64).collect()
}

/// A categorical axis: category `i` sits at `i`, the axis spans
/// `-0.5..n - 0.5`, with ticks at the given categories only.
struct Categories {
    n: usize,
    ticks: Vec<f64>,
}

impl Ranged for Categories {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let frac = (v + 0.5) / self.n.max(1) as f64;
        limit.0 + ((limit.1 - limit.0) as f64 * frac).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        -0.5..self.n as f64 - 0.5
    }
}

/// The label of the category at `x` (a tick position).
fn category(cats: &[String], x: f64) -> String {
    let i = x.round();
    if i >= 0.0 && (i as usize) < cats.len() {
        cats[i as usize].clone()
    } else {
        String::new()
    }
}

/// Rate (with Wilson error bars) against a categorical x axis, one line per
/// series; with `bar`, the (single) point is drawn as a bar instead.
fn line_chart(
    header: &Header,
    x_name: &str,
    cats: &[String],
    series: &[Series],
    bar: bool,
) -> Result<String, String> {
    let n = cats.len();
    let legend = series.len() > 1;
    let label_w = cats.iter().map(|c| text_w(c, TICK_SIZE)).max().unwrap_or(0);
    let need = (label_w + 16).max(56);
    let min_w = if bar {
        260
    } else if legend {
        560
    } else {
        460
    };
    let plot_w = (n * need).clamp(min_w, MAX_PLOT_W);
    let plot_h = 380;
    let x_area = 62;
    let y_area = 78;
    let legend_w = if legend {
        series
            .iter()
            .map(|s| text_w(&s.label, LEGEND_SIZE))
            .max()
            .unwrap_or(0)
            + 62
    } else {
        0
    };
    let margin = 14;
    let chart_w = margin + y_area + plot_w + 2 * margin;
    let w = (chart_w + legend_w).max(header.width()) as u32;
    let h = (header.height() + margin + plot_h + x_area + margin) as u32;

    let hi = series
        .iter()
        .flat_map(|s| &s.points)
        .map(|p| p.ci_high.max(p.rate))
        .fold(0.0, f64::max);
    let y_max = if hi <= 0.0 { 1.0 } else { nice_ceil(hi * 1.12) };
    let ticks = category_ticks(n, need, plot_w);
    let value_labels = !legend && n * 48 <= plot_w;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let body = header.draw(&root)?;
        let (chart_area, legend_area) = body.split_horizontally(w as i32 - legend_w as i32);
        let mut chart = ChartBuilder::on(&chart_area)
            .margin(margin as i32)
            .margin_right(2 * margin as i32)
            .x_label_area_size(x_area as i32)
            .y_label_area_size(y_area as i32)
            .build_cartesian_2d(Categories { n, ticks }, 0.0..y_max)
            .map_err(draw_err)?;
        let x_fmt = |x: &f64| category(cats, *x);
        let y_fmt = |y: &f64| fmt_tick(*y);
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .bold_line_style(GRID_GREY)
            .light_line_style(TRANSPARENT)
            .y_labels(8)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .y_desc("violation rate")
            .label_style((FONT, TICK_SIZE))
            .axis_desc_style((FONT, DESC_SIZE));
        if !x_name.is_empty() {
            mesh.x_desc(x_name);
        }
        mesh.draw().map_err(draw_err)?;

        // Dodge the series sideways a little so their error bars stay apart.
        let spread = if series.len() > 1 { 0.3 } else { 0.0 };
        let dodge = |s: usize| {
            if series.len() > 1 {
                spread * (s as f64 / (series.len() - 1) as f64 - 0.5)
            } else {
                0.0
            }
        };
        for (s, ser) in series.iter().enumerate() {
            let color = ser.color;
            let xy: Vec<(f64, &SweepPoint)> = ser
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| (i as f64 + dodge(s), *p))
                .collect();
            if bar {
                chart
                    .draw_series(xy.iter().map(|&(x, p)| {
                        Rectangle::new([(x - 0.18, 0.0), (x + 0.18, p.rate)], color.filled())
                    }))
                    .map_err(draw_err)?;
            } else {
                chart
                    .draw_series(LineSeries::new(
                        xy.iter().map(|&(x, p)| (x, p.rate)),
                        color.stroke_width(2),
                    ))
                    .map_err(draw_err)?;
            }
            let bar_color = if bar { TEXT_DARK } else { color };
            let whisker = if legend {
                bar_color.mix(0.6).stroke_width(1)
            } else {
                bar_color.stroke_width(2)
            };
            let radius = if legend { 4 } else { 5 };
            chart
                .draw_series(
                    xy.iter().map(|&(x, p)| {
                        PathElement::new(vec![(x, p.ci_low), (x, p.ci_high)], whisker)
                    }),
                )
                .map_err(draw_err)?;
            for end in [|p: &SweepPoint| p.ci_low, |p: &SweepPoint| p.ci_high] {
                chart
                    .draw_series(xy.iter().map(|&(x, p)| {
                        EmptyElement::at((x, end(p)))
                            + PathElement::new(vec![(-5, 0), (5, 0)], whisker)
                    }))
                    .map_err(draw_err)?;
            }
            if !bar {
                // Rate 0 as a hollow marker, so "never seen" stands out.
                chart
                    .draw_series(xy.iter().map(|&(x, p)| {
                        let fill = if p.rate == 0.0 {
                            WHITE.filled()
                        } else {
                            color.filled()
                        };
                        EmptyElement::at((x, p.rate))
                            + Circle::new((0, 0), radius, fill)
                            + Circle::new((0, 0), radius, color.stroke_width(2))
                    }))
                    .map_err(draw_err)?;
            }
            if bar {
                let above = style(VALUE_SIZE, &TEXT_DARK, HPos::Center, VPos::Bottom);
                chart
                    .draw_series(xy.iter().map(|&(x, p)| {
                        EmptyElement::at((x, p.ci_high.max(p.rate)))
                            + Text::new(fmt_rate(p.rate), (0, -8), above.clone())
                    }))
                    .map_err(draw_err)?;
            } else if value_labels {
                let beside = style(VALUE_SIZE, &TEXT_DARK, HPos::Left, VPos::Bottom);
                chart
                    .draw_series(xy.iter().map(|&(x, p)| {
                        EmptyElement::at((x, p.rate))
                            + Text::new(fmt_rate(p.rate), (8, -4), beside.clone())
                    }))
                    .map_err(draw_err)?;
            }
        }

        if legend {
            let text = style(LEGEND_SIZE, &TEXT_DARK, HPos::Left, VPos::Center);
            let row = 24;
            let top = margin as i32;
            legend_area
                .draw(&Rectangle::new(
                    [
                        (0, top),
                        (
                            legend_w as i32 - margin as i32,
                            top + row * series.len() as i32 + 12,
                        ),
                    ],
                    GRID_GREY.stroke_width(1),
                ))
                .map_err(draw_err)?;
            for (s, ser) in series.iter().enumerate() {
                let y = top + 6 + row / 2 + row * s as i32;
                legend_area
                    .draw(
                        &(EmptyElement::at((10, y))
                            + PathElement::new(vec![(0, 0), (26, 0)], ser.color.stroke_width(2))
                            + Circle::new((13, 0), 4, ser.color.filled())
                            + Text::new(ser.label.clone(), (36, 0), text.clone())),
                    )
                    .map_err(draw_err)?;
            }
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// The heat-map colour of a rate `t` of the scale's maximum (0 < t <= 1):
/// never quite white, so that a small rate differs from the background.
fn heat_color(t: f64) -> RGBColor {
    let t = 0.08 + 0.92 * t.clamp(0.0, 1.0);
    let pos = t * (HEAT_STOPS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(HEAT_STOPS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (HEAT_STOPS[i], HEAT_STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Black or white, whichever reads better on `c`.
fn ink_on(c: RGBColor) -> RGBColor {
    let lum = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
    if lum < 140.0 {
        WHITE
    } else {
        BLACK
    }
}

/// A heat map of `grid[x][y]` over the values of `xa` (across) and `ya` (up),
/// with a colour scale on the right.
fn heat_map(
    header: &Header,
    xa: &Axis,
    ya: &Axis,
    grid: &[Vec<&SweepPoint>],
) -> Result<String, String> {
    let (nx, ny) = (xa.values.len(), ya.values.len());
    let xl_w = xa
        .values
        .iter()
        .map(|v| text_w(v, TICK_SIZE))
        .max()
        .unwrap_or(0);
    let yl_w = ya
        .values
        .iter()
        .map(|v| text_w(v, TICK_SIZE))
        .max()
        .unwrap_or(0);
    let cell_text_w = text_w("<0.001", VALUE_SIZE) + 8;
    // Cells big enough for their rate and the x tick labels, the whole grid
    // at least ~400 x 300 and at most MAX_PLOT_W x 700.
    let cw = (xl_w + 14)
        .max(cell_text_w)
        .max(400 / nx)
        .min(110)
        .min(MAX_PLOT_W / nx)
        .max(4);
    let ch = 46usize.max(300 / ny).min(90).min(700 / ny).max(4);
    let values_fit = cw >= cell_text_w && ch >= 20;
    let (plot_w, plot_h) = (nx * cw, ny * ch);
    let margin = 14;
    let x_area = 62;
    let y_area = yl_w + 52;
    let scale_w = 126;
    let chart_w = margin + y_area + plot_w + margin;
    let w = (chart_w + scale_w).max(header.width()) as u32;
    let h = (header.height() + margin + plot_h + x_area + margin) as u32;

    let max_rate = grid.iter().flatten().map(|p| p.rate).fold(0.0, f64::max);
    let v_max = if max_rate > 0.0 {
        nice_ceil(max_rate)
    } else {
        1.0
    };
    let color_of = |r: f64| {
        if r == 0.0 {
            ZERO_COLOR
        } else {
            heat_color(r / v_max)
        }
    };
    let x_ticks = category_ticks(nx, xl_w + 14, plot_w);
    let y_ticks = category_ticks(ny, 24, plot_h);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let body = header.draw(&root)?;
        let (chart_area, scale_area) = body.split_horizontally(w as i32 - scale_w as i32);
        let mut chart = ChartBuilder::on(&chart_area)
            .margin(margin as i32)
            .x_label_area_size(x_area as i32)
            .y_label_area_size(y_area as i32)
            .build_cartesian_2d(
                Categories {
                    n: nx,
                    ticks: x_ticks,
                },
                Categories {
                    n: ny,
                    ticks: y_ticks,
                },
            )
            .map_err(draw_err)?;
        let x_fmt = |x: &f64| category(&xa.values, *x);
        let y_fmt = |y: &f64| category(&ya.values, *y);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc(xa.name.as_str())
            .y_desc(ya.name.as_str())
            .label_style((FONT, TICK_SIZE))
            .axis_desc_style((FONT, DESC_SIZE))
            .draw()
            .map_err(draw_err)?;
        let cells =
            || (0..nx).flat_map(move |i| (0..ny).map(move |j| (i as f64, j as f64, grid[i][j])));
        chart
            .draw_series(cells().map(|(x, y, p)| {
                Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    color_of(p.rate).filled(),
                )
            }))
            .map_err(draw_err)?;
        if nx * ny <= 2500 {
            // White borders between cells.
            chart
                .draw_series(cells().map(|(x, y, _)| {
                    Rectangle::new(
                        [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                        WHITE.stroke_width(1),
                    )
                }))
                .map_err(draw_err)?;
        }
        if values_fit {
            chart
                .draw_series(cells().map(|(x, y, p)| {
                    let ink = ink_on(color_of(p.rate));
                    Text::new(
                        fmt_rate(p.rate),
                        (x, y),
                        style(VALUE_SIZE, &ink, HPos::Center, VPos::Center),
                    )
                }))
                .map_err(draw_err)?;
        }

        // The colour scale: a bar from 0 to v_max, aligned with the grid,
        // and below it a swatch for rate 0.
        let mut scale = ChartBuilder::on(&scale_area)
            .margin_top(margin as i32)
            .margin_bottom((margin + x_area) as i32)
            .margin_left(4)
            .margin_right(14)
            .set_label_area_size(LabelAreaPosition::Right, 72)
            .build_cartesian_2d(0.0..1.0, 0.0..v_max)
            .map_err(draw_err)?;
        let s_fmt = |y: &f64| fmt_tick(*y);
        scale
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(6)
            .y_label_formatter(&s_fmt)
            .y_desc("violation rate")
            .label_style((FONT, TICK_SIZE))
            .axis_desc_style((FONT, DESC_SIZE))
            .draw()
            .map_err(draw_err)?;
        let steps = 100;
        scale
            .draw_series((0..steps).map(|k| {
                let (a, b) = (k as f64 / steps as f64, (k + 1) as f64 / steps as f64);
                Rectangle::new(
                    [(0.0, a * v_max), (1.0, b * v_max)],
                    heat_color((a + b) / 2.0).filled(),
                )
            }))
            .map_err(draw_err)?;
        scale
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, 0.0), (1.0, v_max)],
                TEXT_GREY.stroke_width(1),
            )))
            .map_err(draw_err)?;
        let (_, body_h) = scale_area.dim_in_pixel();
        let swatch_y = body_h as i32 - margin as i32 - x_area as i32 + 22;
        scale_area
            .draw(
                &(EmptyElement::at((4, swatch_y))
                    + Rectangle::new([(0, 0), (16, 16)], ZERO_COLOR.filled())
                    + Rectangle::new([(0, 0), (16, 16)], TEXT_GREY.stroke_width(1))
                    + Text::new(
                        "rate 0",
                        (22, 8),
                        style(TICK_SIZE, &TEXT_DARK, HPos::Left, VPos::Center),
                    )),
            )
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

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

#[cfg(test)]
mod golden_tmp {
    use crate::plot::{sweep_svg, Axis, SweepPoint};

    fn axis(name: &str, values: &[&str]) -> Axis {
        Axis {
            name: name.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn owned_axis(name: &str, values: Vec<String>) -> Axis {
        Axis {
            name: name.into(),
            values,
        }
    }

    fn points(axes: &[Axis], f: impl Fn(&[usize]) -> f64) -> Vec<SweepPoint> {
        let total: usize = axes.iter().map(|a| a.values.len()).product();
        (0..total)
            .map(|mut flat| {
                let mut is = vec![0; axes.len()];
                for (k, a) in axes.iter().enumerate().rev() {
                    is[k] = flat % a.values.len();
                    flat /= a.values.len();
                }
                let rate: f64 = f(&is);
                let n = 200.0;
                let z = 1.96f64;
                let d = 1.0 + z * z / n;
                let c = (rate + z * z / (2.0 * n)) / d;
                let m = z * ((rate * (1.0 - rate) + z * z / (4.0 * n)) / n).sqrt() / d;
                SweepPoint {
                    values: axes
                        .iter()
                        .zip(&is)
                        .map(|(a, &i)| a.values[i].clone())
                        .collect(),
                    rate,
                    ci_low: (c - m).max(0.0),
                    ci_high: (c + m).min(1.0),
                }
            })
            .collect()
    }

    fn seq(n: usize, f: impl Fn(usize) -> String) -> Vec<String> {
        (0..n).map(f).collect()
    }

    #[test]
    fn plot_golden_outputs() {
        let Some(dir) = std::env::var_os("PLOT_GOLDEN_DIR") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut n = 0;
        let mut out = |name: &str, title: &str, axes: &[Axis], pts: &[SweepPoint]| {
            n += 1;
            let (file, body) = match sweep_svg(title, axes, pts) {
                Ok(svg) => (format!("{n:02}-{name}.svg"), svg),
                Err(e) => (format!("{n:02}-{name}.err.txt"), e),
            };
            std::fs::write(dir.join(file), body).unwrap();
        };
        let ramp = |is: &[usize]| {
            let s: usize = is.iter().enumerate().map(|(k, &i)| (k + 1) * i).sum();
            if is.first() == Some(&0) {
                0.0
            } else {
                (0.013 * s as f64).min(1.0)
            }
        };

        // 0 varying axes.
        let one = [SweepPoint {
            values: vec![],
            rate: 0.0,
            ci_low: 0.0,
            ci_high: 0.02,
        }];
        out("no-axes", "SB on SC", &[], &one);
        let axes = vec![axis("sb_depth", &["2"]), axis("iq_depth", &["1"])];
        out("all-fixed", "SB on TSO", &axes, &points(&axes, |_| 0.25));
        out("all-fixed-one", "SB on TSO", &axes, &points(&axes, |_| 1.0));
        out("all-fixed-tiny", "SB on TSO", &axes, &points(&axes, |_| 0.0002));

        // 1 varying axis.
        let axes = vec![
            axis("sb_depth", &["0", "1", "2", "3", "4", "5", "6", "7", "8"]),
            axis("iq_depth", &["2"]),
            axis("miss_latency", &["20..120"]),
        ];
        out("one-axis", "SB (store buffering) on TSO", &axes, &points(&axes, ramp));
        out("one-axis-zeros", "zeros", &axes, &points(&axes, |_| 0.0));
        let axes = vec![axis("sb_depth", &["0", "1", "2"])];
        out("one-axis-ones", "ones", &axes, &points(&axes, |_| 1.0));
        let lat = seq(30, |i| format!("{}..{}", 10 * (i + 1), 60 * (i + 1)));
        let axes = vec![owned_axis("miss_latency", lat.clone())];
        out("one-axis-30", "many values", &axes, &points(&axes, |is| 0.004 * is[0] as f64));
        let axes = vec![owned_axis("n", seq(200, |i| i.to_string()))];
        out("one-axis-200", "very many", &axes, &points(&axes, |is| (is[0] % 7) as f64 * 0.01));
        let long = "a_rather_long_parameter_name_that_goes_on_and_on";
        let axes = vec![
            owned_axis(long, seq(5, |i| format!("value-number-{i}-with-a-long-label"))),
            axis("another_fixed_parameter_with_a_long_name", &["some-long-fixed-value"]),
        ];
        out(
            "one-axis-long",
            "A very long title: SB (store buffering) with extra words on a weakly ordered model",
            &axes,
            &points(&axes, ramp),
        );

        // 2 varying axes.
        let axes = vec![
            axis("sb_depth", &["0", "1", "2", "3", "4"]),
            axis("iq_depth", &["0", "1", "2", "3", "4"]),
            axis("miss_latency", &["20..120"]),
        ];
        out("heat-5x5", "MP (message passing) on ARM", &axes, &points(&axes, ramp));
        out("heat-5x5-zero", "all zero", &axes, &points(&axes, |_| 0.0));
        let axes = vec![
            owned_axis("miss_latency", lat.clone()),
            axis("iq_depth", &["1", "2", "4"]),
        ];
        out("heat-30x3", "wide grid", &axes, &points(&axes, |is| 0.0001 * (is[0] * is[1]) as f64));
        let axes = vec![
            owned_axis("x", seq(51, |i| i.to_string())),
            owned_axis("y", seq(51, |i| i.to_string())),
        ];
        out("heat-51x51", "huge grid", &axes, &points(&axes, ramp));
        let axes = vec![
            owned_axis("y_first", seq(2, |i| format!("{i}"))),
            owned_axis("q", seq(60, |i| format!("q{i}"))),
        ];
        out("heat-2x60", "tall grid", &axes, &points(&axes, ramp));
        let axes = vec![
            owned_axis(long, seq(4, |i| format!("value-number-{i}-with-a-long-label"))),
            owned_axis("second_long_parameter_name", seq(3, |i| format!("long-y-value-{i}"))),
            axis("fixed_one", &["x"]),
        ];
        out("heat-long", "A very long title for a heat map that is wider than the map", &axes, &points(&axes, ramp));
        let axes = vec![
            axis("sb_depth", &["0", "1"]),
            axis("iq<&>", &["a&b", "<c>"]),
        ];
        out("heat-escape", "\"odd\" <title> & 'quotes'", &axes, &points(&axes, |_| 1.0));

        // 3+ varying axes.
        let axes = vec![
            axis("sb_depth", &["0", "1", "2", "3", "4"]),
            axis("iq_depth", &["1", "2", "4"]),
            axis("miss_latency", &["20", "20..120"]),
            axis("interrupt_rate", &["0"]),
        ];
        out("lines-6", "LB (load buffering) on POWER", &axes, &points(&axes, ramp));
        let axes = vec![
            axis("sb_depth", &["0", "1", "2"]),
            axis("iq_depth", &["0", "1", "2", "3"]),
            axis("miss_latency", &["10", "20", "40"]),
        ];
        out("lines-12", "twelve", &axes, &points(&axes, |is| 0.01 * (is[1] * 3 + is[2]) as f64));
        let axes = vec![
            axis("sb_depth", &["0", "1", "2"]),
            axis("iq_depth", &["0", "1", "2", "3"]),
            axis("miss_latency", &["10", "20", "40", "80"]),
        ];
        out("lines-16-err", "t", &axes, &points(&axes, |_| 0.1));
        let axes = vec![
            owned_axis("x", seq(40, |i| format!("x{i}"))),
            axis("p", &["a", "b"]),
            axis("q", &["c", "d"]),
            axis("r", &["e", "f"]),
        ];
        out("lines-8x40", "eight lines, many x", &axes, &points(&axes, ramp));
        let axes = vec![
            axis("x", &["0", "1", "2"]),
            owned_axis(long, seq(2, |i| format!("value-number-{i}-with-a-long-label"))),
            axis("second_long_parameter_name", &["alpha-long-value", "beta-long-value"]),
        ];
        out("lines-long", "long legend", &axes, &points(&axes, ramp));

        // Error cases.
        let axes = vec![
            axis("sb_depth", &["0", "1", "2", "3", "4"]),
            axis("iq_depth", &["0", "1", "2", "3", "4"]),
        ];
        let pts = points(&axes, ramp);
        out("err-missing", "t", &axes, &pts[1..]);
        let mut p = pts.clone();
        p[1] = p[0].clone();
        out("err-duplicate", "t", &axes, &p);
        let mut p = pts.clone();
        p[3].values[1] = "9".into();
        out("err-unknown", "t", &axes, &p);
        let mut p = pts.clone();
        p[3].rate = f64::NAN;
        out("err-nan", "t", &axes, &p);
        let mut p = pts.clone();
        p[3].ci_high = 1.5;
        out("err-range", "t", &axes, &p);
        let mut p = pts.clone();
        p[3].values.push("x".into());
        out("err-arity", "t", &axes, &p);
        out("err-no-values", "t", &[axis("x", &[])], &[]);
    }
}
