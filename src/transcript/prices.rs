//! Token prices, for costs computed from transcript tokens (the 5-hour block, per-model
//! splits). The payload's own `cost.total_cost_usd` stays the session cost everywhere else.
//!
//! The table ships as data (`prices.json`, versioned, in USD per million tokens) and is
//! parsed only by widgets that show a computed cost. A user table given with a widget's
//! `prices` option (a JSON file of the same shape) is tried before the built-in one, so it
//! can add models or override prices. The first entry whose `prefix` starts the model id
//! wins: more specific prefixes go first.

use serde::Deserialize;

use crate::transcript::state::Tokens;

/// The built-in table.
pub const BUILTIN: &str = include_str!("prices.json");

/// One model family's prices, USD per million tokens.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub prefix: String,
    pub input: f64,
    pub output: f64,
    pub cache_write_5m: f64,
    pub cache_write_1h: f64,
    pub cache_read: f64,
}

#[derive(Deserialize)]
struct Table {
    version: String,
    #[serde(default)]
    #[allow(dead_code)]
    unit: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    models: Vec<Price>,
}

/// A price table: user entries first, then the built-in ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Prices {
    /// `builtin-VERSION`, or `USER-VERSION+builtin-VERSION`.
    pub version: String,
    entries: Vec<Price>,
}

/// Why a price table cannot be used; each names the file (`origin`) and the fix.
#[derive(Debug)]
pub enum PriceError {
    /// The file cannot be read.
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    /// The file is not a price table.
    Json {
        origin: String,
        source: serde_json::Error,
    },
    /// An entry with an empty prefix or a negative or infinite price.
    Entry { origin: String, prefix: String },
}

impl std::fmt::Display for PriceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PriceError::Unreadable { path, source } => write!(
                f,
                "price table {path}: {source}; give the path of a JSON file"
            ),
            PriceError::Json { origin, source } => write!(
                f,
                "price table {origin}: {source}; expected {{\"version\": \"…\", \"models\": [{{\"prefix\": \"claude-…\", \"input\": 5.0, \"output\": 25.0, \"cache_write_5m\": 6.25, \"cache_write_1h\": 10.0, \"cache_read\": 0.5}}]}}"
            ),
            PriceError::Entry { origin, prefix } => write!(
                f,
                "price table {origin}: entry `{prefix}` needs a non-empty prefix and prices of 0 or more"
            ),
        }
    }
}

impl std::error::Error for PriceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PriceError::Unreadable { source, .. } => Some(source),
            PriceError::Json { source, .. } => Some(source),
            PriceError::Entry { .. } => None,
        }
    }
}

fn parse(text: &str, origin: &str) -> Result<Table, PriceError> {
    let table: Table = serde_json::from_str(text).map_err(|source| PriceError::Json {
        origin: origin.to_owned(),
        source,
    })?;
    for p in &table.models {
        let values = [
            p.input,
            p.output,
            p.cache_write_5m,
            p.cache_write_1h,
            p.cache_read,
        ];
        if p.prefix.is_empty() || values.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(PriceError::Entry {
                origin: origin.to_owned(),
                prefix: p.prefix.clone(),
            });
        }
    }
    Ok(table)
}

impl Prices {
    /// The built-in table.
    pub fn builtin() -> Prices {
        match parse(BUILTIN, "built-in") {
            Ok(t) => Prices {
                version: format!("builtin-{}", t.version),
                entries: t.models,
            },
            Err(_) => Prices {
                version: "none".into(),
                entries: Vec::new(),
            },
        }
    }

    /// The built-in table with the user's table (the JSON text of file `origin`) in front.
    pub fn with_user(text: &str, origin: &str) -> Result<Prices, PriceError> {
        let user = parse(text, origin)?;
        let builtin = Prices::builtin();
        let mut entries = user.models;
        entries.extend(builtin.entries);
        Ok(Prices {
            version: format!("{}+{}", user.version, builtin.version),
            entries,
        })
    }

    /// Loads the user table at `path` over the built-in one.
    pub fn from_file(path: &str) -> Result<Prices, PriceError> {
        let text = std::fs::read_to_string(path).map_err(|source| PriceError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        Prices::with_user(&text, path)
    }

    /// The prices of `model` (an id like `claude-opus-4-6[1m]` or `claude-sonnet-4-5-2025…`).
    pub fn find(&self, model: &str) -> Option<&Price> {
        self.entries
            .iter()
            .find(|p| model.starts_with(p.prefix.as_str()))
    }

    /// The cost of `tokens` on `model`; `None` when the model has no price.
    pub fn cost(&self, model: &str, tokens: &Tokens) -> Option<f64> {
        let p = self.find(model)?;
        let micro = tokens.input as f64 * p.input
            + tokens.output as f64 * p.output
            + tokens.cache_write_5m as f64 * p.cache_write_5m
            + tokens.cache_write_1h as f64 * p.cache_write_1h
            + tokens.cache_read as f64 * p.cache_read;
        Some(micro / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_table_parses_and_prices_opus() {
        let prices = Prices::builtin();
        assert!(prices.version.starts_with("builtin-2026"));
        let t = Tokens {
            input: 1_000_000,
            output: 1_000_000,
            ..Tokens::default()
        };
        assert_eq!(prices.cost("claude-opus-4-6[1m]", &t), Some(30.0));
        assert_eq!(prices.cost("claude-opus-4-1-20250805", &t), Some(90.0));
        assert_eq!(prices.cost("gpt-5", &t), None);
    }

    #[test]
    fn a_user_table_overrides_the_builtin_one() {
        let user = r#"{"version":"mine-1","models":[{"prefix":"claude-opus-4-6","input":1,"output":2,"cache_write_5m":0,"cache_write_1h":0,"cache_read":0}]}"#;
        let prices = Prices::with_user(user, "my.json").unwrap();
        let t = Tokens {
            input: 1_000_000,
            output: 1_000_000,
            ..Tokens::default()
        };
        assert_eq!(prices.cost("claude-opus-4-6", &t), Some(3.0));
        assert_eq!(prices.cost("claude-sonnet-4-5", &t), Some(18.0));
        assert!(prices.version.starts_with("mine-1+builtin-"));
    }

    #[test]
    fn a_bad_user_table_names_the_file_and_the_fix() {
        let err = Prices::with_user(r#"{"version":"x","models":[{"prefix":""}]}"#, "p.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("price table p.json: missing field"),
            "{err}"
        );
        let err = Prices::with_user(
            r#"{"version":"x","models":[{"prefix":"","input":1,"output":2,"cache_write_5m":0,"cache_write_1h":0,"cache_read":0}]}"#,
            "p.json",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "price table p.json: entry `` needs a non-empty prefix and prices of 0 or more"
        );
    }
}
