//! Typed per-widget options.
//!
//! Options come from the config file (`[widget.NAME]` tables) or the command line
//! (`--set NAME.KEY=VALUE`) and are validated once, when the layout is built: a widget
//! stores typed values and never looks an option up while rendering.
//!
//! Each widget declares its options once, with [`widget_options!`]: one struct whose fields
//! carry the key, the kind of value ([`OptionKind`]: `bool`, [`Text`], [`Percent`],
//! [`Int`], an [`option_enum!`] …), the default and the documentation. The declaration
//! gives the typed struct, its parser (`parse`), and the [`OptionSpec`] list that config
//! checking, did-you-mean, `blinkline widgets` and docs/widgets.md read. Next:
//! `src/widgets/context.rs` for a widget that uses them.

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

    /// Whether `key` was given.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
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
    pub fn check_known<K: OptionKey>(&self, known: &[K]) -> Result<(), OptionError> {
        let keys = || known.iter().map(OptionKey::key);
        for (key, _) in &self.entries {
            // Style keys (`fg`, `format`, …) are read by `widgets::style`, not the widget.
            let style = crate::widgets::style::STYLE_SPECS
                .iter()
                .any(|s| s.key == key);
            if !keys().any(|k| k == key) && !style {
                let hint = crate::util::closest(key, keys())
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                let list = if known.is_empty() {
                    "none".to_owned()
                } else {
                    keys().collect::<Vec<_>>().join(", ")
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
        let table: Vec<(&str, &'c str)> = choices.iter().map(|c| (*c, *c)).collect();
        self.pick(key, default, &table)
    }

    /// The value named by a string from `table` (name, value); an unknown name is an
    /// error listing the names.
    pub fn pick<T: Copy>(
        &self,
        key: &str,
        default: T,
        table: &[(&str, T)],
    ) -> Result<T, OptionError> {
        let names = || table.iter().map(|(name, _)| *name);
        let list = || names().collect::<Vec<_>>().join(", ");
        match self.get(key) {
            None => Ok(default),
            Some(OptionValue::Str(s)) => table
                .iter()
                .find(|(name, _)| name == s)
                .map(|(_, value)| *value)
                .ok_or_else(|| {
                    let hint = crate::util::closest(s, names())
                        .map(|k| format!(" (did you mean \"{k}\"?)"))
                        .unwrap_or_default();
                    self.error(key, format!("must be one of {}, got \"{s}\"{hint}", list()))
                }),
            Some(other) => Err(self.error(key, format!("must be one of {}, got {other}", list()))),
        }
    }

    /// An error about `key` with `message`, for checks a widget makes beyond the kind.
    pub fn invalid(&self, key: &str, message: String) -> OptionError {
        self.error(key, message)
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

/// What a key list is made of: plain keys or declared [`OptionSpec`]s.
pub trait OptionKey {
    fn key(&self) -> &str;
}

impl OptionKey for &str {
    fn key(&self) -> &str {
        self
    }
}

impl OptionKey for OptionSpec {
    fn key(&self) -> &str {
        self.key
    }
}

/// One declared option: what config checking, did-you-mean, `blinkline widgets` and the
/// widget reference know of it. Made by [`widget_options!`].
pub struct OptionSpec {
    pub key: &'static str,
    /// The kind of value in words: `bool`, `percent`, `whole number 0–40`, `one of …`.
    pub kind: fn() -> String,
    /// The default as written in a config file.
    pub default: fn() -> String,
    /// The field's doc comment, lines joined.
    pub doc: &'static str,
}

impl OptionSpec {
    /// The default as written in a config file; `None` for a required option.
    pub fn default_value(&self) -> Option<String> {
        Some((self.default)()).filter(|d| !d.is_empty())
    }

    /// The doc comment as one line.
    pub fn doc_line(&self) -> String {
        self.doc.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// The options table of a widget's reference section, from its declaration.
pub fn markdown_table(specs: &[OptionSpec]) -> String {
    if specs.is_empty() {
        return "No options.\n".to_owned();
    }
    let mut out = String::from("| option | type | default | meaning |\n|---|---|---|---|\n");
    for spec in specs {
        let cell = |text: String| text.replace('|', "\\|");
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            spec.key,
            cell((spec.kind)()),
            cell(
                spec.default_value()
                    .map_or("required".into(), |d| format!("`{d}`"))
            ),
            cell(spec.doc_line())
        ));
    }
    out
}

/// A kind of option value: how it is read from [`Options`] and described.
pub trait OptionKind {
    /// What the widget stores.
    type Value;
    /// The kind in words, for the docs and `blinkline widgets`.
    fn describe() -> String;
    /// Reads `key`, `default` when absent; the error names the expected form.
    fn read(options: &Options, key: &str, default: Self::Value)
    -> Result<Self::Value, OptionError>;
    /// A value as written in a config file; empty for a required option.
    fn show(value: &Self::Value) -> String;
}

impl OptionKind for bool {
    type Value = bool;
    fn describe() -> String {
        "bool".into()
    }
    fn read(options: &Options, key: &str, default: bool) -> Result<bool, OptionError> {
        options.bool(key, default)
    }
    fn show(value: &bool) -> String {
        value.to_string()
    }
}

/// `ms` as a config duration: `"5m"`, `"2s"`, `"100ms"`.
pub fn show_millis(ms: u64) -> String {
    if ms > 0 && ms.is_multiple_of(60_000) {
        format!("\"{}m\"", ms / 60_000)
    } else if ms > 0 && ms.is_multiple_of(1000) {
        format!("\"{}s\"", ms / 1000)
    } else {
        format!("\"{ms}ms\"")
    }
}

/// Any string.
pub struct Text;

impl OptionKind for Text {
    type Value = String;
    fn describe() -> String {
        "string".into()
    }
    fn read(options: &Options, key: &str, default: String) -> Result<String, OptionError> {
        options.string(key, &default)
    }
    fn show(value: &String) -> String {
        format!("{value:?}")
    }
}

/// A percentage, 0–100; `"80%"` strings are accepted too.
pub struct Percent;

impl OptionKind for Percent {
    type Value = f64;
    fn describe() -> String {
        "percent".into()
    }
    fn read(options: &Options, key: &str, default: f64) -> Result<f64, OptionError> {
        options.percent(key, default)
    }
    fn show(value: &f64) -> String {
        value.to_string()
    }
}

/// A dollar amount; `"$5"` strings are accepted too.
pub struct Dollars;

impl OptionKind for Dollars {
    type Value = f64;
    fn describe() -> String {
        "dollars".into()
    }
    fn read(options: &Options, key: &str, default: f64) -> Result<f64, OptionError> {
        options.dollars(key, default)
    }
    fn show(value: &f64) -> String {
        value.to_string()
    }
}

/// A number within `MIN..=MAX`.
pub struct Number<const MIN: i64, const MAX: i64>;

impl<const MIN: i64, const MAX: i64> OptionKind for Number<MIN, MAX> {
    type Value = f64;
    fn describe() -> String {
        format!("number {MIN}–{MAX}")
    }
    fn read(options: &Options, key: &str, default: f64) -> Result<f64, OptionError> {
        options.number_in(key, default, MIN as f64, MAX as f64)
    }
    fn show(value: &f64) -> String {
        value.to_string()
    }
}

/// A whole number within `MIN..=MAX`.
pub struct Int<const MIN: i64, const MAX: i64>;

impl<const MIN: i64, const MAX: i64> OptionKind for Int<MIN, MAX> {
    type Value = i64;
    fn describe() -> String {
        format!("whole number {MIN}–{MAX}")
    }
    fn read(options: &Options, key: &str, default: i64) -> Result<i64, OptionError> {
        options.integer(key, default, MIN, MAX)
    }
    fn show(value: &i64) -> String {
        value.to_string()
    }
}

/// Declares a widget's options once: the struct (each field's doc comment is its
/// documentation), `parse` (unknown keys rejected with a did-you-mean, then each field read
/// in declaration order) and `SPECS`.
///
/// ```ignore
/// widget_options! {
///     pub struct CostOptions {
///         /// Dollars at which the cost turns to the warn tone.
///         warn: Dollars = 5.0,
///     }
/// }
/// ```
macro_rules! widget_options {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident $(<const $g:ident: $gt:ty>)? {
            $(
                $(#[doc = $doc:literal])*
                $key:ident: $kind:ty = $default:expr
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name $(<const $g: $gt>)? {
            $(
                $(#[doc = $doc])*
                pub $key: <$kind as $crate::widgets::options::OptionKind>::Value,
            )*
        }

        impl $(<const $g: $gt>)? $name $(<$g>)? {
            /// The declared options, in order.
            pub const SPECS: &'static [$crate::widgets::options::OptionSpec] = &[$(
                $crate::widgets::options::OptionSpec {
                    key: stringify!($key),
                    kind: <$kind as $crate::widgets::options::OptionKind>::describe,
                    default: || {
                        <$kind as $crate::widgets::options::OptionKind>::show(
                            &::core::convert::Into::into($default),
                        )
                    },
                    doc: concat!($($doc, "\n"),*),
                },
            )*];

            /// Reads the options, rejecting unknown keys and values of the wrong form.
            pub fn parse(
                options: &$crate::widgets::options::Options,
            ) -> Result<Self, $crate::widgets::options::OptionError> {
                options.check_known(Self::SPECS)?;
                Ok(Self {
                    $(
                        $key: <$kind as $crate::widgets::options::OptionKind>::read(
                            options,
                            stringify!($key),
                            ::core::convert::Into::into($default),
                        )?,
                    )*
                })
            }
        }
    };
}
pub(crate) use widget_options;

/// Declares an enum chosen by name, with its name table and [`OptionKind`]: an unknown name
/// is an error listing the names, with a did-you-mean.
macro_rules! option_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Each value with the name that chooses it.
            pub const CHOICES: &'static [(&'static str, $name)] = &[$(($text, $name::$variant)),*];

            /// The name that chooses this value.
            pub fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )*
                }
            }
        }

        impl $crate::widgets::options::OptionKind for $name {
            type Value = $name;
            fn describe() -> String {
                let names: Vec<&str> = Self::CHOICES.iter().map(|(n, _)| *n).collect();
                format!("one of {}", names.join(", "))
            }
            fn read(
                options: &$crate::widgets::options::Options,
                key: &str,
                default: $name,
            ) -> Result<$name, $crate::widgets::options::OptionError> {
                options.pick(key, default, Self::CHOICES)
            }
            fn show(value: &$name) -> String {
                format!("{:?}", value.name())
            }
        }
    };
}
pub(crate) use option_enum;

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

    option_enum! {
        enum Shape {
            Round = "round",
            Square = "square",
        }
    }

    widget_options! {
        struct SampleOptions {
            /// The shape
            /// drawn.
            shape: Shape = Shape::Round,
            /// Cells.
            width: Int<0, 40> = 10,
            /// Percent.
            warn: Percent = 70.0,
            /// Label.
            label: Text = "x",
        }
    }

    #[test]
    fn declared_options_take_their_defaults_when_absent() {
        let o = SampleOptions::parse(&Options::new("w")).unwrap();
        assert_eq!(
            (o.shape, o.width, o.warn, o.label.as_str()),
            (Shape::Round, 10, 70.0, "x")
        );
    }

    #[test]
    fn declared_options_read_each_kind() {
        let options = Options::new("w")
            .with("shape", OptionValue::Str("square".into()))
            .with("width", OptionValue::Int(3))
            .with("warn", OptionValue::Str("85%".into()))
            .with("label", OptionValue::Str("y".into()));
        let o = SampleOptions::parse(&options).unwrap();
        assert_eq!(
            (o.shape, o.width, o.warn, o.label.as_str()),
            (Shape::Square, 3, 85.0, "y")
        );
    }

    #[test]
    fn an_unknown_enum_name_lists_the_choices() {
        let bad = Options::new("w").with("shape", OptionValue::Str("sqare".into()));
        assert_eq!(
            SampleOptions::parse(&bad)
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some(
                "widget `w` option `shape`: must be one of round, square, got \"sqare\" (did you mean \"square\"?)"
            )
        );
        let number = Options::new("w").with("shape", OptionValue::Int(2));
        assert_eq!(
            SampleOptions::parse(&number)
                .err()
                .map(|e| e.message)
                .as_deref(),
            Some("must be one of round, square, got 2")
        );
    }

    #[test]
    fn unknown_keys_are_rejected_before_any_value_is_read() {
        let options = Options::new("w")
            .with("width", OptionValue::Int(99))
            .with("shpe", OptionValue::Str("round".into()));
        assert_eq!(
            SampleOptions::parse(&options)
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some(
                "widget `w` option `shpe`: unknown option (did you mean `shape`?); known: shape, width, warn, label"
            )
        );
    }

    #[test]
    fn values_are_read_in_declaration_order() {
        let options = Options::new("w")
            .with("label", OptionValue::Int(1))
            .with("width", OptionValue::Int(99));
        assert_eq!(
            SampleOptions::parse(&options)
                .err()
                .map(|e| e.key)
                .as_deref(),
            Some("width")
        );
    }

    #[test]
    fn specs_describe_kind_default_and_doc() {
        let described: Vec<(&str, String, Option<String>, String)> = SampleOptions::SPECS
            .iter()
            .map(|s| (s.key, (s.kind)(), s.default_value(), s.doc_line()))
            .collect();
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            described,
            [
                (
                    "shape",
                    "one of round, square".into(),
                    some("\"round\""),
                    "The shape drawn.".into()
                ),
                (
                    "width",
                    "whole number 0–40".into(),
                    some("10"),
                    "Cells.".into()
                ),
                ("warn", "percent".into(), some("70"), "Percent.".into()),
                ("label", "string".into(), some("\"x\""), "Label.".into()),
            ]
        );
    }

    #[test]
    fn the_markdown_table_escapes_pipes_and_marks_required_options() {
        let specs = [OptionSpec {
            key: "command",
            kind: || "list | string".into(),
            default: String::new,
            doc: " Runs a | b.\n",
        }];
        assert_eq!(
            markdown_table(&specs),
            "| option | type | default | meaning |\n|---|---|---|---|\n\
             | `command` | list \\| string | required | Runs a \\| b. |\n"
        );
        assert_eq!(markdown_table(&[]), "No options.\n");
    }

    #[test]
    fn durations_are_shown_in_their_largest_whole_unit() {
        assert_eq!(show_millis(300_000), "\"5m\"");
        assert_eq!(show_millis(2000), "\"2s\"");
        assert_eq!(show_millis(100), "\"100ms\"");
        assert_eq!(show_millis(0), "\"0ms\"");
    }
}
