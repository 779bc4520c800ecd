//! A run as a picture: one horizontal lane per core, time on the x axis.
//!
//! Built from the same re-simulation as the text timeline
//! ([`crate::timeline`]), with the `svg` crate's node API (which escapes
//! every text and attribute). In each lane: every executed instruction as a
//! small marker with a short label (hover for its source text and value),
//! each store's residency in the store buffer as a blue bar, each queued
//! invalidation's residency as an orange bar, interrupts as grey spans; an
//! arrow from each store to each load that read it; loads that read an old
//! value in red. A legend explains every colour and shape.
//!
//! Time scale: every fired transition gets its own slot, so that events at
//! the same cycle stay apart and a run of a few hundred events stays
//! readable. Slot `i` lies `SLOT_MIN_PX + GAP_PX_PER_DOUBLING *
//! log2(1 + gap)` after slot `i - 1`, where `gap` is the time between them
//! in cycles: idle gaps are compressed logarithmically, the order of events
//! is exact and their times are printed on the axis. If the plot would be
//! wider than `PLOT_WIDTH_MAX_PX`, every distance is scaled down to fit, so
//! the picture's width is bounded whatever the run's length. Times between
//! slots (interrupt bounds) are placed by linear interpolation.

use ::svg::node::element::{
    Circle, Definitions, Group, Line, Marker, Path, Polygon, Rectangle, Text, Title,
};
use ::svg::node::Node;
use ::svg::Document;
use memory_model::ir::{Fence, Instr};
use memory_model::{Effect, Machine, ReadSource};

use crate::timeline::{
    ending_line, fence_word, observed_line, source_words, step_outcome, title, Fired, StoreId,
    Story,
};
use crate::trace::Trace;

/// Distance between two events at the same cycle.
const SLOT_MIN_PX: f64 = 12.0;
/// Extra distance per doubling of the gap between two events.
const GAP_PX_PER_DOUBLING: f64 = 3.0;
/// The plot (the time axis) is never wider than this.
const PLOT_WIDTH_MAX_PX: f64 = 18_000.0;
/// A short run is stretched to fill at least this much.
const PLOT_WIDTH_MIN_PX: f64 = 860.0;
/// The picture is at least this wide, for the title and the legend.
const WIDTH_MIN_PX: f64 = 1_000.0;
/// Room for the lane labels on the left.
const LEFT_PX: f64 = 70.0;
const RIGHT_PX: f64 = 40.0;
const TITLE_PX: f64 = 58.0;
/// Marker labels are cut to this many characters (hover for the rest).
const LABEL_CHARS_MAX: usize = 20;
/// Roughly the width of one character of a 9 px label.
const LABEL_CHAR_PX: f64 = 5.2;
/// Labels are slanted this many degrees up from the axis.
const LABEL_SLANT_DEGREES: f64 = 60.0;
/// Height of one row of bars.
const BAR_ROW_PX: f64 = 11.0;
const LANE_GAP_PX: f64 = 10.0;

const COLOUR_LOAD: &str = "#2b8a3e";
const COLOUR_OLD: &str = "#d62728";
const COLOUR_STORE: &str = "#1f4fa0";
const COLOUR_SB: &str = "#6f9fe0";
const COLOUR_IQ: &str = "#f0a030";
const COLOUR_RMW: &str = "#7b3fa0";
const COLOUR_FENCE: &str = "#333333";
const COLOUR_LOCAL: &str = "#aaaaaa";
const COLOUR_EVICT: &str = "#888888";
const COLOUR_ARROW: &str = "#555555";
const COLOUR_INTERRUPT: &str = "#9a9a9a";

