//! Splitting a campaign into deterministic slices, so that it can run as an
//! array job of an existing batch scheduler and be merged afterwards.
//!
//! A campaign is a list of work units (a chunk of runs of one combination);
//! shard `I` of `N` (1-based) takes the units whose index is `I - 1` modulo
//! `N`. Counts add up, so merging the shards gives what one run gives.

use crate::Failure;

/// Which slice of the work this process does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Whether work unit `unit` (0-based) belongs to this shard.
    pub fn owns(&self, unit: u64) -> bool {
        unit % self.count == self.index - 1
    }

    pub fn is_whole(&self) -> bool {
        self.count == 1
    }

    /// Reads `I/N`, or `auto` from the scheduler's environment.
    pub fn parse(text: &str, count_flag: Option<u64>) -> Result<Shard, Failure> {
        if text == "auto" {
            return from_environment(count_flag, &|k| std::env::var(k).ok());
        }
        let (i, n) = text.split_once('/').ok_or_else(|| {
            Failure::bad_input(format!("--shard {text:?}: expected I/N (e.g. 2/3) or auto"))
        })?;
        let parse = |s: &str, what: &str| {
            s.trim().parse::<u64>().map_err(|_| {
                Failure::bad_input(format!(
                    "--shard {text:?}: {what} {s:?} is not a whole number"
                ))
            })
        };
        shard(parse(i, "index")?, parse(n, "count")?, text)
    }
}

fn shard(index: u64, count: u64, text: &str) -> Result<Shard, Failure> {
    if count == 0 || index == 0 || index > count {
        return Err(Failure::bad_input(format!(
            "--shard {text}: the index must be between 1 and the count, and the count at least 1"
        )));
    }
    Ok(Shard { index, count })
}

/// Slurm job arrays (`SLURM_ARRAY_TASK_ID` less `SLURM_ARRAY_TASK_MIN`, of
/// `SLURM_ARRAY_TASK_COUNT`) or Kubernetes Indexed Jobs
/// (`JOB_COMPLETION_INDEX`, of `--shard-count` or `WMSIM_SHARD_COUNT`).
pub fn from_environment(
    count_flag: Option<u64>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Shard, Failure> {
    let number = |key: &str| -> Result<Option<u64>, Failure> {
        match env(key) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                Failure::bad_input(format!("--shard auto: {key}={v:?} is not a whole number"))
            }),
        }
    };
    if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let count = match count_flag {
            Some(n) => n,
            None => number("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| {
                Failure::bad_input(
                    "--shard auto: SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT",
                )
            })?,
        };
        let index = id.checked_sub(min).ok_or_else(|| {
            Failure::bad_input("--shard auto: SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN")
        })? + 1;
        return shard(index, count, "auto (Slurm)");
    }
    if let Some(index) = number("JOB_COMPLETION_INDEX")? {
        let count = match count_flag {
            Some(n) => n,
            None => number("WMSIM_SHARD_COUNT")?.ok_or_else(|| {
                Failure::bad_input(
                    "--shard auto: JOB_COMPLETION_INDEX is set; give the shard count with \
                     --shard-count or WMSIM_SHARD_COUNT (the Job's completions)",
                )
            })?,
        };
        return shard(index + 1, count, "auto (Kubernetes)");
    }
    Err(Failure::bad_input(
        "--shard auto: no scheduler found: neither SLURM_ARRAY_TASK_ID (Slurm job array) \
         nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is set",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shards_partition_the_units() {
        let shards: Vec<Shard> = (1..=3).map(|index| Shard { index, count: 3 }).collect();
        for unit in 0..100 {
            assert_eq!(shards.iter().filter(|s| s.owns(unit)).count(), 1);
        }
    }

    #[test]
    fn slurm_and_kubernetes_environments() {
        let s = from_environment(
            None,
            &env(&[
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_MIN", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ]),
        )
        .unwrap();
        assert_eq!(s, Shard { index: 2, count: 3 });
        let k = from_environment(
            None,
            &env(&[("JOB_COMPLETION_INDEX", "0"), ("WMSIM_SHARD_COUNT", "4")]),
        )
        .unwrap();
        assert_eq!(k, Shard { index: 1, count: 4 });
        let k = from_environment(Some(2), &env(&[("JOB_COMPLETION_INDEX", "1")])).unwrap();
        assert_eq!(k, Shard { index: 2, count: 2 });
        let none = from_environment(None, &env(&[])).unwrap_err();
        assert!(none.message.contains("no scheduler found"));
        let no_count = from_environment(None, &env(&[("JOB_COMPLETION_INDEX", "1")])).unwrap_err();
        assert!(no_count.message.contains("--shard-count"));
    }

    #[test]
    fn bad_shard_text_is_refused() {
        for text in ["0/3", "4/3", "1/0", "a/3", "3"] {
            assert!(Shard::parse(text, None).is_err(), "{text}");
        }
        assert_eq!(
            Shard::parse("2/3", None).unwrap(),
            Shard { index: 2, count: 3 }
        );
    }
}
