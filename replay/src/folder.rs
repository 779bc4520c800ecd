//! The folder a scenario's traces go in, named after the scenario: distinct
//! names give distinct folders, each one normal path component, so no name
//! (`..`, `x/...`, `C SB.v2`) can write outside `--traces` or over another
//! scenario's traces.

use sha2::{Digest, Sha256};

/// Longest readable part kept from a name; longer names are cut (and so get
/// the hash), keeping the folder name well under the 255-byte limit.
const SLUG_CHARS_MAX: usize = 64;

/// How many hex digits of the name's SHA-256 tell apart names whose
/// readable parts are the same.
const HASH_DIGITS: usize = 8;

/// The folder name for the scenario `name`: the name itself when it is
/// already a plain file name (letters, digits, `+ - _ .`, not starting with
/// `.`, at most 64 characters); otherwise a readable slug (`=` becomes `-`,
/// any other character `_`, a leading `.` `_`), then `~` and a short hash of
/// the exact name. A name kept as is has no `~`, so it never meets a hashed
/// one: `a:b` gives `a_b~…`, `a_b` gives `a_b`.
pub fn folder_name(name: &str) -> String {
    let mut slug: String = name
        .chars()
        .take(SLUG_CHARS_MAX)
        .enumerate()
        .map(|(i, c)| match c {
            '.' if i == 0 => '_',
            'a'..='z' | 'A'..='Z' | '0'..='9' | '+' | '-' | '_' | '.' => c,
            '=' => '-',
            _ => '_',
        })
        .collect();
    if slug == name && !slug.is_empty() {
        return slug;
    }
    let digest = Sha256::digest(name.as_bytes());
    slug.push('~');
    for byte in &digest[..HASH_DIGITS / 2] {
        slug.push_str(&format!("{byte:02x}"));
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::{Component, Path};

    /// One normal component: not empty, not `.` or `..`, no separator.
    fn is_one_normal_component(folder: &str) -> bool {
        let mut components = Path::new(folder).components();
        matches!(components.next(), Some(Component::Normal(c)) if c == folder)
            && components.next().is_none()
    }

    #[test]
    fn plain_names_are_kept_and_others_get_a_slug_and_a_hash() {
        assert_eq!(folder_name("SB"), "SB");
        assert_eq!(folder_name("SB.v2"), "SB.v2");
        assert_eq!(folder_name("a_b"), "a_b");
        let cases = [
            ("a:b", "a_b~"),
            ("..", "_.~"),
            ("...", "_..~"),
            ("x/...", "x_...~"),
            ("...ron", "_..ron~"),
            ("", "~"),
            ("xen-shutdown-sb:vcpu=wmb", "xen-shutdown-sb_vcpu-wmb~"),
        ];
        for (name, start) in cases {
            let folder = folder_name(name);
            assert!(folder.starts_with(start), "{name:?} gave {folder:?}");
            assert_eq!(folder.len(), start.len() + HASH_DIGITS, "{folder:?}");
            assert!(is_one_normal_component(&folder), "{folder:?}");
        }
    }

    #[test]
    fn the_hash_is_of_the_exact_name() {
        // The first 8 hex digits of sha256("a:b"): fixed, so saved paths
        // stay where they were from one version to the next.
        assert_eq!(folder_name("a:b"), "a_b~6783a31e");
    }

    #[test]
    fn a_long_name_is_cut_and_hashed() {
        let long = "A".repeat(300);
        let folder = folder_name(&long);
        assert_eq!(folder.len(), SLUG_CHARS_MAX + 1 + HASH_DIGITS);
        assert_ne!(folder, folder_name(&"A".repeat(301)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn distinct_names_give_distinct_single_component_folders(
            a in "[a-zA-Z0-9._:=/ -]{0,12}|\\PC{0,70}",
            b in "[a-zA-Z0-9._:=/ -]{0,12}|\\PC{0,70}",
        ) {
            let (fa, fb) = (folder_name(&a), folder_name(&b));
            prop_assert!(is_one_normal_component(&fa), "{:?} gave {:?}", a, fa);
            prop_assert!(is_one_normal_component(&fb), "{:?} gave {:?}", b, fb);
            prop_assert_eq!(a == b, fa == fb, "{:?} {:?} gave {:?} {:?}", a, b, fa, fb);
        }
    }
}
