//! Runs cut at the step bound, as every campaign reports them: left out of
//! the rate, counted beside it, warned about on stderr, and exit 4 when they
//! are more than the stated share of the runs. Fuzz, sweep, merge and the
//! demo all go through here, so a merged campaign says what one run says.

use sim_core::Rate;

use crate::exit;

/// The rate as a table prints it: `-` when no run was decided.
pub fn rate_text(rate: &Rate) -> String {
    rate.value().map_or("-".into(), |r| format!("{r:.5}"))
}

/// Warns (stderr) that `cut` of `runs` runs (`where_`: which ones) ended at
/// the step bound, if any did.
pub fn warn(cut: u64, runs: u64, where_: &str, steps_max: u32) {
    if cut > 0 {
        eprintln!(
            "wmsim: warning: {cut} of {runs} runs{where_} ended at the step bound \
             (--steps-max {steps_max}): neither passes nor failures, they are left out \
             of the rate"
        );
    }
}

/// Says (stderr) that the runs cut at the bound are more than `share_max`
/// (`of_what`: of the runs, of some combination's runs): exit status 4.
pub fn too_many(share_max: f64, of_what: &str) -> u8 {
    eprintln!(
        "wmsim: that is more than {}{of_what} (--bound-share-max {share_max}): \
         the rate is no answer; raise --steps-max (exit status {})",
        percent(share_max),
        exit::BOUND_EXCEEDED
    );
    exit::BOUND_EXCEEDED
}

/// The exit status of one campaign of `rate`: 1 when runs failed (a
/// failing run is a fact, whatever the bound), else 4 when more than
/// `share_max` of the runs were cut at the step bound, else 0. Warns on
/// stderr about runs cut at the bound. A shard (`whole` false) is a part:
/// the share is judged by `merge`, so that a scheduler does not count the
/// task as failed for it.
pub fn campaign_status(rate: &Rate, steps_max: u32, share_max: f64, whole: bool) -> u8 {
    warn(rate.bound_exceeded, rate.runs(), "", steps_max);
    let too_many_cut = whole && rate.bound_share_exceeded(share_max);
    let status = if too_many_cut {
        too_many(share_max, " of the runs")
    } else {
        exit::OK
    };
    if rate.failing > 0 {
        exit::VIOLATION
    } else {
        status
    }
}

/// `0.01` as `1%`.
fn percent(share: f64) -> String {
    format!("{}%", sim_core::rate::round6(share * 100.0))
}
