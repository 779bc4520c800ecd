//! `wmsim fences`: the weakest barriers that make a scenario safe on every
//! model, each proven by the exhaustive driver, with why each is needed: a
//! failing run for each one-step weaker choice.
//!
//! The sites and their choices come from `scenarios::litmus::fence_sites`
//! (the file's text, rewritten); the search for the minimal placements
//! from `campaign::placement`; this module checks placements (a placement
//! is safe when no model reaches the condition's failing outcome or a
//! deadlock), explains, and prints.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use campaign::placement::{self, Check, Placement, Strength};
use memory_model::ir::Scenario;
use memory_model::{Config, Machine, ModelName};
use scenarios::litmus::{fence_sites, parse_litmus, rewrite, Cost, Site, SiteKind};
use serde_json::{json, Value as Json};
use sim_core::{Bound, Exploration, ExploreOptions, RunEnd, Timing};

use crate::{exit, load, Failure, FencesArgs};

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FencesFormat {
    Text,
    Json,
    Patch,
}

/// Who shows a placement failing: a model, or LKMM's own axioms on an
/// execution the race search found (`sim_core::races::lkmm_outcome`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Judge {
    Model(ModelName),
    Lkmm,
    /// LKMM's data-race rule: a racy program has no meaning, whatever its
    /// outcomes.
    Race,
}

impl std::fmt::Display for Judge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Judge {
    fn as_str(self) -> &'static str {
        match self {
            Judge::Model(m) => m.as_str(),
            Judge::Lkmm => "LKMM",
            Judge::Race => "LKMM (a data race)",
        }
    }
}

/// How far the LKMM check and the race check search, in execution
/// prefixes per pass: a tenth of `check`'s race search, as they run once
/// per placement the models find safe. Litmus tests of a few accesses per
/// thread finish well within it; a bounded check is said in the output.
const LKMM_NODES_MAX: usize = sim_core::races::RACE_NODES_MAX_DEFAULT / 10;

/// Whether LKMM's axioms allow an execution of `scenario` (among those the
/// race search visits) that fails the condition, and the run to it; and
/// whether a bound cut the search.
fn lkmm_failure(scenario: &Scenario) -> (Option<Vec<sim_core::races::RaceStep>>, bool) {
    let o = sim_core::races::lkmm_outcome(scenario, LKMM_NODES_MAX);
    (o.witness, o.bounded)
}

/// A data race of `scenario`, if it has one: where, and a run to it.
fn race(scenario: &Scenario) -> Option<(String, Vec<sim_core::races::RaceStep>)> {
    let report = sim_core::races::find_races(scenario, LKMM_NODES_MAX);
    report
        .races
        .into_iter()
        .next()
        .map(|r| (scenario.location_name(r.first.loc).to_string(), r.witness))
}

/// What checking one placement on the models found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Safe,
    /// The first model found to reach the failing outcome or a deadlock,
    /// or LKMM when no model does and LKMM's axioms allow it.
    Fails(Judge),
    /// No model failed, and one stopped at a bound.
    Unknown(ModelName, Bound),
}

/// Checks placements on the models: each once, the model that failed last
/// asked first (most placements fail where the last one did).
struct Checker<'a> {
    source: &'a str,
    file: &'a str,
    sites: &'a [Site],
    strengths: &'a [Strength],
    /// The models, in their canonical order.
    models: &'a [ModelName],
    order: Vec<ModelName>,
    options: ExploreOptions,
    seen: BTreeMap<Placement, Outcome>,
    /// A placement whose text did not parse: a defect, reported at the end.
    defect: Option<String>,
    progress: Option<indicatif::ProgressBar>,
    safe_found: usize,
    deadlocks_count: bool,
    /// LKMM's own check stopped at its bound on a placement the models
    /// found safe.
    lkmm_bounded: bool,
}

fn config(scenario: &Scenario, model: ModelName) -> Config {
    let depth = memory_model::depth::default_depth(scenario);
    Config::new(model, None, None, depth).expect("the default configuration is valid")
}

/// Whether an exploration reached the failing outcome, or a deadlock when
/// deadlocks count (they do unless the code deadlocks whatever its barriers).
fn fails(x: &Exploration, deadlocks_count: bool) -> bool {
    x.witness().is_some() || (deadlocks_count && !x.deadlocks.is_empty())
}

/// The first model on which `text` can deadlock.
fn deadlocks_on(
    text: &str,
    file: &str,
    models: &[ModelName],
    options: ExploreOptions,
) -> Result<Option<ModelName>, Failure> {
    let scenario = parse_litmus(text, file).map_err(load::litmus_failure)?;
    Ok(models.iter().copied().find(|&model| {
        let machine = Machine::new(&scenario, config(&scenario, model));
        !Exploration::run(&machine, options).deadlocks.is_empty()
    }))
}

