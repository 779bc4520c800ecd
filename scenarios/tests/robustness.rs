//! Fuzz-ish robustness without proptest: every prefix of a few real tests,
//! and every single-character deletion or substitution, must give a result
//! (a scenario or an error), never a panic.

use std::path::Path;

use scenarios::litmus::parse_litmus;

const INLINE: &str = "C MP+fences\n(* comment *)\n{\n\tint *p = &x;\n\t0:r1 = 2;\n}\n\nP0(int *x, int *y, int **p)\n{\n\tWRITE_ONCE(*x, 1);\n\tsmp_wmb();\n\tsmp_store_release(y, 1);\n}\n\nP1(int *x, int *y, int **p)\n{\n\tint r0;\n\tint *r1 = READ_ONCE(*p);\n\n\tr0 = smp_load_acquire(y);\n\tif (r0 == 1 && READ_ONCE(*r1))\n\t\tr0 = xchg(x, 2);\n\telse\n\t\tr0 = smp_cond_load_relaxed(x, VAL != 0);\n}\n\nlocations [x; 1:r1;]\nfilter (1:r0=1)\nexists (1:r0=1 /\\ ~[x]=2 \\/ 1:r1=x)\n";

fn samples() -> Vec<(String, String)> {
    let mut out = vec![("inline.litmus".to_string(), INLINE.to_string())];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/litmus");
    for rel in [
        "linux/dep+plain.litmus",
        "linux/Documentation-litmus-tests/locking/DCL-fixed.litmus",
        "linux/MP+onceassign+derefonce.litmus",
        "extra/C-llist-add-atomic.litmus",
        "extra/C-3.lb+deref-addr-assign+deref-addr-assign.litmus",
    ] {
        match std::fs::read_to_string(root.join(rel)) {
            Ok(text) => out.push((rel.to_string(), text)),
            Err(_) => println!("note: {rel} not found; using the inline sample only"),
        }
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
