//! The generated widget reference (docs/widgets.md, `make widget-docs`) covers every
//! registered widget with its current module doc and the options table of its declaration.

#[test]
fn widget_reference_is_current() {
    let root = env!("CARGO_MANIFEST_DIR");
    let reference = std::fs::read_to_string(format!("{root}/docs/widgets.md")).unwrap();
    for info in blinkline::testing::widgets::REGISTRY {
        let source =
            std::fs::read_to_string(format!("{root}/src/widgets/{}.rs", info.name)).unwrap();
        let doc: Vec<&str> = source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| l.trim_start_matches("//!").trim())
            .filter(|l| !l.is_empty())
            .collect();
        assert!(
            reference.contains(&format!("\n## {}\n", info.name)),
            "docs/widgets.md has no section for `{}`: run `make widget-docs`",
            info.name
        );
        for line in doc {
            assert!(
                reference.contains(line),
                "docs/widgets.md is out of date for `{}` (missing {line:?}): run `make widget-docs`",
                info.name
            );
        }
    }
}

#[test]
fn each_widget_section_has_the_options_table_of_its_declaration() {
    let root = env!("CARGO_MANIFEST_DIR");
    let reference = std::fs::read_to_string(format!("{root}/docs/widgets.md")).unwrap();
    for info in blinkline::testing::widgets::REGISTRY {
        let heading = format!("\n## {}\n", info.name);
        let start = reference.find(&heading).expect("a section per widget") + heading.len();
        let section = match reference[start..].find("\n## ") {
            Some(end) => &reference[start..start + end],
            None => &reference[start..],
        };
        let table = blinkline::testing::widgets::options::markdown_table(info.options);
        assert!(
            section.ends_with(&format!("### Options\n\n{table}")),
            "docs/widgets.md has an outdated options table for `{}`: run `make widget-docs`",
            info.name
        );
    }
}
