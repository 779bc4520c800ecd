//! Barrier slots: a litmus file that leaves some barriers open, to be
//! filled by name. The Xen built-ins and a user's files use the same
//! mechanism: `xen-shutdown-sb:vcpu=wmb,shutdown=mb`, `f.litmus:vcpu=wmb`.
//!
//! A file declares each slot on a line of a comment, so that herd7 skips
//! it: `@slot NAME PLACEHOLDER default BARRIER`, for example
//! `(* @slot vcpu VCPU_FENCE default mb *)`. `PLACEHOLDER` stands in the
//! threads where the barrier goes; `BARRIER` is one of [`FENCES`]. A slot
//! not named when the file is loaded takes its default. Filling replaces
//! each placeholder by the barrier's code, names the test after the variant
//! (`C name:vcpu=wmb,shutdown=mb`, every slot in the order declared) and
//! turns each declaration into a plain note, so the filled text is herd7
//! input with no wmsim syntax left.

use crate::printable::escape;

/// The barriers a slot may hold, by name, and the code each one is.
pub const FENCES: &[(&str, &str)] = &[
    ("mb", "smp_mb();"),
    ("wmb", "smp_wmb();"),
    ("rmb", "smp_rmb();"),
    ("barrier", "barrier();"),
    ("none", "/* no barrier */"),
];

/// The word that starts a slot declaration.
const DECLARATION: &str = "@slot";

/// One declared slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub name: String,
    pub placeholder: String,
    pub default: &'static str,
}

/// A litmus text and the slots it declares (none for most files).
#[derive(Clone, Debug)]
pub struct Template<'a> {
    text: &'a str,
    slots: Vec<Slot>,
}

/// A barrier for each slot of a template, in the order declared.
pub type Fill = Vec<(String, &'static str)>;

impl<'a> Template<'a> {
    /// Reads the slot declarations of `text`; `file` names it in errors,
    /// which say `file:line:col`.
    pub fn read(text: &'a str, file: &str) -> Result<Template<'a>, String> {
        let mut slots: Vec<Slot> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let Some(at) = line.find(DECLARATION) else {
                continue;
            };
            let col = line[..at].chars().count() + 1;
            let here = format!("{}:{}:{col}", escape(file), index + 1);
            let rest = &line[at + DECLARATION.len()..];
            let rest = rest.trim_end().trim_end_matches("*)");
            let rest = if rest.starts_with(char::is_whitespace) {
                rest
            } else {
                // `@slotx ...` is not a declaration, and not anything else.
                ""
            };
            let words: Vec<&str> = rest.split_whitespace().collect();
            let [name, placeholder, "default", default] = words[..] else {
                return Err(format!(
                    "{here}: expected `{DECLARATION} NAME PLACEHOLDER default BARRIER`, found {:?}",
                    escape(line.trim())
                ));
            };
            if !is_word(name) || !is_word(placeholder) {
                return Err(format!(
                    "{here}: a slot's name and placeholder are C identifiers, found {:?} and {:?}",
                    escape(name),
                    escape(placeholder)
                ));
            }
            let default = fence_named(default)
                .ok_or_else(|| format!("{here}: {}", unknown_fence(default)))?;
            if slots
                .iter()
                .any(|s| s.name == name || s.placeholder == placeholder)
            {
                return Err(format!(
                    "{here}: slot `{name}` or placeholder `{placeholder}` declared twice"
                ));
            }
            if !occurs_outside_declarations(text, placeholder) {
                return Err(format!(
                    "{here}: placeholder `{placeholder}` of slot `{name}` appears nowhere else"
                ));
            }
            slots.push(Slot {
                name: name.to_string(),
                placeholder: placeholder.to_string(),
                default,
            });
        }
        Ok(Template { text, slots })
    }

    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// The barrier of each slot for `spec` (`vcpu=wmb,shutdown=mb`; `None`
    /// or an omitted slot: the default). `name` is what the user wrote, for
    /// errors.
    pub fn fill_for(&self, name: &str, spec: Option<&str>) -> Result<Fill, String> {
        let mut fill: Fill = self
            .slots
            .iter()
            .map(|s| (s.name.clone(), s.default))
            .collect();
        let Some(spec) = spec else {
            return Ok(fill);
        };
        if self.slots.is_empty() {
            return Err(format!(
                "{}: no barrier slots to fill: the file declares none \
                 (`{DECLARATION} NAME PLACEHOLDER default BARRIER` in a comment)",
                escape(name)
            ));
        }
        for part in spec.split(',') {
            let (key, value) = part.split_once('=').ok_or_else(|| {
                format!(
                    "{}: expected slot=barrier, found {:?}",
                    escape(name),
                    escape(part)
                )
            })?;
            let fence = fence_named(value)
                .ok_or_else(|| format!("{}: {}", escape(name), unknown_fence(value)))?;
            let Some(entry) = fill.iter_mut().find(|(slot, _)| slot == key) else {
                let names: Vec<&str> = self.slots.iter().map(|s| s.name.as_str()).collect();
                return Err(format!(
                    "{}: unknown slot {:?}: expected {}",
                    escape(name),
                    escape(key),
                    one_of(&names)
                ));
            };
            entry.1 = fence;
        }
        Ok(fill)
    }

    /// The test's name for a fill: `name:vcpu=wmb,shutdown=mb`; `name`
    /// alone for a file without slots.
    pub fn variant_name(&self, name: &str, fill: &Fill) -> String {
        if fill.is_empty() {
            return name.to_string();
        }
        let values: Vec<String> = fill.iter().map(|(s, f)| format!("{s}={f}")).collect();
        format!("{name}:{}", values.join(","))
    }

    /// The text with every slot filled as `fill` says (from [`fill_for`]):
    /// herd7 input, named after the variant. A file without slots comes
    /// back as it is.
    ///
    /// [`fill_for`]: Template::fill_for
    pub fn fill(&self, fill: &Fill) -> String {
        if self.slots.is_empty() {
            return self.text.to_string();
        }
        let mut renamed = false;
        let mut declarations = self.slots.iter().zip(fill);
        let mut out = String::with_capacity(self.text.len());
        for line in self.text.split_inclusive('\n') {
            if let Some(at) = line.find(DECLARATION) {
                // Declarations were read in this order, one per line.
                if let Some((slot, (_, fence))) = declarations.next() {
                    out.push_str(&line[..at]);
                    out.push_str(&declaration_note(slot, fence, &line[at..]));
                    continue;
                }
            }
            if !renamed {
                if let Some(name) = header_name(line) {
                    renamed = true;
                    let after_c = line.find('C').map_or(0, |c| c + 1);
                    let at = after_c + line[after_c..].find(name).unwrap_or(0);
                    out.push_str(&line[..at]);
                    out.push_str(&self.variant_name(name, fill));
                    out.push_str(&line[at + name.len()..]);
                    continue;
                }
            }
            let mut line = line.to_string();
            for (slot, (_, fence)) in self.slots.iter().zip(fill) {
                line = replace_word(&line, &slot.placeholder, fence_code(fence));
            }
            out.push_str(&line);
        }
        out
    }
}

/// `@slot vcpu VCPU_FENCE default mb` as filled: `slot vcpu = wmb (default
/// mb)`, with the comment's end if it was on the declaration's line.
fn declaration_note(slot: &Slot, fence: &str, declaration: &str) -> String {
    let tail = declaration
        .find(" *)")
        .or_else(|| declaration.find("*)"))
        .map_or_else(
            || {
                if declaration.ends_with('\n') {
                    "\n"
                } else {
                    ""
                }
            },
            |at| &declaration[at..],
        );
    format!(
        "slot {} = {fence} (default {}){tail}",
        slot.name, slot.default
    )
}

/// The fence called `name`, as its static name.
fn fence_named(name: &str) -> Option<&'static str> {
    FENCES.iter().map(|(n, _)| *n).find(|n| *n == name)
}

