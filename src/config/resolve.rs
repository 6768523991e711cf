//! The settings of one run: command-line flags over the config file over the preset over
//! the built-in defaults, resolved once into a typed [`Settings`] (ripgrep's low-level to
//! high-level arguments). Every default a flag can fall back to is here; `cli.rs` declares
//! the flags without defaults, so a flag left out is `None` and loses to the config file.
//!
//! Read next: `setup.rs`, which builds the renderer from the settings.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Config, LineConfig, Loaded};
use crate::cache::sessions::SessionPick;
use crate::cli::{CharsetChoice, ColorChoice, RenderArgs, Threads};
use crate::error::Error;
use crate::format::OutputFormat;
use crate::format::theme::Theme;
use crate::input::env::Environment;
use crate::layout::{DEFAULT_LINE, LayoutError, LayoutSpec, WidgetSpec};
use crate::widgets::Charset;
use crate::widgets::options::OptionValue;
use crate::width::WidthRules;

/// The priority of a widget the default line does not list.
pub const DEFAULT_PRIORITY: u8 = 50;

/// `--format` when neither given nor decided by the command (`watch` decides).
pub const DEFAULT_FORMAT: OutputFormat = OutputFormat::Ansi;
/// `--deadline` / `deadline`.
pub const DEFAULT_DEADLINE: Duration = Duration::from_millis(10);
/// `--budget` / `budget`.
pub const DEFAULT_BUDGET: Duration = crate::layout::DEFAULT_BUDGET;
/// `--threads`.
pub const DEFAULT_THREADS: Threads = Threads::Auto;
/// `--color` / `color`.
pub const DEFAULT_COLOR: ColorChoice = ColorChoice::Auto;
/// `--charset` / `charset`.
pub const DEFAULT_CHARSET: CharsetChoice = CharsetChoice::Unicode;
/// `--margin` / `margin`.
pub const DEFAULT_MARGIN: usize = 3;
/// `--theme` / `theme`.
pub const DEFAULT_THEME: &str = "classic";
/// `--session-max-age`.
pub const DEFAULT_SESSION_MAX_AGE: Duration = Duration::from_secs(3600);

/// The settings of one run, resolved: what the renderer is built from (`setup.rs`) and
/// what `config print` prints.
#[derive(Clone, Debug)]
pub struct Settings {
    pub spec: LayoutSpec,
    pub theme: Theme,
    pub charset: Charset,
    /// Whether the sink draws icons.
    pub icons: bool,
    /// The icon set's name: what `{icon}` stands for, and what is drawn when `icons`.
    pub icon_set: String,
    /// Where the user's icon sets are.
    pub icons_dir: Option<PathBuf>,
    pub color: ColorChoice,
    pub margin: usize,
    pub deadline: Duration,
    pub budget: Duration,
    pub rules: WidthRules,
    pub format: OutputFormat,
    pub threads: Threads,
    /// `--width`; `None`: `$COLUMNS` minus the margin, or unlimited.
    pub width: Option<usize>,
    pub strict: bool,
    /// `--input FILE` (`-`: stdin).
    pub input: Option<PathBuf>,
    pub sample: bool,
    /// The config file's problems (the line then shows `⚠ config`; every valid setting
    /// still applies).
    pub problems: Vec<String>,
    /// `--session`: the session record a render without a payload shows.
    pub session: SessionPick,
    /// `--session-max-age`: an older record is not shown.
    pub session_max_age: Duration,
    /// The command line's problems a render left out (the line then shows `⚠ args`).
    pub arg_problems: Vec<String>,
    /// The config's `[prompt]` layout, its widget tables applied (`None`: the prompt's
    /// built-in default).
    pub prompt: Option<LayoutSpec>,
}

impl Settings {
    /// Loads the configuration and resolves `args` over it. A config with problems gives
    /// the defaults (and the problems); an unusable flag is an error.
    pub fn resolve(args: &RenderArgs, env: &Environment) -> Result<Settings, Error> {
        let loaded = super::load(args.config.as_deref(), args.preset.as_deref(), env);
        let mut settings = resolve(args, &loaded)?;
        for assignment in &args.set {
            apply_set(&mut settings.spec, assignment)?;
        }
        set_command_trust(
            &mut settings.spec,
            args.widgets.is_some(),
            loaded.path.as_deref(),
        );
        if let Some(prompt) = &mut settings.prompt {
            set_command_trust(prompt, false, loaded.path.as_deref());
        }
        settings.problems = loaded.problems;
        Ok(settings)
    }

