//! The built-in scenarios: the classic litmus shapes, each with the final
//! condition that makes it interesting (the reordering it is about).

use memory_model::ir::{address_of, Address, Scenario};

use crate::builder::{all, eq, ScenarioBuilder, ThreadBuilder};

/// A built-in scenario's name and a one-line description of what its
/// condition asks.
pub struct Builtin {
    pub name: &'static str,
    pub about: &'static str,
    build: fn() -> Scenario,
}

impl Builtin {
    pub fn scenario(&self) -> Scenario {
        (self.build)()
    }
}

/// Every built-in scenario, in the order `wmsim list` shows them.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "SB",
        about: "store buffering: both threads read the other's flag as 0",
        build: || store_buffering("SB", None),
    },
    Builtin {
        name: "SB+mbs",
        about: "store buffering with smp_mb() on both sides",
        build: || store_buffering("SB+mbs", Some(Fence::Mb)),
    },
    Builtin {
        name: "MP",
        about: "message passing: the flag is seen, the data is not",
        build: || message_passing("MP", None, None),
    },
    Builtin {
        name: "MP+wmb+rmb",
        about: "message passing with smp_wmb() and smp_rmb()",
        build: || message_passing("MP+wmb+rmb", Some(Fence::Wmb), Some(Fence::Rmb)),
    },
    Builtin {
        name: "MP+wmb",
        about: "message passing with smp_wmb() on the writer only",
        build: || message_passing("MP+wmb", Some(Fence::Wmb), None),
    },
    Builtin {
        name: "MP+rmb",
        about: "message passing with smp_rmb() on the reader only",
        build: || message_passing("MP+rmb", None, Some(Fence::Rmb)),
    },
    Builtin {
        name: "MP+wmb+addr",
        about: "message passing through a pointer: the reader's second load goes through the address it read",
        build: mp_wmb_addr,
    },
    Builtin {
        name: "LB",
        about: "load buffering: each thread reads the other's later store",
        build: load_buffering,
    },
    Builtin {
        name: "IRIW",
        about: "independent reads of independent writes: readers disagree on the order",
        build: || iriw("IRIW", None),
    },
    Builtin {
        name: "IRIW+mbs",
        about: "IRIW with smp_mb() between the reads",
        build: || iriw("IRIW+mbs", Some(Fence::Mb)),
    },
    Builtin {
        name: "2+2W+wmbs",
        about: "two writers, two locations, smp_wmb() between: both first writes last",
        build: two_plus_two_w_wmbs,
    },
];

/// The built-in scenario called `name`.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

#[derive(Clone, Copy)]
enum Fence {
    Mb,
    Wmb,
    Rmb,
}

fn fence(t: &mut ThreadBuilder, f: Option<Fence>) {
    match f {
        Some(Fence::Mb) => t.smp_mb("smp_mb();"),
        Some(Fence::Wmb) => t.smp_wmb("smp_wmb();"),
        Some(Fence::Rmb) => t.smp_rmb("smp_rmb();"),
        None => {}
    }
}

fn finish(b: ScenarioBuilder) -> Scenario {
    b.build().expect("built-in scenarios are within the limits")
}

fn store_buffering(name: &str, f: Option<Fence>) -> Scenario {
    let mut b = ScenarioBuilder::new(name);
    let x = b.location("x", 0);
    let y = b.location("y", 0);
    for (mine, other) in [(x, y), (y, x)] {
        b.thread(|t| {
            let one = t.constant(1);
            let r0 = t.register("r0");
            t.write_once(mine, one, "WRITE_ONCE(*mine, 1);");
            fence(t, f);
            t.read_once(r0, other, "r0 = READ_ONCE(*other);");
        });
    }
    let cond = all([eq(b.reg(0, "r0"), 0), eq(b.reg(1, "r0"), 0)]);
    b.exists(cond);
    finish(b)
}

