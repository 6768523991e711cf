//! `blinkline config print`: the settings in effect, as a config file that reproduces them.

use std::fmt::Write as _;

use super::resolve::Settings;
use crate::cli::ColorChoice;
use crate::widgets::Charset;
use crate::widgets::options::OptionValue;

fn toml_value(value: &OptionValue) -> String {
    match value {
        OptionValue::Bool(b) => b.to_string(),
        OptionValue::Int(i) => i.to_string(),
        OptionValue::Float(x) => toml::Value::Float(*x).to_string(),
        OptionValue::Str(s) => toml::Value::String(s.clone()).to_string(),
        OptionValue::List(items) => {
            let quoted: Vec<String> = items
                .iter()
                .map(|i| toml::Value::String(i.clone()).to_string())
                .collect();
            format!("[{}]", quoted.join(", "))
        }
    }
}

fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names
        .iter()
        .map(|n| toml::Value::String((*n).to_owned()).to_string())
        .collect();
    format!("[{}]", quoted.join(", "))
}

fn millis(d: std::time::Duration) -> String {
    let micros = d.as_micros();
    if micros.is_multiple_of(1000) {
        format!("\"{}ms\"", micros / 1000)
    } else {
        format!("\"{micros}us\"")
    }
}

/// The effective configuration as TOML.
pub fn to_toml(r: &Settings) -> String {
    let mut s = String::new();
    let charset = match r.charset {
        Charset::NerdFont => "nerd-font",
        Charset::Unicode => "unicode",
        Charset::Ascii => "ascii",
    };
    let color = match r.color {
        ColorChoice::Auto => "auto",
        ColorChoice::Never => "never",
        ColorChoice::Always => "always",
        ColorChoice::Truecolor => "truecolor",
        ColorChoice::Ansi256 => "256",
        ColorChoice::Ansi16 => "16",
    };
    let _ = writeln!(s, "theme = \"{}\"", r.theme.name);
    let _ = writeln!(s, "style = \"{}\"", r.theme.style.name());
    let _ = writeln!(s, "charset = \"{charset}\"");
    if r.icons && r.icon_set != crate::format::icon_sets::charset_set(r.charset) {
        let _ = writeln!(s, "icons = \"{}\"", r.icon_set);
    } else {
        let _ = writeln!(s, "icons = {}", r.icons);
    }
    let _ = writeln!(s, "color = \"{color}\"");
    let _ = writeln!(s, "margin = {}", r.margin);
    let _ = writeln!(s, "nerd_font_width = {}", r.rules.private_use);
    let _ = writeln!(s, "ambiguous_width = {}", r.rules.ambiguous);
    let _ = writeln!(s, "deadline = {}", millis(r.deadline));
    let _ = writeln!(s, "budget = {}", millis(r.budget));
    let lines = r.spec.widgets.iter().map(|w| w.placement.line).max();
    for line in 0..=lines.unwrap_or(0) {
        let names = |right: bool| -> Vec<&str> {
            r.spec
                .widgets
                .iter()
                .filter(|w| w.placement.line == line && w.placement.right == right)
                .map(|w| w.id.as_str())
                .collect()
        };
        let _ = writeln!(
            s,
            "\n[[line]]\nleft = {}\nright = {}",
            list(&names(false)),
            list(&names(true))
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    for w in &r.spec.widgets {
        if seen.contains(&w.id.as_str()) {
            continue;
        }
        seen.push(&w.id);
        if w.id.contains('#') {
            let _ = writeln!(s, "\n[widget.\"{}\"]", w.id);
        } else {
            let _ = writeln!(s, "\n[widget.{}]", w.id);
        }
        let _ = writeln!(s, "priority = {}", w.placement.priority);
        if w.budget != r.budget {
            let _ = writeln!(s, "budget = {}", millis(w.budget));
        }
        if !w.placement.keep_stale {
            let _ = writeln!(s, "keep_stale = false");
        }
        for (key, value) in &w.options.entries {
            let _ = writeln!(s, "{key} = {}", toml_value(value));
        }
    }
    s
}
