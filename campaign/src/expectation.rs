//! An expected verdict (`--expect`, or the file's `Result:` line) and how
//! an exploration stands against it, in words.

use sim_core::{Exploration, Verdict};

/// The verdict a section is compared with, and where it was written.
#[derive(Clone, Debug)]
pub struct Expected {
    /// `Never`, `Sometimes`, `Always`, or another word a `Result:` line has.
    pub word: String,
    pub from_flag: bool,
}

impl Expected {
    pub fn source_label(&self) -> &'static str {
        if self.from_flag {
            "--expect"
        } else {
            "the file's Result: line"
        }
    }
}

/// How an exploration stands against an expected verdict.
pub struct Comparison {
    /// `None`: not compared (no verdict, or a word that is not one).
    pub met: Option<bool>,
    pub note: String,
}

/// How the verdict stands against the expected one, in words.
pub fn compare(x: &Exploration, expected: &Expected) -> Comparison {
    let Some(want) = Verdict::parse(&expected.word) else {
        return Comparison {
            met: None,
            note: "not a verdict check compares (Never, Sometimes or Always)".into(),
        };
    };
    if x.bound_exceeded {
        return Comparison {
            met: None,
            note: "not compared: the exploration stopped at its bound".into(),
        };
    }
    // herd7 does not count runs that hang, so its Result: line is met by
    // the verdict alone; --expect Never also asks that no run deadlocks.
    let lkmm = !expected.from_flag;
    let got = x.verdict();
    if lkmm && got == want {
        let note = match x.deadlocks.len() {
            0 => "met".into(),
            n => format!(
                "met (like herd7, the verdict leaves out runs that deadlock: {n} deadlocked \
                 state(s) below)"
            ),
        };
        return Comparison {
            met: Some(true),
            note,
        };
    }
    if x.meets(want) {
        return Comparison {
            met: Some(true),
            note: "met".into(),
        };
    }
    let forbids = if lkmm { ", which LKMM forbids" } else { "" };
    let why = match (want, got) {
        (Verdict::Never, Verdict::Never) => format!(
            "the proposition never holds, but {} deadlocked state(s) are reachable",
            x.deadlocks.len()
        ),
        (Verdict::Never, _) => {
            format!("this model reaches a final state where the proposition holds{forbids}")
        }
        (Verdict::Sometimes, Verdict::Never) if lkmm => "LKMM allows final states where the \
             proposition holds, but this model reaches none: it did not exhibit what LKMM \
             allows (a limit of the model, not a proof)"
            .into(),
        (Verdict::Sometimes, Verdict::Never) => {
            "this model reaches no final state where the proposition holds".into()
        }
        (Verdict::Sometimes, _) if lkmm => "LKMM allows final states where the proposition \
             fails, but this model reaches none"
            .into(),
        (Verdict::Sometimes, _) => {
            "this model reaches no final state where the proposition fails".into()
        }
        (Verdict::Always, _) if x.counted_finals().next().is_none() => {
            "no final state is reachable".into()
        }
        (Verdict::Always, _) => {
            format!("this model reaches a final state where the proposition fails{forbids}")
        }
    };
    Comparison {
        met: Some(false),
        note: format!("NOT MET, the verdict is {}: {why}", got.as_str()),
    }
}
