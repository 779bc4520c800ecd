//! The text timeline and the SVG picture of recorded runs: what they must
//! show (a row per step, STALE reads, the `!` mark, blocked cores, one lane
//! per core, a legend), that the SVG is well-formed XML of bounded width,
//! and that rendering is deterministic.
//!
//! Set `WMSIM_SVG_OUT` to a folder to also write the pictures of a short
//! minimized run and a long run there (`wmsim-short.svg`, `wmsim-long.svg`).

use memory_model::ir::Scenario;
use memory_model::{Config, Effect, Machine, ModelName, ReadSource, Transition};
use replay::svg::timeline_svg;
use replay::timeline::timeline_text;
use replay::{record_run, Event, Trace};
use sim_core::{ExploreOptions, PathReplay, RunEnd, Timing};

/// Runs scanned to find one of a kind.
const RUNS_MAX: u64 = 2_000;
const SEED: u64 = 1;

fn load(name: &str) -> (String, Scenario) {
    let text = scenarios::builtin::builtin_source(name)
        .expect("a readable name")
        .expect("a built-in scenario");
    let scenario = scenarios::litmus::parse_litmus(&text, name).expect("built-ins parse");
    (text, scenario)
}

fn machine(scenario: &Scenario, model: ModelName) -> Machine<'_> {
    Machine::new(
        scenario,
        Config::new(model, None, None, 2).expect("a valid config"),
    )
}

/// The first run of `SEED` (in run order) whose trace satisfies `want`.
fn find_run(
    m: &Machine,
    text: &str,
    timing: Timing,
    want: impl Fn(&Trace) -> bool,
) -> Option<Trace> {
    (0..RUNS_MAX)
        .map(|run| record_run(m, text, timing, SEED, run))
        .find(|t| want(t))
}

fn has_stale_read(t: &Trace) -> bool {
    t.events.iter().any(|e| {
        matches!(e, Event::Fire { effect: Effect::Step { read: Some(r), .. }, .. }
            if r.source == ReadSource::StaleCache)
    })
}

/// The rows of a text timeline: `(time, mark, cells)`, one cell per core.
fn rows(text: &str, cores: usize) -> Vec<(u64, char, Vec<String>)> {
    text.lines()
        .filter_map(|line| {
            let (head, rest) = line.split_once('|')?;
            let mut words = head.split_whitespace();
            let time = words.next()?.parse().ok()?;
            let mark = words.next().and_then(|w| w.chars().next()).unwrap_or(' ');
            let mut cells: Vec<String> = rest.split('|').map(|c| c.trim().to_string()).collect();
            cells.resize(cores, String::new());
            Some((time, mark, cells))
        })
        .collect()
}

/// Every step of the trace has its row, in order, in its core's column,
/// starting with the instruction's text.
fn assert_row_per_step(m: &Machine, trace: &Trace, text: &str) {
    let rows = rows(text, m.cores());
    let mut next = 0;
    for e in &trace.events {
        let Event::Fire {
            time,
            transition: Transition::Step { core },
            effect: Effect::Step { pc, .. },
        } = *e
        else {
            continue;
        };
        let source = &m.scenario.threads[core as usize].source[pc as usize];
        let prefix: String = source.chars().take(5).collect();
        let found = rows[next..]
            .iter()
            .position(|(t, _, cells)| *t == time && cells[core as usize].starts_with(&prefix));
        let Some(k) = found else {
            panic!("no row for P{core} `{source}` at t={time} after row {next}:\n{text}");
        };
        next += k + 1;
    }
}

/// Parses the SVG and checks what every picture must have.
fn assert_picture(m: &Machine, svg: &str) -> f64 {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    // The svg crate puts the text of a `<text>` on a line of its own.
    let labels: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("lane-label"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    let expected: Vec<String> = (0..m.cores()).map(|c| format!("P{c}")).collect();
    assert_eq!(labels, expected, "one lane label per core");
    let legend = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("legend"))
        .expect("a legend");
    assert!(
        legend
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .count()
            >= 10
    );
    root.attribute("width")
        .and_then(|w| w.parse().ok())
        .expect("a numeric width")
}