    /// Like [`Settings::resolve`], for the line Claude Code shows: what is wrong on the
    /// command line is left out instead of failing the run (an unknown theme gives the
    /// default theme, an unknown widget or a bad `--set` is skipped), and each problem is
    /// added to `arg_problems` (which starts with `arg_problems`, those clap found).
    pub fn resolve_lenient(
        args: &RenderArgs,
        env: &Environment,
        mut arg_problems: Vec<String>,
    ) -> Result<Settings, Error> {
        let mut loaded = super::load(args.config.as_deref(), args.preset.as_deref(), env);
        let mut args = args.clone();
        if let Some(name) = args.theme.take() {
            match crate::format::themes::load_theme(&name, loaded.themes_dir.as_deref()) {
                Some(Ok(_)) => args.theme = Some(name),
                Some(Err(err)) => arg_problems.push(Error::Builtin(err).to_string()),
                None => arg_problems.push(unknown_theme(name).to_string()),
            }
        }
        if let Some(name) = args.icons.take() {
            let dir = loaded.icons_dir.as_deref();
            match crate::format::icon_sets::load_icon_set(&name, dir) {
                _ if name == NO_ICONS => args.icons = Some(name),
                Some(Ok(_)) => args.icons = Some(name),
                Some(Err(err)) => arg_problems.push(Error::Builtin(err).to_string()),
                None => arg_problems.push(unknown_icon_set(name).to_string()),
            }
        }
        let mut settings = match resolve(&args, &loaded) {
            // The config names a theme file with an error: the default theme, and why.
            Err(Error::Builtin(err)) if args.theme.is_none() && loaded.config.theme.is_some() => {
                loaded.problems.push(err.to_string());
                loaded.config.theme = None;
                resolve(&args, &loaded)?
            }
            settings => settings?,
        };
        if args.icons.is_none() {
            keep_loadable_icon_set(&mut settings, &mut loaded.problems);
        }
        let mut config_problems = loaded.problems;
        let before = settings.spec.clone();
        for assignment in &args.set {
            if let Err(err) = apply_set(&mut settings.spec, assignment) {
                arg_problems.push(err.to_string());
            }
        }
        if args.widgets.is_some() || !args.set.is_empty() || !config_problems.is_empty() {
            undo_refused_sets(&mut settings.spec, &before, &mut arg_problems);
            let problems = if args.widgets.is_some() {
                &mut arg_problems
            } else {
                &mut config_problems
            };
            drop_unusable_widgets(&mut settings.spec, problems);
        }
        set_command_trust(
            &mut settings.spec,
            args.widgets.is_some(),
            loaded.path.as_deref(),
        );
        settings.problems = config_problems;
        settings.arg_problems = arg_problems;
        Ok(settings)
    }
}

/// Goes back to the charset's icon set, saying why in `problems`, when the config names a
/// set that does not load (a user's file with an error, a file since removed). Shipped
/// sets are not read here: they always load (a test holds them to it).
fn keep_loadable_icon_set(settings: &mut Settings, problems: &mut Vec<String>) {
    let name = settings.icon_set.as_str();
    if crate::format::icon_sets::set_names().any(|n| n == name) {
        return;
    }
    let dir = settings.icons_dir.as_deref();
    let problem = match crate::format::icon_sets::load_icon_set(name, dir) {
        Some(Ok(_)) => return,
        Some(Err(err)) => err.to_string(),
        None => unknown_icon_set(name.to_owned()).to_string(),
    };
    problems.push(problem);
    settings.icon_set = crate::format::icon_sets::charset_set(settings.charset).to_owned();
}

fn unknown_icon_set(name: String) -> Error {
    let hint = crate::util::closest(&name, crate::format::icon_sets::set_names());
    Error::UnknownIconSet { name, hint }
}

/// `--icons none`: no icons.
pub const NO_ICONS: &str = "none";

/// Whether icons are drawn and the set's name: `--icons SET|none` over the config's
/// `icons = true|false|"SET"` over the charset (icons on with nerd-font, the charset's set).
fn icons_of(
    args: &RenderArgs,
    config: &Config,
    charset: Charset,
    dir: Option<&Path>,
) -> Result<(bool, String), Error> {
    let default_set = crate::format::icon_sets::charset_set(charset);
    match args.icons.as_deref() {
        Some(NO_ICONS) => Ok((false, default_set.to_owned())),
        Some(name) if crate::format::icon_sets::exists(name, dir) => Ok((true, name.to_owned())),
        Some(name) => Err(unknown_icon_set(name.to_owned())),
        None => Ok((
            config.icons.unwrap_or(charset == Charset::NerdFont),
            config
                .icon_set
                .clone()
                .unwrap_or_else(|| default_set.to_owned()),
        )),
    }
}

