//! Layouts: which widgets a line shows, in which order, with which options.
//!
//! A [`LayoutSpec`] is what the user asked for (from the command line today, from the
//! config file too); [`build`] validates it into the renderer's `LayoutEntry`s once per
//! process. Unknown widgets and bad options are reported with a did-you-mean hint.

use std::fmt;
use std::time::Duration;

use crate::engine::frame::Placement;
use crate::render::LayoutEntry;
use crate::widgets::style::WidgetStyle;
use crate::widgets::{self, OptionError, Options};

/// The default line, left to right, with each widget's priority (higher stays longer when
/// the terminal is narrow).
pub const DEFAULT_LINE: &[(&str, u8)] = &[
    ("cwd", 70),
    ("git_branch", 65),
    ("git_status", 45),
    ("model", 90),
    ("context", 100),
    ("cost", 80),
    ("duration", 40),
    ("lines", 50),
    ("rate_limits", 60),
];

/// The default time the frame waits for a widget on the pool.
pub const DEFAULT_BUDGET: Duration = Duration::from_millis(5);

/// One requested widget.
#[derive(Clone, Debug, PartialEq)]
pub struct WidgetSpec {
    /// The widget's registered name (`text`).
    pub name: String,
    /// The name it was asked for by: the registered name, or `NAME#INSTANCE` (`text#left`)
    /// for one of several instances with options of its own.
    pub id: String,
    pub options: Options,
    pub placement: Placement,
    pub budget: Duration,
}

/// A requested layout.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayoutSpec {
    pub widgets: Vec<WidgetSpec>,
}

/// Why a layout cannot be built.
#[derive(Clone, Debug, PartialEq)]
pub enum LayoutError {
    UnknownWidget {
        name: String,
        hint: Option<&'static str>,
    },
    Option(OptionError),
    TooMany {
        count: usize,
    },
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutError::UnknownWidget {
                name,
                hint: Some(h),
            } => {
                write!(
                    f,
                    "unknown widget `{name}` (did you mean `{h}`?); `blinkline widgets` lists them"
                )
            }
            LayoutError::UnknownWidget { name, hint: None } => {
                write!(f, "unknown widget `{name}`; `blinkline widgets` lists them")
            }
            LayoutError::Option(err) => err.fmt(f),
            LayoutError::TooMany { count } => write!(
                f,
                "{count} widgets in one layout; at most {} are supported",
                crate::engine::frame::MAX_WIDGETS
            ),
        }
    }
}

impl std::error::Error for LayoutError {}

/// The registered widget name of `id`: `text` for `text#left`.
pub fn base_name(id: &str) -> &str {
    id.split_once('#').map_or(id, |(base, _)| base)
}

/// Why `id` cannot name a widget instance (`NAME#INSTANCE`, the instance made of ASCII
/// letters, digits, `-` and `_`); `None` when it can (or has no instance part).
pub fn instance_problem(id: &str) -> Option<String> {
    let (_, instance) = id.split_once('#')?;
    let valid = !instance.is_empty()
        && instance
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (!valid).then(|| {
        format!(
            "`{id}`: an instance name after `#` is letters, digits, `-` and `_`, like `text#left`"
        )
    })
}

impl WidgetSpec {
    /// A widget by name or `NAME#INSTANCE`.
    pub fn new(id: &str, priority: u8) -> Self {
        let name = base_name(id);
        WidgetSpec {
            name: name.to_owned(),
            id: id.to_owned(),
            options: Options::new(name),
            placement: Placement {
                line: 0,
                right: false,
                priority,
                keep_stale: true,
            },
            budget: DEFAULT_BUDGET,
        }
    }
}

impl LayoutSpec {
    /// The variables the `env` widgets of the layout read, for [`Environment::with_vars`].
    ///
    /// [`Environment::with_vars`]: crate::input::env::Environment::with_vars
    pub fn env_variables(&self) -> Vec<String> {
        let env_widgets = self
            .widgets
            .iter()
            .filter(|w| w.name == widgets::env::INFO.name);
        env_widgets
            .filter_map(|w| widgets::env::variable_name(&w.options).ok())
            .collect()
    }