impl Checker<'_> {
    fn scenario(&mut self, p: &[usize]) -> Option<Scenario> {
        let text = rewrite(self.source, self.sites, p);
        match parse_litmus(&text, self.file) {
            Ok(s) => Some(s),
            Err(e) => {
                self.defect
                    .get_or_insert_with(|| format!("a placement does not parse: {e}\n{text}"));
                None
            }
        }
    }

    fn check(&mut self, p: &[usize]) -> Outcome {
        if let Some(&o) = self.seen.get(p) {
            return o;
        }
        let outcome = self.check_afresh(p);
        self.seen.insert(p.to_vec(), outcome);
        if outcome == Outcome::Safe {
            self.safe_found += 1;
        }
        if let Some(bar) = &self.progress {
            bar.set_message(format!(
                "{} placements checked, {} safe",
                self.seen.len(),
                self.safe_found
            ));
        }
        outcome
    }

    fn check_afresh(&mut self, p: &[usize]) -> Outcome {
        let Some(scenario) = self.scenario(p) else {
            return Outcome::Unknown(self.order[0], Bound::States);
        };
        if self.options.deadline.is_some_and(|d| Instant::now() >= d) {
            return Outcome::Unknown(self.order[0], Bound::Time);
        }
        let mut unknown = None;
        for k in 0..self.order.len() {
            let model = self.order[k];
            let machine = Machine::new(&scenario, config(&scenario, model));
            let x = Exploration::run(&machine, self.options);
            if fails(&x, self.deadlocks_count) {
                self.order[..=k].rotate_right(1);
                return Outcome::Fails(Judge::Model(model));
            }
            if let Some(bound) = x.bound_hit {
                unknown.get_or_insert(Outcome::Unknown(model, bound));
            }
        }
        if let Some(unknown) = unknown {
            return unknown;
        }
        // Safe on the machines; LKMM may still allow it where every
        // model is stronger than LKMM.
        let (lkmm, bounded) = lkmm_failure(&scenario);
        if lkmm.is_some() {
            return Outcome::Fails(Judge::Lkmm);
        }
        self.lkmm_bounded |= bounded;
        if race(&scenario).is_some() {
            return Outcome::Fails(Judge::Race);
        }
        Outcome::Safe
    }
}

/// A failing run of a placement on one model: what `check` would print as
/// its witness, and the trace saved for it.
struct Failing {
    model: Judge,
    /// Every model the placement fails on, and LKMM when its axioms allow
    /// an execution that fails.
    fails_on: Vec<Judge>,
    deadlock: bool,
    state: String,
    steps: Vec<String>,
    steps_json: Vec<Json>,
    trace: Option<PathBuf>,
}

/// What happens to a placement on every model: the first failing run, or
/// why there is none (safe, or a bound).
enum Verdict {
    Fails(Box<Failing>),
    Safe,
    Unknown(ModelName, Bound),
}

/// Runs a placement on every model and explains the first failure.
fn failing_run(
    text: &str,
    scenario: &Scenario,
    models: &[ModelName],
    options: ExploreOptions,
    deadlocks_count: bool,
    trace_path: Option<&Path>,
) -> Result<Verdict, Failure> {
    let mut first: Option<Failing> = None;
    let mut fails_on = Vec::new();
    let mut unknown = None;
    for &model in models {
        let machine = Machine::new(scenario, config(scenario, model));
        let x = Exploration::run(&machine, options);
        if !fails(&x, deadlocks_count) {
            if let Some(bound) = x.bound_hit {
                unknown.get_or_insert((model, bound));
            }
            continue;
        }
        fails_on.push(Judge::Model(model));
        if first.is_some() {
            continue;
        }
        let (state, values, end) = match x.witness() {
            Some(w) => (w.state, w.values.clone(), RunEnd::Complete),
            None => {
                let d = &x.deadlocks[0];
                (d.state, d.values.clone(), RunEnd::Deadlock)
            }
        };
        let steps = sim_core::witness::explain(&machine, &x.steps_to(state));
        let shown: Vec<_> = steps.iter().filter(|s| !s.is_reduction_move()).collect();
        let trace = match trace_path {
            Some(path) => {
                let trace = replay::minimize::search_trace(
                    &machine,
                    text,
                    Timing::default(),
                    &x.path_to(state),
                    end,
                );
                replay::replay(&trace, &path.display().to_string()).map_err(|e| Failure {
                    message: format!("internal error: a witness trace does not replay: {e}"),
                    status: exit::INTERNAL,
                })?;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| Failure {
                        message: format!("cannot create {}: {e}", dir.display()),
                        status: exit::IO,
                    })?;
                }
                trace
                    .write(path)
                    .map_err(|e| crate::traces::write_failure(path, &e))?;
                Some(path.to_path_buf())
            }
            None => None,
        };
        first = Some(Failing {
            model: Judge::Model(model),
            fails_on: Vec::new(),
            deadlock: end == RunEnd::Deadlock,
            state: replay::narration::state_text(scenario, &values),
            steps: shown
                .iter()
                .map(|s| replay::narration::step_text(scenario, s))
                .collect(),
            steps_json: shown
                .iter()
                .map(|s| replay::narration::step_json(scenario, s))
                .collect(),
            trace,
        });
    }
    let (lkmm, _) = lkmm_failure(scenario);
    if lkmm.is_some() {
        fails_on.push(Judge::Lkmm);
    }
    let racy = race(scenario);
    if racy.is_some() {
        fails_on.push(Judge::Race);
    }
    // No model fails, LKMM does (its axioms, or its race rule): its
    // execution is the run shown (there is no machine run to save as a
    // trace).
    if first.is_none() {
        let lkmm_run = |judge, state: String, steps: &[sim_core::races::RaceStep]| Failing {
            model: judge,
            fails_on: Vec::new(),
            deadlock: false,
            state,
            steps: steps
                .iter()
                .map(|s| crate::races::run_step_text(scenario, s))
                .collect(),
            steps_json: steps
                .iter()
                .map(|s| json!({ "text": crate::races::run_step_text(scenario, s) }))
                .collect(),
            trace: None,
        };
        first = match (&lkmm, &racy) {
            (Some(steps), _) => Some(lkmm_run(
                Judge::Lkmm,
                "the condition's outcome".into(),
                steps,
            )),
            (None, Some((location, steps))) => Some(lkmm_run(
                Judge::Race,
                format!("a data race on {location}"),
                steps,
            )),
            (None, None) => None,
        };
    }
    Ok(match (first, unknown) {
        (Some(mut f), _) => {
            f.fails_on = fails_on;
            Verdict::Fails(Box::new(f))
        }
        (None, Some((model, bound))) => Verdict::Unknown(model, bound),
        (None, None) => Verdict::Safe,
    })
}

