//! The timed driver's agenda: for each core, when its next step, drain,
//! invalidation and eviction are due. Few cores and four kinds of event make
//! a fixed table faster than a heap; the order between events due at the
//! same time is fixed by [`EventKind`] then core index, never by anything
//! else.

use memory_model::ir::CORES_MAX;

/// Kinds of event, in tie-break order: at equal times an invalidation is
/// applied before a drain, a drain before a step, a step before an eviction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    Invalidate = 0,
    Drain = 1,
    Step = 2,
    Evict = 3,
}

pub const KINDS: usize = 4;

/// No event due.
pub const NEVER: u64 = u64::MAX;

/// The ordering key of an event: earlier time first, then kind, then core.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventKey {
    pub time: u64,
    pub kind: EventKind,
    pub core: u8,
}

#[derive(Clone, Copy, Debug)]
pub struct Agenda {
    due: [[u64; KINDS]; CORES_MAX],
}

impl Default for Agenda {
    fn default() -> Agenda {
        Agenda {
            due: [[NEVER; KINDS]; CORES_MAX],
        }
    }
}

impl Agenda {
    pub fn clear(&mut self) {
        self.due = [[NEVER; KINDS]; CORES_MAX];
    }

    pub fn due(&self, core: usize, kind: EventKind) -> u64 {
        self.due[core][kind as usize]
    }

    pub fn set(&mut self, core: usize, kind: EventKind, time: u64) {
        self.due[core][kind as usize] = time;
    }

    pub fn is_pending(&self, core: usize, kind: EventKind) -> bool {
        self.due(core, kind) != NEVER
    }
}

/// Keeps the least of the keys offered.
#[derive(Clone, Copy, Debug, Default)]
pub struct Earliest(Option<EventKey>);

impl Earliest {
    pub fn offer(&mut self, key: EventKey) {
        if self.0.is_none_or(|best| key < best) {
            self.0 = Some(key);
        }
    }

    pub fn get(self) -> Option<EventKey> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_break_by_kind_then_core() {
        let mut e = Earliest::default();
        e.offer(EventKey {
            time: 5,
            kind: EventKind::Step,
            core: 0,
        });
        e.offer(EventKey {
            time: 5,
            kind: EventKind::Drain,
            core: 1,
        });
        e.offer(EventKey {
            time: 6,
            kind: EventKind::Invalidate,
            core: 0,
        });
        assert_eq!(
            e.get(),
            Some(EventKey {
                time: 5,
                kind: EventKind::Drain,
                core: 1
            })
        );
    }
}
