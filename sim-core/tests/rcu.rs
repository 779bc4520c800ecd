//! RCU on every model (OUT-OF-ORDER.md, section 5): the grace-period
//! guarantee holds, removing the grace period breaks it where the model
//! reorders, and `synchronize_rcu()` inside a reader deadlocks.

use memory_model::{Config, Machine, ModelName};
use scenarios::litmus::parse_litmus;
use sim_core::{Exploration, ExploreOptions, Verdict};

fn explore(text: &str, model: ModelName) -> (Verdict, usize) {
    let scenario = parse_litmus(text, "rcu.litmus").expect("parses");
    let config = Config::new(model, None, None, 4).expect("valid config");
    let machine = Machine::new(&scenario, config);
    let x = Exploration::run(&machine, ExploreOptions::default());
    assert!(!x.bound_exceeded, "bound exceeded on {model}");
    (x.verdict(), x.deadlocks.len())
}

/// A reader sees `x=1` but `y=0` although the updater wrote `y` first and
/// then waited for a grace period (or not, when `GP` is `barrier()`).
const READER_UPDATER: &str = "C reader-updater
{}
P0(int *x, int *y)
{
	int r0;
	int r1;
	rcu_read_lock();
	r0 = READ_ONCE(*x);
	r1 = READ_ONCE(*y);
	rcu_read_unlock();
}
P1(int *x, int *y)
{
	WRITE_ONCE(*y, 1);
	GP;
	WRITE_ONCE(*x, 1);
}
exists (0:r0=1 /\\ 0:r1=0)
";

#[test]
fn a_grace_period_orders_an_updater_against_a_reader() {
    let with = READER_UPDATER.replace("GP", "synchronize_rcu()");
    let expedited = READER_UPDATER.replace("GP", "synchronize_rcu_expedited()");
    let without = READER_UPDATER.replace("GP", "barrier()");
    for model in ModelName::ALL {
        assert_eq!(explore(&with, model), (Verdict::Never, 0), "{model}");
        assert_eq!(explore(&expedited, model), (Verdict::Never, 0), "{model}");
    }
    // Without it, weak drains the stores out of order.
    assert_eq!(explore(&without, ModelName::Weak).0, Verdict::Sometimes);
    assert_eq!(explore(&without, ModelName::Sc).0, Verdict::Never);
}

#[test]
fn synchronize_rcu_inside_a_reader_deadlocks() {
    let text = "C self-deadlock
{}
P0(int *x)
{
	rcu_read_lock();
	synchronize_rcu();
	WRITE_ONCE(*x, 1);
	rcu_read_unlock();
}
exists (x=1)
";
    for model in ModelName::ALL {
        let (verdict, deadlocks) = explore(text, model);
        assert_eq!((verdict, deadlocks), (Verdict::Never, 1), "{model}");
    }
}

#[test]
fn nested_readers_hold_the_grace_period_until_the_outermost_unlock() {
    // The inner unlock leaves P0 inside its outer reader, so P1's grace
    // period cannot end there: the reader never sees the updater half done.
    let text = "C nested
{}
P0(int *x, int *y)
{
	int r0;
	int r1;
	rcu_read_lock();
	rcu_read_lock();
	r0 = READ_ONCE(*x);
	rcu_read_unlock();
	r1 = READ_ONCE(*y);
	rcu_read_unlock();
}
P1(int *x, int *y)
{
	WRITE_ONCE(*y, 1);
	synchronize_rcu();
	WRITE_ONCE(*x, 1);
}
exists (0:r0=1 /\\ 0:r1=0)
";
    for model in ModelName::ALL {
        assert_eq!(explore(text, model), (Verdict::Never, 0), "{model}");
    }
}
