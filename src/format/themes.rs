//! The built-in themes, kept as data: `themes/*.toml` (a palette and a style per theme),
//! embedded in the binary and parsed once per process, only when asked for (icon sets are
//! the same kind of data: `icon_sets.rs`). The default look (`classic`, no icons)
//! never parses anything: it is [`DEFAULT_THEME`], which a test holds equal to
//! `themes/classic.toml`.
//!
//! A user's theme is the same kind of file in `~/.config/blinkline/themes/NAME.toml`
//! (XDG-aware, like the config), read by the same loader ([`load_theme`]); it may
//! `extends = "nord"` and change a few colours. Its errors name the file, line and column.
//!
//! Parsed data lives for the whole process (it is leaked once), so the sinks hold plain
//! `&'static` tables and look colours and icons up without allocating.

use std::collections::BTreeMap;

use serde::Deserialize;

use std::path::{Path, PathBuf};

use crate::format::theme::{DEFAULT_THEME, Rgb, Style, Theme};
use crate::input::env::Environment;

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

/// The names of the built-in themes.
pub fn theme_names() -> impl Iterator<Item = &'static str> {
    THEMES.iter().map(|(name, _)| *name)
}

type Text = toml::Spanned<String>;

/// A theme file as written: every key optional, so that `extends = "nord"` can change a
/// few; a theme that extends none must set them all.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    extends: Option<Text>,
    style: Option<Text>,
    ink: Option<Text>,
    default: Option<Text>,
    good: Option<Text>,
    warn: Option<Text>,
    critical: Option<Text>,
    muted: Option<Text>,
    separator: Option<Text>,
    #[serde(default)]
    widgets: BTreeMap<String, Text>,
}

/// Where users keep their themes: `$XDG_CONFIG_HOME/blinkline/themes`, else
/// `~/.config/blinkline/themes` (beside the config file).
pub fn user_dir(env: &Environment) -> Option<PathBuf> {
    match (&env.config_home, &env.home) {
        (Some(xdg), _) if Path::new(xdg).is_absolute() => {
            Some(Path::new(xdg).join("blinkline/themes"))
        }
        (_, Some(home)) => Some(Path::new(home).join(".config/blinkline/themes")),
        _ => None,
    }
}

/// The user's theme files in `dir`: name and path, sorted by name.
pub fn user_themes(dir: Option<&Path>) -> Vec<(String, PathBuf)> {
    let Some(entries) = dir.and_then(|d| std::fs::read_dir(d).ok()) else {
        return Vec::new();
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| Some((p.file_stem()?.to_str()?.to_owned(), p)))
        .collect();
    found.sort();
    found
}

/// `DIR/NAME.toml`, a user's theme or icon set, when it exists (and is not `skip`, the
/// name whose own file `extends` it: that means the shipped one it shadows).
pub(crate) fn user_file(name: &str, dir: Option<&Path>, skip: Option<&str>) -> Option<PathBuf> {
    dir.map(|d| d.join(format!("{name}.toml")))
        .filter(|p| skip != Some(name) && p.is_file())
}

/// A user's data file (a theme or an icon set), read: parsed with LF line endings, its
/// errors placed at the line and column of the file as it is (LF or CRLF).
pub(crate) struct UserFile {
    path: String,
    source: String,
}

impl UserFile {
    /// Reads `path`; `what` names the kind of file in the error.
    pub(crate) fn read(path: &Path, what: &str) -> Result<UserFile, DataError> {
        let display = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(source) => Ok(UserFile {
                path: display,
                source,
            }),
            Err(err) => Err(DataError::File {
                path: display,
                line: 1,
                column: 1,
                message: format!("cannot read the {what}: {err}"),
            }),
        }
    }

    /// The file's TOML as `T`, or the parser's error at its place.
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, DataError> {
        let lf = crate::config::check::lf_source(&self.source);
        toml::from_str(&lf)
            .map_err(|e| self.error(e.span().unwrap_or(0..0), e.message().to_owned()))
    }

    /// An error about `span` of the LF text [`UserFile::parse`] read.
    pub(crate) fn error(&self, span: std::ops::Range<usize>, message: String) -> DataError {
        let start = crate::config::check::crlf_offset(&self.source, span.start);
        let (line, column) = crate::config::check::line_column(&self.source, start);
        DataError::File {
            path: self.path.clone(),
            line,
            column,
            message,
        }
    }
}

