//! A fence that is nothing on a model (MACHINE.md: `smp_wmb()` and
//! `smp_rmb()` on tso, every fence on sc) is the same program as
//! `barrier()`, which lowers to no instruction at all: the timed runs of the
//! two must be the same runs, so a campaign counts the same.

use memory_model::{Config, Machine, ModelName};
use scenarios::builtin::XenVariant;
use sim_core::{fuzz_range_keeping, FuzzSummary, Timing};

const RUNS: u64 = 400;

fn summary(v: &XenVariant, model: ModelName) -> FuzzSummary {
    let scenario = v.scenario();
    let machine = Machine::new(&scenario, Config::new(model, None, None, 8).unwrap());
    fuzz_range_keeping(&machine, Timing::default(), 1, 0..RUNS, 5)
}

/// The variant with each side's fence that is in `nothing` replaced by
/// `barrier`.
fn as_barrier(v: &XenVariant, nothing: &[&str]) -> XenVariant {
    let swap = |f: &'static str| if nothing.contains(&f) { "barrier" } else { f };
    XenVariant {
        template: v.template,
        vcpu: swap(v.vcpu),
        shutdown: swap(v.shutdown),
    }
}

#[test]
fn a_fence_that_is_nothing_on_the_model_runs_as_barrier() {
    let cases: [(ModelName, &[&str]); 2] = [
        (ModelName::Tso, &["wmb", "rmb"]),
        (ModelName::Sc, &["mb", "wmb", "rmb"]),
    ];
    for (model, nothing) in cases {
        for v in XenVariant::all() {
            let same = as_barrier(&v, nothing);
            if same.name() == v.name() {
                continue;
            }
            assert_eq!(
                summary(&v, model),
                summary(&same, model),
                "{} and {} on {model}",
                v.name(),
                same.name()
            );
        }
    }
}

#[test]
fn a_fence_that_orders_something_still_takes_time() {
    // On weak, smp_wmb() puts a marker in the store buffer: not barrier().
    let v = XenVariant {
        template: "xen-shutdown-sb",
        vcpu: "mb",
        shutdown: "wmb",
    };
    let same = as_barrier(&v, &["wmb"]);
    assert_ne!(
        summary(&v, ModelName::Weak),
        summary(&same, ModelName::Weak)
    );
}