fn render_both(m: &Machine, trace: &Trace) -> (String, String) {
    let text = timeline_text(m, trace);
    let svg = timeline_svg(m, trace);
    assert_eq!(
        text,
        timeline_text(m, trace),
        "text timeline is deterministic"
    );
    assert_eq!(svg, timeline_svg(m, trace), "SVG is deterministic");
    (text, svg)
}

#[test]
fn sb_violation_on_weak_and_tso_is_marked() {
    let (source, s) = load("SB");
    for model in [ModelName::Weak, ModelName::Tso] {
        let m = machine(&s, model);
        let trace = find_run(&m, &source, Timing::default(), |t| t.ending.violation)
            .unwrap_or_else(|| panic!("SB violates on {model}"));
        let (text, svg) = render_both(&m, &trace);
        assert_row_per_step(&m, &trace, &text);
        let rows = rows(&text, m.cores());
        assert!(
            rows.iter().any(|(_, mark, _)| *mark == '!'),
            "SB on {model}: a load read x or y while the other's store sat in its buffer:\n{text}"
        );
        assert!(text.contains("VIOLATION"), "{text}");
        assert!(text.contains("legend: !"), "{text}");
        assert_picture(&m, &svg);
    }
}

#[test]
fn mp_stale_read_on_weak_says_stale() {
    let (source, s) = load("MP");
    let m = machine(&s, ModelName::Weak);
    let trace =
        find_run(&m, &source, Timing::default(), has_stale_read).expect("MP reads stale on weak");
    let (text, svg) = render_both(&m, &trace);
    assert_row_per_step(&m, &trace, &text);
    assert!(text.contains("STALE"), "{text}");
    let stale_rows = rows(&text, m.cores())
        .into_iter()
        .filter(|(_, _, cells)| cells.iter().any(|c| c.contains("STALE")))
        .collect::<Vec<_>>();
    assert!(
        stale_rows.iter().all(|(_, mark, _)| *mark == '!'),
        "a stale read is always an old read"
    );
    assert_picture(&m, &svg);
    assert!(svg.contains("STALE"), "the marker label says STALE");
}

#[test]
fn xen_sb_variant_renders_on_both_models() {
    let (source, s) = load("xen-shutdown-sb:vcpu=wmb,shutdown=mb");
    for model in [ModelName::Weak, ModelName::Tso] {
        let m = machine(&s, model);
        let trace = find_run(&m, &source, Timing::default(), |t| t.ending.violation)
            .unwrap_or_else(|| panic!("smp_wmb() does not order a store before a load on {model}"));
        let (text, svg) = render_both(&m, &trace);
        assert_row_per_step(&m, &trace, &text);
        assert!(rows(&text, m.cores())
            .iter()
            .any(|(_, mark, _)| *mark == '!'));
        assert!(text.contains(&format!("on {model}")));
        assert_picture(&m, &svg);
    }
}

#[test]
fn deadlocked_xen_run_names_the_blocked_core() {
    let (source, s) = load("xen-shutdown-full:vcpu=none,shutdown=mb");
    for model in [ModelName::Weak, ModelName::Tso] {
        let m = machine(&s, model);
        let trace = find_run(&m, &source, fixed_timing(), |t| {
            t.ending.end == RunEnd::Deadlock
        })
        .unwrap_or_else(|| panic!("the full Xen scenario deadlocks on {model}"));
        let (text, svg) = render_both(&m, &trace);
        assert_row_per_step(&m, &trace, &text);
        assert!(text.contains("DEADLOCK"), "{text}");
        assert!(!trace.ending.blocked.is_empty());
        for b in &trace.ending.blocked {
            let core = b.core as usize;
            let since = blocked_from(&m, &trace, core);
            assert_eq!(b.blocked_since, since);
            let all = rows(&text, m.cores());
            let k = all
                .iter()
                .rposition(|(_, _, cells)| cells[core].starts_with("BLOCKED at"))
                .unwrap_or_else(|| panic!("no BLOCKED row for P{core}:\n{text}"));
            // At the time it blocked, then waiting to the end.
            assert_eq!(all[k].0, since, "{text}");
            assert!(all[k + 1..]
                .iter()
                .all(|(_, _, cells)| !cells[core].is_empty()));
            assert!(text.contains(&format!(
                "P{core} BLOCKED since t={since} at `{}`",
                b.instruction
            )));
            assert!(svg.contains(&format!("P{core} BLOCKED since t={since} at")));
        }
        assert_picture(&m, &svg);
    }
}

