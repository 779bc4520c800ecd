//! The line chart: the rate against a categorical x axis, one line per
//! series with the Wilson interval as error bars, a legend when there are
//! several lines, or a single bar when nothing varies.

use super::categories::{category, category_ticks, Categories, MAX_PLOT_W};
use super::color::{GRID_GREY, TEXT_DARK};
use super::scale::{fmt_tick, nice_ceil};
use super::text::{style, text_w, Header, DESC_SIZE, FONT, LEGEND_SIZE, TICK_SIZE, VALUE_SIZE};
use super::{draw_err, SweepPoint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// One line of a line chart: its legend label, colour and points.
pub(super) struct Series<'p> {
    pub(super) label: String,
    pub(super) color: RGBColor,
    pub(super) points: Vec<&'p SweepPoint>,
}

/// Rate (with Wilson error bars) against a categorical x axis, one line per
/// series; with `bar`, the (single) point is drawn as a bar instead.
pub(super) fn line_chart(
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
                            + Text::new(p.label(), (0, -8), above.clone())
                    }))
                    .map_err(draw_err)?;
            } else if value_labels {
                let beside = style(VALUE_SIZE, &TEXT_DARK, HPos::Left, VPos::Bottom);
                chart
                    .draw_series(xy.iter().map(|&(x, p)| {
                        EmptyElement::at((x, p.rate))
                            + Text::new(p.label(), (8, -4), beside.clone())
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
