//! Validates a config file into a [`Config`], collecting every problem with its place.
//!
//! The TOML is parsed with spans (`toml::de::DeTable`), then walked key by key: unknown keys
//! get a did-you-mean, values are checked against their type (durations like `"5ms"`,
//! percents like `"80%"`, dollars like `"$5"`, choices, ranges), widget names against the
//! registry and widget options by the widget's own builder. Nothing stops at the first
//! problem: `blinkline config check` lists them all, each as `FILE:LINE:COLUMN: message`.

use std::borrow::Cow;
use std::ops::Range;
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Config, LineConfig, PRESETS, WidgetConfig};
use crate::cli::ColorChoice;
use crate::format::theme::Style;
use crate::widgets::options::OptionValue;
use crate::widgets::{self, Charset, Options, style};

/// The top-level keys.
pub const KEYS: &[&str] = &[
    "preset",
    "theme",
    "style",
    "charset",
    "icons",
    "color",
    "margin",
    "deadline",
    "budget",
    "nerd_font_width",
    "ambiguous_width",
    "line",
    "widget",
];

/// Keys of a `[widget.NAME]` table that belong to the layout, not to the widget.
pub const LAYOUT_KEYS: &[&str] = &["priority", "budget", "keep_stale"];

const CHARSETS: &[&str] = &["nerd-font", "unicode", "ascii"];
const COLORS: &[&str] = &["auto", "never", "always", "truecolor", "256", "16"];

/// One problem and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Byte range in the file.
    pub span: Range<usize>,
    pub message: String,
}

impl Problem {
    /// `FILE:LINE:COLUMN: message` (line and column count from 1; columns in characters).
    pub fn render(&self, file: &str, source: &str) -> String {
        let (line, column) = line_column(source, self.span.start);
        format!("{file}:{line}:{column}: {}", self.message)
    }
}

/// The 1-based line and column of byte `offset`.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// `source` with its CRLF line endings made LF. TOML allows either, but the parser keeps
/// a multi-line string's `\r` and reports a line's end twice (at `\r`, then at `\n`):
/// a file saved with CRLF (Windows editors) must load exactly like the same file with LF.
/// Map positions in the result back with [`crlf_offset`].
pub fn lf_source(source: &str) -> Cow<'_, str> {
    if source.contains("\r\n") {
        Cow::Owned(source.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(source)
    }
}

/// The offset in `source` of byte `offset` of [`lf_source`]`(source)`. An offset at a
/// line's `\n` lands on the `\r` before it: the end of the line, as with LF.
pub fn crlf_offset(source: &str, offset: usize) -> usize {
    let mut removed = 0;
    for (at, _) in source.match_indices("\r\n") {
        if at - removed >= offset {
            break;
        }
        removed += 1;
    }
    offset + removed
}

/// Parses and validates `source` (LF or CRLF line endings). The config holds every value
/// that was valid; the problems' spans are in `source`.
pub fn parse(source: &str) -> (Config, Vec<Problem>) {
    let lf = lf_source(source);
    let (config, mut problems) = parse_lf(&lf);
    if let Cow::Owned(_) = lf {
        for p in &mut problems {
            p.span = crlf_offset(source, p.span.start)..crlf_offset(source, p.span.end);
        }
    }
    (config, problems)
}

fn parse_lf(source: &str) -> (Config, Vec<Problem>) {
    let (doc, errors) = DeTable::parse_recoverable(source);
    let mut checker = Checker {
        config: Config::default(),
        problems: errors
            .iter()
            .map(|e| Problem {
                span: e.span().unwrap_or(0..0),
                message: format!("invalid TOML: {}", e.message().trim()),
            })
            .collect(),
        inline: 0,
    };
    // After a syntax error the recovered document is a guess: checking it would only
    // repeat the same problem in other words.
    if checker.problems.is_empty() {
        for (key, value) in doc.get_ref() {
            checker.top(key, value);
        }
    }
    checker.problems.sort_by_key(|p| p.span.start);
    (checker.config, checker.problems)
}

fn hint(word: &str, candidates: &[&str]) -> String {
    crate::util::closest(word, candidates.iter().copied())
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => format!("\"{s}\""),
        DeValue::Integer(i) => i.as_str().to_owned(),
        DeValue::Float(f) => f.as_str().to_owned(),
        DeValue::Boolean(b) => b.to_string(),
        other => format!("a {}", other.type_str()),
    }
}

