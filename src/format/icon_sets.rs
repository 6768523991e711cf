//! Icon sets, kept as data like themes: `icons/NAME.toml` (one `[icons]` table, widget name
//! to icon) embedded in the binary for the shipped sets `nerd-font`, `unicode` and `ascii`,
//! and the user's sets in `~/.config/blinkline/icons/NAME.toml` (XDG-aware, beside the
//! themes). A user's file shadows a shipped set of the same name, may `extends = "SET"` and
//! change a few icons (`""` takes one away); its errors name the file, line and column.
//!
//! A set is chosen by name (`icons = "NAME"` in the config, `--icons NAME`); `icons = true`
//! takes the set named after the charset, as before sets were files. A set is parsed once
//! per process, only when icons are drawn or a format places `{icon}`; its table is leaked
//! for the process, like a theme's, so sinks look icons up without allocating.
//!
//! Read next: `themes.rs` (the same loader rules for themes), `ansi.rs` (where icons are
//! drawn).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::format::themes::{DataError, IconTable, UserFile, user_file};
use crate::input::env::Environment;
use crate::widgets::Charset;

/// Every shipped icon set: name and TOML source.
pub const ICON_SETS: &[(&str, &str)] = &[
    ("nerd-font", include_str!("icons/nerd-font.toml")),
    ("unicode", include_str!("icons/unicode.toml")),
    ("ascii", include_str!("icons/ascii.toml")),
];

/// The names of the shipped icon sets.
pub fn set_names() -> impl Iterator<Item = &'static str> {
    ICON_SETS.iter().map(|(name, _)| *name)
}

/// The shipped set a charset takes by default (`icons = true`).
pub fn charset_set(charset: Charset) -> &'static str {
    charset.pick("nerd-font", "unicode", "ascii")
}

/// How many `extends` a set may chain (more is taken for a cycle).
const MAX_EXTENDS: usize = 8;

type Text = toml::Spanned<String>;

/// An icon set file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetFile {
    extends: Option<Text>,
    #[serde(default)]
    icons: BTreeMap<String, Text>,
}

/// Where users keep their icon sets: `$XDG_CONFIG_HOME/blinkline/icons`, else
/// `~/.config/blinkline/icons`.
pub fn user_dir(env: &Environment) -> Option<PathBuf> {
    crate::format::themes::user_dir(env).and_then(|themes| Some(themes.parent()?.join("icons")))
}

/// Whether `name` is a shipped set or a file in `dir`.
pub fn exists(name: &str, dir: Option<&Path>) -> bool {
    set_names().any(|n| n == name) || dir.is_some_and(|d| d.join(format!("{name}.toml")).is_file())
}

/// Loads icon set `name`: the user's `DIR/NAME.toml` when there is one, else the shipped
/// set. `None`: no such set.
pub fn load_icon_set(name: &str, dir: Option<&Path>) -> Option<Result<IconTable, DataError>> {
    load_chain(name, dir, 0, None).map(|set| set.map(leak))
}

fn leak(set: BTreeMap<String, String>) -> IconTable {
    let table: Vec<(&'static str, &'static str)> = set
        .into_iter()
        .filter(|(_, icon)| !icon.is_empty())
        .map(|(widget, icon)| {
            let widget: &'static str = Box::leak(widget.into_boxed_str());
            (widget, &*Box::leak(icon.into_boxed_str()))
        })
        .collect();
    Box::leak(table.into_boxed_slice())
}

fn builtin(name: &str) -> Option<Result<BTreeMap<String, String>, DataError>> {
    let (name, source) = ICON_SETS.iter().find(|(n, _)| *n == name)?;
    let parsed = toml::from_str::<SetFile>(source)
        .map(|file| apply(BTreeMap::new(), &file))
        .map_err(|e| DataError::IconsToml {
            set: name,
            message: e.message().to_owned(),
        });
    Some(parsed)
}

/// `file`'s icons laid over `base`'s, each sanitized (a set is file text).
fn apply(mut base: BTreeMap<String, String>, file: &SetFile) -> BTreeMap<String, String> {
    for (widget, icon) in &file.icons {
        let mut clean = String::new();
        crate::sanitize::push_clean(&mut clean, icon.get_ref());
        base.insert(widget.clone(), clean);
    }
    base
}

