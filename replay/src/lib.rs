//! Traces: the file format of one run (`trace`), replaying a trace against
//! the machine and the timed driver (`verify`), shrinking a failing run to
//! the shortest one that fails the same way (`minimize`), and drawing a run
//! as a timeline (`timeline`, text; `svg`, a picture), and telling a
//! witness and its states, as text and JSON (`narration`).
//!
//! This crate and the binary are the only ones that touch files, and both do
//! it through `file` (size-limited reads, atomic writes) and `folder` (a safe
//! folder name for a scenario's traces); a trace is the one serialized type.

mod difference;
pub mod file;
pub mod folder;
pub mod minimize;
pub mod narration;
mod stalls;
mod story;
pub mod svg;
pub mod timeline;
pub mod trace;
pub mod verify;
mod wording;

pub use trace::{record_run, Event, Origin, Trace, FORMAT_VERSION};
pub use verify::{load, replay, ReplayError};