struct Checker {
    config: Config,
    problems: Vec<Problem>,
    /// Inline widgets seen so far (they are numbered).
    inline: usize,
}

type Key<'i> = Spanned<std::borrow::Cow<'i, str>>;
type Value<'i> = Spanned<DeValue<'i>>;

impl Checker {
    fn problem(&mut self, span: Range<usize>, message: String) {
        self.problems.push(Problem { span, message });
    }

    fn top(&mut self, key: &Key<'_>, value: &Value<'_>) {
        let name = key.get_ref().as_ref();
        match name {
            "preset" => {
                let names: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
                self.config.preset = self.choice(name, value, &names).map(str::to_owned);
            }
            "theme" => {
                // The built-in themes, then the user's theme files (the directory is read
                // only for a name that is not built in).
                let builtin = matches!(value.get_ref(), DeValue::String(s)
                    if crate::format::themes::theme_names().any(|n| n == s.as_ref()));
                let user = if builtin {
                    Vec::new()
                } else {
                    let env = crate::input::env::Environment::capture();
                    let dir = crate::format::themes::user_dir(&env);
                    crate::format::themes::user_themes(dir.as_deref())
                };
                let mut names: Vec<&str> = crate::format::themes::theme_names().collect();
                for (user_name, _) in &user {
                    if !names.contains(&user_name.as_str()) {
                        names.push(user_name);
                    }
                }
                self.config.theme = self.choice(name, value, &names).map(str::to_owned);
            }
            "style" => {
                self.config.style = self
                    .choice(name, value, Style::NAMES)
                    .and_then(Style::from_name);
            }
            "charset" => {
                self.config.charset = self.choice(name, value, CHARSETS).map(|c| match c {
                    "nerd-font" => Charset::NerdFont,
                    "ascii" => Charset::Ascii,
                    _ => Charset::Unicode,
                });
            }
            "color" => self.config.color = self.color(value),
            "icons" => self.icons(value),
            "margin" => self.config.margin = self.integer(name, value, 0, 200).map(|m| m as usize),
            "deadline" => self.config.deadline = self.duration(name, value),
            "budget" => self.config.budget = self.duration(name, value),
            "nerd_font_width" | "ambiguous_width" => {
                let cells = self.integer(name, value, 1, 2).map(|c| c as u8);
                if name == "nerd_font_width" {
                    self.config.nerd_font_width = cells;
                } else {
                    self.config.ambiguous_width = cells;
                }
            }
            "line" => self.lines(value),
            "prompt" => self.prompt(value),
            "widget" => self.widget_tables(value),
            _ => self.problem(
                key.span(),
                format!(
                    "unknown key `{name}`{}; known keys: {}",
                    hint(name, KEYS),
                    KEYS.join(", ")
                ),
            ),
        }
    }

