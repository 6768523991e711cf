//! Importing a ccstatusline configuration (`~/.config/ccstatusline/settings.json`): its
//! lines become `[[line]]` tables, an item's `color` the widget's `fg`, `colorLevel` the
//! colour depth. What has no counterpart is listed, not guessed.

use super::model::{Group, Line, Model, Slot};

/// ccstatusline item types and the widget each becomes.
const WIDGETS: &[(&str, &str)] = &[
    ("model", "model"),
    ("context-percentage", "context"),
    ("context-percentage-usable", "context"),
    ("context-length", "context"),
    ("session-cost", "cost"),
    ("session-clock", "duration"),
    ("git-branch", "git_branch"),
    ("git-changes", "git_status"),
    ("git-worktree", "git_worktree"),
    ("tokens-total", "session_tokens"),
    ("current-working-dir", "cwd"),
    ("version", "version"),
    ("output-style", "output_style"),
    ("block-timer", "block"),
    ("custom-text", "text"),
    ("custom-command", "command"),
];

/// Where ccstatusline keeps its settings under `home`.
pub fn default_path(home: &std::path::Path) -> std::path::PathBuf {
    home.join(".config/ccstatusline/settings.json")
}

/// Replaces the model's lines with those of the ccstatusline `json`; returns what did not
/// map (one phrase each).
pub fn ccstatusline(model: &mut Model, json: &str) -> Result<Vec<String>, String> {
    let settings: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not ccstatusline settings: {e}"))?;
    let rows = settings
        .get("lines")
        .and_then(|l| l.as_array())
        .ok_or("not ccstatusline settings: no `lines`")?;
    let mut skipped = Vec::new();
    let mut lines = Vec::new();
    let mut colours = Vec::new();
    for row in rows {
        let mut line = Line::default();
        for item in row.as_array().into_iter().flatten() {
            let kind = item.get("type").and_then(|t| t.as_str()).unwrap_or("?");
            if kind == "separator" || kind == "flex-separator" {
                continue;
            }
            let Some((_, widget)) = WIDGETS.iter().find(|(k, _)| *k == kind) else {
                skipped.push(format!("item `{kind}`"));
                continue;
            };
            if !line.left.iter().any(|w| w == widget) {
                line.left.push((*widget).to_owned());
            }
            if let Some(color) = item.get("color").and_then(|c| c.as_str()) {
                colours.push((*widget, colour_name(color)));
            }
            if kind == "custom-text" || kind == "custom-command" {
                skipped.push(format!(
                    "the text or command of `{kind}` (set it on `{widget}`)"
                ));
            }
        }
        if !line.left.is_empty() {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return Err("the ccstatusline settings have no widget blinkline knows".into());
    }
    // Start from one empty line, then add each widget through the checked model calls.
    let current = model.lines().len();
    for index in (1..current).rev() {
        model.remove_line(index)?;
    }
    while !model.lines()[0].left.is_empty() {
        model.remove_widget(Slot {
            line: 0,
            group: Group::Left,
            index: 0,
        })?;
    }
    while !model.lines()[0].right.is_empty() {
        model.remove_widget(Slot {
            line: 0,
            group: Group::Right,
            index: 0,
        })?;
    }
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            model.add_line(i - 1)?;
        }
        for (index, id) in line.left.iter().enumerate() {
            let at = Slot {
                line: i,
                group: Group::Left,
                index,
            };
            if let Err(err) = model.add_widget(at, id) {
                skipped.push(format!("widget `{id}`: {err}"));
            }
        }
    }
    for (widget, colour) in colours {
        if let Err(err) = model.set_widget_option(widget, "fg", &format!("{colour:?}")) {
            skipped.push(format!("colour of `{widget}`: {err}"));
        }
    }
    match settings.get("colorLevel").and_then(|c| c.as_u64()) {
        Some(0) => model.set_top("color", "\"never\"")?,
        Some(1) => model.set_top("color", "\"16\"")?,
        Some(2) => model.set_top("color", "\"256\"")?,
        Some(3) => model.set_top("color", "\"truecolor\"")?,
        _ => {}
    }
    for key in [
        "flexMode",
        "powerline",
        "defaultPadding",
        "inheritSeparatorColors",
    ] {
        if settings.get(key).is_some() {
            skipped.push(format!("`{key}` (blinkline fits the width itself)"));
        }
    }
    Ok(skipped)
}

/// ccstatusline's `brightBlack` is `bright-black`; hex and plain names stay.
fn colour_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const SETTINGS: &str = r#"{
      "version": 4,
      "lines": [
        [
          { "id": "1", "type": "model", "color": "cyan" },
          { "id": "2", "type": "separator" },
          { "id": "3", "type": "context-percentage", "color": "brightBlack" },
          { "id": "9", "type": "no-such-item", "color": "blue" },
          { "id": "11", "type": "session-cost", "color": "green" }
        ],
        [ { "id": "13", "type": "session-clock", "color": "white" } ],
        []
      ],
      "flexMode": "full",
      "colorLevel": 2
    }"#;

    #[test]
    fn a_ccstatusline_config_maps_lines_colours_and_depth_and_lists_the_rest() {
        let mut m = Model::from_source("# mine\ntheme = \"nord\"\n", Path::new("c.toml")).unwrap();
        let skipped = ccstatusline(&mut m, SETTINGS).unwrap();
        let lines = m.lines();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].left, ["model", "context", "cost"]);
        assert_eq!(lines[1].left, ["duration"]);
        assert_eq!(
            m.widget_table("context"),
            [("fg".into(), "\"bright-black\"".into())]
        );
        assert_eq!(m.top("color").as_deref(), Some("\"256\""));
        assert!(
            skipped.iter().any(|s| s.contains("no-such-item")),
            "{skipped:?}"
        );
        assert!(
            skipped.iter().any(|s| s.contains("flexMode")),
            "{skipped:?}"
        );
        let source = m.source();
        assert!(source.starts_with("# mine\n"), "{source}");
        assert!(
            crate::config::check::parse(&source).1.is_empty(),
            "{source}"
        );
    }

    #[test]
    fn text_that_is_not_ccstatusline_settings_is_refused() {
        let mut m = Model::from_source("", Path::new("c.toml")).unwrap();
        assert!(ccstatusline(&mut m, "{}").unwrap_err().contains("lines"));
        assert!(ccstatusline(&mut m, "nope").is_err());
        assert!(!m.dirty);
    }
}
