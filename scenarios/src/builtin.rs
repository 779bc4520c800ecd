//! The built-in scenarios: litmus files under `scenarios/litmus/`, embedded
//! in the binary, read by the same parser as a user's files.
//!
//! The Xen shutdown-deferral scenarios are templates with one barrier on the
//! vCPU side and one on the shutdown side: `xen-shutdown-sb:vcpu=wmb,shutdown=mb`
//! names the variant with `smp_wmb()` for the vCPU and `smp_mb()` for the
//! shutdown. Each side is one of [`FENCES`]; an omitted side is `mb`, the
//! real code. The templates declare their slots as any file may
//! ([`crate::slots`]).

use memory_model::ir::Scenario;

use crate::litmus::parse_litmus;
use crate::slots::Template;

/// A built-in scenario: its name, what its condition asks, its text.
pub struct Builtin {
    pub name: &'static str,
    pub about: &'static str,
    pub source: &'static str,
}

impl Builtin {
    pub fn scenario(&self) -> Scenario {
        parse_litmus(self.source, self.name)
            .unwrap_or_else(|e| panic!("built-in {} does not parse: {e}", self.name))
    }
}

/// The barriers a Xen variant may put on either side, by variant name.
pub use crate::slots::FENCES;

/// A Xen shutdown-deferral template: it declares two barrier slots (see
/// [`crate::slots`]), `vcpu` at `VCPU_FENCE` and `shutdown` at
/// `SHUTDOWN_FENCE`.
pub struct XenTemplate {
    pub name: &'static str,
    pub about: &'static str,
    template: &'static str,
}

macro_rules! xen {
    ($name:literal, $about:literal) => {
        XenTemplate {
            name: $name,
            about: $about,
            template: include_str!(concat!("../litmus/xen/", $name, ".litmus")),
        }
    };
}

pub const XEN: &[XenTemplate] = &[
    xen!(
        "xen-shutdown-sb",
        "the two flags alone: both sides read the other's flag as 0"
    ),
    xen!(
        "xen-shutdown-plain",
        "the two flags as Xen writes them, plain C accesses: a data race under LKMM"
    ),
    xen!(
        "xen-shutdown-start-lock",
        "start of a deferral, locked vcpu_check_shutdown: paused with a request in flight (P1)"
    ),
    xen!(
        "xen-shutdown-end",
        "end of a deferral: shutting down and the vCPU never paused (P2)"
    ),
    xen!(
        "xen-shutdown-full",
        "vCPU, shutdown, device model: P2 as the condition, P1 as a deadlock"
    ),
];

/// One variant of a Xen template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XenVariant {
    pub template: &'static str,
    pub vcpu: &'static str,
    pub shutdown: &'static str,
}

impl XenVariant {
    /// The variant's canonical name: `xen-shutdown-sb:vcpu=wmb,shutdown=mb`.
    pub fn name(&self) -> String {
        format!(
            "{}:vcpu={},shutdown={}",
            self.template, self.vcpu, self.shutdown
        )
    }

    /// The variant's litmus text: the template with its slots filled.
    pub fn source(&self) -> String {
        let t = XEN
            .iter()
            .find(|t| t.name == self.template)
            .expect("variants name a template");
        let template =
            Template::read(t.template, t.name).expect("built-in slots are well declared");
        let fill = vec![
            ("vcpu".to_string(), self.vcpu),
            ("shutdown".to_string(), self.shutdown),
        ];
        template.fill(&fill)
    }

    pub fn scenario(&self) -> Scenario {
        parse_litmus(&self.source(), &self.name())
            .unwrap_or_else(|e| panic!("built-in {} does not parse: {e}", self.name()))
    }

    /// Every variant of every template, templates in order, then by vCPU
    /// barrier, then by shutdown barrier.
    pub fn all() -> Vec<XenVariant> {
        let mut out = Vec::new();
        for t in XEN {
            for (vcpu, _) in FENCES {
                for (shutdown, _) in FENCES {
                    out.push(XenVariant {
                        template: t.name,
                        vcpu,
                        shutdown,
                    });
                }
            }
        }
        out
    }