    fn choice<'c>(&mut self, key: &str, value: &Value<'_>, choices: &[&'c str]) -> Option<&'c str> {
        let text = match value.get_ref() {
            DeValue::String(s) => s.as_ref(),
            other => {
                let got = describe(other);
                self.problem(
                    value.span(),
                    format!("`{key}` must be one of {}, got {got}", choices.join(", ")),
                );
                return None;
            }
        };
        let found = choices.iter().copied().find(|c| *c == text);
        if found.is_none() {
            self.problem(
                value.span(),
                format!(
                    "`{key}` must be one of {}, got \"{text}\"{}",
                    choices.join(", "),
                    hint(text, choices)
                ),
            );
        }
        found
    }

    fn color(&mut self, value: &Value<'_>) -> Option<ColorChoice> {
        let text = match value.get_ref() {
            DeValue::Integer(i) => i.as_str().to_owned(),
            _ => return self.choice("color", value, COLORS).map(color_choice),
        };
        let found = COLORS.iter().copied().find(|c| *c == text);
        if found.is_none() {
            self.problem(
                value.span(),
                format!("`color` must be one of {}, got {text}", COLORS.join(", ")),
            );
        }
        found.map(color_choice)
    }

    /// `icons = true|false` (the charset's set, or none), or `icons = "SET"`: a shipped
    /// icon set or the user's `icons/SET.toml`.
    fn icons(&mut self, value: &Value<'_>) {
        let DeValue::String(name) = value.get_ref() else {
            self.config.icons = self.boolean("icons", value);
            return;
        };
        let builtin = crate::format::icon_sets::set_names().any(|n| n == name.as_ref());
        let env = crate::input::env::Environment::capture();
        let dir = (!builtin)
            .then(|| crate::format::icon_sets::user_dir(&env))
            .flatten();
        if builtin || crate::format::icon_sets::exists(name, dir.as_deref()) {
            self.config.icons = Some(true);
            self.config.icon_set = Some(name.as_ref().to_owned());
            return;
        }
        let user = crate::format::themes::user_themes(dir.as_deref());
        let mut names: Vec<&str> = crate::format::icon_sets::set_names().collect();
        names.extend(user.iter().map(|(n, _)| n.as_str()));
        self.problem(
            value.span(),
            format!(
                "`icons` must be true, false or an icon set ({}), got \"{name}\"{}",
                names.join(", "),
                hint(name, &names)
            ),
        );
    }

    fn boolean(&mut self, key: &str, value: &Value<'_>) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                let got = describe(other);
                self.problem(
                    value.span(),
                    format!("`{key}` must be true or false, got {got}"),
                );
                None
            }
        }
    }

    fn integer(&mut self, key: &str, value: &Value<'_>, min: i64, max: i64) -> Option<i64> {
        let parsed = value
            .get_ref()
            .as_integer()
            .and_then(|i| i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok());
        match parsed {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                let got = describe(value.get_ref());
                self.problem(
                    value.span(),
                    format!("`{key}` must be a whole number from {min} to {max}, got {got}"),
                );
                None
            }
        }
    }

    fn duration(&mut self, key: &str, value: &Value<'_>) -> Option<Duration> {
        let parsed = match value.get_ref() {
            DeValue::String(s) => crate::cli::parse_duration(s),
            other => Err(format!(
                "{} is not a duration; write it like \"10ms\", \"300us\" or \"1s\"",
                describe(other)
            )),
        };
        parsed
            .map_err(|e| self.problem(value.span(), format!("`{key}`: {e}")))
            .ok()
    }

    fn lines(&mut self, value: &Value<'_>) {
        if let Some(lines) = self.line_tables("line", value) {
            self.config.lines = Some(lines);
        }
    }

    /// `[prompt]`: the shell prompt's own layout, `left`/`right` (one line) or
    /// `[[prompt.line]]` tables like `[[line]]`.
    fn prompt(&mut self, value: &Value<'_>) {
        let Some(table) = value.get_ref().as_table() else {
            let got = describe(value.get_ref());
            return self.problem(
                value.span(),
                format!("`prompt` must be a table with `left` and `right` or [[prompt.line]] tables, got {got}"),
            );
        };
        let mut first = LineConfig::default();
        let mut lines = None;
        for (key, item) in table {
            match key.get_ref().as_ref() {
                "line" => lines = self.line_tables("prompt.line", item),
                other => self.line_key(&mut first, key, other, item, "[prompt]"),
            }
        }
        let mut lines = lines.unwrap_or_default();
        if !first.left.is_empty() || !first.right.is_empty() || lines.is_empty() {
            lines.insert(0, first);
        }
        self.config.prompt = Some(lines);
    }

    fn line_tables(&mut self, name: &str, value: &Value<'_>) -> Option<Vec<LineConfig>> {
        let Some(array) = value.get_ref().as_array() else {
            let got = describe(value.get_ref());
            self.problem(
                value.span(),
                format!("`{name}` must be written as [[{name}]] tables, got {got}"),
            );
            return None;
        };
        let mut lines = Vec::new();
        for item in array.iter() {
            let Some(table) = item.get_ref().as_table() else {
                self.problem(
                    item.span(),
                    format!("each `{name}` must be a table with `left` and `right`"),
                );
                continue;
            };
            let mut line = LineConfig::default();
            let place = format!("[[{name}]]");
            for (key, list) in table {
                self.line_key(&mut line, key, key.get_ref().as_ref(), list, &place);
            }
            lines.push(line);
        }
        Some(lines)
    }

    /// One key of a line table (`left`, `right`, `separator`).
    fn line_key(
        &mut self,
        line: &mut LineConfig,
        key: &Key<'_>,
        name: &str,
        list: &Value<'_>,
        place: &str,
    ) {
        match name {
            "left" => line.left = self.widget_list("left", list),
            "right" => line.right = self.widget_list("right", list),
            "separator" => match list.get_ref() {
                DeValue::String(text) => line.separator = Some(text.to_string()),
                other => {
                    let got = describe(other);
                    self.problem(
                        list.span(),
                        format!("`separator` must be a string, got {got}"),
                    );
                }
            },
            other => self.problem(
                key.span(),
                format!(
                    "unknown key `{other}` in {place}{}; a line has `left` and `right`",
                    hint(other, &["left", "right"])
                ),
            ),
        }
    }

    fn widget_list(&mut self, key: &str, value: &Value<'_>) -> Vec<String> {
        let Some(array) = value.get_ref().as_array() else {
            let got = describe(value.get_ref());
            self.problem(
                value.span(),
                format!(
                    "`{key}` must be a list of widget names like [\"model\", \"cost\"], got {got}"
                ),
            );
            return Vec::new();
        };
        let mut names = Vec::new();
        for item in array.iter() {
            match item.get_ref() {
                DeValue::String(name) => {
                    if self.known_widget(item.span(), name).is_some() {
                        names.push(name.to_string());
                    }
                }
                DeValue::Table(table) => names.extend(self.inline_widget(item.span(), table)),
                other => {
                    let got = describe(other);
                    self.problem(
                        item.span(),
                        format!(
                            "widgets in a line are names or inline tables like {{ widget = \"text\", text = \"hi\" }}, got {got}"
                        ),
                    );
                }
            }
        }
        names
    }

    /// The registry entry of `id` (`NAME` or `NAME#INSTANCE`), or a problem at `span`.
    fn known_widget(
        &mut self,
        span: Range<usize>,
        id: &str,
    ) -> Option<&'static widgets::WidgetInfo> {
        let Some(info) = widgets::find(crate::layout::base_name(id)) else {
            self.unknown_widget(span, id);
            return None;
        };
        if let Some(problem) = crate::layout::instance_problem(id) {
            self.problem(span, problem);
            return None;
        }
        Some(info)
    }

    /// An inline widget in a line, `{ widget = "text", text = "hi" }`: its options become
    /// the table of an instance of its own (`text#inline-N` unless `widget` names one).
    fn inline_widget(&mut self, span: Range<usize>, table: &DeTable<'_>) -> Option<String> {
        let named = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == "widget")
            .map(|(_, v)| v);
        let Some(DeValue::String(id)) = named.map(|v| v.get_ref()) else {
            self.problem(
                span,
                "an inline widget names its widget: { widget = \"text\", text = \"hi\" }".into(),
            );
            return None;
        };
        let info = self.known_widget(named.map_or(span, |v| v.span()), id)?;
        self.inline += 1;
        let id = if id.contains('#') {
            id.to_string()
        } else {
            format!("{}#inline-{}", info.name, self.inline)
        };
        let mut widget = self.widget_table(info, table, true);
        widget.name = id.clone();
        self.config.widgets.retain(|w| w.name != id);
        self.config.widgets.push(widget);
        Some(id)
    }

    fn unknown_widget(&mut self, span: Range<usize>, name: &str) {
        let hint = widgets::closest(name)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        self.problem(
            span,
            format!("unknown widget `{name}`{hint}; `blinkline widgets` lists them"),
        );
    }

    fn widget_tables(&mut self, value: &Value<'_>) {
        let Some(table) = value.get_ref().as_table() else {
            return self.problem(
                value.span(),
                "`widget` must hold [widget.NAME] tables".into(),
            );
        };
        for (name, options) in table {
            let Some(info) = self.known_widget(name.span(), name.get_ref()) else {
                continue;
            };
            let Some(options) = options.get_ref().as_table() else {
                self.problem(
                    options.span(),
                    format!("`widget.{}` must be a table", name.get_ref()),
                );
                continue;
            };
            let mut widget = self.widget_table(info, options, false);
            widget.name = name.get_ref().to_string();
            self.config.widgets.push(widget);
        }
    }

    fn widget_table(
        &mut self,
        info: &widgets::WidgetInfo,
        table: &DeTable<'_>,
        inline: bool,
    ) -> WidgetConfig {
        let mut widget = WidgetConfig {
            name: info.name.to_owned(),
            ..WidgetConfig::default()
        };
        let known: Vec<&str> = (info.options.iter().map(|o| o.key))
            .chain(LAYOUT_KEYS.iter().copied())
            .collect();
        for (key, value) in table {
            let key_name = key.get_ref().as_ref();
            match key_name {
                // The inline form's widget name (`{ widget = "text", … }`).
                "widget" if inline => {}
                "priority" => {
                    let label = format!("widget.{}.priority", info.name);
                    widget.priority = self.integer(&label, value, 0, 255).map(|p| p as u8);
                }
                "budget" => {
                    widget.budget = self.duration(&format!("widget.{}.budget", info.name), value)
                }
                "keep_stale" => {
                    widget.keep_stale =
                        self.boolean(&format!("widget.{}.keep_stale", info.name), value);
                }
                _ if !info.options.iter().any(|o| o.key == key_name)
                    && !style::is_style_key(info, key_name) =>
                {
                    let with_style: Vec<&str> = (known.iter().copied())
                        .chain(style::STYLE_SPECS.iter().map(|s| s.key))
                        .collect();
                    self.problem(
                        key.span(),
                        format!(
                            "widget `{}` has no option `{key_name}`{}; options: {}",
                            info.name,
                            hint(key_name, &with_style),
                            known.join(", ")
                        ),
                    )
                }
                _ => {
                    if let Some(option) = self.option_value(info, key_name, value) {
                        widget.options.push((key_name.to_owned(), option));
                    }
                }
            }
        }
        // The options together (a required option may be missing from the table).
        let mut together = Options::new(info.name);
        for (key, value) in &widget.options {
            together.set(key, value.clone());
        }
        if let Err(err) = (info.build)(&together) {
            let span = table
                .iter()
                .find(|(k, _)| k.get_ref().as_ref() == err.key)
                .or_else(|| table.iter().next())
                .map(|(k, v)| {
                    if k.get_ref().as_ref() == err.key {
                        v.span()
                    } else {
                        k.span()
                    }
                });
            if let Some(span) = span {
                self.problem(span, err.to_string());
            }
        }
        widget
    }

    /// Converts and checks one widget option by building the widget with it alone.
    fn option_value(
        &mut self,
        info: &widgets::WidgetInfo,
        key: &str,
        value: &Value<'_>,
    ) -> Option<OptionValue> {
        let option = match value.get_ref() {
            DeValue::String(s) => OptionValue::Str(s.to_string()),
            DeValue::Boolean(b) => OptionValue::Bool(*b),
            DeValue::Integer(i) => {
                match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
                    Ok(n) => OptionValue::Int(n),
                    Err(_) => OptionValue::Str(i.as_str().to_owned()),
                }
            }
            DeValue::Float(f) => {
                OptionValue::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN))
            }
            DeValue::Array(items)
                if items
                    .iter()
                    .all(|i| matches!(i.get_ref(), DeValue::String(_))) =>
            {
                OptionValue::List(
                    items
                        .iter()
                        .filter_map(|i| match i.get_ref() {
                            DeValue::String(s) => Some(s.to_string()),
                            _ => None,
                        })
                        .collect(),
                )
            }
            other => {
                let got = describe(other);
                self.problem(
                    value.span(),
                    format!(
                        "widget `{}` option `{key}` must be a string, number, boolean or list of strings, got {got}",
                        info.name
                    ),
                );
                return None;
            }
        };
        let options = Options::new(info.name).with(key, option.clone());
        if style::is_style_key(info, key) {
            return match style::WidgetStyle::parse(info, &options) {
                Ok(_) => Some(option),
                Err(err) => {
                    self.problem(value.span(), err.to_string());
                    None
                }
            };
        }
        match (info.build)(&options) {
            Ok(_) => Some(option),
            // Alone, the widget may miss another required option: not this one's fault.
            Err(err) if err.key != key => Some(option),
            Err(err) => {
                self.problem(value.span(), err.to_string());
                None
            }
        }
    }
}

