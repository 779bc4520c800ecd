//! The reductions the reduction laws compare with the plain driver, shared
//! by `reduction.rs` (generated programs) and `reduction_corpus.rs` (the
//! corpus), so that both check the same list.

use sim_core::ExploreOptions;

/// Every reduction alone, and all of them, by name.
pub fn variants() -> Vec<(&'static str, ExploreOptions)> {
    let none = ExploreOptions {
        reductions: true,
        eager_local_steps: false,
        eager_dead_moves: false,
        skip_harmless_evictions: false,
        partial_order: false,
        ..ExploreOptions::default()
    };
    vec![
        ("final when complete", none),
        (
            "eager local steps",
            ExploreOptions {
                eager_local_steps: true,
                ..none
            },
        ),
        (
            "eager dead moves",
            ExploreOptions {
                eager_dead_moves: true,
                ..none
            },
        ),
        (
            "skipped evictions",
            ExploreOptions {
                skip_harmless_evictions: true,
                ..none
            },
        ),
        (
            "partial order",
            ExploreOptions {
                partial_order: true,
                ..none
            },
        ),
        ("all", ExploreOptions::default()),
    ]
}