/// One weaker choice at one barrier of a placement, and what it breaks.
struct Weakened {
    site: usize,
    /// The choice tried instead.
    instead: String,
    /// The thread's accesses were also made their strongest.
    accesses_strongest: bool,
    verdict: Verdict,
}

/// A minimal safe placement, explained.
struct Answer {
    placement: Placement,
    cost: Cost,
    text: String,
    diff: String,
    why: Vec<Weakened>,
}

pub fn run(args: &FencesArgs) -> Result<u8, Failure> {
    let format = match (args.json, args.format) {
        (true, None | Some(FencesFormat::Json)) => FencesFormat::Json,
        (true, Some(_)) => {
            return Err(Failure::bad_input(
                "--json asks for JSON and --format for another output: give one of them",
            ))
        }
        (false, f) => f.unwrap_or(FencesFormat::Text),
    };
    let options = ExploreOptions {
        threads: match args.threads {
            Some(0) => return Err(Failure::bad_input("--threads must be at least 1")),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        },
        ..args.bounds.options()?
    };
    let models: Vec<ModelName> = if args.model.is_empty() {
        ModelName::ALL.to_vec()
    } else {
        let mut m: Vec<ModelName> = args.model.iter().map(|&m| ModelName::from(m)).collect();
        m.sort_by_key(|m| ModelName::ALL.iter().position(|a| a == m));
        m.dedup();
        m
    };
    let traces = (!args.no_traces).then_some(args.traces.as_path());
    let fences = find(&args.scenario, &models, options, traces)?;
    match format {
        FencesFormat::Text => fences.print_text(),
        FencesFormat::Json => outln!("{}", fences.json()),
        FencesFormat::Patch => fences.print_patch(),
    }
    Ok(fences.status)
}

