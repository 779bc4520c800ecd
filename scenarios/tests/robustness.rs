//! Robustness of the litmus front end: every prefix of a few real tests,
//! and every single-character deletion or substitution, must give a result
//! (a scenario or an error), never a panic; and a seeded mutation fuzz over
//! the whole corpus and the built-ins (`mutations_neither_panic_nor_pass_
//! wrongly`, below).

#[path = "../../tests/corpus/mod.rs"]
mod corpus;

use std::path::Path;

use scenarios::litmus::parse_litmus;

const INLINE: &str = "C MP+fences\n(* comment *)\n{\n\tint *p = &x;\n\t0:r1 = 2;\n}\n\nP0(int *x, int *y, int **p)\n{\n\tWRITE_ONCE(*x, 1);\n\tsmp_wmb();\n\tsmp_store_release(y, 1);\n}\n\nP1(int *x, int *y, int **p)\n{\n\tint r0;\n\tint *r1 = READ_ONCE(*p);\n\n\tr0 = smp_load_acquire(y);\n\tif (r0 == 1 && READ_ONCE(*r1))\n\t\tr0 = xchg(x, 2);\n\telse\n\t\tr0 = smp_cond_load_relaxed(x, VAL != 0);\n}\n\nlocations [x; 1:r1;]\nfilter (1:r0=1)\nexists (1:r0=1 /\\ ~[x]=2 \\/ 1:r1=x)\n";

fn samples() -> Vec<(String, String)> {
    let mut out = vec![("inline.litmus".to_string(), INLINE.to_string())];
    let Some(root) = corpus::litmus_corpus("robustness samples") else {
        return out;
    };
    for rel in [
        "linux/dep+plain.litmus",
        "linux/Documentation-litmus-tests/locking/DCL-fixed.litmus",
        "linux/MP+onceassign+derefonce.litmus",
        "extra/C-llist-add-atomic.litmus",
        "extra/C-3.lb+deref-addr-assign+deref-addr-assign.litmus",
    ] {
        let text = std::fs::read_to_string(root.join(rel))
            .unwrap_or_else(|e| panic!("{}: {e}", root.join(rel).display()));
        out.push((rel.to_string(), text));
    }
    out
}

#[test]
fn inline_sample_parses() {
    parse_litmus(INLINE, "inline.litmus").unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn every_prefix() {
    for (name, text) in samples() {
        for (i, _) in text.char_indices() {
            let _ = parse_litmus(&text[..i], &name);
        }
    }
}

#[test]
fn every_deletion_and_substitution() {
    for (name, text) in samples() {
        let chars: Vec<char> = text.chars().collect();
        for i in 0..chars.len() {
            let mut deleted = chars.clone();
            deleted.remove(i);
            let _ = parse_litmus(&deleted.iter().collect::<String>(), &name);
            for c in [
                '(', ')', '{', '}', '*', ';', ':', '~', '9', 'x', 'é', '"', '\n',
            ] {
                let mut changed = chars.clone();
                changed[i] = c;
                let _ = parse_litmus(&changed.iter().collect::<String>(), &name);
            }
        }
    }
}

// ---------------------------------------------------------------------
// Mutation fuzz: real files, damaged byte-wise and token-wise by a seeded
// proptest generator. A mutant must be refused with an error that prints,
// or accepted as a scenario that validates and that the exhaustive driver
// explores on every model without panicking. The case count is
// `WMSIM_FUZZ_CASES` (default `FUZZ_CASES_DEFAULT`, a few seconds); the
// generator's seed is fixed, so a count names the same cases everywhere.

use memory_model::{Config, Machine, ModelName};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};
use scenarios::litmus::parse_litmus_for_herd;
use sim_core::{Exploration, ExploreOptions};

const FUZZ_CASES_DEFAULT: u64 = 20_000;

/// States an accepted mutant is explored to, per model: enough to run the
/// engine on it, few enough for a million cases.
const FUZZ_STATES_MAX: usize = 200;