/// Rounds a coordinate to a tenth of a pixel: shorter text, same picture.
fn px(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Text from a trace, with the characters XML 1.0 cannot hold replaced.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' && c != '\n' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

fn text(x: f64, y: f64, size: f64, content: &str) -> Text {
    Text::new(clean(content))
        .set("x", px(x))
        .set("y", px(y))
        .set("font-size", size)
}

/// The x position of each event, of the run's end, and of any time between.
struct TimeAxis {
    times: Vec<u64>,
    xs: Vec<f64>,
    end_time: u64,
    end_x: f64,
}

impl TimeAxis {
    fn new(story: &Story, end_time: u64) -> TimeAxis {
        let times: Vec<u64> = story.fired.iter().map(|f| f.time).collect();
        let mut offsets = Vec::with_capacity(times.len());
        let mut at = 0.0;
        let mut prev = 0;
        for (i, &t) in times.iter().enumerate() {
            if i > 0 {
                at += slot_distance(t.saturating_sub(prev));
            }
            offsets.push(at);
            prev = t;
        }
        let end_time = end_time.max(prev);
        let end_offset = at + slot_distance(end_time - prev);
        let scale = if end_offset > PLOT_WIDTH_MAX_PX {
            PLOT_WIDTH_MAX_PX / end_offset
        } else if end_offset > 0.0 && end_offset < PLOT_WIDTH_MIN_PX {
            PLOT_WIDTH_MIN_PX / end_offset
        } else {
            1.0
        };
        let start = LEFT_PX + 20.0;
        TimeAxis {
            times,
            xs: offsets.iter().map(|o| start + o * scale).collect(),
            end_time,
            end_x: start + end_offset * scale,
        }
    }

    fn x(&self, event: usize) -> f64 {
        self.xs[event]
    }

    /// Where time `t` falls: between the slots around it, in proportion.
    fn x_at(&self, t: u64) -> f64 {
        let after = self.times.partition_point(|&s| s <= t);
        let (t0, x0) = match after {
            0 => return self.xs.first().copied().unwrap_or(self.end_x),
            n => (self.times[n - 1], self.xs[n - 1]),
        };
        let (t1, x1) = match self.times.get(after) {
            Some(&t1) => (t1, self.xs[after]),
            None if t >= self.end_time => return self.end_x,
            None => (self.end_time, self.end_x),
        };
        if t1 == t0 {
            return x0;
        }
        x0 + (x1 - x0) * (t - t0) as f64 / (t1 - t0) as f64
    }
}

fn slot_distance(gap_cycles: u64) -> f64 {
    SLOT_MIN_PX + GAP_PX_PER_DOUBLING * (1.0 + gap_cycles as f64).log2()
}

/// A bar in a lane: a store in its buffer or an invalidation in its queue.
struct Bar {
    core: usize,
    x0: f64,
    x1: f64,
    label: String,
    hover: String,
    row: usize,
}

/// Puts each bar in the first row of its lane where it overlaps nothing;
/// returns the rows each lane needs.
fn pack(bars: &mut [Bar], cores: usize) -> Vec<usize> {
    let mut ends: Vec<Vec<f64>> = vec![Vec::new(); cores];
    for bar in bars.iter_mut() {
        let rows = &mut ends[bar.core];
        let row = match rows.iter().position(|&end| end + 2.0 <= bar.x0) {
            Some(r) => r,
            None => {
                rows.push(f64::MIN);
                rows.len() - 1
            }
        };
        rows[row] = bar.x1;
        bar.row = row;
    }
    ends.iter().map(Vec::len).collect()
}

/// Vertical layout of one lane.
struct Lane {
    top: f64,
    /// The markers' baseline.
    marker_y: f64,
    sb_top: f64,
    iq_top: f64,
    bottom: f64,
}

/// The run as an SVG picture (see the module documentation for the scale).
pub fn timeline_svg(machine: &Machine, trace: &Trace) -> String {
    let story = Story::build(machine, trace);
    let cores = machine.cores();
    let axis = TimeAxis::new(&story, trace.ending.time);
    let s = machine.scenario;

    let mut sb_bars: Vec<Bar> = story
        .stores
        .iter()
        .filter(|st| !st.through())
        .map(|st| {
            let x1 = st.visible.map_or(axis.end_x, |v| axis.x(v));
            let left = st.visible.map_or("never left".to_string(), |v| {
                format!("t={}", story.fired[v].time)
            });
            Bar {
                core: st.core,
                x0: axis.x(st.entered),
                x1,
                label: format!("{}={}", s.location_name(st.loc), s.format_value(st.value)),
                hover: format!(
                    "P{} store {}={} in the store buffer from t={} to {left}",
                    st.core,
                    s.location_name(st.loc),
                    s.format_value(st.value),
                    story.fired[st.entered].time
                ),
                row: 0,
            }
        })
        .collect();
    let mut iq_bars: Vec<Bar> = story
        .invalidations
        .iter()
        .map(|inv| {
            let applied = inv
                .applied
                .map_or("never applied".to_string(), |a| format!("applied t={}", story.fired[a].time));
            Bar {
                core: inv.core,
                x0: axis.x(inv.arrived),
                x1: inv.applied.map_or(axis.end_x, |a| axis.x(a)),
                label: format!("inv {}", s.location_name(inv.loc)),
                hover: format!(
                    "P{} invalidation of {} queued: arrived t={}, {applied}; until then its copy may be stale",
                    inv.core,
                    s.location_name(inv.loc),
                    story.fired[inv.arrived].time
                ),
                row: 0,
            }
        })
        .collect();
    let sb_rows = pack(&mut sb_bars, cores);
    let iq_rows = pack(&mut iq_bars, cores);

    // Room above each lane's markers for its longest slanted label.
    let mut label_chars = vec![0; cores];
    for f in &story.fired {
        if matches!(f.effect, Effect::Step { .. }) {
            let n = step_label(machine, f).chars().count();
            label_chars[f.core] = label_chars[f.core].max(n);
        }
    }
    let mut lanes = Vec::with_capacity(cores);
    let mut y = TITLE_PX;
    for c in 0..cores {
        let top = y;
        let label_px =
            label_chars[c] as f64 * LABEL_CHAR_PX * LABEL_SLANT_DEGREES.to_radians().sin();
        let marker_y = top + label_px.max(12.0) + 18.0;
        let sb_top = marker_y + 10.0;
        let iq_top = sb_top + sb_rows[c] as f64 * BAR_ROW_PX + 2.0;
        let blocked = trace.ending.blocked.iter().any(|b| b.core as usize == c);
        let bottom = iq_top + iq_rows[c] as f64 * BAR_ROW_PX + if blocked { 16.0 } else { 4.0 };
        lanes.push(Lane {
            top,
            marker_y,
            sb_top,
            iq_top,
            bottom,
        });
        y = bottom + LANE_GAP_PX;
    }
    let axis_y = y + 6.0;
    let legend_top = axis_y + 40.0;
    let width = (axis.end_x + RIGHT_PX).max(WIDTH_MIN_PX);

    let mut doc = Document::new()
        .set("font-family", "sans-serif")
        .add(definitions())
        .add(
            Rectangle::new()
                .set("width", "100%")
                .set("height", "100%")
                .set("fill", "white"),
        );
    doc = doc.add(title_group(machine, trace, &story));
    doc = doc.add(lane_backgrounds(&lanes, &axis, width));
    doc = doc.add(interrupt_spans(&story, &lanes, &axis));
    doc = doc.add(bar_group(
        "store-buffer",
        &sb_bars,
        &lanes,
        |l| l.sb_top,
        COLOUR_SB,
    ));
    doc = doc.add(bar_group(
        "invalidation-queue",
        &iq_bars,
        &lanes,
        |l| l.iq_top,
        COLOUR_IQ,
    ));
    doc = doc.add(arrows(&story, &lanes, &axis, &sb_bars));
    doc = doc.add(markers(machine, &story, &lanes, &axis));
    doc = doc.add(blocked_notes(trace, &lanes, &axis));
    doc = doc.add(time_axis(&story, &axis, axis_y));
    let (legend, legend_height) = legend(legend_top);
    doc = doc.add(legend);
    let height = legend_top + legend_height + 10.0;
    doc = doc
        .set("width", px(width))
        .set("height", px(height))
        .set("viewBox", (0.0, 0.0, px(width), px(height)));
    let mut out = doc.to_string();
    out.push('\n');
    out
}

fn arrow_marker(id: &str, colour: &str) -> Marker {
    Marker::new()
        .set("id", id)
        .set("viewBox", "0 0 10 10")
        .set("refX", 9)
        .set("refY", 5)
        .set("markerWidth", 7)
        .set("markerHeight", 7)
        .set("orient", "auto")
        .add(
            Path::new()
                .set("d", "M0,0 L10,5 L0,10 z")
                .set("fill", colour),
        )
}

fn definitions() -> Definitions {
    Definitions::new()
        .add(arrow_marker("reads-from", COLOUR_ARROW))
        .add(arrow_marker("reads-from-old", COLOUR_OLD))
}

fn title_group(machine: &Machine, trace: &Trace, story: &Story) -> Group {
    let mut g = Group::new().set("id", "title");
    g = g.add(text(12.0, 20.0, 15.0, &title(trace)).set("font-weight", "bold"));
    let mut second = format!(
        "ended: {} | final: {} | {}",
        ending_line(trace),
        observed_line(trace),
        machine.scenario.format_condition()
    );
    if let Some(d) = &story.divergence {
        second.push_str(&format!(" | the picture stops early: {d}"));
    }
    let colour = if trace.ending.violation {
        COLOUR_OLD
    } else {
        "#222222"
    };
    g.add(text(12.0, 40.0, 12.0, &second).set("fill", colour))
}

fn lane_backgrounds(lanes: &[Lane], axis: &TimeAxis, width: f64) -> Group {
    let mut g = Group::new().set("id", "lanes");
    for (c, lane) in lanes.iter().enumerate() {
        let fill = if c % 2 == 0 { "#f6f7fb" } else { "#fbfbf6" };
        g = g.add(
            Rectangle::new()
                .set("x", 4)
                .set("y", px(lane.top))
                .set("width", px(width - 8.0))
                .set("height", px(lane.bottom - lane.top))
                .set("fill", fill)
                .set("stroke", "#dddddd"),
        );
        g = g.add(
            Line::new()
                .set("x1", px(LEFT_PX))
                .set("x2", px(axis.end_x))
                .set("y1", px(lane.marker_y))
                .set("y2", px(lane.marker_y))
                .set("stroke", "#cccccc"),
        );
        g = g.add(
            text(14.0, lane.marker_y + 5.0, 16.0, &format!("P{c}"))
                .set("class", "lane-label")
                .set("font-weight", "bold"),
        );
    }
    g
}

fn interrupt_spans(story: &Story, lanes: &[Lane], axis: &TimeAxis) -> Group {
    let mut g = Group::new().set("id", "interrupts");
    for &(core, from, to) in &story.interrupts {
        let lane = &lanes[core];
        let x0 = axis.x_at(from);
        let x1 = axis.x_at(to).max(x0 + 2.0);
        g = g.add(
            Group::new()
                .add(Title::new(format!(
                    "P{core} interrupted from t={from} to t={to}: it executes nothing, its buffers keep draining"
                )))
                .add(
                    Rectangle::new()
                        .set("x", px(x0))
                        .set("y", px(lane.top + 2.0))
                        .set("width", px(x1 - x0))
                        .set("height", px(lane.bottom - lane.top - 4.0))
                        .set("fill", COLOUR_INTERRUPT)
                        .set("fill-opacity", 0.3),
                )
                .add(
                    text(x0 + 3.0, lane.top + 12.0, 9.0, "interrupt")
                        .set("fill", "#555555"),
                ),
        );
    }
    g
}

fn bar_group(
    id: &str,
    bars: &[Bar],
    lanes: &[Lane],
    row_top: impl Fn(&Lane) -> f64,
    colour: &str,
) -> Group {
    let mut g = Group::new().set("id", id);
    for bar in bars {
        let y = row_top(&lanes[bar.core]) + bar.row as f64 * BAR_ROW_PX;
        let w = (bar.x1 - bar.x0).max(2.0);
        let mut item = Group::new().add(Title::new(clean(&bar.hover))).add(
            Rectangle::new()
                .set("x", px(bar.x0))
                .set("y", px(y))
                .set("width", px(w))
                .set("height", BAR_ROW_PX - 2.0)
                .set("rx", 2)
                .set("fill", colour),
        );
        if w >= bar.label.chars().count() as f64 * 5.0 + 4.0 {
            item = item.add(text(bar.x0 + 2.0, y + 7.5, 8.0, &bar.label).set("fill", "#111111"));
        }
        g = g.add(item);
    }
    g
}

/// Where a store is drawn at event `at`: on its store-buffer bar (at `at`
/// while it is still buffered, else at its drain), or at its step for an
/// RMW or a write-through store.
fn store_point(
    story: &Story,
    lanes: &[Lane],
    axis: &TimeAxis,
    bar_of: &[Option<&Bar>],
    store: StoreId,
    at: usize,
) -> (f64, f64) {
    let st = &story.stores[store];
    let lane = &lanes[st.core];
    match bar_of[store] {
        Some(bar) => {
            let y = lane.sb_top + bar.row as f64 * BAR_ROW_PX + (BAR_ROW_PX - 2.0) / 2.0;
            match st.visible {
                Some(v) if v < at => (axis.x(v), y),
                _ => (axis.x(at), y),
            }
        }
        None => (axis.x(st.entered), lane.marker_y),
    }
}

/// `(x0, y0)` to just short of `(x1, y1)`, arched when both ends are in
/// one lane.
fn link(x0: f64, y0: f64, x1: f64, y1: f64, same_lane: bool) -> String {
    // Stop short of the marker so that the head stays visible.
    let (dx, dy) = (x1 - x0, y1 - y0);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (x1, y1) = (x1 - dx / len * 5.0, y1 - dy / len * 5.0);
    if same_lane {
        let cx = (x0 + x1) / 2.0;
        let cy = y0.min(y1) - 18.0;
        format!(
            "M{},{} Q{},{} {},{}",
            px(x0),
            px(y0),
            px(cx),
            px(cy),
            px(x1),
            px(y1)
        )
    } else {
        format!("M{},{} L{},{}", px(x0), px(y0), px(x1), px(y1))
    }
}

/// An arrow from each store to each load that read it: from the store's
/// drain (the end of its bar), from its step for an RMW or a write-through
/// store, or from its entry into the buffer when the load forwarded from
/// it. For an old read, a dashed red line from the newer store it missed.
fn arrows(story: &Story, lanes: &[Lane], axis: &TimeAxis, sb_bars: &[Bar]) -> Group {
    let mut g = Group::new().set("id", "reads-from");
    // Bars were made from the buffered stores in order.
    let mut bar_of = vec![None; story.stores.len()];
    let mut bars = sb_bars.iter();
    for (id, st) in story.stores.iter().enumerate() {
        if !st.through() {
            bar_of[id] = bars.next();
        }
    }
    for (i, f) in story.fired.iter().enumerate() {
        let Some(read) = &f.read else { continue };
        let (x1, y1) = (axis.x(i), lanes[f.core].marker_y);
        if let Some(missed) = read.missed {
            let (x0, y0) = store_point(story, lanes, axis, &bar_of, missed, i);
            let same_lane = story.stores[missed].core == f.core;
            g = g.add(
                Path::new()
                    .set("d", link(x0, y0, x1, y1, same_lane))
                    .set("fill", "none")
                    .set("stroke", COLOUR_OLD)
                    .set("stroke-width", 1.2)
                    .set("stroke-dasharray", "3,3"),
            );
        }
        let Some(from) = read.from else { continue };
        let st = &story.stores[from];
        let (x0, y0) = match (read.source, bar_of[from]) {
            (ReadSource::StoreBuffer, Some(_)) => {
                let (_, y) = store_point(story, lanes, axis, &bar_of, from, i);
                (axis.x(st.entered), y)
            }
            _ => store_point(story, lanes, axis, &bar_of, from, i),
        };
        let (colour, head) = if read.old {
            (COLOUR_OLD, "url(#reads-from-old)")
        } else {
            (COLOUR_ARROW, "url(#reads-from)")
        };
        g = g.add(
            Path::new()
                .set("d", link(x0, y0, x1, y1, st.core == f.core))
                .set("fill", "none")
                .set("stroke", colour)
                .set("stroke-width", if read.old { 1.6 } else { 1.0 })
                .set("stroke-opacity", 0.75)
                .set("marker-end", head),
        );
    }
    g
}

/// The hover text of an event's marker: time, core, full source, outcome.
fn hover(machine: &Machine, story: &Story, i: usize) -> String {
    let f = &story.fired[i];
    let s = machine.scenario;
    let mut out = format!("t={} P{}: ", f.time, f.core);
    match f.effect {
        Effect::Step { .. } => {
            out.push_str(&f.source);
            let outcome = step_outcome(machine, f, true);
            if !outcome.is_empty() {
                out.push_str(&format!(" -> {outcome}"));
            }
            if let Some(r) = &f.read {
                out.push_str(&format!(
                    "; read {}={} from {}",
                    s.location_name(r.loc),
                    s.format_value(r.value),
                    source_words(r.source)
                ));
                match r.from {
                    Some(id) => {
                        let st = &story.stores[id];
                        out.push_str(&format!(
                            ", written by P{} at t={}",
                            st.core, story.fired[st.entered].time
                        ));
                    }
                    None => out.push_str(", the initial value"),
                }
                if let Some(id) = r.missed {
                    let st = &story.stores[id];
                    let at = match st.visible {
                        Some(v) if v <= i => format!("in memory since t={}", story.fired[v].time),
                        _ => "still in its store buffer".to_string(),
                    };
                    out.push_str(&format!(
                        "; OLD: missed {}={} of P{} ({at})",
                        s.location_name(st.loc),
                        s.format_value(st.value),
                        st.core
                    ));
                } else if r.old {
                    out.push_str("; OLD: a stale copy");
                }
            }
        }
        Effect::Drain { loc, value, .. } => out.push_str(&format!(
            "{}={} leaves the store buffer for memory",
            s.location_name(loc),
            s.format_value(value)
        )),
        Effect::Invalidate { loc } => {
            out.push_str(&format!("invalidation of {} applied", s.location_name(loc)))
        }
        Effect::Evict { loc } => out.push_str(&format!(
            "evicts {}: its next load misses",
            s.location_name(loc)
        )),
    }
    out
}

/// The short label of a step's marker: `y=0`, `x:=1`, `l 0->1`, `mb`,
/// or the text of a local instruction; cut to `LABEL_CHARS_MAX`.
fn step_label(machine: &Machine, f: &Fired) -> String {
    let s = machine.scenario;
    let label = match (f.instr, f.effect) {
        (Some(Instr::Load { .. } | Instr::CondLoad { .. }), _) => match &f.read {
            Some(r) => {
                let stale = match (r.source, r.from) {
                    (ReadSource::StaleCache, _) => " STALE",
                    (_, None) => " init",
                    (_, Some(_)) => "",
                };
                format!(
                    "{}={}{stale}",
                    s.location_name(r.loc),
                    s.format_value(r.value)
                )
            }
            None => String::new(),
        },
        (
            Some(Instr::Store { .. }),
            Effect::Step {
                buffered: Some((l, v)),
                ..
            }
            | Effect::Step {
                published: Some((l, v)),
                ..
            },
        ) => format!("{}:={}", s.location_name(l), s.format_value(v)),
        (Some(Instr::Rmw { .. } | Instr::Lock { .. } | Instr::TryLock { .. }), _) => {
            step_outcome(machine, f, true)
        }
        (Some(Instr::Fence(fence)), _) => {
            let word = match fence {
                Fence::Mb => "mb",
                Fence::Rmb => "rmb",
                Fence::Wmb => "wmb",
            };
            if fence_word(machine, fence) == "no-op" {
                format!("{word} (no-op)")
            } else {
                word.to_string()
            }
        }
        _ => f.source.trim_end_matches(';').to_string(),
    };
    if label.chars().count() <= LABEL_CHARS_MAX {
        return label;
    }
    let mut cut: String = label.chars().take(LABEL_CHARS_MAX - 1).collect();
    cut.push('…');
    cut
}

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
        Some(Instr::Fence(_)) => {
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

fn diamond(x: f64, y: f64) -> String {
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
fn cross(x: f64, y: f64) -> Path {
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

fn markers(machine: &Machine, story: &Story, lanes: &[Lane], axis: &TimeAxis) -> Group {
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
                let label = step_label(machine, f);
                if !label.is_empty() {
                    let (lx, ly) = (px(x + 1.0), px(y - 9.0));
                    item = item.add(text(lx, ly, 9.0, &label).set("fill", colour).set(
                        "transform",
                        format!("rotate(-{LABEL_SLANT_DEGREES} {lx} {ly})"),
                    ));
                }
            }
            Effect::Evict { .. } => item = item.add(cross(x, y)),
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

fn blocked_notes(trace: &Trace, lanes: &[Lane], axis: &TimeAxis) -> Group {
    let mut g = Group::new().set("id", "blocked");
    for b in &trace.ending.blocked {
        let Some(lane) = lanes.get(b.core as usize) else {
            continue;
        };
        let note = format!(
            "P{} BLOCKED at {} ({}) from here to the end",
            b.core, b.instruction, b.reason
        );
        g = g
            .add(
                Rectangle::new()
                    .set("x", px(axis.end_x - 3.0))
                    .set("y", px(lane.marker_y - 9.0))
                    .set("width", 6)
                    .set("height", 18)
                    .set("fill", COLOUR_OLD),
            )
            .add(
                text(LEFT_PX, lane.bottom - 4.0, 10.0, &note)
                    .set("fill", COLOUR_OLD)
                    .set("font-weight", "bold"),
            );
    }
    g
}

fn time_axis(story: &Story, axis: &TimeAxis, y: f64) -> Group {
    let mut g = Group::new().set("id", "time-axis").add(
        Line::new()
            .set("x1", px(LEFT_PX))
            .set("x2", px(axis.end_x))
            .set("y1", px(y))
            .set("y2", px(y))
            .set("stroke", "#444444"),
    );
    let mut last_label = f64::MIN;
    for (i, f) in story.fired.iter().enumerate() {
        let x = axis.x(i);
        g = g.add(
            Line::new()
                .set("x1", px(x))
                .set("x2", px(x))
                .set("y1", px(y))
                .set("y2", px(y + 3.0))
                .set("stroke", "#444444"),
        );
        if x - last_label >= 48.0 {
            g = g.add(text(x, y + 13.0, 9.0, &f.time.to_string()).set("text-anchor", "middle"));
            last_label = x;
        }
    }
    g.add(text(
        LEFT_PX,
        y + 27.0,
        10.0,
        &format!(
            "time in cycles (end t={}): one slot per event, idle gaps compressed logarithmically",
            axis.end_time
        ),
    ))
}

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
const LEGEND: [(Swatch, &str); 13] = [
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
];

/// The legend, in two columns; returns it and its height.
fn legend(top: f64) -> (Group, f64) {
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