/// A step that writes no memory takes `STEP_CYCLES`, one that does and
/// every drain `WRITE_CYCLES`: when each step after a core's first is due
/// can be told from the trace.
const STEP_CYCLES: u32 = 7;
const WRITE_CYCLES: u32 = 40;

fn fixed_timing() -> Timing {
    let step = sim_core::Cycles::new(STEP_CYCLES, STEP_CYCLES);
    let write = sim_core::Cycles::new(WRITE_CYCLES, WRITE_CYCLES);
    Timing {
        hit: step,
        miss: step,
        owned_drain: write,
        invalidation_round_trip: write,
        ..Timing::default()
    }
}

/// Under [`fixed_timing`], the time from which `core`'s next instruction
/// was due and could not fire to the end, found by re-simulating the trace
/// on the machine: the later of the transition after which it stayed
/// blocked and the time its step was due (after its last step's cycles and
/// any interrupt drawn after it); at the latest the end.
fn blocked_from(m: &Machine, trace: &Trace, core: usize) -> u64 {
    let mut replay = PathReplay::new(m);
    let mut due = None;
    let mut since = None;
    for e in &trace.events {
        match *e {
            Event::Fire {
                time,
                transition,
                effect,
            } => {
                replay
                    .fire_effect(transition, &effect)
                    .unwrap_or_else(|e| panic!("{e}"));
                if transition == (Transition::Step { core: core as u8 }) {
                    let writes = matches!(
                        effect,
                        Effect::Step {
                            published: Some(_),
                            ..
                        }
                    );
                    due = Some(time + if writes { WRITE_CYCLES } else { STEP_CYCLES } as u64);
                }
                let Some(due) = due else { continue };
                if m.step_enabled(replay.state(), core) {
                    since = None;
                } else if since.is_none() {
                    since = Some(time.max(due));
                }
            }
            Event::Interrupt { core: c, to, .. } if c as usize == core => {
                due = Some(to);
                since = since.map(|s| s.max(to));
            }
            Event::Interrupt { .. } => {}
        }
    }
    since
        .expect("the core stepped, then blocked to the end")
        .min(trace.ending.time)
}

/// An `smp_mb()` right after a store on tso: it cannot pass until the
/// store has drained.
#[test]
fn an_smp_mb_that_waits_shows_its_stall_and_what_it_waited_for() {
    let (source, s) = load("SB+mbs");
    let m = machine(&s, ModelName::Tso);
    let trace = record_run(&m, &source, fixed_timing(), SEED, 0);
    let fired: Vec<(u64, Transition, Effect)> = trace
        .events
        .iter()
        .filter_map(|e| match *e {
            Event::Fire {
                time,
                transition,
                effect,
            } => Some((time, transition, effect)),
            Event::Interrupt { .. } => None,
        })
        .collect();
    let (store_step, loc, value) = fired
        .iter()
        .find_map(|&(time, t, e)| match (t, e) {
            (
                Transition::Step { core: 0 },
                Effect::Step {
                    buffered: Some((loc, value)),
                    ..
                },
            ) => Some((time, loc, value)),
            _ => None,
        })
        .expect("P0 buffers its store");
    // The fence is due when the store has taken its cycles.
    let stored = store_step + STEP_CYCLES as u64;
    let drained = fired
        .iter()
        .find_map(|&(time, t, _)| matches!(t, Transition::Drain { core: 0, .. }).then_some(time))
        .expect("P0's store drains");
    let store = format!("{}={value}", s.location_name(loc));
    let (text, svg) = render_both(&m, &trace);
    assert_row_per_step(&m, &trace, &text);

    let all = rows(&text, m.cores());
    let k = all
        .iter()
        .position(|(_, _, cells)| cells[0].starts_with("WAITS"))
        .unwrap_or_else(|| panic!("no WAITS row for P0:\n{text}"));
    assert_eq!(all[k].0, stored, "{text}");
    assert_eq!(all[k].2[0], format!("WAITS at smp_mb(): SB {store}"));
    let end = k + all[k..]
        .iter()
        .position(|(t, _, cells)| *t == drained && cells[0].starts_with(&store))
        .expect("the drain's row");
    for (_, _, cells) in &all[k + 1..end] {
        assert!(!cells[0].is_empty(), "P0 waits on every row:\n{text}");
    }
    let sentence = format!(
        "P0 `smp_mb()` held back from t={stored} to t={drained} ({} cycles): \
         fence waits for its buffers to empty; it waited for {store} to drain (t={drained})",
        drained - stored
    );
    assert!(text.contains(&format!("\n  {sentence}\n")), "{text}");

    let doc = roxmltree::Document::parse(&svg).unwrap();
    let stall = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("stall") && n.attribute("data-core") == Some("0"))
        .unwrap_or_else(|| panic!("no stall drawn for P0:\n{svg}"));
    assert_eq!(
        stall.attribute("data-from"),
        Some(stored.to_string().as_str())
    );
    assert_eq!(
        stall.attribute("data-to"),
        Some(drained.to_string().as_str())
    );
    let title = stall
        .children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .expect("a hover text");
    assert_eq!(title, sentence);
    let band = stall
        .children()
        .find(|n| n.has_tag_name("rect"))
        .expect("a band");
    let width: f64 = band.attribute("width").unwrap().parse().unwrap();
    assert!(width > 0.0);
    // The whole sentence is printed under the picture, under its number.
    let number = stall
        .children()
        .find(|n| n.has_tag_name("text"))
        .and_then(|n| n.text())
        .expect("a footnote number")
        .trim()
        .to_string();
    assert_footnote(&doc, &number, &sentence);
}

