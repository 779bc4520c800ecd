//! One section of `check`'s output: a scenario on a model, as text or
//! JSON.

use memory_model::ir::Scenario;
use memory_model::Machine;
use serde_json::{json, Value as Json};
use sim_core::witness::{explain, WitnessStep};
use sim_core::Exploration;

use crate::limits;
use campaign::expectation::{Comparison, Expected};
use replay::narration;

/// One scenario on one model, ready to print.
pub struct Section<'a, 'm, 's> {
    pub machine: &'a Machine<'s>,
    pub x: &'a Exploration<'m, 's>,
    pub witness: Option<Vec<WitnessStep>>,
    pub expected: Option<&'a Expected>,
    pub comparison: Option<Comparison>,
    pub races: &'a crate::races::Races,
    pub verbose: bool,
}

impl Section<'_, '_, '_> {
    fn scenario(&self) -> &Scenario {
        self.machine.scenario
    }

    /// The steps shown: reduction moves folded away unless `--verbose`;
    /// and how many were folded.
    fn shown<'w>(&self, steps: &'w [WitnessStep]) -> (Vec<&'w WitnessStep>, usize) {
        let shown: Vec<_> = steps
            .iter()
            .filter(|s| self.verbose || !s.is_reduction_move())
            .collect();
        let folded = steps.len() - shown.len();
        (shown, folded)
    }

    fn first_deadlock_path(&self) -> Option<Vec<WitnessStep>> {
        let d = self.x.deadlocks.first()?;
        Some(explain(self.machine, &self.x.steps_to(d.state)))
    }

    /// Whether a filter removed every final state: then `Never` was
    /// decided on nothing.
    fn filter_removed_all(&self) -> bool {
        self.scenario().filter.is_some()
            && self.x.counted_finals().next().is_none()
            && self.x.filtered_out() > 0
    }

    /// The steps shown, as JSON objects, and how many were folded away.
    fn steps_json(&self, steps: &[WitnessStep]) -> (Json, usize) {
        let (shown, folded) = self.shown(steps);
        let scenario = self.scenario();
        let steps = shown
            .iter()
            .map(|s| narration::step_json(scenario, s))
            .collect();
        (Json::Array(steps), folded)
    }

    pub fn json(&self, status: u8) -> Json {
        let scenario = self.scenario();
        let x = self.x;
        let condition = &scenario.condition;
        let states: Vec<_> = x
            .counted_finals()
            .map(|f| {
                json!({
                    "state": narration::state_json(scenario, &f.values),
                    "matches": f.satisfies,
                    "fails": condition.fails_when(f.satisfies),
                })
            })
            .collect();
        let deadlocks: Vec<_> = x
            .deadlocks
            .iter()
            .map(|d| {
                let path = explain(self.machine, &x.steps_to(d.state));
                let blocked: Vec<_> = d
                    .blocked
                    .iter()
                    .map(|b| {
                        json!({
                            "core": b.core,
                            "instruction": scenario.threads[b.core].source.get(b.pc),
                            "reason": b.reason.map(|r| r.describe()),
                        })
                    })
                    .collect();
                let (transitions, folded) = self.steps_json(&path);
                json!({
                    "state": narration::state_json(scenario, &d.values),
                    "blocked": blocked,
                    "transitions": transitions,
                    "folded_moves": folded,
                })
            })
            .collect();
        let expected = match (self.expected, &self.comparison) {
            (Some(e), Some(c)) => json!({
                "verdict": e.word,
                "from": if e.from_flag { "flag" } else { "result_comment" },
                "met": c.met,
                "note": c.note,
            }),
            _ => Json::Null,
        };
        let witness = self.witness.as_deref().map(|w| self.steps_json(w));
        let witness = witness.as_ref().map(|(t, f)| (t, *f));
        let c = self.machine.config;
        json!({
            "scenario": scenario.name,
            "model": c.model.as_str(),
            "sb_depth": c.sb_depth,
            "iq_depth": c.iq_depth,
            "condition": scenario.format_condition(),
            "verdict": if x.bound_exceeded { None } else { Some(x.verdict()) },
            "bound_exceeded": x.bound_exceeded,
            "bound": x.bound_hit,
            "states": states,
            "filtered_out": x.filtered_out(),
            "filter_removed_every_state": self.filter_removed_all(),
            "deadlocks": deadlocks,
            "transitions": witness.map(|w| w.0),
            "folded_moves": witness.map_or(0, |w| w.1),
            "expected": expected,
            "exit_status": status,
            "explored_states": x.explored_states,
            "data_races": self.races.json(scenario),
        })
    }

    fn print_steps(&self, title: &str, steps: &[WitnessStep]) {
        let (shown, folded) = self.shown(steps);
        let fold_note = if folded > 0 {
            format!(
                "; {folded} eager evictions and invalidations of the search folded away, \
                 --verbose shows them"
            )
        } else {
            String::new()
        };
        outln!("{title} ({} steps{fold_note}):", shown.len());
        for (i, s) in shown.iter().enumerate() {
            outln!(
                "  {:>3}  {}",
                i + 1,
                narration::step_text(self.scenario(), s)
            );
        }
    }

    pub fn print_text(&self) {
        let scenario = self.scenario();
        let x = self.x;
        let c = self.machine.config;
        outln!("Test {} on {} ({})", scenario.name, c.model, c.describe());
        let finals: Vec<_> = x.counted_finals().collect();
        outln!("States {}", finals.len());
        for f in &finals {
            let mark = narration::fail_mark(&scenario.condition, f.satisfies);
            outln!("{mark} {}", narration::state_text(scenario, &f.values));
        }
        if finals
            .iter()
            .any(|f| scenario.condition.fails_when(f.satisfies))
        {
            outln!("{}", narration::fail_mark_legend(&scenario.condition));
        }
        outln!("Condition {}", scenario.format_condition());
        if let Some(bound) = x.bound_hit {
            outln!(
                "Verdict: {} bound exceeded after {} states (raise {})",
                limits::adjective(bound),
                x.explored_states,
                limits::flag(bound)
            );
        } else {
            outln!(
                "Verdict: {}{}",
                x.verdict().as_str(),
                self.races.verdict_suffix(scenario)
            );
        }
        if self.filter_removed_all() {
            outln!(
                "The filter removed every final state ({}): nothing was left to test, so \
                 this verdict says nothing about the condition.",
                x.filtered_out()
            );
        }
        if let (Some(e), Some(cmp)) = (self.expected, &self.comparison) {
            outln!("Expected {} ({}): {}", e.word, e.source_label(), cmp.note);
        }
        self.races.print_text(scenario);
        if !x.deadlocks.is_empty() {
            outln!("Deadlocks {}", x.deadlocks.len());
            for d in x.deadlocks.iter().take(10) {
                let who: Vec<_> = d
                    .blocked
                    .iter()
                    .map(|b| {
                        format!(
                            "P{} at `{}` ({})",
                            b.core,
                            scenario.threads[b.core].source.get(b.pc).map_or("?", |s| s),
                            b.reason.map_or("?", |r| r.describe())
                        )
                    })
                    .collect();
                outln!(
                    "  {} blocked: {}",
                    narration::state_text(scenario, &d.values),
                    who.join(", ")
                );
            }
        }
        if let Some(w) = &self.witness {
            self.print_steps("Witness", w);
        }
        if let Some(path) = self.first_deadlock_path() {
            self.print_steps("Path to the first deadlock", &path);
        }
        outln!("Explored {} states", x.explored_states);
        // The same words as `suite`'s note, from the model's parameters,
        // and what this run's options narrow.
        outln!(
            "Note: a verdict is this model's, not LKMM's. {}",
            replay::narration::config_lacks(&self.machine.config)
        );
    }
}
