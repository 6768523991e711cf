//! Per-widget style and format: the keys every widget's table accepts beside its own
//! options, validated once when the layout is built, like the options.
//!
//! - `fg`, `bg`: a colour (`"#rrggbb"`, a palette index `0`–`255`, or a name like `"red"`;
//!   one parser for config and theme files); `bold`, `italic`, `dim`, `underline`. The
//!   warn and critical tones keep their colours.
//! - `icon`: the widget's icon, instead of the icon set's (shown even with icons off).
//! - `prefix`, `suffix`: text put before and after the value (a label).
//! - `format`: the text shown, with the widget's fields in braces:
//!   `format = "{icon} {value} ({short})"`. Every widget has `{value}` (what it shows
//!   without a format) and `{icon}`; a widget declares more (listed above and by
//!   `blinkline widgets NAME`).
//!   `{{` and `}}` are literal braces. An unknown field is a config problem.
//! - `separator`: what is drawn before the widget: `"powerline"`, `"capsule"`, `"plain"`
//!   or any text (also a `[[line]]` key, for every widget of the line).
//!
//! A widget that declares an option of the same name (`env`'s `prefix`) keeps its own.
//! Several instances of one widget each take their own: `[widget."text#left"]`.
//!
//! ```toml
//! [widget.model]
//! fg = "#ff8700"
//! bold = true
//! format = "{icon} {short}"
//!
//! [widget.context]
//! prefix = "ctx "
//! format = "{percent} of {size}"
//! ```
//!
//! The format is parsed into pieces once per process; `WidgetStyle::apply` rewrites a
//! rendered slot's text from them without allocating. Colours, attributes, icons and
//! separators are the output format's business (`format/`), prepared per layout.

use arrayvec::ArrayString;

use crate::engine::slots::{SLOT_CAPACITY, SlotContent};
use crate::format::theme::Color;
use crate::widgets::options::{OptionError, OptionSpec, OptionValue, Options};
use crate::widgets::{Charset, FieldSpec, WidgetInfo};

/// The style keys, documented like options (`blinkline widgets`, docs/widgets.md).
pub const STYLE_SPECS: &[OptionSpec] = &[
    spec(
        "fg",
        "colour",
        "Text colour: \"#rrggbb\", a palette index 0-255 or a name (red, bright-blue, grey); warn and critical tones still win.",
    ),
    spec(
        "bg",
        "colour",
        "Background colour (the segment's colour in the powerline and capsule styles).",
    ),
    spec("bold", "bool", "Bold text."),
    spec("italic", "bool", "Italic text."),
    spec("dim", "bool", "Dim text."),
    spec("underline", "bool", "Underlined text."),
    spec(
        "icon",
        "string",
        "The widget's icon instead of the icon set's; shown even with icons off.",
    ),
    spec("prefix", "string", "Text before the value (a label)."),
    spec("suffix", "string", "Text after the value."),
    spec(
        "format",
        "string",
        "What the widget shows, with its fields in braces: \"{icon} {value}\".",
    ),
    spec(
        "separator",
        "string",
        "Drawn before the widget: \"powerline\", \"capsule\", \"plain\" or any text.",
    ),
];

const fn spec(key: &'static str, kind: &'static str, doc: &'static str) -> OptionSpec {
    OptionSpec {
        key,
        kind: match kind.as_bytes() {
            b"colour" => || "colour".into(),
            b"bool" => || "bool".into(),
            _ => || "string".into(),
        },
        default: String::new,
        doc,
    }
}

/// The fields every widget has.
pub const COMMON_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "value",
        doc: "what the widget shows without a format",
    },
    FieldSpec {
        name: "icon",
        doc: "the widget's icon (its `icon` option, else the icon set's)",
    },
];

/// Whether `key` is a style key for `info` (not one of the widget's own options).
pub fn is_style_key(info: &WidgetInfo, key: &str) -> bool {
    STYLE_SPECS.iter().any(|s| s.key == key) && !info.options.iter().any(|o| o.key == key)
}

/// One piece of a compiled format string.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Text(String),
    Value,
    Icon,
    /// The widget's declared field at this position.
    Field(usize),
}

/// A format string parsed into pieces.
#[derive(Clone, Debug, PartialEq)]
pub struct Format {
    pub pieces: Vec<Piece>,
}

