//! Typed per-widget options.
//!
//! Options come from the config file (`[widget.NAME]` tables) or the command line
//! (`--set NAME.KEY=VALUE`) and are validated once, when the layout is built: a widget
//! stores typed values and never looks an option up while rendering.

use std::fmt;

/// One option value, as written by the user.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A list of strings (a command's argv).
    List(Vec<String>),
}

impl fmt::Display for OptionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionValue::Bool(b) => write!(f, "{b}"),
            OptionValue::Int(i) => write!(f, "{i}"),
            OptionValue::Float(x) => write!(f, "{x}"),
            OptionValue::Str(s) => write!(f, "\"{s}\""),
            OptionValue::List(items) => write!(f, "{items:?}"),
        }
    }
}

impl OptionValue {
    /// Parses a command-line value: `true`/`false`, a number, or else a string.
    pub fn parse_cli(text: &str) -> Self {
        match text {
            "true" => OptionValue::Bool(true),
            "false" => OptionValue::Bool(false),
            _ => text
                .parse::<i64>()
                .map(OptionValue::Int)
                .or_else(|_| text.parse::<f64>().map(OptionValue::Float))
                .unwrap_or_else(|_| OptionValue::Str(text.to_owned())),
        }
    }
}

/// A widget option that could not be used.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionError {
    pub widget: String,
    pub key: String,
    pub message: String,
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "widget `{}` option `{}`: {}",
            self.widget, self.key, self.message
        )
    }
}

impl std::error::Error for OptionError {}

/// The options given to one widget.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    pub widget: String,
    pub entries: Vec<(String, OptionValue)>,
}