/// On weak, a store behind an `smp_wmb()` cannot drain before the store
/// ahead of the marker: the timeline says so, and the picture marks it.
#[test]
fn an_smp_wmb_holding_a_store_back_is_shown_until_the_store_ahead_drains() {
    let (source, s) = load("MP+wmb");
    let m = machine(&s, ModelName::Weak);
    let times = |t: &Trace, want: &dyn Fn(Transition, Effect) -> bool| -> Vec<u64> {
        t.events
            .iter()
            .filter_map(|e| match *e {
                Event::Fire {
                    time,
                    transition,
                    effect,
                } if want(transition, effect) => Some(time),
                _ => None,
            })
            .collect()
    };
    let p0_steps = |t: &Trace| times(t, &|tr, _| tr == Transition::Step { core: 0 });
    let p0_drains = |t: &Trace| times(t, &|tr, _| matches!(tr, Transition::Drain { core: 0, .. }));
    // P0: store x, wmb, store y; the store of y made before x drained.
    let trace = find_run(
        &m,
        &source,
        Timing::default(),
        |t| matches!((p0_steps(t).get(2), p0_drains(t).first()), (Some(y), Some(x)) if y < x),
    )
    .expect("a run where y=1 waits behind the marker");
    let (wmb, x_drained) = (p0_steps(&trace)[1], p0_drains(&trace)[0]);
    let (text, svg) = render_both(&m, &trace);
    let sentence = format!(
        "P0 `smp_wmb()` (t={wmb}) held y=1 in its store buffer until t={x_drained}: \
         it waited for the stores ahead of it to drain: x=1 (t={x_drained})"
    );
    assert!(text.contains(&format!("\n  {sentence}\n")), "{text}");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let hold = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("wmb-hold"))
        .unwrap_or_else(|| panic!("no smp_wmb() hold drawn:\n{svg}"));
    assert_eq!(hold.attribute("data-from"), Some(wmb.to_string().as_str()));
    assert_eq!(
        hold.attribute("data-to"),
        Some(x_drained.to_string().as_str())
    );
    let title = hold.children().find(|n| n.has_tag_name("title"));
    assert_eq!(title.and_then(|n| n.text()), Some(sentence.as_str()));
    assert!(hold.children().any(|n| n.has_tag_name("rect")));
    let number = hold
        .children()
        .find(|n| n.has_tag_name("text"))
        .and_then(|n| n.text())
        .expect("a footnote number");
    assert_footnote(&doc, number.trim(), &sentence);
}

