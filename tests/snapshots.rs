//! Snapshots of what wmsim prints: verdicts, witnesses, deadlock paths, the
//! JSON and herd formats, a replayed trace's timeline, a minimized run and a
//! fuzz summary. Any change to any of them shows in review as a changed
//! string here.
//!
//! After an intended change, `UPDATE_EXPECT=1 cargo test --release --test
//! snapshots` rewrites the strings below (`expect-test`); read the diff
//! before committing it.
//!
//! Each snapshot starts with the exit status, then stdout, then stderr when
//! there is any. What measures wall-clock time (runs per second, herd's
//! `Time` line) is replaced by `<time>`.

mod common;

use std::path::Path;

use common::{scratch, text, wmsim_in};
use expect_test::{expect, Expect};

/// The litmus files of these tests, under `tests/litmus/`.
fn litmus(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/litmus")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// Runs wmsim with `args` in `dir`: exit status, stdout and stderr, with
/// the time measurements and `dir` itself replaced by placeholders.
fn run_in(dir: &Path, args: &[&str]) -> String {
    let out = wmsim_in(dir, args);
    let (stdout, stderr) = text(&out);
    let mut shown = format!("status {:?}\n{stdout}", out.status.code());
    if !stderr.is_empty() {
        shown.push_str(&format!("--- stderr\n{stderr}"));
    }
    let litmus_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/litmus");
    redact_time(
        &shown
            .replace(litmus_dir.to_str().unwrap(), "<litmus>")
            .replace(dir.to_str().unwrap(), "<dir>"),
    )
}

/// `run_in` a scratch folder of its own.
fn run(args: &[&str]) -> String {
    run_in(&scratch("snapshot"), args)
}

/// Replaces the measured quantities: `N runs/s` and herd's `Time NAME S`.
fn redact_time(text: &str) -> String {
    text.lines()
        .map(|line| {
            if let Some(rest) = line.strip_prefix("Time ") {
                let name = rest.split(' ').next().unwrap_or("");
                return format!("Time {name} <time>");
            }
            match line.find(" runs/s") {
                Some(end) => {
                    let start = line[..end].rfind(' ').map_or(0, |i| i + 1);
                    format!("{}<time>{}", &line[..start], &line[end..])
                }
                None => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

fn check(args: &[&str], expected: Expect) {
    expected.assert_eq(&run(&[&["check"][..], args].concat()));
}

#[test]
fn redact_time_replaces_only_the_measurements() {
    assert_eq!(
        redact_time("SB on weak, seed 7: 2000 runs, 284665 runs/s\nTime SB 0.01\nStates 4\n"),
        "SB on weak, seed 7: 2000 runs, <time> runs/s\nTime SB <time>\nStates 4\n"
    );
}

#[test]
fn sb_on_tso_sometimes_with_its_witness() {
    check(
        &["SB", "--model", "tso"],
        expect![[r#"
            status Some(0)
            Test SB on tso (sb_depth 2, iq_depth 0)
            States 4
            * 0:r0=0; 1:r0=0;
              0:r0=0; 1:r0=1;
              0:r0=1; 1:r0=0;
              0:r0=1; 1:r0=1;
            (* marks the states that make the test fail: the proposition holds)
            Condition exists (0:r0=0 /\ 1:r0=0)
            Verdict: Sometimes
            Witness (6 steps):
                1  P0: WRITE_ONCE(*x, 1)  [x=1 into the store buffer]
                2  P1: WRITE_ONCE(*y, 1)  [y=1 into the store buffer]
                3  P0: r0 = READ_ONCE(*y)  [read y=0 from cache, missing y=1 in P1's store buffer]
                4  P1: drain y=1 to memory
                5  P1: r0 = READ_ONCE(*x)  [read x=0 from cache, missing x=1 in P0's store buffer]
                6  P0: drain x=1 to memory
            Explored 23 states
            Note: a verdict is this model's, not LKMM's. tso has stores drain in program order, so never reordered; no invalidation queue, so no stale reads; loads in program order, so no load buffering; multicopy-atomic stores.
        "#]],
    );
}

#[test]
fn mp_on_weak_a_stale_read_in_the_witness() {
    check(
        &["MP", "--model", "weak"],
        expect![[r#"
            status Some(0)
            Test MP on weak (sb_depth 2, iq_depth 2)
            States 4
              1:r0=0; 1:r1=0;
              1:r0=0; 1:r1=1;
            * 1:r0=1; 1:r1=0;
              1:r0=1; 1:r1=1;
            (* marks the states that make the test fail: the proposition holds)
            Condition exists (1:r0=1 /\ 1:r1=0)
            Verdict: Sometimes
            Witness (7 steps; 8 eager evictions and invalidations of the search folded away, --verbose shows them):
                1  P0: WRITE_ONCE(*x, 1)  [x=1 into the store buffer]
                2  P0: WRITE_ONCE(*y, 1)  [y=1 into the store buffer]
                3  P0: drain x=1 to memory
                4  P0: drain y=1 to memory
                5  P1: evict y
                6  P1: r0 = READ_ONCE(*y)  [read y=1 from memory]
                7  P1: r1 = READ_ONCE(*x)  [read x=0 from STALE cache, missing x=1 in memory]
            Explored 39 states
            Note: a verdict is this model's, not LKMM's. weak has loads in program order, so no load buffering; multicopy-atomic stores.
        "#]],
    );
}

#[test]
fn mp_with_barriers_is_never_on_weak() {
    check(
        &["MP+wmb+rmb", "--model", "weak"],
        expect![[r#"
            status Some(0)
            Test MP+wmb+rmb on weak (sb_depth 2, iq_depth 2)
            States 3
              1:r0=0; 1:r1=0;
              1:r0=0; 1:r1=1;
              1:r0=1; 1:r1=1;
            Condition exists (1:r0=1 /\ 1:r1=0)
            Verdict: Never
            Explored 39 states
            Note: a verdict is this model's, not LKMM's. weak has loads in program order, so no load buffering; multicopy-atomic stores.
        "#]],
    );
}

#[test]
fn sb_witness_verbose_shows_the_folded_moves() {
    check(
        &["SB", "--model", "weak", "--verbose"],
        expect![[r#"
            status Some(0)
            Test SB on weak (sb_depth 2, iq_depth 2)
            States 4
            * 0:r0=0; 1:r0=0;
              0:r0=0; 1:r0=1;
              0:r0=1; 1:r0=0;
              0:r0=1; 1:r0=1;
            (* marks the states that make the test fail: the proposition holds)
            Condition exists (0:r0=0 /\ 1:r0=0)
            Verdict: Sometimes
            Witness (13 steps):
                1  P0: evict x  [eager: never read again]
                2  P1: evict y  [eager: never read again]
                3  P0: WRITE_ONCE(*x, 1)  [x=1 into the store buffer]
                4  P1: WRITE_ONCE(*y, 1)  [y=1 into the store buffer]
                5  P0: r0 = READ_ONCE(*y)  [read y=0 from cache, missing y=1 in P1's store buffer]
                6  P0: evict y  [eager: never read again]
                7  P1: drain y=1 to memory
                8  P1: evict y  [eager: never read again]
                9  P0: drain x=1 to memory
               10  P0: evict x  [eager: never read again]
               11  P1: r0 = READ_ONCE(*x)  [read x=0 from STALE cache, missing x=1 in memory]
               12  P1: evict x  [eager: never read again]
               13  P1: apply invalidation of x  [eager: never read again]
            Explored 46 states
            Note: a verdict is this model's, not LKMM's. weak has loads in program order, so no load buffering; multicopy-atomic stores.
        "#]],
    );
}

#[test]
fn a_run_that_waits_forever_shows_the_path_to_its_deadlock() {
    check(
        &[&litmus("hang.litmus"), "--model", "tso"],
        expect![[r#"
            status Some(0)
            Test hang on tso (sb_depth 1, iq_depth 0)
            States 0
            Condition exists (1:r0=2)
            Verdict: Never
            Deadlocks 2
              1:r0=1; blocked: P0 at `r0 = smp_cond_load_acquire(x, VAL == 1)` (condition not met)
              1:r0=0; blocked: P0 at `r0 = smp_cond_load_acquire(x, VAL == 1)` (condition not met)
            Path to the first deadlock (3 steps):
                1  P0: WRITE_ONCE(*y, 1)  [y=1 into the store buffer]
                2  P0: drain y=1 to memory
                3  P1: r0 = READ_ONCE(*y)  [read y=1 from memory]
            Explored 6 states
            Note: a verdict is this model's, not LKMM's. tso has stores drain in program order, so never reordered; no invalidation queue, so no stale reads; loads in program order, so no load buffering; multicopy-atomic stores.
        "#]],
    );
}

#[test]
fn a_lock_never_released_deadlocks_the_other_core() {
    check(
        &[&litmus("lock-held.litmus"), "--model", "tso"],
        expect![[r#"
            status Some(0)
            Test lock-held on tso (sb_depth 4, iq_depth 0)
            States 1
            * 1:r0=0;
            (* marks the states that make the test fail: the proposition holds)
            Condition exists (1:r0=0)
            Verdict: Always
            Deadlocks 1
              1:r0=0; blocked: P1 at `spin_lock(l)` (lock is held)
            Witness (10 steps):
                1  P1: spin_lock(l)  [read l=0 from memory; l=1 to memory]
                2  P1: spin_lock(l)  [read fence passes]
                3  P1: r0 = READ_ONCE(*x)  [read x=0 from cache]
                4  P1: spin_unlock(l)  [write fence]
                5  P1: spin_unlock(l)  [l=0 into the store buffer]
                6  P1: drain l=0 to memory
                7  P0: spin_lock(l)  [read l=0 from memory; l=1 to memory]
                8  P0: spin_lock(l)  [read fence passes]
                9  P0: WRITE_ONCE(*x, 1)  [x=1 into the store buffer]
               10  P0: drain x=1 to memory
            Path to the first deadlock (4 steps):
                1  P0: spin_lock(l)  [read l=0 from memory; l=1 to memory]
                2  P0: spin_lock(l)  [read fence passes]
                3  P0: WRITE_ONCE(*x, 1)  [x=1 into the store buffer]
                4  P0: drain x=1 to memory
            Explored 15 states
            Note: a verdict is this model's, not LKMM's. tso has stores drain in program order, so never reordered; no invalidation queue, so no stale reads; loads in program order, so no load buffering; multicopy-atomic stores.
        "#]],
    );
}

#[test]
fn a_filter_keeps_only_the_final_states_it_admits() {
    check(
        &[&litmus("SB+filter.litmus"), "--model", "tso"],
        expect![[r#"
            status Some(0)
            Test SB+filter on tso (sb_depth 2, iq_depth 0)
            States 2
            * 1:r0=0; 0:r0=0;
              1:r0=1; 0:r0=0;
            (* marks the states that make the test fail: the proposition holds)
            Condition exists (1:r0=0)
            Verdict: Sometimes
            Witness (6 steps):
                1  P0: WRITE_ONCE(*x, 1)  [x=1 into the store buffer]
                2  P1: WRITE_ONCE(*y, 1)  [y=1 into the store buffer]
                3  P0: r0 = READ_ONCE(*y)  [read y=0 from cache, missing y=1 in P1's store buffer]
                4  P1: drain y=1 to memory
                5  P1: r0 = READ_ONCE(*x)  [read x=0 from cache, missing x=1 in P0's store buffer]
                6  P0: drain x=1 to memory
            Explored 23 states
            Note: a verdict is this model's, not LKMM's. tso has stores drain in program order, so never reordered; no invalidation queue, so no stale reads; loads in program order, so no load buffering; multicopy-atomic stores.
        "#]],
    );
}

#[test]
fn the_state_bound_stops_an_exploration_with_status_4() {
    check(
        &["IRIW", "--states-max", "20"],
        expect![[r#"
        status Some(4)
        Test IRIW on weak (sb_depth 2, iq_depth 2)
        States 0
        Condition exists (2:r0=1 /\ 2:r1=0 /\ 3:r0=1 /\ 3:r1=0)
        Verdict: state bound exceeded after 20 states (raise --states-max)
        Explored 20 states
        Note: a verdict is this model's, not LKMM's. weak has loads in program order, so no load buffering; multicopy-atomic stores.
    "#]],
    );
}

#[test]
fn check_json() {
    let out = wmsim_in(
        &scratch("snapshot-json"),
        &["check", "SB", "--model", "tso", "--json"],
    );
    common::assert_status(&out, 0);
    let v = common::stdout_json(&out);
    expect![[r#"
        {
          "bound": null,
          "bound_exceeded": false,
          "condition": "exists (0:r0=0 /\\ 1:r0=0)",
          "data_races": {
            "bounded": false,
            "executions_checked": 0,
            "has_plain_accesses": false,
            "races": [],
            "weaker_executions_checked": 0
          },
          "deadlocks": [],
          "exit_status": 0,
          "expected": null,
          "explored_states": 23,
          "filter_removed_every_state": false,
          "filtered_out": 0,
          "folded_moves": 0,
          "iq_depth": 0,
          "model": "tso",
          "sb_depth": 2,
          "scenario": "SB",
          "states": [
            {
              "fails": true,
              "matches": true,
              "state": {
                "0:r0": 0,
                "1:r0": 0
              }
            },
            {
              "fails": false,
              "matches": false,
              "state": {
                "0:r0": 0,
                "1:r0": 1
              }
            },
            {
              "fails": false,
              "matches": false,
              "state": {
                "0:r0": 1,
                "1:r0": 0
              }
            },
            {
              "fails": false,
              "matches": false,
              "state": {
                "0:r0": 1,
                "1:r0": 1
              }
            }
          ],
          "transitions": [
            {
              "core": 0,
              "eager": false,
              "instruction": "WRITE_ONCE(*x, 1)",
              "kind": "instruction",
              "write": {
                "location": "x",
                "to": "store_buffer",
                "value": 1
              }
            },
            {
              "core": 1,
              "eager": false,
              "instruction": "WRITE_ONCE(*y, 1)",
              "kind": "instruction",
              "write": {
                "location": "y",
                "to": "store_buffer",
                "value": 1
              }
            },
            {
              "core": 0,
              "eager": false,
              "instruction": "r0 = READ_ONCE(*y)",
              "kind": "instruction",
              "read": {
                "from": "cache",
                "location": "y",
                "missed": [
                  {
                    "core": 1,
                    "in": "store_buffer",
                    "value": 1
                  }
                ],
                "value": 0
              }
            },
            {
              "core": 1,
              "eager": false,
              "kind": "drain",
              "location": "y",
              "value": 1
            },
            {
              "core": 1,
              "eager": false,
              "instruction": "r0 = READ_ONCE(*x)",
              "kind": "instruction",
              "read": {
                "from": "cache",
                "location": "x",
                "missed": [
                  {
                    "core": 0,
                    "in": "store_buffer",
                    "value": 1
                  }
                ],
                "value": 0
              }
            },
            {
              "core": 0,
              "eager": false,
              "kind": "drain",
              "location": "x",
              "value": 1
            }
          ],
          "verdict": "Sometimes"
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&v).unwrap());
}

#[test]
fn check_in_herds_format() {
    check(
        &["SB", "--model", "tso", "--format", "herd"],
        expect![[r#"
            status Some(0)
            Test SB Allowed
            States 4
            0:r0=0; 1:r0=0;
            0:r0=0; 1:r0=1;
            0:r0=1; 1:r0=0;
            0:r0=1; 1:r0=1;
            Ok
            Witnesses
            Positive: 1 Negative: 3
            Condition exists (0:r0=0 /\ 1:r0=0)
            Observation SB Sometimes 1 3
            Time SB <time>

        "#]],
    );
}

#[test]
fn a_fuzz_summary_with_a_fixed_seed() {
    expect![[r#"
        status Some(1)
        SB on weak (sb_depth 2, iq_depth 2), seed 7: 2000 runs, <time> runs/s
        Condition: exists (0:r0=0 /\ 1:r0=0)
        *       1270  0:r0=0; 1:r0=0;
                 359  0:r0=0; 1:r0=1;
                 356  0:r0=1; 1:r0=0;
                  15  0:r0=1; 1:r0=1;
        Matches: 1270  Violations: 1270  Deadlocks: 0  Bound exceeded: 0  Filtered: 0
        Violation rate: 0.63500 (1270 violating or deadlocked of 2000 decided runs), 95% interval 0.61366..0.65582; 0 runs cut at the step bound, left out
        First violating run: 0 (seed 7)
        Note: counts of sampled runs on this model, not LKMM's; a 0 proves nothing (`wmsim check` explores every run). weak has loads in program order, so no load buffering; multicopy-atomic stores.
    "#]].assert_eq(&run(&[
        "fuzz", "SB", "--model", "weak", "--runs", "2000", "--seed", "7", "--save", "0",
    ]));
}

/// Out of order: an arm fuzz summary, and a power run saved and replayed
/// (loads satisfied before older stores commit; commits into the SMT
/// pair's buffer, PB, and its drains).
#[test]
fn out_of_order_fuzz_and_a_power_trace() {
    expect![[r#"
        status Some(1)
        LB on arm (out of order, window 32), seed 7: 2000 runs, <time> runs/s
        Condition: exists (0:r0=1 /\ 1:r0=1)
                 456  0:r0=0; 1:r0=0;
                 731  0:r0=0; 1:r0=1;
                 761  0:r0=1; 1:r0=0;
        *         52  0:r0=1; 1:r0=1;
        Matches: 52  Violations: 52  Deadlocks: 0  Bound exceeded: 0  Filtered: 0
        Violation rate: 0.02600 (52 violating or deadlocked of 2000 decided runs), 95% interval 0.01988..0.03394; 0 runs cut at the step bound, left out
        First violating run: 34 (seed 7)
        Note: counts of sampled runs on this model, not LKMM's; a 0 proves nothing (`wmsim check` explores every run). arm has multicopy-atomic stores to every other core; smp_wmb and release order stores' arrival in memory, so coherence order follows them; a later plain store to a released location is coherence-after the release; smp_rmb orders loads before later stores too; a lock is one atomic read-modify-write; a failed fully ordered cmpxchg is still ordered; a store after an unresolved branch waits even past the join; rcu_read_lock and rcu_read_unlock are full fences.
    "#]].assert_eq(&run(&[
        "fuzz", "LB", "--model", "arm", "--runs", "2000", "--seed", "7", "--save", "0",
    ]));
    let dir = scratch("snapshot-power");
    let fuzz = [
        "fuzz", "LB", "--model", "power", "--runs", "50", "--seed", "7", "--save", "1", "--traces",
        "tr",
    ];
    let out = wmsim_in(&dir, &fuzz);
    common::assert_status(&out, 1);
    let (stdout, _) = common::text(&out);
    let trace = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Trace: "))
        .and_then(|l| l.split_whitespace().next())
        .expect("a saved trace")
        .to_string();
    expect![[r#"
        status Some(0)
        wmsim timeline: LB on power (out of order, window 32, SMT pairs), seed 7, run 34
        condition: exists (0:r0=1 /\ 1:r0=1)

           cycle   | P0                                             | P1
        -----------+------------------------------------------------+------------------------------------------------
             236   |                                                | WRITE_ONCE(*x, 1) -> 1 in PB
             312   | r0 = READ_ONCE(*x) -> 1 pair                   |
             315   | WRITE_ONCE(*y, 1) -> 1 in PB                   |
             326   |                                                | r0 = READ_ONCE(*y) -> 1 pair
             326   |                                                | interrupted until t=1822
             412   |                                                | x=1 leaves PB -> memory
             506   | y=1 leaves PB -> memory                        |

        ended: complete at t=506 after 6 transitions: VIOLATION
        final: 0:r0=1 1:r0=1
        memory: x=1 y=1
        condition: exists (0:r0=1 /\ 1:r0=1): the proposition holds: VIOLATION
        legend: ! = a load that read a value older than the newest store to its location (a STALE copy, or another core's newer store still in its store buffer): what makes the weak outcome possible
        stalls: WAITS at = the core's next instruction cannot fire yet (a fence or an RMW waiting for its store buffer (SB) to drain or its invalidation queue (IQ) to be applied, a lock or a condition waiting for a value); BLOCKED at = blocked to the end of a deadlocked run; : = still waiting on that row
        reads: SB = forwarded from the core's own store buffer, cache = valid copy, STALE = stale copy (its invalidation still queued), mem = miss, read from memory
        out of order: rows are in time order, so a core's instructions may appear out of program order; SB = forwarded from an older store not yet committed; PB = the SMT pair's shared buffer (power), pair = read from it
        Replayed tr/LB/power/seed7-run34.ron (LB on power, seed 7, run 34): 6 transitions, the same transitions and final state; the timed driver, re-run from the recorded decisions and from the seed, fires the same events.
    "#]].assert_eq(&run_in(&dir, &["replay", &trace]));
}

/// A fuzzed run saved, replayed (its timeline), minimized, and the
/// minimized run replayed.
#[test]
fn a_saved_trace_replayed_and_minimized() {
    let dir = scratch("snapshot-trace");
    let fuzz = [
        "fuzz", "SB", "--model", "weak", "--runs", "50", "--seed", "7", "--save", "1", "--traces",
        "tr",
    ];
    let out = wmsim_in(&dir, &fuzz);
    common::assert_status(&out, 1);
    let trace = "tr/SB/weak/seed7-run0.ron";
    expect![[r#"
        status Some(0)
        wmsim timeline: SB on weak (sb_depth 2, iq_depth 2), seed 7, run 0
        condition: exists (0:r0=0 /\ 1:r0=0)

           cycle   | P0                                             | P1
        -----------+------------------------------------------------+------------------------------------------------
              42   | WRITE_ONCE(*x, 1) -> 1 in SB                   |
              44   | r0 = READ_ONCE(*y) -> 0 cache                  |
              54   |                                                | WRITE_ONCE(*y, 1) -> 1 in SB
              57 ! |                                                | r0 = READ_ONCE(*x) -> 0 cache
              78   | x=1 leaves SB -> memory                        | inv x arrives
              80   | evict y                                        |
              84   |                                                | evict x
             120   |                                                | inv x applied
             145   |                                                | y=1 leaves SB -> memory

        ended: complete at t=145 after 9 transitions: VIOLATION
        final: 0:r0=0 1:r0=0
        memory: x=1 y=1
        condition: exists (0:r0=0 /\ 1:r0=0): the proposition holds: VIOLATION
        legend: ! = a load that read a value older than the newest store to its location (a STALE copy, or another core's newer store still in its store buffer): what makes the weak outcome possible
        stalls: WAITS at = the core's next instruction cannot fire yet (a fence or an RMW waiting for its store buffer (SB) to drain or its invalidation queue (IQ) to be applied, a lock or a condition waiting for a value); BLOCKED at = blocked to the end of a deadlocked run; : = still waiting on that row
        reads: SB = forwarded from the core's own store buffer, cache = valid copy, STALE = stale copy (its invalidation still queued), mem = miss, read from memory
        Replayed tr/SB/weak/seed7-run0.ron (SB on weak, seed 7, run 0): 9 transitions, the same transitions and final state; the timed driver, re-run from the recorded decisions and from the seed, fires the same events.
    "#]].assert_eq(&run_in(&dir, &["replay", trace]));
    expect![[r#"
        status Some(0)
        Minimized tr/SB/weak/seed7-run0.ron to small.ron: 9 -> 6 transitions (33% shorter), 0 -> 0 interrupts, every delay at its minimum; it meets the same condition.
        wmsim replay small.ron
    "#]].assert_eq(&run_in(&dir, &["minimize", trace, "-o", "small.ron"]));
    expect![[r#"
        status Some(0)
        wmsim timeline: SB on weak (sb_depth 2, iq_depth 2), minimized from seed 7, run 0
        condition: exists (0:r0=0 /\ 1:r0=0)

           cycle   | P0                                             | P1
        -----------+------------------------------------------------+------------------------------------------------
               1   | WRITE_ONCE(*x, 1) -> 1 in SB                   |
               2   | r0 = READ_ONCE(*y) -> 0 cache                  |
               3   |                                                | WRITE_ONCE(*y, 1) -> 1 in SB
               4 ! |                                                | r0 = READ_ONCE(*x) -> 0 cache
              34   | x=1 leaves SB -> memory                        | inv x arrives
              64   | inv y arrives                                  | y=1 leaves SB -> memory

        ended: complete at t=64 after 6 transitions: VIOLATION
        final: 0:r0=0 1:r0=0
        memory: x=1 y=1
        condition: exists (0:r0=0 /\ 1:r0=0): the proposition holds: VIOLATION
        legend: ! = a load that read a value older than the newest store to its location (a STALE copy, or another core's newer store still in its store buffer): what makes the weak outcome possible
        stalls: WAITS at = the core's next instruction cannot fire yet (a fence or an RMW waiting for its store buffer (SB) to drain or its invalidation queue (IQ) to be applied, a lock or a condition waiting for a value); BLOCKED at = blocked to the end of a deadlocked run; : = still waiting on that row
        reads: SB = forwarded from the core's own store buffer, cache = valid copy, STALE = stale copy (its invalidation still queued), mem = miss, read from memory
        Replayed small.ron (SB on weak, minimized from seed 7, run 0): 6 transitions, the same transitions and final state (a minimized schedule: re-applied on the machine, every delay at its minimum; the run it was minimized from, re-run, fails the same way and is no shorter).
    "#]].assert_eq(&run_in(&dir, &["replay", "small.ron"]));
}

/// A deadlocked run's timeline: the core blocked to the end.
#[test]
fn a_deadlocked_trace_replayed() {
    let dir = scratch("snapshot-deadlock");
    let hang = litmus("hang.litmus");
    let fuzz = [
        "fuzz", &hang, "--model", "tso", "--runs", "10", "--seed", "1", "--save", "1", "--traces",
        "tr",
    ];
    let out = wmsim_in(&dir, &fuzz);
    // Every run deadlocks: a violation of its own kind.
    common::assert_status(&out, 1);
    let (stdout, _) = text(&out);
    let trace = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Trace: "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no trace saved: {stdout}"))
        .to_string();
    expect![[r#"
        status Some(0)
        wmsim timeline: hang on tso (sb_depth 1, iq_depth 0), seed 1, run 0
        condition: exists (1:r0=2)

           cycle   | P0                                             | P1
        -----------+------------------------------------------------+------------------------------------------------
             121   |                                                | r0 = READ_ONCE(*y) -> 0 cache
             165   | WRITE_ONCE(*y, 1) -> 1 in SB                   |
             166   | BLOCKED at r0 = smp_cond_load_acquire(x, VAL … |
             261   | y=1 leaves SB -> memory                        |

        ended: DEADLOCK at t=261 after 3 transitions: VIOLATION
          P0 BLOCKED since t=166 at `r0 = smp_cond_load_acquire(x, VAL == 1)`: condition not met
        final: 1:r0=0
        memory: x=0 y=1
        condition: exists (1:r0=2): a deadlock: a violation of its own kind
        held back (an instruction that could not fire yet, a store behind an smp_wmb(), and what each waited for):
          P0 `r0 = smp_cond_load_acquire(x, VAL == 1)` BLOCKED from t=166 to the end (t=261): condition not met
        legend: ! = a load that read a value older than the newest store to its location (a STALE copy, or another core's newer store still in its store buffer): what makes the weak outcome possible
        stalls: WAITS at = the core's next instruction cannot fire yet (a fence or an RMW waiting for its store buffer (SB) to drain or its invalidation queue (IQ) to be applied, a lock or a condition waiting for a value); BLOCKED at = blocked to the end of a deadlocked run; : = still waiting on that row
        reads: SB = forwarded from the core's own store buffer, cache = valid copy, STALE = stale copy (its invalidation still queued), mem = miss, read from memory
        Replayed tr/hang/tso/seed1-run0.ron (hang on tso, seed 1, run 0): 3 transitions, the same transitions and final state; the timed driver, re-run from the recorded decisions and from the seed, fires the same events.
    "#]].assert_eq(&run_in(&dir, &["replay", &trace]));
}
