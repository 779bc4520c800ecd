//! The event markers on each lane's baseline: a shape per kind of step
//! (circle for a load, square for a store, diamond for an RMW, bar for a
//! fence), a cross for an eviction, a dashed tick for a drain or an applied
//! invalidation.

use ::svg::node::element::{Circle, Group, Line, Path, Polygon, Rectangle, Title};
use ::svg::node::Node;
use memory_model::ir::Instr;
use memory_model::{Effect, Machine};

use super::labels::{hover, LABEL_SLANT_DEGREES};
use super::lanes::Lane;
use super::scale::TimeAxis;
use super::style::{
    clean, px, text, COLOUR_EVICT, COLOUR_FENCE, COLOUR_LOAD, COLOUR_LOCAL, COLOUR_OLD, COLOUR_RMW,
    COLOUR_STORE,
};
use crate::story::{Fired, Story};

/// The marker of one step, a shape by kind, and its colour.
fn step_shape(f: &Fired, x: f64, y: f64) -> (Box<dyn Node>, &'static str) {
    let old = f.read.as_ref().is_some_and(|r| r.old);
    let circle = |colour: &'static str, r: f64| -> (Box<dyn Node>, &'static str) {
        let shape = Circle::new()
            .set("cx", px(x))
            .set("cy", px(y))
            .set("r", r)
            .set("fill", colour)
            .set("stroke", "white");
        (Box::new(shape), colour)
    };
    match f.instr {
        Some(Instr::Load { .. } | Instr::CondLoad { .. }) if old => circle(COLOUR_OLD, 5.5),
        Some(Instr::Load { .. } | Instr::CondLoad { .. }) => circle(COLOUR_LOAD, 4.5),
        Some(Instr::Store { .. }) => {
            let shape = Rectangle::new()
                .set("x", px(x - 4.0))
                .set("y", px(y - 4.0))
                .set("width", 8)
                .set("height", 8)
                .set("fill", COLOUR_STORE);
            (Box::new(shape), COLOUR_STORE)
        }
        Some(Instr::Rmw { .. } | Instr::Lock { .. } | Instr::TryLock { .. }) => {
            let shape = Polygon::new()
                .set("points", diamond(px(x), px(y)))
                .set("fill", COLOUR_RMW);
            (Box::new(shape), COLOUR_RMW)
        }
        Some(Instr::Fence(_) | Instr::Rcu(_)) => {
            let shape = Rectangle::new()
                .set("x", px(x - 1.5))
                .set("y", px(y - 8.0))
                .set("width", 3)
                .set("height", 16)
                .set("fill", COLOUR_FENCE);
            (Box::new(shape), COLOUR_FENCE)
        }
        Some(Instr::Assign { .. } | Instr::Branch { .. } | Instr::Jump { .. }) | None => {
            let (shape, _) = circle(COLOUR_LOCAL, 2.5);
            (shape, "#777777")
        }
    }
}

pub(super) fn diamond(x: f64, y: f64) -> String {
    format!(
        "{},{} {},{} {},{} {},{}",
        x,
        px(y - 6.0),
        px(x + 6.0),
        y,
        x,
        px(y + 6.0),
        px(x - 6.0),
        y
    )
}

/// An x of two crossed strokes: an eviction.
pub(super) fn cross(x: f64, y: f64) -> Path {
    let d = format!(
        "M{},{} L{},{} M{},{} L{},{}",
        px(x - 3.0),
        px(y - 3.0),
        px(x + 3.0),
        px(y + 3.0),
        px(x - 3.0),
        px(y + 3.0),
        px(x + 3.0),
        px(y - 3.0)
    );
    Path::new()
        .set("d", d)
        .set("stroke", COLOUR_EVICT)
        .set("stroke-width", 1.2)
}

/// The markers of every fired transition; `labels` has one per transition.
pub(super) fn markers(
    machine: &Machine,
    story: &Story,
    labels: &[String],
    lanes: &[Lane],
    axis: &TimeAxis,
) -> Group {
    let mut g = Group::new().set("id", "events");
    for (i, f) in story.fired.iter().enumerate() {
        let x = axis.x(i);
        let lane = &lanes[f.core];
        let y = lane.marker_y;
        let mut item = Group::new().add(Title::new(clean(&hover(machine, story, i))));
        match f.effect {
            Effect::Step { .. } => {
                let (shape, colour) = step_shape(f, x, y);
                item.append(shape);
                let label = &labels[i];
                if !label.is_empty() {
                    let (lx, ly) = (px(x + 1.0), px(y - 9.0));
                    item = item.add(text(lx, ly, 9.0, label).set("fill", colour).set(
                        "transform",
                        format!("rotate(-{LABEL_SLANT_DEGREES} {lx} {ly})"),
                    ));
                }
            }
            Effect::Evict { .. } => item = item.add(cross(x, y)),
            Effect::Guess { .. } | Effect::Pairing { .. } => {}
            // Drains and invalidations show as the ends of their bars.
            Effect::Drain { .. } | Effect::Invalidate { .. } => {
                item = item.add(
                    Line::new()
                        .set("x1", px(x))
                        .set("x2", px(x))
                        .set("y1", px(y + 3.0))
                        .set("y2", px(lane.bottom - 3.0))
                        .set("stroke", "#bbbbbb")
                        .set("stroke-dasharray", "2,2"),
                );
            }
        }
        g = g.add(item);
    }
    g
}