/// The answer for scenario `name` on `models`: the minimal safe
/// placements, each explained, or why there is none. Failing runs are
/// saved under `traces`/fences/SCENARIO when given.
pub fn find(
    name: &str,
    models: &[ModelName],
    options: ExploreOptions,
    traces: Option<&Path>,
) -> Result<Fences, Failure> {
    let (source, file) = load::litmus_text(name)?;
    let scenario = load::read_litmus(&source, &file)?;
    let sites = fence_sites(&source, &file).map_err(load::litmus_failure)?;
    let strengths: Vec<Strength> = sites
        .iter()
        .map(|s| Strength::new(s.choices.iter().map(|c| c.above.clone()).collect()))
        .collect();
    let races = crate::races::Races::find(&scenario, &file);
    let started = Instant::now();
    // Barriers never add a behaviour, so a deadlock with every one at its
    // strongest is the code's own (a lock never released): it is left out,
    // and only the condition counts.
    let top: Placement = sites.iter().map(Site::top).collect();
    let deadlocks_anyway = deadlocks_on(&rewrite(&source, &sites, &top), &file, models, options)?;
    let deadlocks_count = deadlocks_anyway.is_none();
    let progress = crate::progress::spinner("fences");
    let mut checker = Checker {
        source: &source,
        file: &file,
        sites: &sites,
        strengths: &strengths,
        models,
        order: models.to_vec(),
        options,
        seen: BTreeMap::new(),
        defect: None,
        progress,
        safe_found: 0,
        deadlocks_count,
        lkmm_bounded: false,
    };
    let original: Placement = sites.iter().map(|s| s.original).collect();
    let input = checker.check(&original);
    let already_safe = input == Outcome::Safe;
    // Safe already: what below it stays safe. Else: what above nothing does.
    let within: Placement = if already_safe { original.clone() } else { top };
    let search = placement::minimal_safe(&strengths, &within, |p| match checker.check(p) {
        Outcome::Safe => Check::Safe,
        Outcome::Fails(_) => Check::Unsafe,
        Outcome::Unknown(..) => Check::Unknown,
    });
    if let Some(bar) = &checker.progress {
        bar.finish_and_clear();
    }
    if let Some(defect) = checker.defect {
        return Err(Failure {
            message: format!("internal error: {defect}"),
            status: exit::INTERNAL,
        });
    }
    let checked = checker.seen.len();
    let lkmm_bounded = checker.lkmm_bounded;
    let strongest_fails =
        !already_safe && matches!(checker.seen.get(&within), Some(Outcome::Fails(_)));
    let traces = traces.map(|t| {
        t.join("fences")
            .join(crate::fuzz::file_part(&scenario.name))
    });
    let mut answers = Vec::new();
    for p in &search.placements {
        answers.push(checker.explain(p, traces.as_deref(), answers.len() + 1)?);
    }
    // Cheapest first, on the weaker architecture first; ties as found.
    answers.sort_by_key(|a| (a.cost.arm64, a.cost.x86));
    // With every barrier at its strongest, the failure: why nothing helps.
    let hopeless = if strongest_fails {
        let text = rewrite(&source, &sites, &within);
        let s = parse_litmus(&text, &file).map_err(load::litmus_failure)?;
        let path = traces.as_ref().map(|d| d.join("strongest.ron"));
        Some(failing_run(
            &text,
            &s,
            models,
            options,
            deadlocks_count,
            path.as_deref(),
        )?)
    } else {
        None
    };
    let unknown_why = answers
        .iter()
        .flat_map(|a| &a.why)
        .any(|w| matches!(w.verdict, Verdict::Unknown(..)));
    let unfinished = !search.unknown.is_empty() || unknown_why;
    let status = if unfinished {
        exit::BOUND_EXCEEDED
    } else if answers.is_empty() && !already_safe {
        exit::VIOLATION
    } else {
        exit::OK
    };
    Ok(Fences {
        name: name.to_string(),
        source,
        scenario,
        sites,
        strengths,
        models: models.to_vec(),
        input,
        already_safe,
        search,
        checked,
        answers,
        hopeless,
        races,
        deadlocks_anyway,
        lkmm_bounded,
        seconds: started.elapsed().as_secs_f64(),
        status,
    })
}

impl Checker<'_> {
    /// The placement `p` with its text, diff, cost and, for each of its
    /// barriers, what each one-step weaker choice breaks (on the models in
    /// their canonical order, so the run shown does not depend on the search).
    fn explain(
        &self,
        p: &Placement,
        traces: Option<&Path>,
        number: usize,
    ) -> Result<Answer, Failure> {
        let Checker {
            source,
            file,
            sites,
            strengths,
            models,
            options,
            deadlocks_count,
            ..
        } = *self;
        let text = rewrite(source, sites, p);
        let diff = similar::TextDiff::from_lines(source, &text)
            .unified_diff()
            .context_radius(2)
            .header(file, &format!("{file} (placement {number})"))
            .to_string();
        let cost = sites
            .iter()
            .zip(p)
            .fold(Cost::default(), |c, (s, &i)| c + s.choices[i].cost);
        let mut why = Vec::new();
        for (i, s) in sites.iter().enumerate() {
            if p[i] == 0 {
                continue;
            }
            let mut tries: Vec<(Placement, String, bool)> = strengths[i]
                .below(p[i])
                .into_iter()
                .map(|c| {
                    let mut q = p.clone();
                    q[i] = c;
                    (q, s.choices[c].name.clone(), false)
                })
                .collect();
            // A barrier between accesses: would ordered accesses do instead?
            if s.kind != SiteKind::Access {
                let mut q = p.clone();
                q[i] = 0;
                let mut changed = false;
                for (j, t) in sites.iter().enumerate() {
                    if t.thread == s.thread && t.kind == SiteKind::Access && q[j] != t.top() {
                        q[j] = t.top();
                        changed = true;
                    }
                }
                if changed {
                    tries.push((q, "nothing".into(), true));
                }
            }
            for (q, instead, accesses_strongest) in tries {
                let weaker_text = rewrite(source, sites, &q);
                let scenario = parse_litmus(&weaker_text, file).map_err(load::litmus_failure)?;
                let path = traces.map(|d| {
                    d.join(format!(
                        "placement{number}-P{}-line{}-{}{}.ron",
                        s.thread,
                        s.line,
                        crate::fuzz::file_part(instead.trim_end_matches("()")),
                        if accesses_strongest {
                            "-accesses-ordered"
                        } else {
                            ""
                        }
                    ))
                });
                let verdict = failing_run(
                    &weaker_text,
                    &scenario,
                    models,
                    options,
                    deadlocks_count,
                    path.as_deref(),
                )?;
                // A safe one-step weakening of an ordered access is no defect of
                // the search only when it is the accesses-strongest extra.
                why.push(Weakened {
                    site: i,
                    instead,
                    accesses_strongest,
                    verdict,
                });
            }
        }
        Ok(Answer {
            placement: p.clone(),
            cost,
            text,
            diff,
            why,
        })
    }
}