impl Format {
    /// Parses `source` against `fields` (the widget's own; `value` and `icon` always).
    pub fn parse(source: &str, fields: &[FieldSpec]) -> Result<Format, String> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut rest = source;
        while let Some(at) = rest.find(['{', '}']) {
            text.push_str(&rest[..at]);
            let tail = &rest[at..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                text.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            if tail.starts_with('}') {
                return Err("a `}` without its `{`; write `}}` for a brace".into());
            }
            let Some(end) = tail.find('}') else {
                return Err("a `{` without its `}`; write `{{` for a brace".into());
            };
            let name = &tail[1..end];
            let piece = match name {
                "value" => Piece::Value,
                "icon" => Piece::Icon,
                _ => match fields.iter().position(|f| f.name == name) {
                    Some(index) => Piece::Field(index),
                    None => return Err(unknown_field(name, fields)),
                },
            };
            if !text.is_empty() {
                pieces.push(Piece::Text(clean(&std::mem::take(&mut text))));
            }
            pieces.push(piece);
            rest = &tail[end + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            pieces.push(Piece::Text(clean(&text)));
        }
        Ok(Format { pieces })
    }

    /// Whether the format places the icon itself.
    pub fn has_icon(&self) -> bool {
        self.pieces.contains(&Piece::Icon)
    }
}

fn unknown_field(name: &str, fields: &[FieldSpec]) -> String {
    let names = || COMMON_FIELDS.iter().chain(fields).map(|f| f.name);
    let hint = crate::util::closest(name, names())
        .map(|n| format!(" (did you mean {{{n}}}?)"))
        .unwrap_or_default();
    format!(
        "unknown field {{{name}}}{hint}; fields: {}",
        names().collect::<Vec<_>>().join(", ")
    )
}

/// Text from the config, without control characters or escape sequences.
fn clean(text: &str) -> String {
    crate::sanitize::clean(text).collect()
}

/// What is drawn before a widget.
#[derive(Clone, Debug, PartialEq)]
pub enum Separator {
    Powerline,
    Capsule,
    Plain,
    Text(String),
}

impl Separator {
    pub fn parse(text: &str) -> Separator {
        match text {
            "powerline" => Separator::Powerline,
            "capsule" => Separator::Capsule,
            "plain" => Separator::Plain,
            other => Separator::Text(clean(other)),
        }
    }

    /// The text drawn in `charset`.
    pub fn glyph(&self, charset: Charset) -> String {
        match self {
            Separator::Powerline => charset.pick(" \u{e0b1} ", " \u{276f} ", " > ").into(),
            Separator::Capsule => charset.pick(" \u{e0b5} ", " \u{2022} ", " * ").into(),
            Separator::Plain => crate::format::style::thin_separator(charset).into(),
            Separator::Text(text) => text.clone(),
        }
    }
}

/// A widget's style, validated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WidgetStyle {
    pub fg: Option<Color>,
    pub bg: Option<Color>,
    pub bold: bool,
    pub italic: bool,
    pub dim: bool,
    pub underline: bool,
    pub icon: Option<String>,
    pub prefix: String,
    pub suffix: String,
    pub format: Option<Format>,
    pub separator: Option<Separator>,
}

impl WidgetStyle {
    /// Reads the style keys of `options` for widget `info` (its own options left alone).
    pub fn parse(info: &WidgetInfo, options: &Options) -> Result<WidgetStyle, OptionError> {
        let mut style = WidgetStyle::default();
        for (key, value) in &options.entries {
            if !is_style_key(info, key) {
                continue;
            }
            let error = |message: String| OptionError {
                widget: options.widget.clone(),
                key: key.clone(),
                message,
            };
            let flag = || match value {
                OptionValue::Bool(b) => Ok(*b),
                other => Err(error(format!("must be true or false, got {other}"))),
            };
            let text = || match value {
                OptionValue::Str(s) => Ok(s.as_str()),
                other => Err(error(format!("must be a string, got {other}"))),
            };
            let color = || match value {
                OptionValue::Str(s) => Color::parse(s).map_err(error),
                OptionValue::Int(i) => Color::parse(&i.to_string()).map_err(error),
                other => Err(error(format!(
                    "must be a colour like \"#7aa2f7\", 208 or \"red\", got {other}"
                ))),
            };
            match key.as_str() {
                "fg" => style.fg = Some(color()?),
                "bg" => style.bg = Some(color()?),
                "bold" => style.bold = flag()?,
                "italic" => style.italic = flag()?,
                "dim" => style.dim = flag()?,
                "underline" => style.underline = flag()?,
                "icon" => style.icon = Some(clean(text()?)),
                "prefix" => style.prefix = clean(text()?),
                "suffix" => style.suffix = clean(text()?),
                "format" => {
                    style.format = Some(Format::parse(text()?, info.fields).map_err(error)?)
                }
                _ => style.separator = Some(Separator::parse(text()?)),
            }
        }
        Ok(style)
    }

    /// Whether the style changes the widget's text (format, prefix or suffix).
    pub fn rewrites_text(&self) -> bool {
        self.format.is_some() || !self.prefix.is_empty() || !self.suffix.is_empty()
    }

    /// Rewrites a rendered slot's text (and its short form, when it has one) through the
    /// prefix, format and suffix; `icon` is what `{icon}` stands for. Allocates nothing.
    pub fn apply(&self, icon: &str, content: &mut SlotContent) {
        if !self.rewrites_text() {
            return;
        }
        let mut text = ArrayString::<SLOT_CAPACITY>::new();
        self.expand(&mut Cut(&mut text), &content.text, icon, content);
        let mut short = ArrayString::<64>::new();
        let short_fits = content.short.is_empty()
            || self.expand(&mut Cut(&mut short), &content.short, icon, content);
        content.text.clear();
        content.push_str(&text);
        content.short.clear();
        // A short form the format makes equal to the text is no short form.
        if short_fits && short.as_str() != text.as_str() {
            let _ = content.short.try_push_str(&short);
        }
    }