    /// Reads `template[:vcpu=F][,shutdown=F]`; `Ok(None)` if `name` names
    /// no template, `Err` for a template with a variant it cannot read.
    pub fn parse(name: &str) -> Result<Option<XenVariant>, String> {
        let (base, rest) = match name.split_once(':') {
            Some((b, r)) => (b, Some(r)),
            None => (name, None),
        };
        let Some(t) = XEN.iter().find(|t| t.name == base) else {
            return Ok(None);
        };
        let template =
            Template::read(t.template, t.name).expect("built-in slots are well declared");
        let fill = template.fill_for(name, rest)?;
        let fence = |slot: &str| {
            fill.iter()
                .find(|(s, _)| s == slot)
                .map(|(_, f)| *f)
                .expect("Xen templates have a vcpu and a shutdown slot")
        };
        let v = XenVariant {
            template: t.name,
            vcpu: fence("vcpu"),
            shutdown: fence("shutdown"),
        };
        Ok(Some(v))
    }
}

macro_rules! builtin {
    ($name:literal, $about:literal) => {
        Builtin {
            name: $name,
            about: $about,
            source: include_str!(concat!("../litmus/", $name, ".litmus")),
        }
    };
}

/// Every built-in scenario, in the order `wmsim list` shows them.
pub const BUILTINS: &[Builtin] = &[
    builtin!(
        "SB",
        "store buffering: both threads read the other's flag as 0"
    ),
    builtin!("SB+mbs", "store buffering with smp_mb() on both sides"),
    builtin!("MP", "message passing: the flag is seen, the data is not"),
    builtin!("MP+wmb+rmb", "message passing with smp_wmb() and smp_rmb()"),
    builtin!(
        "MP+wmb",
        "message passing with smp_wmb() on the writer only"
    ),
    builtin!(
        "MP+rmb",
        "message passing with smp_rmb() on the reader only"
    ),
    builtin!(
        "MP+wmb+addr",
        "message passing through a pointer: the second load goes through the address read"
    ),
    builtin!(
        "LB",
        "load buffering: each thread reads the other's later store"
    ),
    builtin!(
        "IRIW",
        "independent reads of independent writes: readers disagree on the order"
    ),
    builtin!("IRIW+mbs", "IRIW with smp_mb() between the reads"),
    builtin!(
        "2+2W+wmbs",
        "two writers, smp_wmb() between: both first writes last"
    ),
    builtin!(
        "WRC+wmb+rmb",
        "write-to-read causality with smp_wmb() and smp_rmb()"
    ),
    builtin!(
        "ISA2+release+acquires",
        "a release-acquire chain over three threads"
    ),
    builtin!("R", "a write and a read race with two writes in order"),
    builtin!("S+wmb+acquire", "a read-then-write ordered after a flag"),
];

/// The classic built-in scenario called `name`.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The litmus text of any built-in, a classic shape or a Xen variant:
/// `Ok(None)` if `name` names none, `Err` for a Xen variant it cannot read.
pub fn builtin_source(name: &str) -> Result<Option<String>, String> {
    if let Some(b) = builtin(name) {
        return Ok(Some(b.source.to_string()));
    }
    Ok(XenVariant::parse(name)?.map(|v| v.source()))
}

