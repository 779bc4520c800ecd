//! The demo that `wmsim` with no arguments runs: every built-in scenario on
//! every model, checked exhaustively and fuzzed with a fixed seed.

use std::time::Instant;

use memory_model::{Config, Machine, ModelName};
use scenarios::builtin::BUILTINS;
use sim_core::{Exploration, ExploreOptions, Timing};

use crate::{exit, fuzz, load, Failure};

const DEMO_SEED: u64 = 1;
const DEMO_RUNS: u64 = 20_000;

pub fn run() -> Result<u8, Failure> {
    let started = Instant::now();
    println!("wmsim demo: each built-in scenario's condition, checked exhaustively (verdict)");
    println!(
        "and fuzzed ({DEMO_RUNS} timed runs, seed {DEMO_SEED}: runs meeting the condition).\n"
    );
    println!(
        "{:<12} {:>18} {:>18} {:>18}",
        "scenario", "sc", "tso", "weak"
    );
    for b in BUILTINS {
        let scenario = b.scenario();
        let depth = load::default_depth(&scenario);
        let mut cells = Vec::new();
        for model in ModelName::ALL {
            let config = Config::new(model, None, None, depth).map_err(|e| Failure {
                message: e.to_string(),
                status: exit::BAD_INPUT,
            })?;
            let machine = Machine::new(&scenario, config);
            let x = Exploration::run(&machine, ExploreOptions::default());
            let s = fuzz::campaign(&machine, Timing::default(), DEMO_SEED, DEMO_RUNS);
            cells.push(format!("{:?} {:>6}", x.verdict(), s.matches));
        }
        println!(
            "{:<12} {:>18} {:>18} {:>18}",
            b.name, cells[0], cells[1], cells[2]
        );
    }
    println!(
        "\nNever: no run of the model can meet the condition; Sometimes: some can, and the \
         number is how many fuzzed runs did. ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    println!("Try: wmsim check SB --model weak    wmsim fuzz MP --model weak --runs 100000");
    Ok(exit::OK)
}
