//! The progress bar of a campaign on a terminal (stderr): units done, runs
//! per second, failing runs so far, time left. Display only: it sees the
//! units `campaign::units::run` reports and changes nothing they count.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use campaign::shard::Shard;
use campaign::units::{self, Job, Results};
use indicatif::{ProgressBar, ProgressStyle};

/// Runs this shard's units of `jobs` (`campaign::units::run`), keeping the
/// first `keep` failing runs of each job, with a progress bar on a terminal
/// (stderr) only.
pub fn run(jobs: &[Job], keep: usize, shard: Shard, what: &str) -> Results {
    let progress = Progress::new(units::owned_units(jobs, shard), what);
    let results = units::run(jobs, keep, shard, &|runs, failing| {
        if let Some(p) = &progress {
            p.unit_done(runs, failing);
        }
    });
    if let Some(p) = progress {
        p.bar.finish_and_clear();
    }
    results
}

/// A progress bar: units done, runs per second, failing runs so far, time
/// left. Atomic counters only: no lock on the runs' path.
struct Progress {
    bar: ProgressBar,
    runs: AtomicU64,
    failing: AtomicU64,
    started: Instant,
}

impl Progress {
    fn new(units: u64, what: &str) -> Option<Progress> {
        if !std::io::stderr().is_terminal() || units < 2 {
            return None;
        }
        let bar = ProgressBar::new(units);
        let style = ProgressStyle::with_template(&format!(
            "{what} {{bar:30}} {{pos}}/{{len}} units  {{msg}}  {{eta}} left"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(250));
        Some(Progress {
            bar,
            runs: AtomicU64::new(0),
            failing: AtomicU64::new(0),
            started: Instant::now(),
        })
    }

    fn unit_done(&self, runs: u64, failing: u64) {
        let runs = self.runs.fetch_add(runs, Ordering::Relaxed) + runs;
        let failing = self.failing.fetch_add(failing, Ordering::Relaxed) + failing;
        let rate = runs as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        self.bar
            .set_message(format!("{rate:.0} runs/s, {failing} failing"));
        self.bar.inc(1);
    }
}

/// A spinner on a terminal (stderr) for a search of unknown length: its
/// message says how far it got. `None` off a terminal.
pub fn spinner(what: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    let style = ProgressStyle::with_template(&format!("{what} {{spinner}} {{msg}}  {{elapsed}}"))
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(250));
    Some(bar)
}
