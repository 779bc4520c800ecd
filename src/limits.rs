//! The bounds of an exploration as flags (`--states-max`, `--time-limit`,
//! `--memory-max`, shared by `check`, `suite` and `minimize`), and how a
//! stopped exploration names the bound it hit and the flag that raises it.

use clap::Args;
use sim_core::{Bound, ExploreOptions};

use crate::Failure;

/// The smallest `--memory-max`: below it not even a small scenario's
/// first table fits, and the bound would only say that.
const MEMORY_MAX_MIN: usize = 1 << 20;

#[derive(Args, Debug, Clone, Copy)]
pub struct BoundArgs {
    /// States after which an exploration stops (reported as bound exceeded).
    #[arg(long, default_value_t = ExploreOptions::default().states_max)]
    states_max: usize,
    /// Seconds of wall-clock time after which an exploration stops (reported
    /// as bound exceeded). herd7's -timeout counts CPU time instead.
    #[arg(long, default_value_t = 60.0)]
    time_limit: f64,
    /// Memory the state table may take, in bytes or with a binary unit (K,
    /// M, G, T: 512M, 4G); past it an exploration stops (reported as bound
    /// exceeded) before it allocates more. Counted by the table itself: the
    /// process takes a little more.
    #[arg(long, value_name = "SIZE", default_value = "4G", value_parser = parse_size)]
    memory_max: usize,
}

impl BoundArgs {
    pub fn options(&self) -> Result<ExploreOptions, Failure> {
        if self.states_max == 0 {
            return Err(Failure::bad_input("--states-max must be at least 1"));
        }
        if !(self.time_limit > 0.0 && self.time_limit <= 1e6) {
            return Err(Failure::bad_input(
                "--time-limit must be a number of seconds above 0 and at most 10^6",
            ));
        }
        if self.memory_max < MEMORY_MAX_MIN {
            return Err(Failure::bad_input("--memory-max must be at least 1M"));
        }
        let limit = std::time::Duration::from_secs_f64(self.time_limit);
        Ok(ExploreOptions {
            states_max: self.states_max,
            memory_max: self.memory_max,
            deadline: Some(std::time::Instant::now() + limit),
            ..ExploreOptions::default()
        })
    }
}

/// The flag that raises `bound`.
pub fn flag(bound: Bound) -> &'static str {
    match bound {
        Bound::States => "--states-max",
        Bound::Time => "--time-limit",
        Bound::Memory => "--memory-max",
    }
}

/// `bound` in a sentence: `state`, `time`, `memory`.
pub fn adjective(bound: Bound) -> &'static str {
    match bound {
        Bound::States => "state",
        Bound::Time => "time",
        Bound::Memory => "memory",
    }
}

/// A size in bytes: a whole number, optionally followed by K, M, G or T
/// (powers of 1024), optionally followed by `B` or `iB`: `4G`, `512MiB`.
fn parse_size(text: &str) -> Result<usize, String> {
    let bad = || format!("expected a size such as 4G, 512M or 1048576, got {text:?}");
    let trimmed = text.trim();
    let without_b = trimmed
        .strip_suffix("iB")
        .or_else(|| trimmed.strip_suffix('B'))
        .unwrap_or(trimmed);
    let (digits, shift) = match without_b.char_indices().last() {
        Some((i, unit)) if unit.is_ascii_alphabetic() => {
            let shift = match unit.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(bad()),
            };
            (&without_b[..i], shift)
        }
        _ => (without_b, 0),
    };
    let number: usize = digits.trim().parse().map_err(|_| bad())?;
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("{text:?} is more bytes than this machine can count"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_binary_units() {
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("3k"), Ok(3 << 10));
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("2TB"), Ok(2 << 40));
        assert!(parse_size("").is_err());
        assert!(parse_size("G").is_err());
        assert!(parse_size("4X").is_err());
        assert!(parse_size("-1M").is_err());
        assert!(parse_size("1.5G").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}