    /// The built-in default line.
    pub fn default_line() -> Self {
        LayoutSpec {
            widgets: DEFAULT_LINE
                .iter()
                .map(|&(name, prio)| WidgetSpec::new(name, prio))
                .collect(),
        }
    }

    /// A layout from a comma-separated list (`model,context,cost`); `;` starts a new line
    /// and `|` moves the rest of the line to the right-aligned group. Earlier widgets get
    /// higher priority.
    pub fn from_list(list: &str) -> Self {
        let mut widgets = Vec::new();
        for (line, text) in list.split(';').enumerate() {
            for (group, part) in text.splitn(2, '|').enumerate() {
                for name in part.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let priority = 200u8.saturating_sub(widgets.len() as u8);
                    let mut spec = WidgetSpec::new(name, priority);
                    spec.placement.line = line.min(u8::MAX as usize) as u8;
                    spec.placement.right = group == 1;
                    widgets.push(spec);
                }
            }
        }
        LayoutSpec { widgets }
    }

    /// Sets option `key` of every widget called `widget`, or of the one instance
    /// `widget` names when it is `NAME#INSTANCE`.
    pub fn set_option(
        &mut self,
        widget: &str,
        key: &str,
        value: widgets::options::OptionValue,
    ) -> bool {
        let mut found = false;
        let instance = widget.contains('#');
        for spec in self.widgets.iter_mut().filter(|w| {
            if instance {
                w.id == widget
            } else {
                w.name == widget
            }
        }) {
            spec.options.set(key, value.clone());
            found = true;
        }
        found
    }
}

/// Validates a spec and builds its widgets.
pub fn build(spec: &LayoutSpec) -> Result<Vec<LayoutEntry>, LayoutError> {
    if spec.widgets.len() > crate::engine::frame::MAX_WIDGETS {
        return Err(LayoutError::TooMany {
            count: spec.widgets.len(),
        });
    }
    spec.widgets
        .iter()
        .map(|w| {
            let info = widgets::find(&w.name)
                .filter(|_| instance_problem(&w.id).is_none())
                .ok_or_else(|| LayoutError::UnknownWidget {
                    name: w.id.clone(),
                    hint: widgets::closest(&w.name),
                })?;
            let widget = (info.build)(&w.options).map_err(LayoutError::Option)?;
            let style = WidgetStyle::parse(info, &w.options).map_err(LayoutError::Option)?;
            Ok(LayoutEntry {
                name: info.name,
                id: w.id.clone(),
                widget,
                placement: w.placement,
                budget: w.budget,
                icon: style.icon.clone().unwrap_or_default(),
                style,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_line_builds() {
        let entries = build(&LayoutSpec::default_line()).unwrap();
        assert_eq!(entries.len(), DEFAULT_LINE.len());
    }

    #[test]
    fn list_syntax_places_lines_and_right_groups() {
        let spec = LayoutSpec::from_list("model,context|time;cwd");
        let placed: Vec<_> = spec
            .widgets
            .iter()
            .map(|w| (w.name.as_str(), w.placement.line, w.placement.right))
            .collect();
        assert_eq!(
            placed,
            [
                ("model", 0, false),
                ("context", 0, false),
                ("time", 0, true),
                ("cwd", 1, false)
            ]
        );
        assert!(spec.widgets[0].placement.priority > spec.widgets[1].placement.priority);
    }

    #[test]
    fn unknown_widget_gets_a_hint() {
        let err = build(&LayoutSpec::from_list("modle")).err().unwrap();
        assert_eq!(
            err.to_string(),
            "unknown widget `modle` (did you mean `model`?); `blinkline widgets` lists them"
        );
    }
}