/// The answer of `fences`, everything it prints.
pub struct Fences {
    name: String,
    source: String,
    scenario: Scenario,
    sites: Vec<Site>,
    strengths: Vec<Strength>,
    models: Vec<ModelName>,
    input: Outcome,
    already_safe: bool,
    search: placement::Search,
    checked: usize,
    answers: Vec<Answer>,
    hopeless: Option<Verdict>,
    races: crate::races::Races,
    /// A model on which the code deadlocks whatever its barriers: then
    /// deadlocks are left out, and only the condition counts.
    deadlocks_anyway: Option<ModelName>,
    /// LKMM's own check stopped at its bound somewhere.
    lkmm_bounded: bool,
    seconds: f64,
    /// The exit status: 0 answered, 1 no placement is safe, 4 unfinished.
    pub status: u8,
}

/// The line before a failing run's steps.
fn run_title(f: &Failing) -> String {
    if f.model == Judge::Race {
        return format!(
            "No model shows the outcome, but the program has {}, so LKMM gives it no \
             meaning; a run to the racing accesses (no machine run, so no trace):",
            f.state
        );
    }
    if f.model == Judge::Lkmm {
        return "No model shows it, but LKMM allows this execution (a read marked older \
                returns a write already overwritten; no machine run, so no trace):"
            .to_string();
    }
    let end = if f.deadlock {
        "a deadlock"
    } else {
        "the final state"
    };
    format!(
        "The run on {}, to {end} {}",
        f.model,
        f.state.trim_end_matches(';')
    )
}

