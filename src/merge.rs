//! `wmsim merge`: the shards of one campaign combined into what one run of
//! the whole campaign prints (its table or summary, its JSON with `--json`,
//! its exit status). The checks and the sums are `campaign::merge`'s.

use campaign::merge::{self, Part};
use campaign::result::{self, Read};

use crate::{exit, Failure, MergeArgs};
use campaign::sweep::SweepResult;

fn refuse(message: String) -> Failure {
    Failure {
        message,
        status: exit::BAD_INPUT,
    }
}

pub fn run(args: &MergeArgs) -> Result<u8, Failure> {
    let mut shards: Vec<Part> = Vec::new();
    for path in &args.files {
        let bytes = crate::load::read_input(path, replay::file::SHARD_LIMIT)?;
        let name = path.display().to_string();
        shards.push(Part {
            read: result::read(&name, bytes)?,
            name,
        });
    }
    merge::check_campaign(&shards)?;
    let first = &shards[0];
    if matches!(first.read, Read::Fuzz(_)) && (args.csv.is_some() || args.svg.is_some()) {
        return Err(refuse("--csv and --svg are for sweeps".into()));
    }
    let mut fuzz = Vec::new();
    let mut sweep: Option<SweepResult> = None;
    for part in shards {
        match part.read {
            Read::Fuzz(r) => fuzz.push((part.name, r)),
            Read::Sweep(r) => {
                let r = SweepResult::from_file(r);
                match &mut sweep {
                    None => sweep = Some(r),
                    Some(total) => total
                        .absorb(&r)
                        .map_err(|e| refuse(format!("{}: {e}", part.name)))?,
                }
            }
        }
    }
    if let Some(mut total) = sweep {
        total.check_whole().map_err(refuse)?;
        total.make_whole();
        crate::sweep::emit(
            &total,
            args.json,
            args.out.as_deref(),
            args.csv.as_deref(),
            args.svg.as_deref(),
        )?;
        return Ok(crate::sweep::status(&total));
    }
    let merged = merge::merge_fuzz(fuzz)?;
    let line = result::to_line(&merged);
    if let Some(out) = &args.out {
        crate::traces::write_atomically(out, format!("{line}\n").as_bytes())?;
    }
    if args.json {
        outln!("{line}");
    } else {
        crate::fuzz::print_text(&merged);
    }
    Ok(crate::fuzz::status(&merged))
}
