//! Exhaustive exploration throughput: states per second of the whole
//! driver (decode, successors, encode, state table), on scenarios from a
//! few hundred to tens of thousands of states, on one thread and on two.
//!
//! Quote the CPU (`lscpu`) and the machine's load beside any figure: the
//! two-thread figures mean little on a shared machine.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use memory_model::{Config, Machine, ModelName};
use scenarios::builtin::{builtin, XenVariant};
use sim_core::{Exploration, ExploreOptions};

fn explore(machine: &Machine, threads: usize) -> usize {
    let options = ExploreOptions {
        threads,
        ..ExploreOptions::default()
    };
    Exploration::run(machine, options).explored_states
}

fn exploration(c: &mut Criterion) {
    let mut group = c.benchmark_group("exploration");
    group.sample_size(10);
    let mut scenarios: Vec<(String, memory_model::ir::Scenario)> =
        ["IRIW", "ISA2+release+acquires"]
            .iter()
            .map(|n| (n.to_string(), builtin(n).expect("built-in").scenario()))
            .collect();
    // The largest Xen variant: tens of thousands of states.
    let weak = |s: &memory_model::ir::Scenario| {
        let config = Config::new(ModelName::Weak, None, None, 4).expect("valid");
        explore(&Machine::new(s, config), 1)
    };
    let largest = XenVariant::all()
        .into_iter()
        .max_by_key(|v| weak(&v.scenario()))
        .expect("Xen variants");
    scenarios.push((largest.name(), largest.scenario()));
    for (name, scenario) in &scenarios {
        let config = Config::new(ModelName::Weak, None, None, 4).expect("valid");
        let machine = Machine::new(scenario, config);
        let states = explore(&machine, 1);
        group.throughput(Throughput::Elements(states as u64));
        for threads in [1, 2] {
            group.bench_function(format!("{name}/weak/{threads}t"), |b| {
                b.iter(|| explore(&machine, threads))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, exploration);
criterion_main!(benches);
