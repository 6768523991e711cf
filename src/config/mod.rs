//! The configuration file: TOML → a validated, typed [`Config`].
//!
//! Where it is read from: `--config FILE`, else `$XDG_CONFIG_HOME/blinkline/config.toml`,
//! else `~/.config/blinkline/config.toml`. With no file the cost is one failed `open`; the
//! built-in default line is used. A preset (`--preset NAME` or `preset = "NAME"`, shipped in
//! `config/presets/*.toml`) is a config too: the file's settings are laid over it.
//!
//! Precedence, highest first: a flag given on the command line, the config file, the
//! preset, the built-in default. A config with problems is applied in part, as starship
//! does: every valid setting applies and only what is wrong is skipped (an unknown key, a
//! bad value, an unknown widget in a line, an unknown preset); the line shows a `⚠ config`
//! marker and every problem goes to stderr. A TOML syntax error leaves nothing to apply:
//! the defaults are used, with the marker. See `check.rs` for the problems and their
//! wording (`config check` lists the same ones), `print.rs` for `config print`.

pub mod check;
pub mod print;
pub mod resolve;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::ColorChoice;
use crate::format::theme::Style;
use crate::input::env::Environment;
use crate::widgets::Charset;
use crate::widgets::options::OptionValue;

pub use check::parse;

/// The shipped presets: name and TOML source.
pub const PRESETS: &[(&str, &str)] = &[
    ("default", include_str!("presets/default.toml")),
    ("minimal", include_str!("presets/minimal.toml")),
    ("full", include_str!("presets/full.toml")),
    ("powerline", include_str!("presets/powerline.toml")),
];

/// What `blinkline config init` writes.
pub const INIT_TEMPLATE: &str = include_str!("init.toml");

/// One `[[line]]`: the left group and the right-aligned group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineConfig {
    pub left: Vec<String>,
    pub right: Vec<String>,
    /// Drawn between the line's widgets (each widget's own `separator` wins).
    pub separator: Option<String>,
}

/// One `[widget.NAME]` table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WidgetConfig {
    pub name: String,
    pub priority: Option<u8>,
    pub budget: Option<Duration>,
    pub keep_stale: Option<bool>,
    /// The widget's own options (handed to `widgets::Options`).
    pub options: Vec<(String, OptionValue)>,
}

/// A validated configuration. `None` means "not set here".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub preset: Option<String>,
    pub theme: Option<String>,
    pub style: Option<Style>,
    pub charset: Option<Charset>,
    pub icons: Option<bool>,
    /// `icons = "SET"`: the icon set by name (`icons` is then true).
    pub icon_set: Option<String>,
    pub color: Option<ColorChoice>,
    pub margin: Option<usize>,
    pub deadline: Option<Duration>,
    pub budget: Option<Duration>,
    pub nerd_font_width: Option<u8>,
    pub ambiguous_width: Option<u8>,
    pub lines: Option<Vec<LineConfig>>,
    /// `[prompt]`: the shell prompt's own lines (its right groups are the right prompt).
    pub prompt: Option<Vec<LineConfig>>,
    pub widgets: Vec<WidgetConfig>,
}

impl Config {
    /// `top` laid over `self`: what `top` sets wins; widget tables merge key by key.
    pub fn overlay(mut self, top: Config) -> Config {
        macro_rules! take {
            ($($field:ident),*) => { $(if top.$field.is_some() { self.$field = top.$field; })* };
        }
        // `icons = true` over `icons = "SET"` goes back to the charset's set.
        if top.icons.is_some() && top.icon_set.is_none() {
            self.icon_set = None;
        }
        take!(
            preset,
            theme,
            style,
            charset,
            icons,
            icon_set,
            color,
            margin,
            deadline,
            budget,
            nerd_font_width,
            ambiguous_width,
            lines,
            prompt
        );
        for widget in top.widgets {
            match self.widgets.iter_mut().find(|w| w.name == widget.name) {
                Some(base) => {
                    base.priority = widget.priority.or(base.priority);
                    base.budget = widget.budget.or(base.budget);
                    base.keep_stale = widget.keep_stale.or(base.keep_stale);
                    for (key, value) in widget.options {
                        match base.options.iter_mut().find(|(k, _)| *k == key) {
                            Some(entry) => entry.1 = value,
                            None => base.options.push((key, value)),
                        }
                    }
                }
                None => self.widgets.push(widget),
            }
        }
        self
    }

    /// The `[widget.NAME]` table for `name`, if any.
    pub fn widget(&self, name: &str) -> Option<&WidgetConfig> {
        self.widgets.iter().find(|w| w.name == name)
    }
}

/// Where the config file is looked for when `--config` is not given.
pub fn default_path(env: &Environment) -> Option<PathBuf> {
    match (&env.config_home, &env.home) {
        (Some(xdg), _) if Path::new(xdg).is_absolute() => {
            Some(Path::new(xdg).join("blinkline/config.toml"))
        }
        (_, Some(home)) => Some(Path::new(home).join(".config/blinkline/config.toml")),
        _ => None,
    }
}

/// The source of a preset by name.
pub fn preset_source(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// The result of loading the configuration for one run.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The effective configuration: every valid setting of the preset and the file (empty
    /// when there was none, or the file is not valid TOML).
    pub config: Config,
    /// The file that was read, if any.
    pub path: Option<PathBuf>,
    /// Every problem, formatted `FILE:LINE:COLUMN: message` (empty when all is well).
    pub problems: Vec<String>,
    /// Where the user's theme files are (`themes/` beside the default config file).
    pub themes_dir: Option<PathBuf>,
    /// Where the user's icon sets are (`icons/` beside the default config file).
    pub icons_dir: Option<PathBuf>,
}

