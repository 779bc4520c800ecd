//! `wmsim replay` and `wmsim minimize`: a saved trace re-run, drawn, shrunk.

use std::path::Path;

use memory_model::Machine;
use replay::{minimize::minimize, verify, ReplayError, Trace};

use crate::{exit, Failure, MinimizeArgs, ReplayArgs};

fn refused(e: ReplayError) -> Failure {
    Failure {
        status: e.exit_status(),
        message: e.to_string(),
    }
}

/// Loads and fully replays a trace; the machine it ran on is rebuilt from it.
fn load_checked(path: &Path) -> Result<(Trace, verify::Replayed), Failure> {
    let trace = verify::load(path).map_err(refused)?;
    let replayed = verify::replay(&trace, &path.display().to_string()).map_err(refused)?;
    Ok((trace, replayed))
}

fn origin_text(trace: &Trace) -> String {
    match trace.origin {
        replay::Origin::Fuzz { seed, run } => format!("seed {seed}, run {run}"),
        replay::Origin::Minimized { seed, run } => {
            format!("minimized from seed {seed}, run {run}")
        }
        replay::Origin::Search => "found by exhaustive search".to_string(),
    }
}

pub fn run_replay(args: &ReplayArgs) -> Result<u8, Failure> {
    let (trace, replayed) = load_checked(&args.trace)?;
    let scenario = verify::scenario_of(&trace).map_err(Failure::bad_input)?;
    let machine = Machine::new(&scenario, trace.config());
    if !args.quiet {
        out!("{}", replay::timeline::timeline_text(&machine, &trace));
    }
    if let Some(svg) = &args.svg {
        write_atomically(svg, replay::svg::timeline_svg(&machine, &trace).as_bytes())?;
        outln!("Timeline drawn to {}", svg.display());
    }
    outln!(
        "Replayed {} ({} on {}, {}): {} transitions, the same transitions and final state{}.",
        args.trace.display(),
        trace.scenario.name,
        trace.model,
        origin_text(&trace),
        replayed.transitions,
        if replayed.timed_rerun {
            "; the timed driver, re-run from the recorded decisions and from the seed, fires the same events"
        } else {
            " (a minimized schedule: re-applied on the machine, every delay at its minimum; the run it was minimized from, re-run, fails the same way and is no shorter)"
        }
    );
    Ok(exit::OK)
}

pub fn run_minimize(args: &MinimizeArgs) -> Result<u8, Failure> {
    let (trace, replayed) = load_checked(&args.trace)?;
    let scenario = verify::scenario_of(&trace).map_err(Failure::bad_input)?;
    let machine = Machine::new(&scenario, trace.config());
    let options = args.bounds.options()?;
    let small = minimize(&machine, &trace, options).map_err(|message| Failure {
        message: format!("{}: {message}", args.trace.display()),
        status: exit::BAD_INPUT,
    })?;
    verify::replay(&small, &args.output.display().to_string()).map_err(|e| Failure {
        message: format!("internal error: the minimized trace does not replay: {e}"),
        status: exit::INTERNAL,
    })?;
    write_atomically(&args.output, small.to_ron().as_bytes())?;
    let before = replayed.transitions;
    let after = small.transitions().count();
    let interrupts = trace
        .events
        .iter()
        .filter(|e| matches!(e, replay::Event::Interrupt { .. }))
        .count();
    outln!(
        "Minimized {} to {}: {before} -> {after} transitions ({:.0}% shorter), {interrupts} -> 0 interrupts, every delay at its minimum; {}.",
        args.trace.display(),
        args.output.display(),
        100.0 * (before.saturating_sub(after)) as f64 / before.max(1) as f64,
        if small.ending.end == sim_core::RunEnd::Deadlock {
            "it deadlocks the same way"
        } else {
            "it meets the same condition"
        }
    );
    outln!("wmsim replay {}", args.output.display());
    Ok(exit::OK)
}

/// Writes an output file (see `replay::file`): atomically, in place for a
/// device or pipe; a directory is refused as bad input.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    if is_standard_output(path) {
        out!("{}", String::from_utf8_lossy(bytes));
        return Ok(());
    }
    replay::file::write_atomically(path, bytes).map_err(|e| write_failure(path, &e))
}

/// Whether `path` is the file standard output writes to (`/dev/stdout`
/// sent to a file, or that file by name): written through a second
/// descriptor, its bytes and what is printed would land over each other.
#[cfg(unix)]
fn is_standard_output(path: &Path) -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let identity = |m: std::fs::Metadata| (m.dev(), m.ino());
    let printed = std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .and_then(|fd| std::fs::File::from(fd).metadata());
    match (std::fs::metadata(path), printed) {
        (Ok(target), Ok(printed)) => identity(target) == identity(printed),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_standard_output(_: &Path) -> bool {
    false
}

/// The failure for an output that could not be written: a directory named as
/// an output is a bad argument (2), anything else a write failure (3).
pub fn write_failure(path: &Path, error: &std::io::Error) -> Failure {
    Failure {
        message: format!("cannot write {}: {error}", path.display()),
        status: if error.kind() == std::io::ErrorKind::IsADirectory {
            exit::BAD_INPUT
        } else {
            exit::IO
        },
    }
}