/// A store that takes long to execute and drains at once: the `smp_mb()`
/// after it is not due before the store has drained, so it never waits,
/// although the machine would not have let it pass in between.
#[test]
fn an_smp_mb_enabled_before_it_is_due_is_not_shown_waiting() {
    let (source, s) = load("SB+mbs");
    let m = machine(&s, ModelName::Tso);
    let quick = sim_core::Cycles::new(1, 1);
    let timing = Timing {
        hit: sim_core::Cycles::new(100, 100),
        miss: sim_core::Cycles::new(100, 100),
        owned_drain: quick,
        invalidation_round_trip: quick,
        interrupt_per_million: 0,
        ..Timing::default()
    };
    let trace = record_run(&m, &source, timing, SEED, 0);
    replay::verify::replay(&trace, "t").expect("it replays");
    let (text, svg) = render_both(&m, &trace);
    assert_row_per_step(&m, &trace, &text);
    let all = rows(&text, m.cores());
    assert!(all
        .iter()
        .flat_map(|(_, _, c)| c)
        .all(|c| !c.starts_with("WAITS")));
    assert!(!text.contains("held back from"), "{text}");
    assert!(!svg.contains("class=\"stall"), "{svg}");
}

/// A run cut at the step bound while an `smp_mb()` waits: it is still
/// waiting at the end, not blocked (only a deadlock blocks).
#[test]
fn a_fence_waiting_when_the_step_bound_cuts_the_run_is_not_called_blocked() {
    let (source, s) = load("SB+mbs");
    let m = machine(&s, ModelName::Tso);
    let (trace, text) = (1..20)
        .map(|steps_max| {
            let timing = Timing {
                steps_max,
                ..Timing::default()
            };
            let trace = record_run(&m, &source, timing, SEED, 0);
            let text = timeline_text(&m, &trace);
            (trace, text)
        })
        .find(|(_, text)| text.contains("to the end of the run"))
        .expect("a bound that cuts a waiting fence");
    assert_eq!(trace.ending.end, RunEnd::BoundExceeded);
    let all = rows(&text, m.cores());
    assert!(all
        .iter()
        .flat_map(|(_, _, c)| c)
        .all(|c| !c.starts_with("BLOCKED")));
    assert!(!text.contains("BLOCKED from"), "{text}");
    assert!(
        text.contains("`smp_mb()` held back from t=")
            && text.contains(&format!(
                "to the end of the run (t={}), still waiting: fence waits for its buffers to empty",
                trace.ending.time
            )),
        "{text}"
    );
    let svg = timeline_svg(&m, &trace);
    assert!(!svg.contains("stall blocked"), "{svg}");
}

/// The footnote `[n]` under the picture reads `text`.
fn assert_footnote(doc: &roxmltree::Document, number: &str, text: &str) {
    let notes = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("footnotes"))
        .expect("footnotes under the picture");
    let lines: Vec<&str> = notes
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    let want = format!("{number} {text}");
    assert!(
        lines.iter().any(|l| *l == want),
        "no footnote {want:?} in {lines:#?}"
    );
}

/// SB with smp_mb()s, under a long name with long location names: every
/// line of its title and every store's label is too long for the picture.
const LONG_NAMES: &str = "C store-buffering-with-full-barriers-on-both-sides-under-a-name-far-too-long-for-one-line-of-any-picture

{}

P0(int *x_with_a_long_location_name, int *y_with_a_long_location_name)
{
\tint r0;

\tWRITE_ONCE(*x_with_a_long_location_name, 1);
\tsmp_mb();
\tr0 = READ_ONCE(*y_with_a_long_location_name);
}

P1(int *x_with_a_long_location_name, int *y_with_a_long_location_name)
{
\tint r0;

\tWRITE_ONCE(*y_with_a_long_location_name, 1);
\tsmp_mb();
\tr0 = READ_ONCE(*x_with_a_long_location_name);
}

exists (x_with_a_long_location_name=1 /\\ y_with_a_long_location_name=1 /\\ 0:r0=0 /\\ 1:r0=1)
";

/// What `wrap` promises: about 0.6 em a character at most.
fn drawn_width(text: &str, font_px: f64) -> f64 {
    text.chars().count() as f64 * font_px * 0.6
}

