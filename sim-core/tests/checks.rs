//! The checks a release build leaves out run in the tests, even in
//! `cargo test --release` (memory-model's `checks` feature, which the
//! workspace's dev-dependencies turn on), and the cheap ones are on in every
//! build.

use memory_model::{Config, Machine, ModelName, Transition};
use scenarios::builtin::builtin;
use sim_core::encoding::{decode, encode};

#[test]
#[should_panic(expected = "applied while not enabled")]
fn applying_a_transition_that_is_not_enabled_panics() {
    let scenario = builtin("SB").unwrap().scenario();
    let machine = Machine::new(
        &scenario,
        Config::new(ModelName::Tso, None, None, 4).unwrap(),
    );
    let mut state = machine.initial_state();
    // The store buffers are empty: there is nothing to drain.
    let drain = Transition::Drain { core: 0, slot: 0 };
    assert!(!machine.enabled(&state, drain));
    machine.apply(&mut state, drain);
}

#[test]
#[should_panic(expected = "decoded state left bytes unread")]
fn decoding_more_bytes_than_a_state_panics() {
    let scenario = builtin("SB").unwrap().scenario();
    let machine = Machine::new(
        &scenario,
        Config::new(ModelName::Weak, None, None, 4).unwrap(),
    );
    let mut bytes = Vec::new();
    encode(&machine, &machine.initial_state(), &mut bytes);
    bytes.push(0);
    decode(&machine, &bytes);
}
