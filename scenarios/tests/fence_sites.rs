//! The barrier sites of `wmsim fences`: rewriting a file with its own
//! choices gives it back byte for byte, and every one-site change of every
//! corpus file is a litmus test that still parses, with the same threads.

#[path = "../../tests/corpus/mod.rs"]
mod corpus;

use scenarios::litmus::{fence_sites, parse_litmus, rewrite, SiteKind};

const SB: &str = "C SB

{}

P0(int *x, int *y)
{
\tint r0;

\tWRITE_ONCE(*x, 1);
\tr0 = READ_ONCE(*y);
}

P1(int *x, int *y)
{
\tint r0;

\tWRITE_ONCE(*y, 1); smp_mb();
\tr0 = smp_load_acquire(x);
}

exists (0:r0=0 /\\ 1:r0=0)
";

#[test]
fn store_buffering_has_a_gap_a_fence_and_four_accesses() {
    let sites = fence_sites(SB, "SB").unwrap();
    let kinds: Vec<(usize, SiteKind, usize)> =
        sites.iter().map(|s| (s.thread, s.kind, s.line)).collect();
    assert_eq!(
        kinds,
        vec![
            (0, SiteKind::Access, 9),
            (0, SiteKind::Gap, 9),
            (0, SiteKind::Access, 10),
            (1, SiteKind::Access, 17),
            (1, SiteKind::Fence, 17),
            (1, SiteKind::Access, 18),
        ]
    );
    let originals: Vec<usize> = sites.iter().map(|s| s.original).collect();
    assert_eq!(rewrite(SB, &sites, &originals), SB);
    // Strongest everywhere.
    let top: Vec<usize> = sites.iter().map(|s| s.top()).collect();
    let strong = rewrite(SB, &sites, &top);
    assert!(strong.contains("\tsmp_store_release(x, 1);\n\tsmp_mb();\n\tr0 = smp_load_acquire(y);"));
    assert!(strong.contains("\tsmp_store_release(y, 1); smp_mb();\n\tr0 = smp_load_acquire(x);"));
    // Weakest everywhere: P1's fence goes, its load is a READ_ONCE.
    let weak = rewrite(SB, &sites, &vec![0; sites.len()]);
    assert!(
        weak.contains("\tWRITE_ONCE(*y, 1);\n\tr0 = READ_ONCE(*x);"),
        "{weak}"
    );
    // The fence between: smp_wmb() in place of smp_mb().
    let mut wmb = originals.clone();
    wmb[4] = 2;
    assert_eq!(sites[4].choices[2].name, "smp_wmb()");
    assert!(rewrite(SB, &sites, &wmb).contains("WRITE_ONCE(*y, 1); smp_wmb();\n"));
}

#[test]
fn a_fence_alone_on_its_line_goes_with_its_line() {
    let text = SB.replace(
        "\tWRITE_ONCE(*y, 1); smp_mb();\n",
        "\tWRITE_ONCE(*y, 1);\n\tsmp_mb(); // order\n",
    );
    let sites = fence_sites(&text, "SB").unwrap();
    let fence = sites
        .iter()
        .position(|s| s.kind == SiteKind::Fence)
        .unwrap();
    let mut p: Vec<usize> = sites.iter().map(|s| s.original).collect();
    p[fence] = 0;
    assert!(
        rewrite(&text, &sites, &p).contains("\tWRITE_ONCE(*y, 1);\n\tr0 = smp_load_acquire(x);")
    );
}

#[test]
fn every_one_site_change_of_the_corpus_parses() {
    let Some(root) = corpus::litmus_corpus("every_one_site_change_of_the_corpus_parses") else {
        return;
    };
    let files = corpus::litmus_files(&root);
    let builtins = scenarios::builtin::BUILTINS.len();
    assert!(builtins > 0);
    let mut changes = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.display().to_string();
        let Ok(original) = parse_litmus(&text, &name) else {
            continue;
        };
        let sites = fence_sites(&text, &name).unwrap();
        let originals: Vec<usize> = sites.iter().map(|s| s.original).collect();
        assert_eq!(rewrite(&text, &sites, &originals), text, "{name}");
        for (i, s) in sites.iter().enumerate() {
            for c in 0..s.choices.len() {
                let mut p = originals.clone();
                p[i] = c;
                let changed = rewrite(&text, &sites, &p);
                let parsed = parse_litmus(&changed, &name).unwrap_or_else(|e| {
                    panic!(
                        "{name}: {} -> {}: {e}\n{changed}",
                        s.place(),
                        s.choices[c].name
                    )
                });
                assert_eq!(parsed.threads.len(), original.threads.len(), "{name}");
                changes += 1;
            }
        }
    }
    assert!(changes > 1000, "only {changes} one-site changes");
}