/// Every `.litmus` file of the shared corpus, and the built-ins' texts
/// (embedded, so they are there without the corpus). Without the corpus the
/// fuzz runs on the built-ins alone, except under CI, where a missing
/// corpus is a failure (`corpus::litmus_corpus`).
fn fuzz_sources() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = scenarios::builtin::BUILTINS
        .iter()
        .map(|b| (b.name.to_string(), b.source.to_string()))
        .collect();
    for v in scenarios::builtin::XenVariant::all()
        .into_iter()
        .filter(|v| v.vcpu == v.shutdown)
    {
        out.push((v.name(), v.source()));
    }
    let mut files = Vec::new();
    if let Some(root) = corpus::litmus_corpus("mutations_neither_panic_nor_pass_wrongly") {
        collect_litmus(&root, &mut files);
        assert!(
            !files.is_empty(),
            "no .litmus files under {}",
            root.display()
        );
    }
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        out.push((f.display().to_string(), text));
    }
    out
}

fn collect_litmus(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_litmus(&path, out);
        } else if path.extension().is_some_and(|e| e == "litmus") {
            out.push(path);
        }
    }
}

/// One edit. Positions are taken modulo what the text has when the edit
/// applies, so an edit means something on any text.
#[derive(Clone, Debug)]
enum Edit {
    FlipBit { at: usize, bit: u8 },
    Delete { at: usize, len: usize },
    Insert { at: usize, piece: usize },
    InsertByte { at: usize, byte: u8 },
    CopySpan { from: usize, len: usize, to: usize },
    ReplaceIdent { at: usize, with: usize },
    ReplaceNumber { at: usize, with: usize },
    SwapTokens { a: usize, b: usize },
    DropToken { at: usize },
    DropBracket { at: usize },
    DuplicateLine { at: usize },
}

/// Text that means something to the parser, to insert or substitute.
const PIECES: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    "*",
    "&",
    "=",
    "==",
    "!=",
    "~",
    "/\\",
    "\\/",
    "(*",
    "*)",
    "\"",
    ":",
    "\n",
    " ",
    "\t",
    "\0",
    "é",
    "\u{202e}",
    "P0",
    "P7(int *x)",
    "P8(int *x)\n{\n}\n",
    "int r9;",
    "int *r1 = x;",
    "r0",
    "0:r0=",
    "1:r0=1",
    "x",
    "y",
    "smp_mb();",
    "smp_wmb();",
    "smp_rmb();",
    "barrier();",
    "READ_ONCE(*x)",
    "WRITE_ONCE(*x, 1);",
    "smp_store_release(x, 2);",
    "smp_load_acquire(y)",
    "xchg(x, 1)",
    "cmpxchg(x, 0, 1)",
    "atomic_inc(x);",
    "spin_lock(l);",
    "spin_unlock(l);",
    "spin_trylock(l)",
    "if (r0 == 1) ",
    "else ",
    "while (1) ",
    "for (;;) ",
    "return;",
    "goto out;",
    "exists",
    "forall",
    "~exists",
    "filter",
    "locations [x;]",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "4294967296",
    "18446744073709551616",
    "99999999999999999999999",
    "0x7fffffff",
    "int",
    "spinlock_t",
    "atomic_t",
    "C",
    "\nC X\n",
    "(* Result: Never *)",
];

/// Names to put in an identifier's place.
const NAMES: &[&str] = &[
    "x",
    "y",
    "z",
    "r0",
    "r1",
    "r31",
    "r32",
    "P0",
    "P1",
    "P8",
    "int",
    "exists",
    "forall",
    "smp_mb",
    "READ_ONCE",
    "WRITE_ONCE",
    "spin_lock",
    "xchg_acquire",
    "VAL",
    "NULL",
    "lock",
    "filter",
    "locations",
    "C",
];

/// Numbers to put in a number's place: the limits and past them.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "7",
    "8",
    "9",
    "15",
    "16",
    "17",
    "31",
    "32",
    "33",
    "255",
    "256",
    "65535",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551616",
    "-1",
    "-2147483649",
    "00",
    "1e3",
];

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<usize>();
    prop_oneof![
        (at, 0u8..8).prop_map(|(at, bit)| Edit::FlipBit { at, bit }),
        (at, 1usize..12).prop_map(|(at, len)| Edit::Delete { at, len }),
        (at, 0..PIECES.len()).prop_map(|(at, piece)| Edit::Insert { at, piece }),
        (at, any::<u8>()).prop_map(|(at, byte)| Edit::InsertByte { at, byte }),
        (at, 1usize..80, any::<usize>()).prop_map(|(from, len, to)| Edit::CopySpan {
            from,
            len,
            to
        }),
        (at, any::<usize>()).prop_map(|(at, with)| Edit::ReplaceIdent { at, with }),
        (at, 0..NUMBERS.len()).prop_map(|(at, with)| Edit::ReplaceNumber { at, with }),
        (at, any::<usize>()).prop_map(|(a, b)| Edit::SwapTokens { a, b }),
        at.prop_map(|at| Edit::DropToken { at }),
        at.prop_map(|at| Edit::DropBracket { at }),
        at.prop_map(|at| Edit::DuplicateLine { at }),
    ]
}