/// The trimmed texts of the elements of `class`, with their font sizes.
fn texts_of_class<'a>(doc: &'a roxmltree::Document, class: &str) -> Vec<(&'a str, f64)> {
    doc.descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .map(|n| {
            let size = n.attribute("font-size").unwrap().parse().unwrap();
            (n.text().unwrap_or("").trim(), size)
        })
        .collect()
}

#[test]
fn a_long_names_title_and_subtitle_are_wrapped_whole_inside_the_picture() {
    let s = scenarios::litmus::parse_litmus(LONG_NAMES, "long").expect("it parses");
    let m = machine(&s, ModelName::Weak);
    let trace = record_run(&m, LONG_NAMES, Timing::default(), SEED, 0);
    let svg = timeline_svg(&m, &trace);
    let width = assert_picture(&m, &svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let squeezed = |lines: &[(&str, f64)]| -> String {
        lines
            .iter()
            .flat_map(|(l, _)| l.chars())
            .filter(|c| *c != ' ')
            .collect()
    };
    let title = texts_of_class(&doc, "title-line");
    let subtitle = texts_of_class(&doc, "subtitle");
    assert!(title.len() >= 2, "the title is wrapped: {title:?}");
    assert!(subtitle.len() >= 2, "the subtitle is wrapped: {subtitle:?}");
    for (line, size) in title.iter().chain(&subtitle) {
        assert!(
            12.0 + drawn_width(line, *size) <= width,
            "{line:?} runs off a picture {width} wide"
        );
    }
    assert!(squeezed(&title).starts_with(&s.name), "{title:?}");
    let condition: String = s.format_condition().chars().filter(|c| *c != ' ').collect();
    let subtitle = squeezed(&subtitle);
    assert!(subtitle.starts_with("ended:"), "{subtitle}");
    assert!(subtitle.ends_with(&condition), "{subtitle}");
}

#[test]
fn cut_labels_are_printed_whole_in_numbered_notes_under_the_picture() {
    let s = scenarios::litmus::parse_litmus(LONG_NAMES, "long").expect("it parses");
    let m = machine(&s, ModelName::Weak);
    let trace = record_run(&m, LONG_NAMES, Timing::default(), SEED, 0);
    let svg = timeline_svg(&m, &trace);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let events = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("events"))
        .expect("the markers");
    // The label of each store's marker (its hover text names the store).
    let labels: Vec<&str> = events
        .children()
        .filter(|g| {
            g.children().any(|n| {
                n.has_tag_name("title") && n.text().is_some_and(|t| t.contains("WRITE_ONCE"))
            })
        })
        .filter_map(|g| g.children().find(|n| n.has_tag_name("text")))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    for (core, loc) in [(0, "x"), (1, "y")] {
        let whole = format!("{loc}_with_a_long_location_name:=1");
        let cut = labels
            .iter()
            .find(|l| l.starts_with(&format!("{loc}_with_a_long")) && l.contains('…'))
            .unwrap_or_else(|| panic!("P{core}'s store label is not cut: {labels:?}"));
        assert!(whole.starts_with(cut.split('…').next().unwrap()));
        let number = cut.split('…').nth(1).unwrap();
        assert!(number.starts_with('[') && number.ends_with(']'), "{cut}");
        assert_footnote(&doc, number, &whole);
    }
}

/// Three cores passing values round a ring, many times over: no loops in
/// the litmus dialect, so the program is written out.
fn ring_source(rounds: usize) -> String {
    let locs = ["x", "y", "z"];
    let mut text = String::from("C ring\n\n{}\n\n");
    for p in 0..3 {
        let (mine, theirs) = (locs[p], locs[(p + 1) % 3]);
        text.push_str(&format!(
            "P{p}(int *{mine}, int *{theirs})\n{{\n\tint r0;\n\n"
        ));
        for round in 1..=rounds {
            text.push_str(&format!("\tWRITE_ONCE(*{mine}, {round});\n"));
            text.push_str(&format!("\tr0 = READ_ONCE(*{theirs});\n"));
        }
        text.push_str("}\n\n");
    }
    text.push_str("exists (0:r0=0 /\\ 1:r0=0 /\\ 2:r0=0)\n");
    text
}