fn unknown_theme(name: String) -> Error {
    let hint = crate::util::closest(&name, crate::format::themes::theme_names());
    Error::UnknownTheme { name, hint }
}

/// Checks that `spec`'s widget can be built with its options.
fn build_widget(spec: &WidgetSpec) -> Result<(), LayoutError> {
    let info = crate::widgets::find(&spec.name).ok_or_else(|| LayoutError::UnknownWidget {
        name: spec.name.clone(),
        hint: crate::widgets::closest(&spec.name),
    })?;
    (info.build)(&spec.options)
        .map(drop)
        .map_err(LayoutError::Option)
}

/// Takes back each `--set` value a widget refuses (`before` is `spec` before the `--set`s),
/// saying why in `problems`.
fn undo_refused_sets(spec: &mut LayoutSpec, before: &LayoutSpec, problems: &mut Vec<String>) {
    for (widget, old) in spec.widgets.iter_mut().zip(&before.widgets) {
        while let Err(LayoutError::Option(err)) = build_widget(widget) {
            let entries = &mut widget.options.entries;
            let Some(at) = entries.iter().position(|(k, _)| *k == err.key) else {
                break;
            };
            let previous = old.options.entries.iter().find(|(k, _)| *k == err.key);
            if previous.is_some_and(|p| *p == entries[at]) {
                break;
            }
            match previous {
                Some(previous) => entries[at] = previous.clone(),
                None => drop(entries.remove(at)),
            }
            if !problems.contains(&err.to_string()) {
                problems.push(err.to_string());
            }
        }
    }
}

/// Leaves out every widget of `spec` that cannot be built (an unknown name, options it
/// refuses) and the widgets past the most a layout holds, saying why in `problems`.
fn drop_unusable_widgets(spec: &mut LayoutSpec, problems: &mut Vec<String>) {
    spec.widgets.retain(|w| match build_widget(w) {
        Ok(()) => true,
        Err(err) => {
            // The config check may have said it already, with the file and line.
            let message = err.to_string();
            if !problems.iter().any(|p| p.ends_with(&message)) {
                problems.push(message);
            }
            false
        }
    });
    let max = crate::engine::frame::MAX_WIDGETS;
    if spec.widgets.len() > max {
        let count = spec.widgets.len();
        problems.push(LayoutError::TooMany { count }.to_string());
        spec.widgets.truncate(max);
    }
}

/// `--set widget.key=value`.
pub fn apply_set(spec: &mut LayoutSpec, assignment: &str) -> Result<(), Error> {
    let usage = || Error::SetSyntax {
        assignment: assignment.to_owned(),
    };
    let (target, value) = assignment.split_once('=').ok_or_else(usage)?;
    let (widget, key) = target.split_once('.').ok_or_else(usage)?;
    if spec.set_option(
        widget.trim(),
        key.trim(),
        OptionValue::parse_cli(value.trim()),
    ) {
        Ok(())
    } else {
        Err(Error::SetNotInLayout {
            assignment: assignment.to_owned(),
            widget: widget.to_owned(),
        })
    }
}

/// `command` widgets run only from a trusted source: the command line, or a config file
/// the user owns that neither group nor others may write. A `trusted` key written in the
/// file itself is ignored.
pub(crate) fn set_command_trust(
    spec: &mut LayoutSpec,
    from_command_line: bool,
    config: Option<&Path>,
) {
    let file_is_safe = config.is_none_or(|path| {
        std::fs::metadata(path).is_ok_and(|m| {
            crate::sys::fs::owner(&m).is_none_or(|uid| uid == crate::sys::os::current_uid())
                && crate::sys::fs::mode_bits(&m) & 0o022 == 0
        })
    });
    for widget in spec
        .widgets
        .iter_mut()
        .filter(|w| w.name == crate::widgets::command::INFO.name)
    {
        widget.options.entries.retain(|(key, _)| key != "trusted");
        widget.options.set(
            "trusted",
            OptionValue::Bool(from_command_line || file_is_safe),
        );
    }
}