/// The code of a fence from [`FENCES`].
pub fn fence_code(name: &str) -> &'static str {
    FENCES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, code)| *code)
        .expect("fences are checked when read")
}

fn unknown_fence(value: &str) -> String {
    let names: Vec<&str> = FENCES.iter().map(|(n, _)| *n).collect();
    format!(
        "unknown barrier {:?}: expected one of {}",
        escape(value),
        names.join(", ")
    )
}

/// `a`, `a or b`, `one of a, b, c`.
fn one_of(names: &[&str]) -> String {
    match names {
        [one] => one.to_string(),
        [a, b] => format!("{a} or {b}"),
        _ => format!("one of {}", names.join(", ")),
    }
}

fn is_word(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The test's name if `line` is the `C name` header.
fn header_name(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('C')?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    rest.split_whitespace().next()
}

fn occurs_outside_declarations(text: &str, word: &str) -> bool {
    text.lines()
        .filter(|l| !l.contains(DECLARATION))
        .any(|l| replace_word(l, word, "") != l)
}

/// `text` with each whole-word `word` replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(is_ident) || after.is_some_and(is_ident) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "C t\n(* @slot w W_FENCE default mb\n * @slot r R_FENCE default none *)\n\
                        {}\nP0(int *x) {\n\tW_FENCE\n\tWRITE_ONCE(*x, 1);\n\tR_FENCE\n}\n\
                        exists (x=1)\n";

    #[test]
    fn a_fill_replaces_placeholders_renames_the_test_and_notes_the_slots() {
        let t = Template::read(FILE, "t.litmus").unwrap();
        assert_eq!(t.slots().len(), 2);
        let fill = t.fill_for("t.litmus:r=rmb", Some("r=rmb")).unwrap();
        assert_eq!(
            t.fill(&fill),
            "C t:w=mb,r=rmb\n(* slot w = mb (default mb)\n * slot r = rmb (default none) *)\n\
             {}\nP0(int *x) {\n\tsmp_mb();\n\tWRITE_ONCE(*x, 1);\n\tsmp_rmb();\n}\n\
             exists (x=1)\n"
        );
    }

    #[test]
    fn bad_specs_and_declarations_are_refused() {
        let t = Template::read(FILE, "t.litmus").unwrap();
        assert_eq!(
            t.fill_for("t.litmus:q=mb", Some("q=mb")).unwrap_err(),
            "t.litmus:q=mb: unknown slot \"q\": expected w or r"
        );
        assert_eq!(
            t.fill_for("t.litmus:w=dmb", Some("w=dmb")).unwrap_err(),
            "t.litmus:w=dmb: unknown barrier \"dmb\": expected one of mb, wmb, rmb, barrier, none"
        );
        assert_eq!(
            t.fill_for("t.litmus:w", Some("w")).unwrap_err(),
            "t.litmus:w: expected slot=barrier, found \"w\""
        );
        let e = Template::read("C t\n(* @slot w W default mb *)\n{}\n", "t.litmus").unwrap_err();
        assert_eq!(
            e,
            "t.litmus:2:4: placeholder `W` of slot `w` appears nowhere else"
        );
        let e = Template::read("C t\n(* @slot w W *)\n", "t.litmus").unwrap_err();
        assert!(
            e.starts_with("t.litmus:2:4: expected `@slot NAME PLACEHOLDER"),
            "{e}"
        );
    }

    #[test]
    fn placeholders_are_whole_words() {
        assert_eq!(replace_word("F F_X XF (F)", "F", "y"), "y F_X XF (y)");
    }
}