#[test]
fn a_long_run_stays_well_formed_and_bounded() {
    let source = ring_source(20);
    let s = scenarios::litmus::parse_litmus(&source, "ring").expect("the ring parses");
    let m = machine(&s, ModelName::Weak);
    let timing = Timing {
        interrupt_per_million: 200_000,
        ..Timing::default()
    };
    let trace = find_run(&m, &source, timing, |t| {
        t.events.len() >= 200
            && t.events
                .iter()
                .any(|e| matches!(e, Event::Interrupt { .. }))
    })
    .expect("a run of 200 events or more");
    let (text, svg) = render_both(&m, &trace);
    assert_row_per_step(&m, &trace, &text);
    let width = assert_picture(&m, &svg);
    assert!(width <= 20_000.0, "width {width}");
    if let Some(dir) = std::env::var_os("WMSIM_SVG_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("wmsim-long.svg"), &svg).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("wmsim-long.txt"), &text).unwrap();
    }
}

#[test]
fn a_very_long_run_is_squeezed_into_the_width_bound() {
    let source = ring_source(120);
    let s = scenarios::litmus::parse_litmus(&source, "ring").expect("the ring parses");
    let m = machine(&s, ModelName::Weak);
    let trace = record_run(&m, &source, Timing::default(), SEED, 0);
    assert!(trace.events.len() >= 1_000, "{}", trace.events.len());
    let svg = timeline_svg(&m, &trace);
    let width = assert_picture(&m, &svg);
    assert!(width <= 20_000.0, "width {width}");
}

#[test]
fn a_minimized_run_tells_its_story() {
    let (source, s) = load("MP");
    let m = machine(&s, ModelName::Weak);
    let trace = find_run(&m, &source, Timing::default(), |t| t.ending.violation)
        .expect("MP violates on weak");
    let short = replay::minimize::minimize(&m, &trace, ExploreOptions::default())
        .expect("a violating run minimizes");
    let (text, svg) = render_both(&m, &short);
    assert_row_per_step(&m, &short, &text);
    assert!(text.contains("minimized from seed"), "{text}");
    assert!(
        text.contains("STALE"),
        "MP on weak fails by a stale read:\n{text}"
    );
    assert_picture(&m, &svg);
    assert!(svg.contains("minimized from seed"));
    if let Some(dir) = std::env::var_os("WMSIM_SVG_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("wmsim-short.svg"), &svg).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("wmsim-short.txt"), &text).unwrap();
    }
}

#[test]
fn a_trace_of_another_scenario_stops_with_a_warning() {
    let (sb_source, sb) = load("SB");
    let (_, mp) = load("MP");
    let on_sb = machine(&sb, ModelName::Weak);
    let on_mp = machine(&mp, ModelName::Weak);
    let trace = (0..RUNS_MAX)
        .map(|run| record_run(&on_sb, &sb_source, Timing::default(), SEED, run))
        .find(|t| {
            // SB's P1 starts with a store, MP's with a load: a step of P1
            // before any of P0 has another effect.
            let mut fired = t.transitions();
            fired.any(|tr| tr == Transition::Step { core: 1 })
        })
        .expect("a run");
    let text = timeline_text(&on_mp, &trace);
    let svg = timeline_svg(&on_mp, &trace);
    assert!(text.contains("warning: the timeline stops early"), "{text}");
    assert_picture(&on_mp, &svg);
}

/// Every perform of an out-of-order trace has its row in its core's
/// column, in order, starting with the instruction's text.
fn assert_row_per_perform(m: &Machine, trace: &Trace, text: &str) {
    let rows = rows(text, m.cores());
    let mut next = 0;
    for e in &trace.events {
        let Event::Fire {
            time,
            transition: Transition::Perform { core, .. },
            effect: Effect::Step { pc, .. },
        } = *e
        else {
            continue;
        };
        let source = &m.scenario.threads[core as usize].source[pc as usize];
        let prefix: String = source.chars().take(5).collect();
        let found = rows[next..]
            .iter()
            .position(|(t, _, cells)| *t == time && cells[core as usize].starts_with(&prefix));
        let Some(k) = found else {
            panic!("no row for P{core} `{source}` at t={time} after row {next}:\n{text}");
        };
        next += k + 1;
    }
}

/// Which run of a scenario a test wants.
type Wanted = fn(&Trace) -> bool;