fn load_chain(
    name: &str,
    dir: Option<&Path>,
    depth: usize,
    skip_user: Option<&str>,
) -> Option<Result<BTreeMap<String, String>, DataError>> {
    let Some(path) = user_file(name, dir, skip_user) else {
        return builtin(name);
    };
    let user = match UserFile::read(&path, "icon set") {
        Ok(user) => user,
        Err(err) => return Some(Err(err)),
    };
    let at = |span: std::ops::Range<usize>, message: String| user.error(span, message);
    let file: SetFile = match user.parse() {
        Ok(file) => file,
        Err(err) => return Some(Err(err)),
    };
    let Some(parent) = &file.extends else {
        return Some(Ok(apply(BTreeMap::new(), &file)));
    };
    if depth >= MAX_EXTENDS {
        return Some(Err(at(
            parent.span(),
            format!("`extends` goes more than {MAX_EXTENDS} icon sets deep (a cycle?)"),
        )));
    }
    // `extends` naming the file's own set means the shipped set it shadows.
    let skip = (parent.get_ref() == name).then_some(name);
    Some(match load_chain(parent.get_ref(), dir, depth + 1, skip) {
        Some(Ok(base)) => Ok(apply(base, &file)),
        Some(Err(err)) => Err(err),
        None => {
            let hint = crate::util::closest(parent.get_ref(), set_names())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            Err(at(
                parent.span(),
                format!("`extends`: no icon set `{}`{hint}", parent.get_ref()),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_widget_has_an_icon_in_every_shipped_set() {
        for name in set_names() {
            let table = load_icon_set(name, None).unwrap().unwrap();
            // The prompt character is itself the glyph: it takes no icon.
            for info in crate::widgets::REGISTRY.iter().filter(|i| i.name != "char") {
                assert!(
                    table.iter().any(|(w, i)| *w == info.name && !i.is_empty()),
                    "widget `{}` has no icon in the set `{name}`: add a line to \
                     src/format/icons/{name}.toml",
                    info.name
                );
            }
        }
    }

    #[test]
    fn the_ascii_set_is_seven_bit_text() {
        for (widget, icon) in load_icon_set("ascii", None).unwrap().unwrap() {
            assert!(icon.is_ascii(), "{widget} = {icon:?}");
        }
    }

    #[test]
    fn the_shipped_sets_list_the_same_widgets() {
        let widgets = |name| -> Vec<&str> {
            let table = load_icon_set(name, None).unwrap().unwrap();
            table.iter().map(|(w, _)| *w).collect()
        };
        assert_eq!(widgets("unicode"), widgets("nerd-font"));
        assert_eq!(widgets("ascii"), widgets("nerd-font"));
    }

    #[test]
    fn a_user_set_extends_a_shipped_one_and_takes_an_icon_away() {
        let dir = crate::tempdir::TempDir::new("icon-sets").unwrap();
        std::fs::write(
            dir.join("mine.toml"),
            "extends = \"ascii\"\n[icons]\nmodel = \"M\\u001b[31m\"\ncost = \"\"\n",
        )
        .unwrap();
        let table = load_icon_set("mine", Some(dir.path())).unwrap().unwrap();
        let icon = |w: &str| table.iter().find(|(n, _)| *n == w).map(|(_, i)| *i);
        assert_eq!(icon("model"), Some("M"), "escape sequences are removed");
        assert_eq!(icon("cost"), None);
        assert_eq!(icon("time"), Some("at"));
    }

    #[test]
    fn an_extends_cycle_stops_with_the_place_of_the_extends() {
        let dir = crate::tempdir::TempDir::new("icon-cycle").unwrap();
        std::fs::write(dir.join("a.toml"), "extends = \"b\"\n").unwrap();
        std::fs::write(dir.join("b.toml"), "\nextends = \"a\"\n").unwrap();
        let err = load_icon_set("a", Some(dir.path())).unwrap().unwrap_err();
        let path = dir.join("a.toml").display().to_string();
        assert_eq!(
            err.to_string(),
            format!("{path}:1:11: `extends` goes more than 8 icon sets deep (a cycle?)")
        );
    }

    #[test]
    fn an_unknown_parent_names_the_closest_set() {
        let dir = crate::tempdir::TempDir::new("icon-typo").unwrap();
        std::fs::write(dir.join("t.toml"), "extends = \"unicod\"\n").unwrap();
        let err = load_icon_set("t", Some(dir.path())).unwrap().unwrap_err();
        assert!(
            err.to_string().ends_with(
                "t.toml:1:11: `extends`: no icon set `unicod` (did you mean `unicode`?)"
            ),
            "{err}"
        );
        assert!(load_icon_set("nothing", Some(dir.path())).is_none());
    }

    #[test]
    fn a_crlf_icon_set_loads_like_lf_with_the_same_error_positions() {
        let dir = crate::tempdir::TempDir::new("icon-crlf").unwrap();
        let good = "# mine\nextends = \"ascii\"\n\n[icons]\nmodel = \"M\"\n";
        let bad = "# mine\nextends = \"ascii\"\n\n[icons]\nmodel = \"M\n";
        let load = |file: &str, text: &str| {
            std::fs::write(dir.join(format!("{file}.toml")), text).unwrap();
            load_icon_set(file, Some(dir.path())).unwrap()
        };
        let (lf, crlf) = (load("lf", good), load("crlf", &good.replace('\n', "\r\n")));
        assert_eq!(lf.unwrap(), crlf.unwrap());
        let place = |err: DataError| match err {
            DataError::File { line, column, .. } => (line, column),
            other => panic!("{other}"),
        };
        let lf = place(load("lf", bad).unwrap_err());
        let crlf = place(load("crlf", &bad.replace('\n', "\r\n")).unwrap_err());
        assert_eq!(crlf, lf);
        assert_eq!(lf.0, 5);
    }
}