fn charset_of(choice: CharsetChoice) -> Charset {
    match choice {
        CharsetChoice::NerdFont => Charset::NerdFont,
        CharsetChoice::Unicode => Charset::Unicode,
        CharsetChoice::Ascii => Charset::Ascii,
    }
}

/// The layout of `[[line]]` tables: left groups then right groups, line by line.
pub fn spec_from_lines(lines: &[LineConfig]) -> LayoutSpec {
    let mut widgets = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        for (right, names) in [(false, &line.left), (true, &line.right)] {
            for name in names {
                let priority = DEFAULT_LINE
                    .iter()
                    .find(|(n, _)| *n == crate::layout::base_name(name))
                    .map_or(DEFAULT_PRIORITY, |(_, p)| *p);
                let mut spec = WidgetSpec::new(name, priority);
                spec.placement.line = index.min(usize::from(u8::MAX)) as u8;
                spec.placement.right = right;
                if let Some(separator) = &line.separator {
                    spec.options
                        .set("separator", OptionValue::Str(separator.clone()));
                }
                widgets.push(spec);
            }
        }
    }
    LayoutSpec { widgets }
}

/// Resolves `args` over the loaded configuration (problems and `--set` aside).
pub fn resolve(args: &RenderArgs, loaded: &Loaded) -> Result<Settings, Error> {
    let config: &Config = &loaded.config;
    let charset = args
        .charset
        .map(charset_of)
        .or(config.charset)
        .unwrap_or(charset_of(DEFAULT_CHARSET));
    let theme_name = args
        .theme
        .clone()
        .or_else(|| config.theme.clone())
        .unwrap_or_else(|| DEFAULT_THEME.to_owned());
    let mut theme =
        match crate::format::themes::load_theme(&theme_name, loaded.themes_dir.as_deref()) {
            Some(theme) => theme.map_err(Error::Builtin)?,
            None => return Err(unknown_theme(theme_name)),
        };
    if let Some(style) = config.style {
        theme.style = style;
    }
    let (icons, icon_set) = icons_of(args, config, charset, loaded.icons_dir.as_deref())?;
    let budget = args.budget.or(config.budget).unwrap_or(DEFAULT_BUDGET);
    let mut spec = match (&args.widgets, &config.lines) {
        (Some(list), _) => LayoutSpec::from_list(list),
        (None, Some(lines)) => spec_from_lines(lines),
        (None, None) => LayoutSpec::default_line(),
    };
    apply_widget_tables(&mut spec, config, budget);
    let prompt = config.prompt.as_ref().map(|lines| {
        let mut prompt = spec_from_lines(lines);
        apply_widget_tables(&mut prompt, config, budget);
        prompt
    });
    Ok(Settings {
        spec,
        theme,
        charset,
        icons,
        icon_set,
        icons_dir: loaded.icons_dir.clone(),
        color: args.color.or(config.color).unwrap_or(DEFAULT_COLOR),
        margin: args.margin.or(config.margin).unwrap_or(DEFAULT_MARGIN),
        deadline: args
            .deadline
            .or(config.deadline)
            .unwrap_or(DEFAULT_DEADLINE),
        budget,
        rules: WidthRules {
            private_use: config.nerd_font_width.unwrap_or(1),
            ambiguous: config.ambiguous_width.unwrap_or(1),
        },
        format: args.format.unwrap_or(DEFAULT_FORMAT),
        threads: args.threads.unwrap_or(DEFAULT_THREADS),
        width: args.width,
        strict: args.strict,
        input: args.input.clone(),
        sample: args.sample,
        problems: Vec::new(),
        session: args.session.clone().unwrap_or(SessionPick::Latest),
        session_max_age: args.session_max_age.unwrap_or(DEFAULT_SESSION_MAX_AGE),
        arg_problems: Vec::new(),
        prompt,
    })
}