#[derive(Clone, Copy, PartialEq)]
enum TokenKind {
    Ident,
    Number,
    Punct,
    Space,
}

/// The text's tokens as byte ranges: identifiers, numbers, single
/// punctuation bytes, runs of space. Rough on purpose: it only has to find
/// places to edit.
fn tokens(text: &[u8]) -> Vec<(TokenKind, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        let (kind, continues): (TokenKind, fn(u8) -> bool) = if c.is_ascii_alphabetic() || c == b'_'
        {
            (TokenKind::Ident, |c| c.is_ascii_alphanumeric() || c == b'_')
        } else if c.is_ascii_digit() {
            (TokenKind::Number, |c| c.is_ascii_alphanumeric())
        } else if c.is_ascii_whitespace() {
            (TokenKind::Space, |c| c.is_ascii_whitespace())
        } else {
            (TokenKind::Punct, |_| false)
        };
        let start = i;
        i += 1;
        while i < text.len() && continues(text[i]) {
            i += 1;
        }
        out.push((kind, start..i));
    }
    out
}

/// The `at`-th (modulo) token of `kind`, if the text has one.
fn nth_token(text: &[u8], kind: Option<TokenKind>, at: usize) -> Option<std::ops::Range<usize>> {
    let all = tokens(text);
    let of_kind: Vec<_> = all
        .into_iter()
        .filter(|(k, _)| kind.map_or(*k != TokenKind::Space, |want| *k == want))
        .map(|(_, r)| r)
        .collect();
    (!of_kind.is_empty()).then(|| of_kind[at % of_kind.len()].clone())
}

