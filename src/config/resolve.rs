//! Resolves the settings of one run: command-line flags over the config file over the
//! preset over the built-in defaults, into the values the renderer is built from.

use std::time::Duration;

use super::{Config, LineConfig, Loaded};
use crate::cli::{CharsetChoice, ColorChoice, RenderArgs};
use crate::format::theme::Theme;
use crate::layout::{DEFAULT_LINE, LayoutSpec, WidgetSpec};
use crate::widgets::Charset;
use crate::width::WidthRules;

/// The priority of a widget the default line does not list.
pub const DEFAULT_PRIORITY: u8 = 50;

/// The settings of one run, resolved.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub spec: LayoutSpec,
    pub theme: Theme,
    pub charset: Charset,
    pub icons: bool,
    pub color: ColorChoice,
    pub margin: usize,
    pub deadline: Duration,
    pub budget: Duration,
    pub rules: WidthRules,
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
                    .find(|(n, _)| n == name)
                    .map_or(DEFAULT_PRIORITY, |(_, p)| *p);
                let mut spec = WidgetSpec::new(name, priority);
                spec.placement.line = index.min(usize::from(u8::MAX)) as u8;
                spec.placement.right = right;
                widgets.push(spec);
            }
        }
    }
    LayoutSpec { widgets }
}

/// Resolves `args` over the loaded configuration.
pub fn resolve(args: &RenderArgs, loaded: &Loaded) -> Result<Resolved, String> {
    let config: &Config = &loaded.config;
    let flag = |name: &str| args.explicit.iter().any(|e| e == name);
    macro_rules! pick {
        ($arg:expr, $conf:expr, $name:literal) => {
            match $conf {
                Some(value) if !flag($name) => value,
                _ => $arg,
            }
        };
    }
    let charset = pick!(charset_of(args.charset), config.charset, "charset");
    let theme_name = args
        .theme
        .clone()
        .or_else(|| config.theme.clone())
        .unwrap_or_else(|| "classic".to_owned());
    let mut theme = match crate::format::themes::builtin_theme(&theme_name) {
        Some(theme) => theme?,
        None => {
            let names: Vec<&str> = crate::format::themes::theme_names().collect();
            let hint = crate::util::closest(&theme_name, names.iter().copied())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            return Err(format!(
                "unknown theme `{theme_name}`{hint}; themes: {}",
                names.join(", ")
            ));
        }
    };
    if let Some(style) = config.style {
        theme.style = style;
    }
    let budget = pick!(args.budget, config.budget, "budget");
    let mut spec = match (&args.widgets, &config.lines) {
        (Some(list), _) => LayoutSpec::from_list(list),
        (None, Some(lines)) => spec_from_lines(lines),
        (None, None) => LayoutSpec::default_line(),
    };
    for widget in &mut spec.widgets {
        widget.budget = budget;
        let Some(table) = config.widget(&widget.name) else {
            continue;
        };
        widget.placement.priority = table.priority.unwrap_or(widget.placement.priority);
        widget.placement.keep_stale = table.keep_stale.unwrap_or(widget.placement.keep_stale);
        widget.budget = table.budget.unwrap_or(budget);
        for (key, value) in &table.options {
            widget.options.set(key, value.clone());
        }
    }
    Ok(Resolved {
        spec,
        theme,
        charset,
        icons: config.icons.unwrap_or(charset == Charset::NerdFont),
        color: pick!(args.color, config.color, "color"),
        margin: pick!(args.margin, config.margin, "margin"),
        deadline: pick!(args.deadline, config.deadline, "deadline"),
        budget,
        rules: WidthRules {
            private_use: config.nerd_font_width.unwrap_or(1),
            ambiguous: config.ambiguous_width.unwrap_or(1),
        },
    })
}
