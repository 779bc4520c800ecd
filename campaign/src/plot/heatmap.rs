//! The heat map of two varying parameters: one cell per combination,
//! coloured by its rate (rate 0 in a colour of its own) and labelled with it
//! when the label fits, with the colour scale on the right.

use super::categories::{category, category_ticks, Categories, MAX_PLOT_W};
use super::color::{heat_color, ink_on, TEXT_DARK, TEXT_GREY, ZERO_COLOR};
use super::scale::{fmt_tick, nice_ceil};
use super::text::{style, text_w, Header, DESC_SIZE, FONT, TICK_SIZE, VALUE_SIZE};
use super::{draw_err, Axis, SweepPoint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// A heat map of `grid[x][y]` over the values of `xa` (across) and `ya` (up),
/// with a colour scale on the right.
pub(super) fn heat_map(
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
                        p.label(),
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
