//! The verdict a litmus file's header comment records, as the kernel's
//! tests do (`Result: Sometimes`): what herd7 said about it under LKMM.

/// The word after the first `Result:` in `text` (`Never`, `Sometimes`,
/// `Always`, or whatever else is written there), if any.
pub fn result_comment(text: &str) -> Option<String> {
    let after = text.split("Result:").nth(1)?;
    let word: String = after
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    (!word.is_empty()).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::result_comment;

    #[test]
    fn reads_the_word_after_result() {
        let text = "C SB\n\n(*\n * Result: Sometimes\n *)\n\n{}\n";
        assert_eq!(result_comment(text).as_deref(), Some("Sometimes"));
        assert_eq!(result_comment("C SB\n{}\n"), None);
        assert_eq!(result_comment("(* Result: *)"), None);
    }
}
