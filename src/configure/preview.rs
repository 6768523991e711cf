//! The live preview: the edited text rendered by the real renderer (the one-shot render's
//! path: config → `Settings` → `setup::renderer` → one frame), its ANSI styles read back
//! into ratatui spans and its text passed through the sanitizer.

use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::cli::RenderArgs;
use crate::format::OutputFormat;
use crate::input::env::Environment;

/// Renders `source` (the config text of `path`) with `payload` at `width` columns.
pub fn render(
    source: &str,
    path: &Path,
    payload: &[u8],
    width: usize,
    env: &Environment,
) -> Result<Vec<Line<'static>>, String> {
    let args = RenderArgs {
        format: Some(OutputFormat::Ansi),
        width: Some(width.max(1)),
        ..RenderArgs::default()
    };
    let loaded = crate::config::load_source(source, path, None, env);
    let mut settings =
        crate::config::resolve::resolve(&args, &loaded).map_err(|e| e.to_string())?;
    settings.problems = loaded.problems;
    let mut renderer = crate::setup::renderer(&settings, env.clone()).map_err(|e| e.to_string())?;
    renderer.render(payload);
    let text = String::from_utf8_lossy(renderer.frame().as_bytes()).into_owned();
    Ok(ansi_lines(&text))
}

/// ANSI text → styled lines: SGR sequences become styles, other escapes are dropped and the
/// text between them is sanitized.
pub fn ansi_lines(text: &str) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for raw in text.trim_end_matches('\n').split('\n') {
        let mut spans = Vec::new();
        let mut style = Style::default();
        let mut rest = raw;
        while !rest.is_empty() {
            let cut = rest.find('\x1b').unwrap_or(rest.len());
            if cut > 0 {
                let clean: String = crate::sanitize::clean(&rest[..cut]).collect();
                if !clean.is_empty() {
                    spans.push(Span::styled(clean, style));
                }
            }
            rest = &rest[cut..];
            if rest.is_empty() {
                break;
            }
            if let Some(csi) = rest.strip_prefix("\x1b[") {
                let end = csi
                    .find(|c: char| ('\x40'..='\x7e').contains(&c))
                    .unwrap_or(csi.len());
                if csi[end..].starts_with('m') {
                    style = apply_sgr(style, &csi[..end]);
                }
                rest = csi.get(end + 1..).unwrap_or("");
            } else if let Some(osc) = rest.strip_prefix("\x1b]") {
                let end = osc.find(['\x07', '\x1b']).unwrap_or(osc.len());
                let skip = if osc[end..].starts_with('\x1b') { 2 } else { 1 };
                rest = osc.get(end + skip..).unwrap_or("");
            } else {
                rest = rest.get(2..).unwrap_or("");
            }
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// `style` after the SGR parameters `params`.
fn apply_sgr(mut style: Style, params: &str) -> Style {
    let codes: Vec<u16> = params
        .split([';', ':'])
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    let mut i = 0;
    while i < codes.len() {
        let code = codes[i];
        let color = |i: &mut usize| match codes.get(*i + 1) {
            Some(5) => {
                *i += 2;
                codes.get(*i).map(|&n| Color::Indexed(n as u8))
            }
            Some(2) => {
                *i += 4;
                let c = |k: usize| codes.get(*i + k - 3).copied().unwrap_or(0) as u8;
                Some(Color::Rgb(c(1), c(2), c(3)))
            }
            _ => None,
        };
        match code {
            0 => style = Style::default(),
            1 => style = style.add_modifier(Modifier::BOLD),
            2 => style = style.add_modifier(Modifier::DIM),
            3 => style = style.add_modifier(Modifier::ITALIC),
            4 => style = style.add_modifier(Modifier::UNDERLINED),
            7 => style = style.add_modifier(Modifier::REVERSED),
            22 => style = style.remove_modifier(Modifier::BOLD | Modifier::DIM),
            23 => style = style.remove_modifier(Modifier::ITALIC),
            24 => style = style.remove_modifier(Modifier::UNDERLINED),
            27 => style = style.remove_modifier(Modifier::REVERSED),
            30..=37 => style = style.fg(Color::Indexed((code - 30) as u8)),
            90..=97 => style = style.fg(Color::Indexed((code - 90 + 8) as u8)),
            40..=47 => style = style.bg(Color::Indexed((code - 40) as u8)),
            100..=107 => style = style.bg(Color::Indexed((code - 100 + 8) as u8)),
            39 => style.fg = None,
            49 => style.bg = None,
            38 => {
                if let Some(c) = color(&mut i) {
                    style = style.fg(c);
                }
            }
            48 => {
                if let Some(c) = color(&mut i) {
                    style = style.bg(c);
                }
            }
            _ => {}
        }
        i += 1;
    }
    style
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgr_colours_become_styles_and_other_escapes_are_dropped() {
        let lines = ansi_lines(
            "\x1b[1;38;2;255;0;0mred\x1b[0m \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\x07\n\x1b[38;5;4mb",
        );
        assert_eq!(lines.len(), 2);
        let first = &lines[0].spans;
        assert_eq!(first[0].content, "red");
        assert_eq!(first[0].style.fg, Some(Color::Rgb(255, 0, 0)));
        assert!(first[0].style.add_modifier.contains(Modifier::BOLD));
        let text: String = first.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "red link");
        assert_eq!(lines[1].spans[0].style.fg, Some(Color::Indexed(4)));
    }

    #[test]
    fn the_preview_is_the_renderers_line_for_the_edited_text() {
        let env = Environment::default();
        let payload = crate::setup::sample_payload(0);
        let source = "[[line]]\nleft = [\"model\"]\n[widget.model]\nformat = \"M:{value}\"\n";
        let lines = render(source, Path::new("c.toml"), payload.as_bytes(), 80, &env).unwrap();
        let text: String = lines[0].spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(text.contains("M:"), "{text:?}");
        assert!(text.contains("Opus"), "{text:?}");
    }
}
