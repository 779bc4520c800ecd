//! Data races as the commands report them: found once per scenario by
//! `sim_core::races` (LKMM's rule on the scenario's sequentially
//! consistent executions), shown beside every model's verdict, since a
//! race makes the program undefined under LKMM whatever the model.

use memory_model::ir::Scenario;
use serde_json::{json, Value as Json};
use sim_core::races::{find_races, Race, RaceAccess, RaceReport, RaceStep, RACE_NODES_MAX_DEFAULT};

/// The races of one scenario, and the file its positions refer to.
pub struct Races {
    pub report: RaceReport,
    file: String,
}

impl Races {
    pub fn find(scenario: &Scenario, file: &str) -> Races {
        Races {
            report: find_races(scenario, RACE_NODES_MAX_DEFAULT),
            file: file.to_string(),
        }
    }

    pub fn any(&self) -> bool {
        !self.report.races.is_empty()
    }

    /// The racy locations' names, in order of their first race.
    pub fn locations(&self, scenario: &Scenario) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for r in &self.report.races {
            let name = scenario.location_name(r.first.loc).to_string();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// `a data race on x` or `data races on x, y`.
    pub fn summary(&self, scenario: &Scenario) -> String {
        let word = if self.report.races.len() == 1 {
            "a data race"
        } else {
            "data races"
        };
        format!("{word} on {}", self.locations(scenario).join(", "))
    }

    /// What follows the verdict: `, but a data race on x: LKMM gives this
    /// program no meaning`, or nothing when race-free.
    pub fn verdict_suffix(&self, scenario: &Scenario) -> String {
        if !self.any() {
            return String::new();
        }
        format!(
            ", but {}: LKMM gives this program no meaning",
            self.summary(scenario)
        )
    }

    /// `P0's plain write of x (file:3:5: `*x = 1`)`.
    fn access_text(&self, scenario: &Scenario, a: &RaceAccess) -> String {
        let thread = &scenario.threads[a.core];
        let kind = match (a.plain, a.write) {
            (true, true) => "plain write",
            (true, false) => "plain read",
            (false, true) => "marked write",
            (false, false) => "marked read",
        };
        format!(
            "P{}'s {kind} of {} at {} `{}`",
            a.core,
            scenario.location_name(a.loc),
            self.position(scenario, a),
            thread.source.get(a.pc).map_or("?", |s| s.as_str())
        )
    }

    fn position(&self, scenario: &Scenario, a: &RaceAccess) -> String {
        let p = scenario.threads[a.core]
            .positions
            .get(a.pc)
            .copied()
            .unwrap_or_default();
        if p.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}:{}", self.file, p.line, p.col)
        }
    }

    /// What a reviewer would ask for.
    fn advice(&self, scenario: &Scenario, r: &Race) -> String {
        let plain: Vec<String> = [r.first, r.second]
            .iter()
            .filter(|a| a.plain)
            .map(|a| format!("P{}'s", a.core))
            .collect();
        let what = if plain.len() == 2 {
            "both accesses".to_string()
        } else {
            format!("{} access", plain.join(""))
        };
        format!(
            "mark {what} (READ_ONCE/WRITE_ONCE) if they may run concurrently, or order them \
             (smp_store_release/smp_load_acquire, a lock, a full barrier on each side) so that \
             one always happens before the other; racing on {} is undefined",
            scenario.location_name(r.first.loc)
        )
    }

    /// The races as a fuzz result names them.
    pub fn summaries(&self, scenario: &Scenario) -> Vec<campaign::result::DataRace> {
        self.report
            .races
            .iter()
            .map(|r| campaign::result::DataRace {
                location: scenario.location_name(r.first.loc).to_string(),
                first: self.access_text(scenario, &r.first),
                second: self.access_text(scenario, &r.second),
            })
            .collect()
    }

    pub fn print_text(&self, scenario: &Scenario) {
        let report = &self.report;
        if !report.has_plain {
            return;
        }
        let covered = format!(
            "LKMM's data-race rule on {} sequentially consistent execution{} and {} whose reads \
             may return older or later values{}",
            report.executions,
            if report.executions == 1 { "" } else { "s" },
            report.weaker_executions,
            if report.bounded {
                "; the search stopped at its bound, so races may be missing"
            } else {
                ""
            }
        );
        if !self.any() {
            outln!("Data races: none ({covered})");
            return;
        }
        outln!("Data races {} ({covered}):", report.races.len());
        for r in &report.races {
            outln!(
                "  on {}: {}",
                scenario.location_name(r.first.loc),
                self.access_text(scenario, &r.first)
            );
            outln!("    and {}", self.access_text(scenario, &r.second));
            outln!("    not ordered by LKMM: {}.", self.advice(scenario, r));
            if r.sequentially_consistent {
                outln!(
                    "    A sequentially consistent run that reaches them ({} steps):",
                    r.witness.len()
                );
            } else {
                outln!(
                    "    An execution LKMM allows that reaches them ({} steps; a read marked \
                     \"older\" returns a write that a newer one had already overwritten, one \
                     marked \"from a later write\" a write its thread performs later):",
                    r.witness.len()
                );
            }
            for (i, step) in r.witness.iter().enumerate() {
                outln!("    {:>3}  {}", i + 1, step_text(scenario, r, step));
            }
        }
    }

    pub fn json(&self, scenario: &Scenario) -> Json {
        let access = |a: &RaceAccess| {
            let p = scenario.threads[a.core]
                .positions
                .get(a.pc)
                .copied()
                .unwrap_or_default();
            json!({
                "thread": a.core,
                "instruction": scenario.threads[a.core].source.get(a.pc),
                "file": self.file,
                "line": p.line,
                "column": p.col,
                "location": scenario.location_name(a.loc),
                "access": if a.write { "write" } else { "read" },
                "plain": a.plain,
            })
        };
        let races: Vec<Json> = self
            .report
            .races
            .iter()
            .map(|r| {
                json!({
                    "location": scenario.location_name(r.first.loc),
                    "first": access(&r.first),
                    "second": access(&r.second),
                    "advice": self.advice(scenario, r),
                    "sequentially_consistent": r.sequentially_consistent,
                    "witness": r.witness.iter().map(|step| json!({
                        "thread": step.core,
                        "instruction": scenario.threads[step.core].source.get(step.pc),
                        "read": step.read.map(|(l, v)| json!({
                            "location": scenario.location_name(l),
                            "value": scenario.format_value(v),
                            "older": step.stale,
                        })),
                        "wrote": step.wrote.map(|(l, v)| json!({
                            "location": scenario.location_name(l),
                            "value": scenario.format_value(v),
                        })),
                        "racing_access": is_racing(r, step),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "races": races,
            "has_plain_accesses": self.report.has_plain,
            "executions_checked": self.report.executions,
            "weaker_executions_checked": self.report.weaker_executions,
            "bounded": self.report.bounded,
        })
    }
}

/// Whether a witness step performs one of the race's two accesses.
fn is_racing(r: &Race, step: &RaceStep) -> bool {
    [r.first, r.second]
        .iter()
        .any(|a| a.core == step.core && a.pc == step.pc)
}

/// `P0: r0 = *y  (reads y = 0)  <- racing access`.
fn step_text(scenario: &Scenario, r: &Race, step: &RaceStep) -> String {
    let mut text = run_step_text(scenario, step);
    if is_racing(r, step) {
        text.push_str("  <- racing access");
    }
    text
}

/// One step of a run of LKMM executions: `P0: r0 = READ_ONCE(*x)  (reads
/// x = 0, older)`.
pub fn run_step_text(scenario: &Scenario, step: &RaceStep) -> String {
    let mut text = format!(
        "P{}: {}",
        step.core,
        scenario.threads[step.core]
            .source
            .get(step.pc)
            .map_or("?", |s| s.as_str())
    );
    let mut effects = Vec::new();
    if let Some((l, v)) = step.read {
        effects.push(format!(
            "reads {} = {}{}",
            scenario.location_name(l),
            scenario.format_value(v),
            if step.later {
                ", from a later write"
            } else if step.stale {
                ", older"
            } else {
                ""
            }
        ));
    }
    if let Some((l, v)) = step.wrote {
        effects.push(format!(
            "writes {} = {}",
            scenario.location_name(l),
            scenario.format_value(v)
        ));
    }
    if !effects.is_empty() {
        text.push_str(&format!("  ({})", effects.join(", ")));
    }
    text
}