fn apply(text: &mut Vec<u8>, edit: &Edit) {
    let len = text.len();
    let pos = |at: usize| if len == 0 { 0 } else { at % (len + 1) };
    match *edit {
        Edit::FlipBit { at, bit } => {
            if len > 0 {
                text[at % len] ^= 1 << bit;
            }
        }
        Edit::Delete { at, len: n } => {
            let start = pos(at);
            text.drain(start..(start + n).min(len));
        }
        Edit::Insert { at, piece } => {
            let p = pos(at);
            text.splice(p..p, PIECES[piece].bytes());
        }
        Edit::InsertByte { at, byte } => text.insert(pos(at), byte),
        Edit::CopySpan { from, len: n, to } => {
            let start = pos(from);
            let span = text[start..(start + n).min(len)].to_vec();
            let p = pos(to);
            text.splice(p..p, span);
        }
        Edit::ReplaceIdent { at, with } => {
            if let Some(r) = nth_token(text, Some(TokenKind::Ident), at) {
                // Half the time another name of this text, else a listed one.
                let name = if with % 2 == 0 {
                    nth_token(text, Some(TokenKind::Ident), with / 2)
                        .map(|o| text[o].to_vec())
                        .unwrap_or_default()
                } else {
                    NAMES[(with / 2) % NAMES.len()].as_bytes().to_vec()
                };
                text.splice(r, name);
            }
        }
        Edit::ReplaceNumber { at, with } => {
            if let Some(r) = nth_token(text, Some(TokenKind::Number), at) {
                text.splice(r, NUMBERS[with].bytes());
            }
        }
        Edit::SwapTokens { a, b } => {
            if let (Some(x), Some(y)) = (nth_token(text, None, a), nth_token(text, None, b)) {
                let (first, second) = if x.start <= y.start { (x, y) } else { (y, x) };
                if first.end <= second.start {
                    let s1 = text[first.clone()].to_vec();
                    let s2 = text[second.clone()].to_vec();
                    text.splice(second, s1);
                    text.splice(first, s2);
                }
            }
        }
        Edit::DropToken { at } => {
            if let Some(r) = nth_token(text, None, at) {
                text.drain(r);
            }
        }
        Edit::DropBracket { at } => {
            let brackets: Vec<usize> = (0..len).filter(|&i| b"{}()[]".contains(&text[i])).collect();
            if !brackets.is_empty() {
                text.remove(brackets[at % brackets.len()]);
            }
        }
        Edit::DuplicateLine { at } => {
            let starts: Vec<usize> = std::iter::once(0)
                .chain((0..len).filter(|&i| text[i] == b'\n').map(|i| i + 1))
                .filter(|&i| i < len)
                .collect();
            if let Some(&start) = starts.get(at % starts.len().max(1)) {
                let end = text[start..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(len, |i| start + i + 1);
                let line = text[start..end].to_vec();
                text.splice(start..start, line);
            }
        }
    }
}

/// What a mutant came to.
enum Verdict {
    Refused,
    Accepted,
    /// Accepted, but the scenario is not one the machine takes: why.
    WronglyAccepted(String),
}

/// Parses `text` both ways, prints the error or the warnings, and explores
/// an accepted scenario on every model. Panics are the caller's to catch.
fn judge(text: &str) -> Verdict {
    let name = "mutant.litmus";
    let plain = parse_litmus(text, name);
    let parsed = match parse_litmus_for_herd(text, name) {
        Err(e) => {
            assert!(
                plain.is_err(),
                "parse_litmus accepts what the herd parse refuses"
            );
            // The message, with its line and caret, must print too.
            assert!(!e.to_string().is_empty());
            return Verdict::Refused;
        }
        Ok(parsed) => parsed,
    };
    assert!(
        plain.is_ok(),
        "parse_litmus refuses what the herd parse accepts"
    );
    for w in &parsed.herd_warnings {
        assert!(!w.to_string().is_empty());
    }
    let scenario = parsed.scenario;
    if let Err(e) = scenario.validate() {
        return Verdict::WronglyAccepted(format!("accepted, but validate says: {e}"));
    }
    for model in ModelName::ALL {
        let config = match Config::new(model, None, None, 2) {
            Ok(c) => c,
            Err(e) => return Verdict::WronglyAccepted(format!("no {model} config: {e}")),
        };
        let machine = Machine::new(&scenario, config);
        let x = Exploration::run(
            &machine,
            ExploreOptions {
                states_max: FUZZ_STATES_MAX,
                ..ExploreOptions::default()
            },
        );
        if !x.bound_exceeded {
            let _ = x.verdict();
        }
        if let Some(w) = x.witness() {
            let steps = x.steps_to(w.state);
            let _ = sim_core::witness::explain(&machine, &steps);
        }
    }
    Verdict::Accepted
}

#[test]
fn mutations_neither_panic_nor_pass_wrongly() {
    let cases: u64 = std::env::var("WMSIM_FUZZ_CASES")
        .map(|v| v.parse().expect("WMSIM_FUZZ_CASES is a number of cases"))
        .unwrap_or(FUZZ_CASES_DEFAULT);
    let samples = fuzz_sources();
    let strategy = (0..samples.len(), proptest::collection::vec(edit(), 1..=4));
    // A fixed seed: the same cases on every machine, in every run.
    let mut runner = TestRunner::new_with_rng(
        ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let (mut refused, mut accepted, mut panics) = (0u64, 0u64, 0u64);
    let mut wrong = Vec::new();
    let started = std::time::Instant::now();
    for case in 0..cases {
        let (sample, edits) = strategy.new_tree(&mut runner).unwrap().current();
        let mut bytes = samples[sample].1.clone().into_bytes();
        for e in &edits {
            apply(&mut bytes, e);
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match std::panic::catch_unwind(|| judge(&text)) {
            Ok(Verdict::Refused) => refused += 1,
            Ok(Verdict::Accepted) => accepted += 1,
            Ok(Verdict::WronglyAccepted(why)) => wrong.push((case, sample, edits, why, text)),
            Err(_) => {
                panics += 1;
                eprintln!(
                    "case {case}: panic on {} after {edits:?}:\n{text}",
                    samples[sample].0
                );
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{cases} cases over {} samples in {seconds:.1} s ({:.0}/s): {refused} refused, \
         {accepted} accepted, {} wrongly accepted, {panics} panics",
        samples.len(),
        cases as f64 / seconds,
        wrong.len()
    );
    for (case, sample, edits, why, text) in wrong.iter().take(3) {
        eprintln!(
            "case {case}: {why}; {} after {edits:?}:\n{text}",
            samples[*sample].0
        );
    }
    assert_eq!((panics, wrong.len()), (0, 0));
}
