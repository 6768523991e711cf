//! The built-in themes and icons, kept as data: `themes/*.toml` (a palette and a style per
//! theme) and `icons.toml` (one icon per widget and charset), embedded in the binary and
//! parsed once per process, only when asked for. The default look (`classic`, no icons)
//! never parses anything: it is [`DEFAULT_THEME`], which a test holds equal to
//! `themes/classic.toml`.
//!
//! Parsed data lives for the whole process (it is leaked once), so the sinks hold plain
//! `&'static` tables and look colours and icons up without allocating.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::format::theme::{DEFAULT_THEME, Rgb, Style, Theme};
use crate::widgets::Charset;

/// Every built-in theme: name and TOML source.
pub const THEMES: &[(&str, &str)] = &[
    ("classic", include_str!("themes/classic.toml")),
    ("powerline", include_str!("themes/powerline.toml")),
    ("capsule", include_str!("themes/capsule.toml")),
    ("plain", include_str!("themes/plain.toml")),
    ("nord", include_str!("themes/nord.toml")),
    ("gruvbox", include_str!("themes/gruvbox.toml")),
    ("catppuccin", include_str!("themes/catppuccin.toml")),
    ("tokyo-night", include_str!("themes/tokyo-night.toml")),
];

/// The icon table (`icons.toml`).
pub const ICONS: &str = include_str!("icons.toml");

/// The names of the built-in themes.
pub fn theme_names() -> impl Iterator<Item = &'static str> {
    THEMES.iter().map(|(name, _)| *name)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    style: String,
    ink: String,
    default: String,
    good: String,
    warn: String,
    critical: String,
    muted: String,
    separator: String,
    widgets: BTreeMap<String, String>,
}

/// Parses `#rrggbb`.
pub fn parse_rgb(text: &str) -> Option<Rgb> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
}

/// Why a built-in theme or the icon table does not parse (a broken data file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataError {
    /// Theme `theme`'s TOML does not parse.
    ThemeToml {
        theme: &'static str,
        message: String,
    },
    /// A colour that is not `#rrggbb`.
    Colour {
        theme: &'static str,
        key: String,
        got: String,
    },
    /// A style that does not exist.
    Style { theme: &'static str, got: String },
    /// The icon table's TOML does not parse.
    IconsToml { message: String },
    /// An icon without its three forms.
    IconForms { widget: String },
    /// An icon whose ascii form is empty or not ascii.
    IconAscii { widget: String },
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataError::ThemeToml { theme, message } => write!(f, "theme `{theme}`: {message}"),
            DataError::Colour { theme, key, got } => write!(
                f,
                "theme `{theme}`: `{key}` must be a colour like \"#7aa2f7\", got \"{got}\""
            ),
            DataError::Style { theme, got } => write!(
                f,
                "theme `{theme}`: `style` must be one of {}, got \"{got}\"",
                Style::NAMES.join(", ")
            ),
            DataError::IconsToml { message } => write!(f, "icons: {message}"),
            DataError::IconForms { widget } => write!(
                f,
                "icons: `{widget}` needs three forms [nerd, unicode, ascii]"
            ),
            DataError::IconAscii { widget } => {
                write!(f, "icons: `{widget}` needs a 7-bit ascii form")
            }
        }
    }
}

impl std::error::Error for DataError {}

/// Parses a theme file; `name` is the theme's name.
pub fn parse_theme(name: &'static str, source: &str) -> Result<Theme, DataError> {
    let file: ThemeFile = toml::from_str(source).map_err(|e| DataError::ThemeToml {
        theme: name,
        message: e.message().to_owned(),
    })?;
    let color = |key: &str, text: &str| {
        parse_rgb(text).ok_or_else(|| DataError::Colour {
            theme: name,
            key: key.to_owned(),
            got: text.to_owned(),
        })
    };
    let style = Style::from_name(&file.style).ok_or_else(|| DataError::Style {
        theme: name,
        got: file.style.clone(),
    })?;
    let mut widgets = Vec::with_capacity(file.widgets.len());
    for (widget, text) in &file.widgets {
        let leaked: &'static str = Box::leak(widget.clone().into_boxed_str());
        widgets.push((leaked, color(widget, text)?));
    }
    Ok(Theme {
        name,
        style,
        widgets: Box::leak(widgets.into_boxed_slice()),
        ink: color("ink", &file.ink)?,
        default: color("default", &file.default)?,
        good: color("good", &file.good)?,
        warn: color("warn", &file.warn)?,
        critical: color("critical", &file.critical)?,
        muted: color("muted", &file.muted)?,
        separator: color("separator", &file.separator)?,
    })
}