impl Options {
    pub fn new(widget: &str) -> Self {
        Options {
            widget: widget.to_owned(),
            entries: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: OptionValue) -> Self {
        self.set(key, value);
        self
    }

    /// Sets `key`, replacing an earlier value.
    pub fn set(&mut self, key: &str, value: OptionValue) {
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key.to_owned(), value)),
        }
    }

    fn get(&self, key: &str) -> Option<&OptionValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn error(&self, key: &str, message: String) -> OptionError {
        OptionError {
            widget: self.widget.clone(),
            key: key.to_owned(),
            message,
        }
    }

    /// Rejects keys the widget does not know, suggesting the closest known one.
    pub fn check_known(&self, known: &[&str]) -> Result<(), OptionError> {
        for (key, _) in &self.entries {
            if !known.contains(&key.as_str()) {
                let hint = crate::util::closest(key, known.iter().copied())
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                let list = if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                };
                return Err(self.error(key, format!("unknown option{hint}; known: {list}")));
            }
        }
        Ok(())
    }

    pub fn bool(&self, key: &str, default: bool) -> Result<bool, OptionError> {
        match self.get(key) {
            None => Ok(default),
            Some(OptionValue::Bool(b)) => Ok(*b),
            Some(other) => Err(self.error(key, format!("must be true or false, got {other}"))),
        }
    }

    pub fn number(&self, key: &str, default: f64) -> Result<f64, OptionError> {
        match self.get(key) {
            None => Ok(default),
            Some(OptionValue::Int(i)) => Ok(*i as f64),
            Some(OptionValue::Float(x)) if x.is_finite() => Ok(*x),
            Some(other) => Err(self.error(key, format!("must be a number, got {other}"))),
        }
    }

    /// A number within `min..=max`.
    pub fn number_in(
        &self,
        key: &str,
        default: f64,
        min: f64,
        max: f64,
    ) -> Result<f64, OptionError> {
        let value = self.number(key, default)?;
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(self.error(key, format!("must be between {min} and {max}, got {value}")))
        }
    }

    /// A percentage (0–100); `"80%"` strings are accepted too.
    pub fn percent(&self, key: &str, default: f64) -> Result<f64, OptionError> {
        if let Some(OptionValue::Str(s)) = self.get(key) {
            let parsed = s.trim().trim_end_matches('%').trim().parse::<f64>();
            return match parsed {
                Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
                _ => Err(self.error(
                    key,
                    format!("must be a percentage like \"80%\", got \"{s}\""),
                )),
            };
        }
        self.number_in(key, default, 0.0, 100.0)
    }

    /// A dollar amount; `"$5"` strings are accepted too.
    pub fn dollars(&self, key: &str, default: f64) -> Result<f64, OptionError> {
        if let Some(OptionValue::Str(s)) = self.get(key) {
            return match s.trim().trim_start_matches('$').parse::<f64>() {
                Ok(d) if d >= 0.0 && d.is_finite() => Ok(d),
                _ => Err(self.error(key, format!("must be an amount like \"$5\", got \"{s}\""))),
            };
        }
        self.number_in(key, default, 0.0, f64::MAX)
    }

    /// A whole number within `min..=max`.
    pub fn integer(&self, key: &str, default: i64, min: i64, max: i64) -> Result<i64, OptionError> {
        match self.get(key) {
            None => Ok(default),
            Some(OptionValue::Int(i)) if (min..=max).contains(i) => Ok(*i),
            Some(other) => Err(self.error(
                key,
                format!("must be a whole number from {min} to {max}, got {other}"),
            )),
        }
    }

    /// A string from a fixed set of choices.
    pub fn choice<'c>(
        &self,
        key: &str,
        default: &'c str,
        choices: &[&'c str],
    ) -> Result<&'c str, OptionError> {
        match self.get(key) {
            None => Ok(default),
            Some(OptionValue::Str(s)) => {
                choices.iter().copied().find(|c| c == s).ok_or_else(|| {
                    let hint = crate::util::closest(s, choices.iter().copied())
                        .map(|k| format!(" (did you mean \"{k}\"?)"))
                        .unwrap_or_default();
                    self.error(
                        key,
                        format!("must be one of {}, got \"{s}\"{hint}", choices.join(", ")),
                    )
                })
            }
            Some(other) => Err(self.error(
                key,
                format!("must be one of {}, got {other}", choices.join(", ")),
            )),
        }
    }

    /// A command line: a list is the argv itself; a string runs with `sh -c`. `None` when
    /// the option is absent.
    pub fn argv(&self, key: &str) -> Result<Option<Vec<String>>, OptionError> {
        match self.get(key) {
            None => Ok(None),
            Some(OptionValue::List(items)) if !items.is_empty() && !items[0].is_empty() => {
                Ok(Some(items.clone()))
            }
            Some(OptionValue::Str(s)) if !s.trim().is_empty() => {
                Ok(Some(vec!["sh".into(), "-c".into(), s.clone()]))
            }
            Some(other) => Err(self.error(
                key,
                format!(
                    "must be a command: a list like [\"git\", \"describe\"] or a string run with \
                     `sh -c`, got {other}"
                ),
            )),
        }
    }

    /// Any string.
    pub fn string(&self, key: &str, default: &str) -> Result<String, OptionError> {
        match self.get(key) {
            None => Ok(default.to_owned()),
            Some(OptionValue::Str(s)) => Ok(s.clone()),
            Some(other) => Err(self.error(key, format!("must be a string, got {other}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_option_suggests_the_closest_key() {
        let o = Options::new("context").with("wran", OptionValue::Int(5));
        let err = o.check_known(&["warn", "critical"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "widget `context` option `wran`: unknown option (did you mean `warn`?); known: warn, critical"
        );
    }

    #[test]
    fn percent_accepts_numbers_and_percent_strings() {
        let o = Options::new("w")
            .with("a", OptionValue::Int(70))
            .with("b", OptionValue::Str("85%".into()))
            .with("c", OptionValue::Str("fast".into()));
        assert_eq!(o.percent("a", 0.0), Ok(70.0));
        assert_eq!(o.percent("b", 0.0), Ok(85.0));
        assert_eq!(o.percent("missing", 12.0), Ok(12.0));
        assert_eq!(
            o.percent("c", 0.0).unwrap_err().message,
            "must be a percentage like \"80%\", got \"fast\""
        );
    }

    #[test]
    fn choice_names_the_choices_and_the_nearest() {
        let o = Options::new("cwd").with("style", OptionValue::Str("basenme".into()));
        let err = o
            .choice("style", "basename", &["basename", "full"])
            .unwrap_err();
        assert_eq!(
            err.message,
            "must be one of basename, full, got \"basenme\" (did you mean \"basename\"?)"
        );
    }

    #[test]
    fn cli_values_are_typed() {
        assert_eq!(OptionValue::parse_cli("true"), OptionValue::Bool(true));
        assert_eq!(OptionValue::parse_cli("12"), OptionValue::Int(12));
        assert_eq!(OptionValue::parse_cli("1.5"), OptionValue::Float(1.5));
        assert_eq!(
            OptionValue::parse_cli("full"),
            OptionValue::Str("full".into())
        );
    }
}
