//! The legend under the picture: every colour and shape, explained.

use ::svg::node::element::{Circle, Group, Line, Polygon, Rectangle};
use ::svg::node::Node;

use super::markers::{cross, diamond};
use super::style::{
    text, COLOUR_ARROW, COLOUR_FENCE, COLOUR_INTERRUPT, COLOUR_IQ, COLOUR_LOAD, COLOUR_LOCAL,
    COLOUR_OLD, COLOUR_RMW, COLOUR_SB, COLOUR_STALL, COLOUR_STORE,
};

/// A legend entry's swatch.
#[derive(Clone, Copy)]
enum Swatch {
    Dot(&'static str, f64),
    Square,
    Diamond,
    Fence,
    Cross,
    Bar(&'static str, f64),
    Arrow(&'static str, &'static str),
    Dashed,
    /// A stall's band, with a tick for what it waited for.
    Stall(&'static str),
}

impl Swatch {
    fn draw(self, x: f64, y: f64) -> Box<dyn Node> {
        let bar = |colour: &'static str, height: f64| {
            Rectangle::new()
                .set("x", x - 12.0)
                .set("y", y - height / 2.0)
                .set("width", 24)
                .set("height", height)
                .set("rx", 2)
                .set("fill", colour)
        };
        match self {
            Swatch::Dot(colour, r) => Box::new(
                Circle::new()
                    .set("cx", x)
                    .set("cy", y)
                    .set("r", r)
                    .set("fill", colour),
            ),
            Swatch::Square => Box::new(
                Rectangle::new()
                    .set("x", x - 4.0)
                    .set("y", y - 4.0)
                    .set("width", 8)
                    .set("height", 8)
                    .set("fill", COLOUR_STORE),
            ),
            Swatch::Diamond => Box::new(
                Polygon::new()
                    .set("points", diamond(x, y))
                    .set("fill", COLOUR_RMW),
            ),
            Swatch::Fence => Box::new(
                Rectangle::new()
                    .set("x", x - 1.5)
                    .set("y", y - 8.0)
                    .set("width", 3)
                    .set("height", 16)
                    .set("fill", COLOUR_FENCE),
            ),
            Swatch::Cross => Box::new(cross(x, y)),
            Swatch::Bar(COLOUR_INTERRUPT, height) => {
                Box::new(bar(COLOUR_INTERRUPT, height).set("fill-opacity", 0.3))
            }
            Swatch::Bar(colour, height) => Box::new(bar(colour, height)),
            Swatch::Dashed => Box::new(
                Line::new()
                    .set("x1", x - 14.0)
                    .set("x2", x + 12.0)
                    .set("y1", y)
                    .set("y2", y)
                    .set("stroke", COLOUR_OLD)
                    .set("stroke-width", 1.2)
                    .set("stroke-dasharray", "3,3"),
            ),
            Swatch::Stall(colour) => Box::new(
                Group::new()
                    .add(
                        Rectangle::new()
                            .set("x", x - 12.0)
                            .set("y", y - 4.0)
                            .set("width", 24)
                            .set("height", 8)
                            .set("fill", colour)
                            .set("fill-opacity", 0.3),
                    )
                    .add(
                        Line::new()
                            .set("x1", x + 10.0)
                            .set("x2", x + 10.0)
                            .set("y1", y - 8.0)
                            .set("y2", y + 8.0)
                            .set("stroke", colour)
                            .set("stroke-width", 2),
                    ),
            ),
            Swatch::Arrow(colour, head) => Box::new(
                Line::new()
                    .set("x1", x - 14.0)
                    .set("x2", x + 12.0)
                    .set("y1", y)
                    .set("y2", y)
                    .set("stroke", colour)
                    .set("stroke-width", 1.4)
                    .set("marker-end", head),
            ),
        }
    }
}

/// Every colour and shape of the picture, explained.
const LEGEND: [(Swatch, &str); 16] = [
    (
        Swatch::Dot(COLOUR_LOAD, 4.5),
        "load; label: location=value (hover: where from, which store)",
    ),
    (
        Swatch::Dot(COLOUR_OLD, 5.5),
        "load of an OLD value: a STALE copy, or a newer store still in another core's store buffer",
    ),
    (Swatch::Square, "store; label: location:=value"),
    (
        Swatch::Diamond,
        "atomic RMW or lock; label: location old->new",
    ),
    (Swatch::Fence, "fence passing (mb, rmb, wmb)"),
    (
        Swatch::Dot(COLOUR_LOCAL, 2.5),
        "local instruction (if, assignment)",
    ),
    (
        Swatch::Cross,
        "eviction of a cache line: the next load of it misses",
    ),
    (
        Swatch::Bar(COLOUR_SB, 9.0),
        "store in the store buffer, from the store to its drain to memory",
    ),
    (
        Swatch::Bar(COLOUR_IQ, 9.0),
        "invalidation queued at this core, from arrival to application: its copy may be stale",
    ),
    (
        Swatch::Bar(COLOUR_INTERRUPT, 14.0),
        "interrupt: the core executes nothing, its buffers keep draining",
    ),
    (
        Swatch::Arrow(COLOUR_ARROW, "url(#reads-from)"),
        "reads-from: from the store's drain (its buffer entry when forwarded) to the load",
    ),
    (
        Swatch::Arrow(COLOUR_OLD, "url(#reads-from-old)"),
        "reads-from of an old value; a load of an initial value (label: init) has no arrow",
    ),
    (
        Swatch::Dashed,
        "an old load missed this newer store (in another core's buffer, or in memory)",
    ),
    (
        Swatch::Stall(COLOUR_STALL),
        "held back: the next instruction cannot fire yet; tick: what it waited for; [n]: note",
    ),
    (
        Swatch::Bar(COLOUR_FENCE, 9.0),
        "on a store's bar: held behind an smp_wmb() until the stores ahead of it drained",
    ),
    (
        Swatch::Stall(COLOUR_OLD),
        "BLOCKED: from when the core blocked to the end of a deadlocked run",
    ),
];

/// The legend, in two columns; returns it and its height.
pub(super) fn legend(top: f64) -> (Group, f64) {
    const COLUMN_PX: f64 = 490.0;
    const ROW_PX: f64 = 19.0;
    let mut g = Group::new()
        .set("id", "legend")
        .add(text(12.0, top, 12.0, "Legend").set("font-weight", "bold"));
    let rows = LEGEND.len().div_ceil(2);
    for (i, (swatch, label)) in LEGEND.iter().enumerate() {
        let x = 12.0 + (i / rows) as f64 * COLUMN_PX;
        let y = top + 18.0 + (i % rows) as f64 * ROW_PX;
        let mut item = Group::new();
        item.append(swatch.draw(x + 14.0, y));
        g = g.add(item.add(text(x + 34.0, y + 3.5, 9.5, label)));
    }
    (g, 18.0 + rows as f64 * ROW_PX)
}
