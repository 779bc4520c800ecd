//! Scenarios: the construction API that lowers kernel primitives to the IR,
//! and the built-in scenarios.
//!
//! Depends only on `memory-model`. It does not run anything.

pub mod builder;
pub mod builtin;
pub mod litmus;
pub mod printable;
pub mod slots;