/// How many `extends` a theme may chain (more is taken for a cycle).
const MAX_EXTENDS: usize = 8;

/// Loads theme `name`: the user's `DIR/NAME.toml` when there is one (it shadows a built-in
/// of the same name), else the built-in. `None`: no such theme. One loader for both: a
/// built-in is a theme file compiled in.
pub fn load_theme(name: &str, dir: Option<&Path>) -> Option<Result<Theme, DataError>> {
    load_chain(name, dir, 0, None)
}

fn load_chain(
    name: &str,
    dir: Option<&Path>,
    depth: usize,
    skip_user: Option<&str>,
) -> Option<Result<Theme, DataError>> {
    let Some(path) = user_file(name, dir, skip_user) else {
        return builtin_theme(name);
    };
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    let user = match UserFile::read(&path, "theme") {
        Ok(user) => user,
        Err(err) => return Some(Err(err)),
    };
    let at = |span: std::ops::Range<usize>, message: String| user.error(span, message);
    let file: ThemeFile = match user.parse() {
        Ok(file) => file,
        Err(err) => return Some(Err(err)),
    };
    let base = match &file.extends {
        None => None,
        Some(_) if depth >= MAX_EXTENDS => {
            let span = file.extends.as_ref().map_or(0..0, |e| e.span());
            return Some(Err(at(
                span,
                format!("`extends` goes more than {MAX_EXTENDS} themes deep (a cycle?)"),
            )));
        }
        Some(parent) => {
            // `extends` naming the file's own theme means the built-in it shadows.
            let skip = (parent.get_ref() == name).then_some(name);
            match load_chain(parent.get_ref(), dir, depth + 1, skip) {
                Some(Ok(theme)) => Some(theme),
                Some(Err(err)) => return Some(Err(err)),
                None => {
                    let hint = crate::util::closest(parent.get_ref(), theme_names())
                        .map(|n| format!(" (did you mean `{n}`?)"))
                        .unwrap_or_default();
                    return Some(Err(at(
                        parent.span(),
                        format!("`extends`: no theme `{}`{hint}", parent.get_ref()),
                    )));
                }
            }
        }
    };
    Some(build_theme(leaked, &file, base).map_err(|(err, span)| at(span, err.to_string())))
}

