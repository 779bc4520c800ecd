//! Control characters in a litmus file never come out raw: names and
//! source lines the IR carries, and errors that echo the input, escape them.

use scenarios::litmus::parse_litmus;

#[test]
fn the_name_and_source_lines_carry_no_control_character() {
    let src = "C t\x1b]0;x\x07\n{}\nP0(int *x)\n{\n\tWRITE_ONCE(*x, /* \u{9b}2J */ 1);\n}\n\
               exists (x=1)\n";
    let s = parse_litmus(src, "t.litmus").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.name, "t\\x1b]0;x\\x07");
    let sources: Vec<&str> = s.threads[0].source.iter().map(String::as_str).collect();
    assert!(
        sources.contains(&"WRITE_ONCE(*x, /* \\u{9b}2J */ 1)"),
        "{sources:?}"
    );
}

#[test]
fn an_error_prints_the_input_escaped_with_its_caret_in_place() {
    let src = "C bad\n{}\nP0(int *x)\n{\n\t\x1b[2J WRITE_ONCE(*x, 1);\n}\nexists (x=1)\n";
    let e = parse_litmus(src, "f\x07.litmus").unwrap_err();
    assert_eq!(
        e.to_string(),
        "f\\x07.litmus:5:2: expected a C token, found unexpected character `\\x1b`\n\
         \t\\x1b[2J WRITE_ONCE(*x, 1);\n\
         \t^"
    );
    let src = "C bad\n{}\nP0(int *x)\n{\n\tWRITE_ONCE(*x, /* \x1b */ 1) 2;\n}\nexists (x=1)\n";
    let e = parse_litmus(src, "f.litmus").unwrap_err();
    let printed = e.to_string();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines[1], "\tWRITE_ONCE(*x, /* \\x1b */ 1) 2;");
    assert_eq!(lines[2], format!("\t{}^", " ".repeat(29)));
}