/// A built-in theme by name. `classic` is the compiled-in default and costs nothing.
pub fn builtin_theme(name: &str) -> Option<Result<Theme, DataError>> {
    if name == "classic" {
        return Some(Ok(DEFAULT_THEME));
    }
    THEMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, source)| parse_theme(n, source))
}

/// Widget name → icon, for one charset.
pub type IconTable = &'static [(&'static str, &'static str)];

/// Parses the icon table for `charset` (once per process, when icons are on).
pub fn icons(charset: Charset) -> Result<IconTable, DataError> {
    let table: BTreeMap<String, Vec<String>> =
        toml::from_str(ICONS).map_err(|e| DataError::IconsToml {
            message: e.message().to_owned(),
        })?;
    let column = match charset {
        Charset::NerdFont => 0,
        Charset::Unicode => 1,
        Charset::Ascii => 2,
    };
    let mut out = Vec::with_capacity(table.len());
    for (widget, forms) in table {
        let [_, _, ascii] = forms.as_slice() else {
            return Err(DataError::IconForms { widget });
        };
        if ascii.is_empty() || !ascii.is_ascii() {
            return Err(DataError::IconAscii { widget });
        }
        let icon: &'static str = Box::leak(forms[column].clone().into_boxed_str());
        out.push((&*Box::leak(widget.into_boxed_str()), icon));
    }
    Ok(Box::leak(out.into_boxed_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_parses() {
        for (name, source) in THEMES {
            let theme = parse_theme(name, source).unwrap();
            assert!(!theme.widgets.is_empty(), "{name} has widget accents");
        }
    }

    #[test]
    fn classic_data_file_matches_the_compiled_default() {
        let parsed = parse_theme("classic", THEMES[0].1).unwrap();
        let mut compiled: Vec<_> = DEFAULT_THEME.widgets.to_vec();
        compiled.sort();
        assert_eq!(parsed.widgets, compiled.as_slice());
        assert_eq!(
            Theme {
                widgets: &[],
                ..parsed
            },
            Theme {
                widgets: &[],
                ..DEFAULT_THEME
            }
        );
    }

    #[test]
    fn every_registered_widget_has_an_icon_in_every_charset() {
        for charset in [Charset::NerdFont, Charset::Unicode, Charset::Ascii] {
            let table = icons(charset).unwrap();
            // The prompt character is itself the glyph: it takes no icon.
            for info in crate::widgets::REGISTRY.iter().filter(|i| i.name != "char") {
                let icon = table.iter().find(|(w, _)| *w == info.name);
                assert!(
                    icon.is_some_and(|(_, i)| !i.is_empty()),
                    "widget `{}` has no {charset:?} icon: add a line to src/format/icons.toml",
                    info.name
                );
            }
        }
    }

    #[test]
    fn bad_colours_name_the_key_and_the_fix() {
        let source = THEMES[4].1.replace("ink = \"#2e3440\"", "ink = \"blue\"");
        assert_eq!(
            parse_theme("nord", &source).unwrap_err().to_string(),
            "theme `nord`: `ink` must be a colour like \"#7aa2f7\", got \"blue\""
        );
    }

    #[test]
    fn a_bad_style_names_the_styles() {
        let source = THEMES[4].1.replacen("style = \"", "style = \"wavy", 1);
        let err = parse_theme("nord", &source).unwrap_err();
        assert!(
            matches!(err, DataError::Style { theme: "nord", .. }),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("theme `nord`: `style` must be one of "),
            "{err}"
        );
    }

    #[test]
    fn colours_parse_from_hex() {
        assert_eq!(parse_rgb("#7aa2f7"), Some(Rgb(0x7a, 0xa2, 0xf7)));
        assert_eq!(parse_rgb("7aa2f7"), None);
        assert_eq!(parse_rgb("#7aa2f"), None);
    }
}