/// Loads the preset and the config file. A missing default file is not a problem; a
/// missing `--config FILE` is.
pub fn load(explicit: Option<&Path>, preset: Option<&str>, env: &Environment) -> Loaded {
    let mut loaded = Loaded {
        themes_dir: crate::format::themes::user_dir(env),
        icons_dir: crate::format::icon_sets::user_dir(env),
        ..Loaded::default()
    };
    let path = explicit
        .map(Path::to_path_buf)
        .or_else(|| default_path(env));
    let mut file_config = Config::default();
    if let Some(path) = path {
        match std::fs::read_to_string(&path) {
            Ok(source) => {
                let (config, problems) = parse(&source);
                let name = path.display().to_string();
                loaded
                    .problems
                    .extend(problems.iter().map(|p| p.render(&name, &source)));
                file_config = config;
                loaded.path = Some(path);
            }
            Err(err) if explicit.is_none() && err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => loaded.problems.push(format!(
                "{}: cannot read the config file: {err}",
                path.display()
            )),
        }
    }
    finish(loaded, file_config, preset)
}

/// Loads `source` as the config file `path` holds (an editor's unsaved text), the preset
/// under it as [`load`] does.
pub fn load_source(source: &str, path: &Path, preset: Option<&str>, env: &Environment) -> Loaded {
    let (file_config, problems) = parse(source);
    let name = path.display().to_string();
    let loaded = Loaded {
        themes_dir: crate::format::themes::user_dir(env),
        icons_dir: crate::format::icon_sets::user_dir(env),
        path: Some(path.to_path_buf()),
        problems: problems.iter().map(|p| p.render(&name, source)).collect(),
        ..Loaded::default()
    };
    finish(loaded, file_config, preset)
}

/// Lays the file's config over its preset.
fn finish(mut loaded: Loaded, file_config: Config, preset: Option<&str>) -> Loaded {
    let preset = preset.map(str::to_owned).or(file_config.preset.clone());
    let mut config = Config::default();
    if let Some(name) = preset {
        match preset_source(&name) {
            Some(source) => config = parse(source).0,
            None => loaded.problems.push(unknown_preset(&name)),
        }
    }
    loaded.config = config.overlay(file_config);
    loaded
}

fn unknown_preset(name: &str) -> String {
    let names = PRESETS.iter().map(|(n, _)| *n);
    let hint = crate::util::closest(name, names.clone())
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default();
    format!(
        "unknown preset `{name}`{hint}; presets: {}",
        names.collect::<Vec<_>>().join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_a_valid_config() {
        for (name, source) in PRESETS {
            let (_, problems) = parse(source);
            assert!(problems.is_empty(), "preset {name}: {problems:?}");
        }
        let (_, problems) = parse(INIT_TEMPLATE);
        assert!(problems.is_empty(), "init template: {problems:?}");
    }

    #[test]
    fn the_default_preset_is_the_built_in_line() {
        let (config, _) = parse(preset_source("default").unwrap());
        let line = &config.lines.unwrap()[0];
        let names: Vec<_> = crate::layout::DEFAULT_LINE
            .iter()
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(line.left, names);
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "Unix paths")]
    fn xdg_config_home_wins_over_home() {
        let env = Environment {
            home: Some("/home/u".into()),
            config_home: Some("/cfg".into()),
            ..Environment::default()
        };
        assert_eq!(
            default_path(&env),
            Some(PathBuf::from("/cfg/blinkline/config.toml"))
        );
        let env = Environment {
            config_home: Some("relative".into()),
            ..env
        };
        assert_eq!(
            default_path(&env),
            Some(PathBuf::from("/home/u/.config/blinkline/config.toml"))
        );
    }

    #[test]
    fn a_missing_default_file_is_no_problem_but_a_missing_explicit_one_is() {
        let env = Environment {
            home: Some("/nonexistent-home".into()),
            ..Environment::default()
        };
        let quiet = load(None, None, &env);
        assert!(quiet.problems.is_empty() && quiet.path.is_none());
        let loud = load(Some(Path::new("/nonexistent/blinkline.toml")), None, &env);
        assert_eq!(loud.problems.len(), 1);
        assert!(loud.problems[0].starts_with("/nonexistent/blinkline.toml: cannot read"));
    }

    #[test]
    fn an_unknown_preset_is_named_with_a_hint() {
        let loaded = load(None, Some("minmal"), &Environment::default());
        assert_eq!(
            loaded.problems,
            [
                "unknown preset `minmal` (did you mean `minimal`?); presets: default, minimal, full, powerline"
            ]
        );
    }

    #[test]
    fn overlay_keeps_base_widget_options_it_does_not_override() {
        let (base, _) = parse("[widget.context]\nwarn = 60\nbar_width = 5\n");
        let (top, _) = parse("theme = \"nord\"\n[widget.context]\nwarn = 50\n");
        let merged = base.overlay(top);
        assert_eq!(merged.theme.as_deref(), Some("nord"));
        assert_eq!(
            merged.widget("context").unwrap().options,
            [
                ("warn".to_owned(), OptionValue::Int(50)),
                ("bar_width".to_owned(), OptionValue::Int(5))
            ]
        );
    }
}