fn message_passing(name: &str, writer: Option<Fence>, reader: Option<Fence>) -> Scenario {
    let mut b = ScenarioBuilder::new(name);
    let x = b.location("x", 0);
    let y = b.location("y", 0);
    b.thread(|t| {
        let one = t.constant(1);
        t.write_once(x, one, "WRITE_ONCE(*x, 1);");
        fence(t, writer);
        t.write_once(y, one, "WRITE_ONCE(*y, 1);");
    });
    b.thread(|t| {
        let r0 = t.register("r0");
        let r1 = t.register("r1");
        t.read_once(r0, y, "r0 = READ_ONCE(*y);");
        fence(t, reader);
        t.read_once(r1, x, "r1 = READ_ONCE(*x);");
    });
    let cond = all([eq(b.reg(1, "r0"), 1), eq(b.reg(1, "r1"), 0)]);
    b.exists(cond);
    finish(b)
}

fn mp_wmb_addr() -> Scenario {
    let mut b = ScenarioBuilder::new("MP+wmb+addr");
    let x = b.location("x", 0);
    let y = b.location("y", 0);
    let p = b.location("p", address_of(y));
    b.thread(|t| {
        let one = t.constant(1);
        let to_x = t.address_constant(x);
        t.write_once(x, one, "WRITE_ONCE(*x, 1);");
        t.smp_wmb("smp_wmb();");
        t.write_once(p, to_x, "WRITE_ONCE(*p, x);");
    });
    b.thread(|t| {
        let r0 = t.register("r0");
        let r1 = t.register("r1");
        t.read_once(r0, p, "r0 = READ_ONCE(*p);");
        t.read_once(r1, Address::Indirect(r0), "r1 = READ_ONCE(*r0);");
    });
    let cond = all([eq(b.reg(1, "r0"), address_of(x)), eq(b.reg(1, "r1"), 0)]);
    b.exists(cond);
    finish(b)
}

fn load_buffering() -> Scenario {
    let mut b = ScenarioBuilder::new("LB");
    let x = b.location("x", 0);
    let y = b.location("y", 0);
    for (read, write) in [(x, y), (y, x)] {
        b.thread(|t| {
            let one = t.constant(1);
            let r0 = t.register("r0");
            t.read_once(r0, read, "r0 = READ_ONCE(*read);");
            t.write_once(write, one, "WRITE_ONCE(*write, 1);");
        });
    }
    let cond = all([eq(b.reg(0, "r0"), 1), eq(b.reg(1, "r0"), 1)]);
    b.exists(cond);
    finish(b)
}

fn iriw(name: &str, f: Option<Fence>) -> Scenario {
    let mut b = ScenarioBuilder::new(name);
    let x = b.location("x", 0);
    let y = b.location("y", 0);
    for loc in [x, y] {
        b.thread(|t| {
            let one = t.constant(1);
            t.write_once(loc, one, "WRITE_ONCE(*loc, 1);");
        });
    }
    for (first, second) in [(x, y), (y, x)] {
        b.thread(|t| {
            let r0 = t.register("r0");
            let r1 = t.register("r1");
            t.read_once(r0, first, "r0 = READ_ONCE(*first);");
            fence(t, f);
            t.read_once(r1, second, "r1 = READ_ONCE(*second);");
        });
    }
    let cond = all([
        eq(b.reg(2, "r0"), 1),
        eq(b.reg(2, "r1"), 0),
        eq(b.reg(3, "r0"), 1),
        eq(b.reg(3, "r1"), 0),
    ]);
    b.exists(cond);
    finish(b)
}

fn two_plus_two_w_wmbs() -> Scenario {
    let mut b = ScenarioBuilder::new("2+2W+wmbs");
    let x = b.location("x", 0);
    let y = b.location("y", 0);
    for (first, second) in [(x, y), (y, x)] {
        b.thread(|t| {
            let one = t.constant(1);
            let two = t.constant(2);
            t.write_once(first, one, "WRITE_ONCE(*first, 1);");
            t.smp_wmb("smp_wmb();");
            t.write_once(second, two, "WRITE_ONCE(*second, 2);");
        });
    }
    let cond = all([eq(b.loc("x"), 1), eq(b.loc("y"), 1)]);
    b.exists(cond);
    finish(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_builds_and_is_named_as_listed() {
        for b in BUILTINS {
            let s = b.scenario();
            assert_eq!(s.name, b.name);
            assert!(s.validate().is_ok());
            assert!(!s.observed.is_empty(), "{} observes nothing", b.name);
        }
    }
}
