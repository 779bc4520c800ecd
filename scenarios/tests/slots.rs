//! Barrier slots never panic on any input: every prefix of a template and
//! every single-character deletion or substitution gives a filled text or
//! an error, and the filled text parses or gives an error.

use scenarios::litmus::parse_litmus;
use scenarios::slots::Template;

const TEMPLATE: &str =
    "C t\n(*\n * @slot vcpu VCPU_FENCE default mb\n * @slot down DOWN default none *)\n\
                        {}\nP0(int *x, int *y)\n{\n\tint r0;\n\tWRITE_ONCE(*x, 1);\n\tVCPU_FENCE\n\
                        \tr0 = READ_ONCE(*y);\n}\nP1(int *x, int *y)\n{\n\tint r0;\n\
                        \tWRITE_ONCE(*y, 1);\n\tDOWN\n\tr0 = READ_ONCE(*x);\n}\n\
                        exists (0:r0=0 /\\ 1:r0=0)\n";

fn load(text: &str, spec: Option<&str>) {
    let Ok(template) = Template::read(text, "t.litmus") else {
        return;
    };
    let Ok(fill) = template.fill_for("t.litmus", spec) else {
        return;
    };
    let _ = parse_litmus(&template.fill(&fill), "t.litmus");
}

#[test]
fn the_template_fills_and_parses() {
    let template = Template::read(TEMPLATE, "t.litmus").unwrap();
    let fill = template.fill_for("t", Some("down=wmb")).unwrap();
    let s = parse_litmus(&template.fill(&fill), "t.litmus").unwrap();
    assert_eq!(s.name, "t:vcpu=mb,down=wmb");
}

#[test]
fn no_input_panics() {
    let chars: Vec<char> = TEMPLATE.chars().collect();
    for (i, _) in TEMPLATE.char_indices() {
        load(&TEMPLATE[..i], None);
    }
    for i in 0..chars.len() {
        let mut deleted = chars.clone();
        deleted.remove(i);
        load(&deleted.iter().collect::<String>(), Some("vcpu=wmb"));
        for c in ['@', ' ', '*', ')', '\n', 'x', 'é', ':', '='] {
            let mut changed = chars.clone();
            changed[i] = c;
            load(&changed.iter().collect::<String>(), None);
        }
    }
    for spec in [
        "", ",", "=", "vcpu", "vcpu=", "=mb", "vcpu=mb,", "x=y=z", "é=é",
    ] {
        load(TEMPLATE, Some(spec));
    }
}