fn color_choice(name: &str) -> ColorChoice {
    match name {
        "never" => ColorChoice::Never,
        "always" => ColorChoice::Always,
        "truecolor" => ColorChoice::Truecolor,
        "256" => ColorChoice::Ansi256,
        "16" => ColorChoice::Ansi16,
        _ => ColorChoice::Auto,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(source: &str) -> Vec<String> {
        let (_, problems) = parse(source);
        problems
            .iter()
            .map(|p| p.render("config.toml", source))
            .collect()
    }

    #[test]
    fn options_that_need_each_other_are_checked_together() {
        let both = "[widget.link]\ntext = \"docs\"\nurl = \"https://example.com\"\n";
        assert_eq!(problems(both), Vec::<String>::new());
        let missing = problems("[widget.link]\ntext = \"docs\"\n");
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(
            missing[0].starts_with("config.toml:2:1: widget `link` option `url`"),
            "{missing:?}"
        );
    }

    #[test]
    fn a_valid_config_has_typed_values() {
        let (config, problems) = parse(
            "theme = \"nord\"\ndeadline = \"8ms\"\ncolor = 256\nmargin = 2\n\
             [[line]]\nleft = [\"model\"]\nright = [\"cost\"]\n\
             [widget.context]\nwarn = \"60%\"\npriority = 7\nbudget = \"2ms\"\n\
             [widget.cost]\nwarn = \"$3\"\n",
        );
        assert_eq!(problems, []);
        assert_eq!(config.theme.as_deref(), Some("nord"));
        assert_eq!(config.deadline, Some(Duration::from_millis(8)));
        assert_eq!(config.color, Some(ColorChoice::Ansi256));
        assert_eq!(config.margin, Some(2));
        let lines = config.lines.as_ref().unwrap();
        assert_eq!(
            (lines[0].left.as_slice(), lines[0].right.as_slice()),
            (&["model".to_owned()][..], &["cost".to_owned()][..])
        );
        let context = config.widget("context").unwrap();
        assert_eq!(context.priority, Some(7));
        assert_eq!(context.budget, Some(Duration::from_millis(2)));
        assert_eq!(
            context.options,
            [("warn".to_owned(), OptionValue::Str("60%".into()))]
        );
    }

    #[test]
    fn unknown_keys_get_a_did_you_mean_with_line_and_column() {
        assert_eq!(
            problems("theme = \"nord\"\ncolour = \"auto\"\n"),
            [
                "config.toml:2:1: unknown key `colour` (did you mean `color`?); known keys: preset, theme, style, charset, icons, color, margin, deadline, budget, nerd_font_width, ambiguous_width, line, widget"
            ]
        );
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let source = "theme = \"nrod\"\ndeadline = \"fast\"\n\n[[line]]\nleft = [\"modle\", \"cost\"]\n\n[widget.context]\nwarn = \"lots\"\nbar_widht = 4\n";
        assert_eq!(
            problems(source),
            [
                "config.toml:1:9: `theme` must be one of classic, powerline, capsule, plain, nord, gruvbox, catppuccin, tokyo-night, got \"nrod\" (did you mean `nord`?)",
                "config.toml:2:12: `deadline`: `fast` is not a duration; write it like \"10ms\", \"300us\" or \"1s\"",
                "config.toml:5:9: unknown widget `modle` (did you mean `model`?); `blinkline widgets` lists them",
                "config.toml:8:8: widget `context` option `warn`: must be a percentage like \"80%\", got \"lots\"",
                "config.toml:9:1: widget `context` has no option `bar_widht` (did you mean `bar_width`?); options: style, warn, critical, bar_width, show_size, compact_buffer, priority, budget, keep_stale",
            ]
        );
    }

    fn crlf(lf: &str) -> String {
        lf.replace('\n', "\r\n")
    }

    #[test]
    fn a_crlf_config_loads_exactly_like_lf() {
        let lf = "# comment\ntheme = \"nord\"\ndeadline = \"8ms\"\n\n[[line]]\n\
                  left = [\n  \"model\",\n  \"text#a\",\n]\n\n\
                  [widget.\"text#a\"]\ntext = \"\"\"\nx\ny\"\"\"\nprefix = '''\nliteral\n'''\n";
        let (want, problems) = parse(lf);
        assert_eq!(problems, []);
        let text = &want.widget("text#a").unwrap().options;
        assert!(
            text.contains(&("text".to_owned(), OptionValue::Str("x\ny".into()))),
            "{text:?}"
        );
        assert_eq!(parse(&crlf(lf)), (want, vec![]));
    }

    #[test]
    fn crlf_error_positions_match_lf() {
        for lf in [
            // An unterminated string: the parser used to report the line's end twice,
            // the second time one column past it (at the `\n` after the `\r`).
            "theme = \"nord\"\ncolor = \"x\n",
            "theme = \"nord\"\ncharset = \"ascii\" junk\n",
            "theme = \"nord\"\n\n[widget.cost]\nwarn = \"lots\"\nbogus = 1\n",
            "é = 1\nmargin = \n",
        ] {
            let crlf = crlf(lf);
            assert_eq!(problems(&crlf), problems(lf), "{lf:?}");
            assert!(!problems(lf).is_empty(), "{lf:?}");
        }
    }

    #[test]
    fn crlf_offsets_map_back_to_the_file() {
        let source = "ab\r\ncd\r\ne";
        let lf = lf_source(source);
        assert_eq!(lf, "ab\ncd\ne");
        let back: Vec<usize> = (0..=lf.len()).map(|i| crlf_offset(source, i)).collect();
        // The `\n` of each line lands on its `\r`; what follows moves by one per line.
        assert_eq!(back, [0, 1, 2, 4, 5, 6, 8, 9]);
    }

    #[test]
    fn toml_syntax_errors_keep_their_position() {
        let found = problems("theme = \"nord\"\nmargin = \n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("config.toml:2:"), "{found:?}");
        assert!(found[0].contains("invalid TOML"), "{found:?}");
    }

    #[test]
    fn wrong_types_say_what_was_expected() {
        assert_eq!(
            problems("icons = \"yes\"\nmargin = 500\nnerd_font_width = 3\n"),
            [
                "config.toml:1:9: `icons` must be true, false or an icon set (nerd-font, unicode, ascii), got \"yes\"",
                "config.toml:2:10: `margin` must be a whole number from 0 to 200, got 500",
                "config.toml:3:19: `nerd_font_width` must be a whole number from 1 to 2, got 3",
            ]
        );
    }

    #[test]
    fn unknown_widget_tables_and_line_keys_are_named() {
        assert_eq!(
            problems("[[line]]\nlefts = [\"model\"]\n[widget.costs]\nwarn = 1\n"),
            [
                "config.toml:2:1: unknown key `lefts` in [[line]] (did you mean `left`?); a line has `left` and `right`",
                "config.toml:3:9: unknown widget `costs` (did you mean `cost`?); `blinkline widgets` lists them",
            ]
        );
    }

    #[test]
    fn style_keys_are_checked_in_the_widget_table_with_their_place() {
        assert_eq!(
            problems(
                "[widget.model]\nfg = \"#7aa2f7\"\nbold = true\nformat = \"{shrot}\"\n\
                 [widget.cost]\nbg = \"gren\"\nboldd = true\n"
            ),
            [
                "config.toml:4:10: widget `model` option `format`: unknown field {shrot} (did you mean {short}?); fields: value, icon, name, short, id",
                "config.toml:6:6: widget `cost` option `bg`: must be a colour: \"#rrggbb\", a palette index 0-255 or a name like \"red\", \"bright-blue\"; got \"gren\" (did you mean \"green\"?)",
                "config.toml:7:1: widget `cost` has no option `boldd` (did you mean `bold`?); options: warn, critical, priority, budget, keep_stale",
            ]
        );
    }

    #[test]
    fn the_prompt_section_is_checked_like_a_line() {
        let (config, _) = parse("[prompt]\nleft = [\"cwd\", \"char\"]\nright = [\"time\"]\n");
        let prompt = config.prompt.unwrap();
        assert_eq!((prompt[0].left.len(), prompt[0].right.len()), (2, 1));
        assert_eq!(
            problems("[prompt]\nleft = [\"modle\"]\nlefts = 1\n[[prompt.line]]\nrigth = []\n"),
            [
                "config.toml:2:9: unknown widget `modle` (did you mean `model`?); `blinkline widgets` lists them",
                "config.toml:3:1: unknown key `lefts` in [prompt] (did you mean `left`?); a line has `left` and `right`",
                "config.toml:5:1: unknown key `rigth` in [[prompt.line]] (did you mean `right`?); a line has `left` and `right`",
            ]
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(line_column("a = \"é\"\nb", 9), (2, 1));
        assert_eq!(line_column("é = 1", 3), (1, 3));
    }
}