/// Lays the config's widget tables over `spec`: `[widget.text]` holds for every `text`,
/// `[widget."text#left"]` then for that one.
fn apply_widget_tables(spec: &mut LayoutSpec, config: &Config, budget: Duration) {
    for widget in &mut spec.widgets {
        widget.budget = budget;
        let instance = (widget.id != widget.name).then(|| config.widget(&widget.id));
        for table in [config.widget(&widget.name), instance.flatten()]
            .into_iter()
            .flatten()
        {
            widget.placement.priority = table.priority.unwrap_or(widget.placement.priority);
            widget.placement.keep_stale = table.keep_stale.unwrap_or(widget.placement.keep_stale);
            widget.budget = table.budget.unwrap_or(widget.budget);
            for (key, value) in &table.options {
                widget.options.set(key, value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    use crate::cli::Cli;

    /// The `[default: …]` a flag's help shows, read from the clap definition.
    fn documented_default(id: &str) -> String {
        let command = Cli::command();
        let arg = command
            .get_arguments()
            .find(|a| a.get_id() == id)
            .unwrap_or_else(|| panic!("no flag `{id}`"));
        let help = arg.get_help().expect("documented").to_string();
        let start = help.find("[default: ").expect("a documented default") + 10;
        help[start..start + help[start..].find(']').unwrap()].to_owned()
    }

    #[test]
    fn every_documented_default_is_the_default_a_run_gets() {
        let loaded = Loaded::default();
        let plain = format!("{:?}", resolve(&RenderArgs::default(), &loaded).unwrap());
        for id in [
            "format", "deadline", "budget", "threads", "color", "charset", "margin", "session",
        ] {
            let default = documented_default(id);
            let flag = format!("--{id}={default}");
            let args = Cli::try_parse_from(["blinkline", flag.as_str()])
                .unwrap()
                .render;
            let given = format!("{:?}", resolve(&args, &loaded).unwrap());
            assert_eq!(given, plain, "{flag} is not what a run without it gets");
        }
    }

    /// The `trusted` option `Settings::resolve` leaves on the `command` widget.
    #[cfg(unix)]
    fn command_trust(args: &[&str], config: Option<(&str, u32)>) -> Option<OptionValue> {
        use std::os::unix::fs::PermissionsExt;
        let dir = crate::tempdir::TempDir::new("trust").unwrap();
        let mut argv = vec!["blinkline".to_owned()];
        if let Some((source, mode)) = config {
            let path = dir.join("config.toml");
            std::fs::write(&path, source).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            argv.push(format!("--config={}", path.display()));
        }
        argv.extend(args.iter().map(|a| (*a).to_owned()));
        let args = Cli::try_parse_from(argv).unwrap().render;
        let settings = Settings::resolve(&args, &Environment::default()).unwrap();
        assert!(settings.problems.is_empty(), "{:?}", settings.problems);
        let widget = settings.spec.widgets.iter().find(|w| w.name == "command");
        let trusted = widget.and_then(|w| w.options.entries.iter().find(|(k, _)| k == "trusted"));
        trusted.map(|(_, v)| v.clone())
    }

    #[cfg(unix)]
    const COMMAND_LINE: &str = "[[line]]\nleft = [\"command\"]\n\n[widget.command]\ncommand = [\"true\"]\ntrusted = true\n";

    #[test]
    #[cfg(unix)] // file modes
    fn a_command_widget_is_trusted_only_from_the_command_line_or_a_private_config_file() {
        let yes = Some(OptionValue::Bool(true));
        let no = Some(OptionValue::Bool(false));
        assert_eq!(command_trust(&["--widgets=command"], None), yes);
        assert_eq!(
            command_trust(&["--widgets=command", "--set=command.trusted=false"], None),
            yes,
            "the command line is trusted whatever --set says"
        );
        assert_eq!(command_trust(&[], Some((COMMAND_LINE, 0o600))), yes);
        assert_eq!(
            command_trust(&[], Some((COMMAND_LINE, 0o620))),
            no,
            "`trusted = true` in a file others may write is ignored"
        );
    }

    #[test]
    fn a_flag_wins_over_the_config_file_and_the_config_file_over_the_default() {
        let mut loaded = Loaded::default();
        loaded.config.margin = Some(7);
        loaded.config.deadline = Some(Duration::from_millis(40));
        let from_config = resolve(&RenderArgs::default(), &loaded).unwrap();
        assert_eq!(
            (from_config.margin, from_config.deadline),
            (7, Duration::from_millis(40))
        );
        let args = Cli::try_parse_from(["blinkline", "render", "--margin", "1"])
            .unwrap()
            .render;
        let flagged = resolve(&args, &loaded).unwrap();
        assert_eq!(
            (flagged.margin, flagged.deadline),
            (1, Duration::from_millis(40))
        );
        let none = resolve(&RenderArgs::default(), &Loaded::default()).unwrap();
        assert_eq!(
            (none.margin, none.deadline),
            (DEFAULT_MARGIN, DEFAULT_DEADLINE)
        );
    }
}