    /// Writes prefix, format (or `value`) and suffix; false if something was cut.
    fn expand<const N: usize>(
        &self,
        out: &mut Cut<'_, N>,
        value: &str,
        icon: &str,
        content: &SlotContent,
    ) -> bool {
        let mut whole = out.push(&self.prefix);
        match &self.format {
            None => whole &= out.push(value),
            Some(format) => {
                for piece in &format.pieces {
                    whole &= out.push(match piece {
                        Piece::Text(text) => text,
                        Piece::Value => value,
                        Piece::Icon => icon,
                        Piece::Field(index) => content.fields.get(*index),
                    });
                }
            }
        }
        whole & out.push(&self.suffix)
    }
}

/// Appends to a fixed buffer, cutting at a char boundary when full.
struct Cut<'a, const N: usize>(&'a mut ArrayString<N>);

impl<const N: usize> Cut<'_, N> {
    fn push(&mut self, text: &str) -> bool {
        let room = self.0.capacity() - self.0.len();
        let fits = crate::engine::slots::cut_at_char_boundary(text, room);
        self.0.push_str(fits);
        fits.len() == text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> &'static WidgetInfo {
        crate::widgets::find("model").unwrap()
    }

    fn style(pairs: &[(&str, OptionValue)]) -> Result<WidgetStyle, String> {
        let mut options = Options::new("model");
        for (key, value) in pairs {
            options.set(key, value.clone());
        }
        WidgetStyle::parse(model(), &options).map_err(|e| e.to_string())
    }

    fn s(text: &str) -> OptionValue {
        OptionValue::Str(text.into())
    }

    #[test]
    fn an_unknown_field_names_the_fields_with_a_hint() {
        assert_eq!(
            style(&[("format", s("{shrot} {value}"))]).unwrap_err(),
            "widget `model` option `format`: unknown field {shrot} (did you mean {short}?); fields: value, icon, name, short, id"
        );
        assert_eq!(
            style(&[("format", s("{value"))]).unwrap_err(),
            "widget `model` option `format`: a `{` without its `}`; write `{{` for a brace"
        );
    }

    #[test]
    fn a_format_rewrites_text_and_short_form_from_the_fields() {
        let style = style(&[
            ("format", s("{icon} {{{value}}} {id}")),
            ("prefix", s("[")),
            ("suffix", s("]")),
        ])
        .unwrap();
        let mut content = SlotContent::default();
        content.push_str("Opus 4.6 (1M context)");
        let _ = content.short.try_push_str("Opus 4.6");
        content.fields.set(1, "Opus 4.6");
        content.fields.set(2, "claude-opus-4-6");
        style.apply("*", &mut content);
        assert_eq!(
            content.text.as_str(),
            "[* {Opus 4.6 (1M context)} claude-opus-4-6]"
        );
        assert_eq!(content.short.as_str(), "[* {Opus 4.6} claude-opus-4-6]");
    }

    #[test]
    fn a_short_form_that_no_longer_fits_is_dropped_not_cut() {
        let style = style(&[("suffix", s(&"x".repeat(70)))]).unwrap();
        let mut content = SlotContent::default();
        content.push_str("long");
        let _ = content.short.try_push_str("l");
        style.apply("", &mut content);
        assert!(content.text.ends_with("xxx") && content.short.is_empty());
    }

    #[test]
    fn style_values_are_typed_and_escapes_in_text_are_removed() {
        let parsed = style(&[
            ("fg", s("red")),
            ("bg", OptionValue::Int(236)),
            ("bold", OptionValue::Bool(true)),
            ("prefix", s("a\u{1b}[2Jb ")),
            ("separator", s("powerline")),
        ])
        .unwrap();
        assert_eq!(
            (parsed.fg, parsed.bg, parsed.bold, parsed.prefix.as_str()),
            (Some(Color::Index(1)), Some(Color::Index(236)), true, "ab ")
        );
        assert_eq!(parsed.separator, Some(Separator::Powerline));
        assert_eq!(
            style(&[("bold", s("yes"))]).unwrap_err(),
            "widget `model` option `bold`: must be true or false, got \"yes\""
        );
        assert!(
            style(&[("fg", s("#12"))])
                .unwrap_err()
                .contains("must be a colour")
        );
    }

    #[test]
    fn a_widget_keeps_its_own_option_of_a_style_name() {
        let env = crate::widgets::find("env").unwrap();
        assert!(!is_style_key(env, "prefix") && is_style_key(env, "fg"));
        let options = Options::new("env").with("prefix", s("x"));
        assert_eq!(WidgetStyle::parse(env, &options).unwrap().prefix, "");
    }
}