/// The theme `file` describes over `base` (every key required without one). The error
/// comes with the span of the key it is about.
fn build_theme(
    name: &'static str,
    file: &ThemeFile,
    base: Option<Theme>,
) -> Result<Theme, (DataError, std::ops::Range<usize>)> {
    let color = |key: &str, text: &Text| {
        parse_rgb(text.get_ref()).ok_or_else(|| {
            let err = DataError::Colour {
                theme: name,
                key: key.to_owned(),
                got: text.get_ref().clone(),
            };
            (err, text.span())
        })
    };
    let missing = |key: &str| {
        let message = format!(
            "`{key}` is missing; set it, or `extends = \"THEME\"` to take the rest from a theme"
        );
        (
            DataError::ThemeToml {
                theme: name,
                message,
            },
            0..0,
        )
    };
    let pick = |key: &str, text: &Option<Text>, inherited: Option<Rgb>| match text {
        Some(text) => color(key, text),
        None => inherited.ok_or_else(|| missing(key)),
    };
    let style = match &file.style {
        Some(text) => Style::from_name(text.get_ref()).ok_or_else(|| {
            let err = DataError::Style {
                theme: name,
                got: text.get_ref().clone(),
            };
            (err, text.span())
        })?,
        None => base
            .as_ref()
            .map(|b| b.style)
            .ok_or_else(|| missing("style"))?,
    };
    let mut widgets: Vec<(&'static str, Rgb)> = base
        .as_ref()
        .map(|b| b.widgets.to_vec())
        .unwrap_or_default();
    for (widget, text) in &file.widgets {
        let rgb = color(widget, text)?;
        match widgets.iter_mut().find(|(w, _)| w == widget) {
            Some(entry) => entry.1 = rgb,
            None => widgets.push((Box::leak(widget.clone().into_boxed_str()), rgb)),
        }
    }
    widgets.sort();
    let b = base.as_ref();
    Ok(Theme {
        name,
        style,
        widgets: Box::leak(widgets.into_boxed_slice()),
        ink: pick("ink", &file.ink, b.map(|b| b.ink))?,
        default: pick("default", &file.default, b.map(|b| b.default))?,
        good: pick("good", &file.good, b.map(|b| b.good))?,
        warn: pick("warn", &file.warn, b.map(|b| b.warn))?,
        critical: pick("critical", &file.critical, b.map(|b| b.critical))?,
        muted: pick("muted", &file.muted, b.map(|b| b.muted))?,
        separator: pick("separator", &file.separator, b.map(|b| b.separator))?,
    })
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

/// Why a theme or an icon set does not load (a broken data file, a user's file with an
/// error).
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
    /// A user's theme file is wrong at `line`:`column`.
    File {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A shipped icon set's TOML does not parse.
    IconsToml { set: &'static str, message: String },
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
            DataError::File {
                path,
                line,
                column,
                message,
            } => write!(f, "{path}:{line}:{column}: {message}"),
            DataError::IconsToml { set, message } => write!(f, "icon set `{set}`: {message}"),
        }
    }
}

impl std::error::Error for DataError {}

/// Parses a built-in theme file; `name` is the theme's name. Built-ins extend nothing.
pub fn parse_theme(name: &'static str, source: &str) -> Result<Theme, DataError> {
    let file: ThemeFile = toml::from_str(source).map_err(|e| DataError::ThemeToml {
        theme: name,
        message: e.message().to_owned(),
    })?;
    build_theme(name, &file, None).map_err(|(err, _)| err)
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

    /// Writes `files` (name, LF text) into a themes directory twice, once with CRLF line
    /// endings, and loads `name` from each.
    fn load_lf_and_crlf(
        files: &[(&str, &str)],
        name: &str,
    ) -> [Option<Result<Theme, DataError>>; 2] {
        let dir = crate::tempdir::TempDir::new("themes-crlf").unwrap();
        ["lf", "crlf"].map(|ending| {
            let sub = dir.join(ending);
            std::fs::create_dir_all(&sub).unwrap();
            for (file, text) in files {
                let text = if ending == "crlf" {
                    text.replace('\n', "\r\n")
                } else {
                    (*text).to_owned()
                };
                std::fs::write(sub.join(format!("{file}.toml")), text).unwrap();
            }
            load_theme(name, Some(&sub)).map(|r| {
                r.map_err(|e| match e {
                    DataError::File {
                        line,
                        column,
                        message,
                        ..
                    } => DataError::File {
                        path: String::new(),
                        line,
                        column,
                        message,
                    },
                    other => other,
                })
            })
        })
    }

    #[test]
    fn a_crlf_theme_file_loads_like_lf_with_the_same_error_positions() {
        let nord = THEMES[4].1;
        let [lf, crlf] = load_lf_and_crlf(&[("mine", nord)], "mine");
        assert!(lf.as_ref().is_some_and(Result::is_ok), "{lf:?}");
        assert_eq!(crlf, lf);
        let child = "# mine\nextends = \"nord\"\n\n[widgets]\nmodel = \"#123456\"\n";
        let [lf, crlf] = load_lf_and_crlf(&[("child", child)], "child");
        assert!(lf.as_ref().is_some_and(Result::is_ok), "{lf:?}");
        assert_eq!(crlf, lf);
        for broken in [
            "extends = \"nrod\"\n",
            "extends = \"nord\"\nink = \"blue\n",
            "# top\nextends = \"nord\"\n\n[widgets]\nmodel = 3\n",
        ] {
            let [lf, crlf] = load_lf_and_crlf(&[("bad", broken)], "bad");
            assert!(lf.as_ref().is_some_and(Result::is_err), "{lf:?}");
            assert_eq!(crlf, lf, "{broken:?}");
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
