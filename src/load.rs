//! Finding a scenario by name, and the default buffer depths for it.

use std::path::Path;

use memory_model::ir::Scenario;
use scenarios::builtin::{builtin_source, nearest_name, XenVariant, BUILTINS, FENCES, XEN};

use scenarios::litmus::{parse_litmus_for_herd, LitmusError};
use scenarios::printable;
use scenarios::slots::Template;

use crate::{exit, Failure};

/// The scenario `name` and its litmus text (what a trace records).
pub fn scenario_and_source(name: &str) -> Result<(Scenario, String), Failure> {
    let (text, file) = litmus_text(name)?;
    let scenario = read_litmus(&text, &file)?;
    Ok((scenario, text))
}

/// `wmsim show NAME`: the litmus text of a built-in or a file, its barrier
/// slots filled, to copy, edit and give to herd7. It is parsed first, so a
/// broken file gets its error and herd7's refusals their warnings.
pub fn show(name: &str) -> Result<u8, Failure> {
    let (text, file) = litmus_text(name)?;
    read_litmus(&text, &file)?;
    out!("{text}");
    Ok(exit::OK)
}

/// The litmus text `name` stands for, with its barrier slots filled: a
/// built-in, a file, either as `NAME:slot=F,...`. Also the name its errors
/// give as the file: the path for a file.
pub fn litmus_text(name: &str) -> Result<(String, String), Failure> {
    if let Some(text) = builtin_source(name).map_err(Failure::bad_input)? {
        return Ok((text, name.to_string()));
    }
    let (path, spec) = file_and_slots(name).ok_or_else(|| Failure::bad_input(not_found(name)))?;
    let bytes = read_input(Path::new(path), replay::file::LITMUS_LIMIT)?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let template = Template::read(&text, path).map_err(Failure::bad_input)?;
    let fill = template.fill_for(name, spec).map_err(Failure::bad_input)?;
    Ok((template.fill(&fill), path.to_string()))
}

/// The bytes of an input file: a file over its kind's limit is bad input
/// (2), one that cannot be read a read failure (3).
pub fn read_input(path: &Path, limit: replay::file::InputLimit) -> Result<Vec<u8>, Failure> {
    let shown = printable::escape(&path.to_string_lossy());
    replay::file::read_limited(path, limit).map_err(|e| match e {
        replay::file::ReadError::Io(e) => Failure {
            message: format!("cannot read {shown}: {e}"),
            status: exit::IO,
        },
        too_big => Failure::bad_input(format!("{shown}: {too_big}")),
    })
}

/// `name` as an existing file, with the slot values after a `:` if the
/// file is what comes before it (`f.litmus:vcpu=wmb`).
fn file_and_slots(name: &str) -> Option<(&str, Option<&str>)> {
    if std::path::Path::new(name).exists() {
        return Some((name, None));
    }
    let (path, spec) = name.rsplit_once(':')?;
    std::path::Path::new(path)
        .is_file()
        .then_some((path, Some(spec)))
}

/// Parses litmus text, warning on standard error about each construct in it
/// that herd7 would refuse, so that a test that runs here is not silently
/// unusable with herd7.
pub fn read_litmus(text: &str, name: &str) -> Result<Scenario, Failure> {
    let parsed = parse_litmus_for_herd(text, name).map_err(litmus_failure)?;
    for w in &parsed.herd_warnings {
        eprintln!("warning: {w}");
    }
    Ok(parsed.scenario)
}

/// Why `name` names nothing: a missing file if it looks like a path, else
/// an unknown built-in, with the nearest built-in name if one is close.
fn not_found(name: &str) -> String {
    let path = name.split_once(':').map_or(name, |(path, _)| path);
    if path.contains('/') || path.ends_with(".litmus") {
        return format!("{path:?}: no such file");
    }
    let mut message =
        format!("unknown scenario {name:?}: neither a built-in (`wmsim list`) nor a file");
    if let Some(near) = nearest_name(name) {
        message.push_str(&format!("; did you mean {near}?"));
    }
    message
}

/// A litmus error as a failure: unsupported constructs have a status of
/// their own, so scripts can skip such tests.
pub fn litmus_failure(e: LitmusError) -> Failure {
    let status = match e {
        LitmusError::Unsupported { .. } => exit::UNSUPPORTED,
        LitmusError::Parse { .. } | LitmusError::Invalid { .. } => exit::BAD_INPUT,
    };
    Failure {
        message: e.to_string(),
        status,
    }
}

/// `wmsim list`.
pub fn list() {
    let width = BUILTINS.iter().map(|b| b.name.len()).max().unwrap_or(0);
    for b in BUILTINS {
        let s = b.scenario();
        outln!("{:width$}  {}", b.name, s.format_condition());
        outln!("{:width$}  {}", "", b.about);
    }
    let fences: Vec<&str> = FENCES.iter().map(|(n, _)| *n).collect();
    outln!();
    outln!(
        "Xen shutdown deferral: NAME:vcpu=F,shutdown=F with F one of {} (default mb, the real code)",
        fences.join(", ")
    );
    outln!("(`wmsim show NAME` prints a scenario's litmus text, its barriers filled)");
    for t in XEN {
        let v = XenVariant::parse(t.name)
            .ok()
            .flatten()
            .expect("a template");
        outln!("{}  {}", t.name, v.scenario().format_condition());
        outln!("  {}", t.about);
    }
    outln!();
    for v in XenVariant::all() {
        outln!("{}", v.name());
    }
}