/// arm and power runs render: a row per perform (loads may come before
/// older stores: rows are in time order), power's pair-buffer commits and
/// drains as PB, a deadlock's blocked core, deterministic text and SVG.
#[test]
fn out_of_order_runs_render() {
    let cases: [(&str, ModelName, Wanted); 5] = [
        ("LB", ModelName::Arm, |t| t.ending.violation),
        ("SB", ModelName::Power, |t| t.ending.violation),
        ("IRIW", ModelName::Power, |t| t.ending.violation),
        ("MP+wmb+addr", ModelName::Arm, |t| !t.ending.violation),
        (
            "xen-shutdown-full:vcpu=none,shutdown=mb",
            ModelName::Arm,
            |t| t.ending.end == RunEnd::Deadlock,
        ),
    ];
    for (name, model, want) in cases {
        let (source, s) = load(name);
        let m = machine(&s, model);
        let trace = find_run(&m, &source, Timing::default(), want)
            .unwrap_or_else(|| panic!("{name} on {model}: no such run"));
        let (text, svg) = render_both(&m, &trace);
        assert_row_per_perform(&m, &trace, &text);
        assert!(
            text.contains("out of order: rows are in time order"),
            "{text}"
        );
        if model == ModelName::Power {
            assert!(text.contains("in PB"), "{name}: {text}");
            assert!(text.contains("leaves PB -> memory"), "{name}: {text}");
        }
        if trace.ending.end == RunEnd::Deadlock {
            assert!(text.contains("DEADLOCK"), "{text}");
        }
        assert_picture(&m, &svg);
    }
}

/// Load buffering with a control dependency, as herd7's corpus has it.
const LB_CTRL: &str = "C LB+ctrl

{}

P0(int *x, int *y)
{
\tint r0;

\tr0 = READ_ONCE(*x);
\tif (r0)
\t\tWRITE_ONCE(*y, 1);
}

P1(int *x, int *y)
{
\tint r0;

\tr0 = READ_ONCE(*y);
\tsmp_mb();
\tWRITE_ONCE(*x, 1);
}

exists (0:r0=1 /\\ 1:r0=1)
";

/// A wrong guess at a branch shows as a squash row on its core, after the
/// load whose value resolved the branch; a right guess shows none.
#[test]
fn a_wrong_guess_shows_its_squash() {
    let s = scenarios::litmus::parse_litmus(LB_CTRL, "LB+ctrl").unwrap();
    let m = machine(&s, ModelName::Arm);
    let guessed = |t: &Trace, taken: bool| {
        t.events.iter().any(|e| {
            matches!(e, Event::Fire { effect: Effect::Guess { taken: g, .. }, .. } if *g == taken)
        })
    };
    // Guessed not taken (the store fetched), then x read as 0: the branch
    // skips the store, which goes.
    let wrong = find_run(&m, LB_CTRL, Timing::default(), |t| {
        guessed(t, false) && t.ending.end == RunEnd::Complete && !t.ending.violation
    })
    .expect("a wrong guess");
    let (text, svg) = render_both(&m, &wrong);
    assert_row_per_perform(&m, &wrong, &text);
    let rows = rows(&text, m.cores());
    let squash = rows
        .iter()
        .position(|(_, _, cells)| cells[0] == "squash: 1 not performed")
        .unwrap_or_else(|| panic!("no squash row:\n{text}"));
    assert!(
        rows[squash - 1].2[0].starts_with("r0 = READ_ONCE(*x) -> 0"),
        "{text}"
    );
    assert_picture(&m, &svg);
    assert!(svg.contains("squashes P0's instances fetched past a wrong guess: 1 not performed"));
    // Guessed not taken and x read as 1: the guess holds, no squash.
    let read_one = |t: &Trace| {
        t.events.iter().any(|e| {
            matches!(e, Event::Fire {
                transition: Transition::Perform { core: 0, .. },
                effect: Effect::Step { read: Some(r), .. },
                ..
            } if r.value == 1)
        })
    };
    let right = find_run(&m, LB_CTRL, Timing::default(), |t| {
        guessed(t, false) && read_one(t)
    })
    .expect("a right guess");
    assert!(!timeline_text(&m, &right).contains("squash"));
}
