//! Criterion benchmarks of the engine live in `benches/`; this library is
//! empty. Run them with `cargo bench -p wmsim-benches`.
