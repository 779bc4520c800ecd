//! Text from an input file made safe to print: control characters would
//! reach the user's terminal and act there (an escape sequence in a test's
//! name retitles the terminal, `\x1b[2J` clears it), so every name and
//! source line the IR carries, and every error's echo of the input, shows
//! them escaped instead.

/// `text` with each control character written out: `\x1b` for ASCII ones,
/// `\u{9b}` for the others and for the bidirectional overrides that reorder
/// what a terminal shows. Tabs stay: they are whitespace, and a caret line
/// under an echoed source line uses them to line up.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// [`escape`] for text of several lines: the newlines stay, and so does
/// the `\r` of a `\r\n` line end.
pub fn escape_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| match line.strip_suffix('\r') {
            Some(line) => escape(line) + "\r",
            None => escape(line),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How many characters `c` takes once escaped.
pub fn escaped_width(c: char) -> usize {
    let mut s = String::new();
    push_escaped(&mut s, c);
    s.chars().count()
}

fn push_escaped(out: &mut String, c: char) {
    if c == '\t' || !needs_escape(c) {
        out.push(c);
    } else if c.is_ascii() {
        out.push_str(&format!("\\x{:02x}", c as u32));
    } else {
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    }
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_written_out() {
        assert_eq!(escape("a\x1b]0;x\x07b"), "a\\x1b]0;x\\x07b");
        assert_eq!(escape("\u{9b}2J\u{202e}"), "\\u{9b}2J\\u{202e}");
        assert_eq!(escape("\tP0 é\x7f"), "\tP0 é\\x7f");
        assert_eq!(escaped_width('\x1b'), 4);
        assert_eq!(escaped_width('x'), 1);
        assert_eq!(escape_lines("a\x1b\nb\n"), "a\\x1b\nb\n");
        assert_eq!(escape_lines("a\r\nb\rc\n"), "a\r\nb\\x0dc\n");
    }
}