/// The built-in name nearest to a mistyped `name`, if one is near enough to
/// be what the user meant: the same letters in another case (`sb` for `SB`)
/// or at most two edits away (`xen-shutdown-sbb`). A Xen variant keeps its
/// barriers: `xen-shutdown-sbb:vcpu=wmb` suggests `xen-shutdown-sb:vcpu=wmb`.
pub fn nearest_name(name: &str) -> Option<String> {
    let (base, variant) = match name.split_once(':') {
        Some((b, v)) => (b, Some(v)),
        None => (name, None),
    };
    let wanted = base.to_lowercase();
    let candidates = BUILTINS
        .iter()
        .map(|b| (b.name, false))
        .chain(XEN.iter().map(|t| (t.name, true)));
    let (best, xen, distance) = candidates
        .map(|(n, xen)| (n, xen, strsim::levenshtein(&wanted, &n.to_lowercase())))
        .min_by_key(|&(_, _, d)| d)?;
    if distance > 2 || distance * 2 >= best.len() {
        return None;
    }
    match variant {
        Some(v) if xen => Some(format!("{best}:{v}")),
        _ => Some(best.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_is_named_as_listed() {
        for b in BUILTINS {
            let s = b.scenario();
            assert_eq!(s.name, b.name);
            assert!(!s.observed.is_empty(), "{} observes nothing", b.name);
        }
    }

    #[test]
    fn every_xen_variant_parses_under_its_name() {
        let all = XenVariant::all();
        assert_eq!(all.len(), XEN.len() * FENCES.len() * FENCES.len());
        for v in all {
            let s = v.scenario();
            assert_eq!(s.name, v.name());
            assert_eq!(XenVariant::parse(&v.name()), Ok(Some(v)));
        }
    }

    #[test]
    fn xen_variant_names_default_to_the_real_barriers() {
        let v = XenVariant::parse("xen-shutdown-sb").unwrap().unwrap();
        assert_eq!((v.vcpu, v.shutdown), ("mb", "mb"));
        let v = XenVariant::parse("xen-shutdown-end:shutdown=none")
            .unwrap()
            .unwrap();
        assert_eq!((v.vcpu, v.shutdown), ("mb", "none"));
        assert!(v.source().contains("/* no barrier */"));
        assert!(XenVariant::parse("xen-shutdown-sb:vcpu=dmb").is_err());
        assert!(XenVariant::parse("xen-shutdown-sb:cpu=mb").is_err());
        assert_eq!(XenVariant::parse("SB"), Ok(None));
    }

    /// `xen-shutdown-plain` is `xen-shutdown-sb` with its four accesses
    /// plain: the same instructions for the machines, for every barrier
    /// pair, and only the annotations differ (`Plain` where `xen-shutdown-sb`
    /// has `Once`), so that the marked version is `xen-shutdown-sb` itself.
    #[test]
    fn the_plain_xen_pair_is_the_sb_pair_unmarked() {
        use memory_model::ir::{Annotation, Instr};
        for (vcpu, _) in FENCES {
            for (shutdown, _) in FENCES {
                let variant = |template| XenVariant {
                    template,
                    vcpu,
                    shutdown,
                };
                let plain = variant("xen-shutdown-plain").scenario();
                let marked = variant("xen-shutdown-sb").scenario();
                assert_eq!(plain.locations, marked.locations);
                assert_eq!(plain.condition, marked.condition);
                for (p, m) in plain.threads.iter().zip(&marked.threads) {
                    assert_eq!(p.instrs, m.instrs);
                    for (i, instr) in p.instrs.iter().enumerate() {
                        let access = matches!(instr, Instr::Load { .. } | Instr::Store { .. });
                        let (pa, ma) = (p.annotations[i], m.annotations[i]);
                        if access {
                            assert_eq!((pa, ma), (Annotation::Plain, Annotation::Once));
                        } else {
                            assert_eq!(pa, ma);
                        }
                    }
                }
                let accesses = plain.threads.iter().flat_map(|t| &t.annotations);
                assert_eq!(accesses.filter(|a| **a == Annotation::Plain).count(), 4);
            }
        }
    }

    #[test]
    fn a_near_name_is_suggested() {
        assert_eq!(nearest_name("sb").as_deref(), Some("SB"));
        assert_eq!(nearest_name("mp+wmb+rmb").as_deref(), Some("MP+wmb+rmb"));
        assert_eq!(
            nearest_name("xen-shutdown-sbb").as_deref(),
            Some("xen-shutdown-sb")
        );
        assert_eq!(
            nearest_name("xen-shutdown-sbb:vcpu=wmb").as_deref(),
            Some("xen-shutdown-sb:vcpu=wmb")
        );
        assert_eq!(nearest_name("NoSuchTest"), None);
        assert_eq!(nearest_name("x"), None);
    }
}