fn judge_list(judges: &[Judge]) -> String {
    judges
        .iter()
        .map(|j| j.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn model_list(models: &[ModelName]) -> String {
    models
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn cost_text(c: Cost) -> String {
    let locked = match c.x86 {
        0 => "no locked instruction".to_string(),
        1 => "1 locked instruction".to_string(),
        n => format!("{n} locked instructions"),
    };
    format!("x86: {locked}; arm64: cost {}", c.arm64)
}

/// A WRITE_ONCE statement's fully ordered forms, for a `smp_mb()` right
/// after it: `smp_store_mb(*x, 1);` and `(void)xchg(x, 1);`.
fn fully_ordered_store(statement: &str) -> Option<(String, String)> {
    let args = statement
        .trim()
        .strip_prefix("WRITE_ONCE(")?
        .strip_suffix(");")?;
    let (target, value) = args.split_once(',')?;
    let pointer = target.trim().strip_prefix('*')?.trim();
    Some((
        format!("smp_store_mb({args});"),
        format!("(void)xchg({pointer},{value});"),
    ))
}

impl Fences {
    fn site_choice(&self, i: usize, c: usize) -> String {
        let s = &self.sites[i];
        let name = &s.choices[c].name;
        match s.kind {
            SiteKind::Gap => format!("{}, after `{}`: {name}", s.place(), s.statement.trim()),
            _ if c == s.original => format!("{}: {name}", s.place()),
            _ => format!(
                "{}: {name} (the input has {})",
                s.place(),
                s.choices[s.original].name
            ),
        }
    }

    /// The sites of `p` that hold more than nothing, or differ from the input.
    fn barriers(&self, p: &[usize]) -> Vec<usize> {
        (0..self.sites.len())
            .filter(|&i| p[i] != 0 || p[i] != self.sites[i].original)
            .collect()
    }

    fn print_text(&self) {
        let s = &self.scenario;
        outln!(
            "Fences for {} ({}) on {}",
            self.name,
            s.format_condition(),
            model_list(&self.models)
        );
        let count = |k: SiteKind| self.sites.iter().filter(|s| s.kind == k).count();
        outln!(
            "Sites: {} between accesses, {} barriers, {} accesses with ordered variants; \
             {}, {} checked{}, {:.1} s",
            count(SiteKind::Gap),
            count(SiteKind::Fence),
            count(SiteKind::Access),
            self.placement_count(),
            self.checked,
            if self.search.every {
                " (every placement considered: these are all the minimal ones)"
            } else {
                " (too many to consider each: a greedy descent, so other minimal placements may exist)"
            },
            self.seconds
        );
        match self.input {
            Outcome::Safe if self.deadlocks_anyway.is_some() => {
                outln!(
                    "The input is already safe on {}: Never (deadlocks left out).",
                    model_list(&self.models)
                )
            }
            Outcome::Safe => {
                outln!(
                    "The input is already safe on {}: Never, and no run deadlocks.",
                    model_list(&self.models)
                )
            }
            Outcome::Fails(Judge::Lkmm) => {
                outln!("The input is not safe: no model shows the outcome, but LKMM allows it.")
            }
            Outcome::Fails(Judge::Race) => {
                outln!("The input is not safe: no model shows the outcome, but it has a data race.")
            }
            Outcome::Fails(m) => outln!("The input is not safe: it fails on {m}."),
            Outcome::Unknown(m, b) => outln!(
                "The input could not be decided: {m} stopped at its {} bound.",
                crate::limits::adjective(b)
            ),
        }
        if let Some(m) = self.deadlocks_anyway {
            outln!(
                "Note: the code can deadlock on {m} even with every barrier at its strongest \
                 (its locking, not its ordering): deadlocks are left out, and safe means only \
                 that the condition's outcome is never reached."
            );
        }
        if self.races.any() {
            outln!(
                "Note: the input has {}, and LKMM gives a racy program no meaning: a \
                 placement counts as safe only once its accesses are marked or ordered \
                 (`wmsim check` shows the races).",
                self.races.summary(s)
            );
        }
        outln!();
        let unfinished = self.status == exit::BOUND_EXCEEDED;
        if unfinished {
            outln!(
                "The search did not finish (a bound or --time-limit stopped it, exit status \
                 {}): the placements below are proven safe, but each is minimal only if the \
                 undecided ones listed at the end are unsafe.",
                exit::BOUND_EXCEEDED
            );
        } else if self.already_safe {
            let only_input = self.answers.len() == 1
                && self.answers[0]
                    .placement
                    .iter()
                    .zip(&self.sites)
                    .all(|(&c, site)| c == site.original);
            if only_input {
                if self.sites.iter().all(|site| site.original == 0) {
                    outln!("It needs no barrier: it is safe with none.");
                } else {
                    outln!(
                        "None of its barriers can be weakened: each weaker choice fails (why below)."
                    );
                }
            } else {
                outln!(
                    "Weaker placements that stay safe ({}), cheapest first:",
                    self.answers.len()
                );
            }
        } else if self.answers.is_empty() {
            self.print_hopeless();
        } else {
            outln!(
                "{} minimal placement{} safe on {} (Never{}), cheapest first:",
                self.answers.len(),
                if self.answers.len() == 1 {
                    " makes it"
                } else {
                    "s make it"
                },
                model_list(&self.models),
                if self.deadlocks_anyway.is_some() {
                    ""
                } else {
                    ", no deadlock"
                }
            );
        }
        for (n, a) in self.answers.iter().enumerate() {
            outln!();
            outln!("Placement {}: {}", n + 1, cost_text(a.cost));
            let barriers = self.barriers(&a.placement);
            if barriers.is_empty() {
                outln!("  no barrier at all");
            }
            for &i in &barriers {
                outln!("  {}", self.site_choice(i, a.placement[i]));
                let site = &self.sites[i];
                let c = &site.choices[a.placement[i]];
                if site.kind == SiteKind::Gap && c.name == "smp_mb()" {
                    if let Some((mb, xchg)) = fully_ordered_store(&site.statement) {
                        outln!("    or, the store and the barrier in one: `{mb}` or `{xchg}`");
                    }
                }
            }
            if !a.diff.is_empty() {
                for line in a.diff.lines() {
                    outln!("    {line}");
                }
            }
            if !a.why.is_empty() {
                outln!("  Why each is needed:");
            }
            for w in &a.why {
                let site = &self.sites[w.site];
                let chosen = &site.choices[a.placement[w.site]].name;
                let instead = if w.accesses_strongest {
                    format!(
                        "{} instead of {chosen} at {}, even with P{}'s accesses at their strongest",
                        w.instead,
                        site.place(),
                        site.thread
                    )
                } else {
                    format!("{} instead of {chosen} at {}", w.instead, site.place())
                };
                match &w.verdict {
                    Verdict::Fails(f) => {
                        outln!("  - {instead}: fails on {}.", judge_list(&f.fails_on));
                        outln!("      {}", run_title(f));
                        for (k, step) in f.steps.iter().enumerate() {
                            outln!("      {:>3}  {step}", k + 1);
                        }
                        if let Some(t) = &f.trace {
                            outln!("      trace: {}", t.display());
                        }
                    }
                    Verdict::Safe if w.accesses_strongest => outln!(
                        "  - {instead}: also safe, so making P{}'s accesses acquire/release \
                         can replace this barrier",
                        site.thread
                    ),
                    // Minimal by the search, yet a weaker choice is safe: a
                    // stronger choice added a behaviour somewhere.
                    Verdict::Safe => outln!(
                        "  - {instead}: also safe, so this placement is not minimal: a \
                         stronger choice showed a behaviour a weaker one does not, which \
                         wmsim's models must never do (a defect: please report it)"
                    ),
                    Verdict::Unknown(m, b) => outln!(
                        "  - {instead}: not decided, {m} stopped at its {} bound",
                        crate::limits::adjective(*b)
                    ),
                }
            }
        }
        if !self.search.unknown.is_empty() {
            outln!();
            outln!(
                "Not decided ({} placements, a bound or the time limit stopped them); \
                 a placement above is minimal only if these are unsafe:",
                self.search.unknown.len()
            );
            const SHOWN: usize = 10;
            for p in self.search.unknown.iter().take(SHOWN) {
                let parts: Vec<String> = self
                    .barriers(p)
                    .iter()
                    .map(|&i| self.site_choice(i, p[i]))
                    .collect();
                outln!(
                    "  {}",
                    if parts.is_empty() {
                        "no barrier".to_string()
                    } else {
                        parts.join("; ")
                    }
                );
            }
            if self.search.unknown.len() > SHOWN {
                outln!(
                    "  and {} more (--json lists them all)",
                    self.search.unknown.len() - SHOWN
                );
            }
        }
        outln!();
        outln!(
            "Safe means Never{} on {} as wmsim models them, no data race, and no \
             execution LKMM's axioms allow reaching the outcome among those LKMM's own check \
             builds (reads of current, older and later writes{}); herd7 can confirm a \
             placement. Costs: x86 counts locked instructions (smp_mb(); \
             smp_rmb(), smp_wmb(), acquire and release are compiler barriers there); arm64 \
             counts dmb ish as 2 and dmb ishld, dmb ishst, ldar, stlr as 1 (docs/fences.md).",
            if self.deadlocks_anyway.is_some() {
                ""
            } else {
                " and no deadlock"
            },
            model_list(&self.models),
            if self.lkmm_bounded {
                "; it stopped at its bound on some placements, which the models alone decided"
            } else {
                ""
            }
        );
    }

    fn print_hopeless(&self) {
        match &self.hopeless {
            Some(Verdict::Fails(f)) => {
                outln!(
                    "No placement makes it safe: even with every barrier at its strongest it \
                     fails on {}.",
                    judge_list(&f.fails_on)
                );
                if f.fails_on.contains(&Judge::Model(ModelName::Sc)) {
                    outln!(
                        "The outcome is sequentially consistent: sc, which reorders nothing, \
                         reaches it. Barriers only forbid reorderings, so none can forbid it; \
                         the code's logic (or a lock) has to."
                    );
                }
                outln!("  {}", run_title(f));
                for (k, step) in f.steps.iter().enumerate() {
                    outln!("  {:>3}  {step}", k + 1);
                }
                if let Some(t) = &f.trace {
                    outln!("  trace: {}", t.display());
                }
            }
            _ => outln!("No placement was proven safe."),
        }
    }

    /// How many placements the search was over, in words: `256`, `about
    /// 3.5e13`, `16 at or below the input`.
    fn placement_count(&self) -> String {
        let bound: Vec<usize> = if self.already_safe {
            self.sites.iter().map(|s| s.original).collect()
        } else {
            self.sites.iter().map(Site::top).collect()
        };
        let exact = placement::count_within(&self.strengths, &bound);
        let count = if exact < 1_000_000 {
            exact.to_string()
        } else {
            let product: f64 = self
                .strengths
                .iter()
                .zip(&bound)
                .map(|(s, &b)| (0..s.len()).filter(|&c| s.at_least(c, b)).count() as f64)
                .product();
            format!("about {product:.1e}")
        };
        if self.already_safe {
            format!("{count} placements at or below the input")
        } else {
            format!("{count} placements")
        }
    }

    /// Whether the input is safe and none of its barriers can be weakened.
    pub fn input_is_minimal(&self) -> bool {
        self.already_safe
            && self.search.unknown.is_empty()
            && self.answers.len() == 1
            && self.answers[0]
                .placement
                .iter()
                .zip(&self.sites)
                .all(|(&c, site)| c == site.original)
    }

    /// The answer in one paragraph: the minimal placements and what each
    /// weaker choice breaks, where (the demo's closing words).
    pub fn conclusion(&self) -> String {
        let scope = format!(
            "`wmsim fences {}` (proven on {}, checked against LKMM's axioms and its \
             data-race rule, {} placements checked)",
            self.name,
            model_list(&self.models),
            self.checked
        );
        if self.answers.is_empty() {
            return format!("{scope} finds no placement of barriers that makes it safe.");
        }
        let placements: Vec<String> = self
            .answers
            .iter()
            .map(|a| {
                self.barriers(&a.placement)
                    .iter()
                    .map(|&i| {
                        let site = &self.sites[i];
                        let name = &site.choices[a.placement[i]].name;
                        match site.kind {
                            SiteKind::Gap => format!(
                                "{name} in P{} after `{}`",
                                site.thread,
                                site.statement.trim()
                            ),
                            _ => format!("{name} at {}", site.place()),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" and ")
            })
            .collect();
        let count = match placements.len() {
            1 => "one minimal placement".to_string(),
            n => format!("{n} minimal placements"),
        };
        // What breaks, grouped: the same weaker choice failing on the same
        // models, wherever it is.
        let mut broken: Vec<(String, String, Vec<String>)> = Vec::new();
        for a in &self.answers {
            for w in &a.why {
                let Verdict::Fails(f) = &w.verdict else {
                    continue;
                };
                let site = &self.sites[w.site];
                let chosen = &site.choices[a.placement[w.site]].name;
                let what = if w.accesses_strongest {
                    format!(
                        "{} instead of {chosen}, even with that thread's accesses acquire/release",
                        w.instead
                    )
                } else {
                    format!("{} instead of {chosen}", w.instead)
                };
                let models = judge_list(&f.fails_on);
                let thread = format!("P{}", site.thread);
                match broken
                    .iter_mut()
                    .find(|(w2, m2, _)| *w2 == what && *m2 == models)
                {
                    Some((_, _, threads)) if !threads.contains(&thread) => threads.push(thread),
                    Some(_) => {}
                    None => broken.push((what, models, vec![thread])),
                }
            }
        }
        let broken: Vec<String> = broken
            .into_iter()
            .map(|(what, models, threads)| {
                format!("{what} ({}) fails on {models}", threads.join(", "))
            })
            .collect();
        let mut text = format!("{scope} finds {count}: {}.", placements.join("; or "));
        if !broken.is_empty() {
            text.push_str(&format!(
                " Each weaker choice fails: {}.",
                broken.join("; ")
            ));
        }
        text
    }

    fn print_patch(&self) {
        for (n, a) in self.answers.iter().enumerate() {
            outln!("# placement {}: {}", n + 1, cost_text(a.cost));
            out!("{}", a.diff);
        }
    }

    fn failing_json(f: &Failing) -> Json {
        json!({
            "model": f.model.as_str(),
            "fails_on": f.fails_on.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            "deadlock": f.deadlock,
            "state": f.state,
            "transitions": f.steps_json,
            "trace": f.trace.as_ref().map(|t| t.display().to_string()),
        })
    }

    fn verdict_json(v: &Verdict) -> Json {
        match v {
            Verdict::Fails(f) => json!({ "safe": false, "witness": Self::failing_json(f) }),
            Verdict::Safe => json!({ "safe": true }),
            Verdict::Unknown(m, b) => json!({
                "safe": Json::Null,
                "bound": { "model": m.as_str(), "bound": b },
            }),
        }
    }

    fn placement_json(&self, p: &[usize]) -> Json {
        Json::Array(
            p.iter()
                .enumerate()
                .map(|(i, &c)| json!(self.sites[i].choices[c].name))
                .collect(),
        )
    }

    fn json(&self) -> Json {
        let sites: Vec<Json> = self
            .sites
            .iter()
            .map(|s| {
                json!({
                    "thread": s.thread,
                    "kind": match s.kind {
                        SiteKind::Gap => "gap",
                        SiteKind::Fence => "fence",
                        SiteKind::Access => "access",
                    },
                    "line": s.line,
                    "col": s.col,
                    "statement": s.statement.trim(),
                    "choices": s.choices.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
                    "original": s.original,
                })
            })
            .collect();
        let answers: Vec<Json> = self
            .answers
            .iter()
            .map(|a| {
                json!({
                    "choices": self.placement_json(&a.placement),
                    "cost": { "x86": a.cost.x86, "arm64": a.cost.arm64 },
                    "litmus": a.text,
                    "diff": a.diff,
                    "why": a.why.iter().map(|w| json!({
                        "site": w.site,
                        "instead": w.instead,
                        "accesses_strongest": w.accesses_strongest,
                        "result": Self::verdict_json(&w.verdict),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let input = match self.input {
            Outcome::Safe => json!({ "safe": true }),
            Outcome::Fails(m) => json!({ "safe": false, "fails_on": m.as_str() }),
            Outcome::Unknown(m, b) => {
                json!({ "safe": Json::Null, "bound": { "model": m.as_str(), "bound": b } })
            }
        };
        json!({
            "scenario": self.scenario.name,
            "condition": self.scenario.format_condition(),
            "models": self.models.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            "lacks": self.models.iter().map(|&m| replay::narration::model_lacks(m)).collect::<Vec<_>>(),
            "sites": sites,
            "input": input,
            "already_safe": self.already_safe,
            "search": {
                "every": self.search.every,
                "checked": self.checked,
                "seconds": self.seconds,
            },
            "placements": answers,
            "strongest_fails": self.hopeless.as_ref().map(Self::verdict_json),
            "undecided": self.search.unknown.iter().map(|p| self.placement_json(p)).collect::<Vec<_>>(),
            "data_races": self.races.json(&self.scenario),
            "deadlocks_counted": self.deadlocks_anyway.is_none(),
            "lkmm_check_bounded": self.lkmm_bounded,
            "source": self.source,
            "exit_status": self.status,
        })
    }
}
