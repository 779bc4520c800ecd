//! The bars in the lanes: each store's residency in its store buffer and
//! each invalidation's residency in its queue, packed into as few rows as
//! do not overlap.

use ::svg::node::element::{Group, Rectangle, Title};
use memory_model::Machine;

use super::lanes::Lane;
use super::scale::TimeAxis;
use super::style::{clean, px, text};
use crate::story::{StoreId, Story};

/// Height of one row of bars.
pub(super) const BAR_ROW_PX: f64 = 11.0;

/// A bar in a lane: a store in its buffer or an invalidation in its queue.
pub(super) struct Bar {
    pub(super) core: usize,
    pub(super) x0: f64,
    pub(super) x1: f64,
    pub(super) label: String,
    pub(super) hover: String,
    pub(super) row: usize,
    /// The store it shows, for a store-buffer bar.
    pub(super) store: Option<StoreId>,
}

/// A bar per store that sat in a store buffer: from its step to its drain,
/// or to the end of the run if it never left. In store order.
pub(super) fn store_bars(machine: &Machine, story: &Story, axis: &TimeAxis) -> Vec<Bar> {
    let s = machine.scenario;
    story
        .stores
        .iter()
        .enumerate()
        .filter(|(_, st)| !st.through())
        .map(|(id, st)| {
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
                store: Some(id),
            }
        })
        .collect()
}

/// A bar per queued invalidation: from its arrival to its application, or
/// to the end of the run if it was never applied.
pub(super) fn invalidation_bars(machine: &Machine, story: &Story, axis: &TimeAxis) -> Vec<Bar> {
    let s = machine.scenario;
    story
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
            store: None,
        }
    })
    .collect()
}

/// Puts each bar in the first row of its lane where it overlaps nothing;
/// returns the rows each lane needs.
pub(super) fn pack(bars: &mut [Bar], cores: usize) -> Vec<usize> {
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

pub(super) fn bar_group(
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
