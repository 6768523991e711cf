//! A report as text: a table that fits the width (narrow terminals get fewer columns), or
//! JSON with ccusage's field names, so scripts written for `ccusage claude daily --json`
//! read it unchanged. Every name that comes from a transcript (models, projects, sessions)
//! goes through the sanitizer first.
//!
//! JSON fields, per row: the period's key (`date`, `week`, `month`, `sessionId` with
//! `projectPath`, or for blocks `id`, `startTime`, `endTime`, `actualEndTime`, `isActive`,
//! `remainingMinutes`, `burnRate {tokensPerMinute, costPerHour}`, `projection {totalCost}`),
//! then `inputTokens`, `outputTokens`, `cacheCreationTokens`, `cacheReadTokens`,
//! `totalTokens`, `totalCost`, `calls`, `modelsUsed` and `modelBreakdowns` (`modelName`,
//! the four token counts, `cost`); and `totals` with the same sums.

use serde_json::{Map, Value, json};

use crate::usage::index::Sums;
use crate::usage::report::{BLOCK_MS, Period, Row, format_utc, totals};

fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    crate::sanitize::push_clean(&mut out, s);
    out
}

fn model_label(name: &str) -> String {
    if name.is_empty() {
        "(no model)".to_owned()
    } else {
        clean(name)
    }
}

fn sums_json(m: &mut Map<String, Value>, s: &Sums) {
    let t = &s.tokens;
    m.insert("inputTokens".into(), json!(t.input));
    m.insert("outputTokens".into(), json!(t.output));
    m.insert("cacheCreationTokens".into(), json!(t.cache_write()));
    m.insert("cacheReadTokens".into(), json!(t.cache_read));
    m.insert("totalTokens".into(), json!(t.total()));
}

/// The report as JSON (one object, pretty-printed).
pub fn json(period: Period, rows: &[Row], now_ms: i64) -> String {
    let key = match period {
        Period::Daily => "daily",
        Period::Weekly => "weekly",
        Period::Monthly => "monthly",
        Period::Session => "sessions",
        Period::Blocks => "blocks",
    };
    let items: Vec<Value> = rows.iter().map(|r| row_json(period, r, now_ms)).collect();
    let (total, cost) = totals(rows);
    let mut t = Map::new();
    sums_json(&mut t, &total);
    t.insert("totalCost".into(), json!(cost));
    t.insert("calls".into(), json!(total.calls));
    let mut out = Map::new();
    out.insert(key.into(), Value::Array(items));
    out.insert("totals".into(), Value::Object(t));
    let mut text = serde_json::to_string_pretty(&Value::Object(out)).unwrap_or_default();
    text.push('\n');
    text
}

fn row_json(period: Period, r: &Row, now_ms: i64) -> Value {
    let mut m = Map::new();
    match period {
        Period::Daily => m.insert("date".into(), json!(r.label)),
        Period::Weekly => m.insert("week".into(), json!(r.label)),
        Period::Monthly => m.insert("month".into(), json!(r.label)),
        Period::Session => {
            m.insert(
                "projectPath".into(),
                json!(clean(r.project.as_deref().unwrap_or(""))),
            );
            m.insert("firstActivity".into(), json!(format_utc(r.total.first_ms)));
            m.insert("lastActivity".into(), json!(format_utc(r.total.last_ms)));
            m.insert("sessionId".into(), json!(clean(&r.label)))
        }
        Period::Blocks => {
            let b = r.block.unwrap_or_default();
            m.insert("id".into(), json!(format_utc(b.start_ms)));
            m.insert("startTime".into(), json!(format_utc(b.start_ms)));
            m.insert("endTime".into(), json!(format_utc(b.end_ms)));
            m.insert("actualEndTime".into(), json!(format_utc(r.total.last_ms)));
            m.insert("isActive".into(), json!(b.active));
            if b.active {
                let burn = burn(r);
                m.insert(
                    "remainingMinutes".into(),
                    json!((b.end_ms - now_ms) / 60_000),
                );
                m.insert(
                    "burnRate".into(),
                    burn.map_or(
                        Value::Null,
                        |(tpm, cph)| json!({"tokensPerMinute": tpm, "costPerHour": cph}),
                    ),
                );
                let projected = burn.map_or(r.cost, |(_, cph)| {
                    r.cost + cph * (b.end_ms - now_ms).max(0) as f64 / 3.6e6
                });
                m.insert("projection".into(), json!({"totalCost": projected}));
            }
            None
        }
    };
    sums_json(&mut m, &r.total);
    m.insert("totalCost".into(), json!(r.cost));
    m.insert("calls".into(), json!(r.total.calls));
    let models: Vec<Value> = r
        .models
        .iter()
        .filter(|(n, ..)| !n.is_empty() && n != "<synthetic>")
        .map(|(n, ..)| json!(clean(n)))
        .collect();
    m.insert("modelsUsed".into(), Value::Array(models));
    let breakdown: Vec<Value> = r
        .models
        .iter()
        .filter(|(n, ..)| !n.is_empty())
        .map(|(n, s, c)| {
            let mut b = Map::new();
            b.insert("modelName".into(), json!(clean(n)));
            sums_json(&mut b, s);
            b.remove("totalTokens");
            b.insert("cost".into(), json!(c));
            Value::Object(b)
        })
        .collect();
    m.insert("modelBreakdowns".into(), Value::Array(breakdown));
    Value::Object(m)
}

/// Tokens per minute and dollars per hour since the block's first call.
pub fn burn(r: &Row) -> Option<(f64, f64)> {
    let minutes = (r.total.last_ms - r.total.first_ms) as f64 / 60_000.0;
    (minutes > 0.0).then(|| {
        (
            r.total.tokens.total() as f64 / minutes,
            r.cost / minutes * 60.0,
        )
    })
}

/// `1234567` as `1,234,567` (`sep` between groups of three).
pub fn group(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Number formatting: the thousands separator and the decimal mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locale {
    pub thousands: char,
    pub decimal: char,
}

impl Locale {
    /// `en` (1,234.56), `de` (1.234,56), `fr` (1 234,56), `ch` (1'234.56), `plain`
    /// (1234.56): by language tag (`de-AT`, `fr_FR.UTF-8` work too).
    pub fn parse(tag: &str) -> Option<Locale> {
        let lang = tag
            .split(['-', '_', '.'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let (thousands, decimal) = match lang.as_str() {
            "" | "c" | "posix" | "en" | "ja" | "zh" | "ko" => (',', '.'),
            "de" | "nl" | "it" | "es" | "pt" | "da" | "id" | "tr" => ('.', ','),
            "fr" | "ru" | "pl" | "cs" | "sv" | "fi" | "nb" | "uk" => ('\u{a0}', ','),
            "ch" => ('\'', '.'),
            "plain" => ('\0', '.'),
            _ => return None,
        };
        Some(Locale { thousands, decimal })
    }

    fn count(&self, n: u64) -> String {
        if self.thousands == '\0' {
            n.to_string()
        } else {
            group(n, self.thousands)
        }
    }

    fn dollars(&self, v: f64) -> String {
        let cents = (v * 100.0).round().max(0.0) as u64;
        format!(
            "${}{}{:02}",
            self.count(cents / 100),
            self.decimal,
            cents % 100
        )
    }
}

/// A token column: its header and what it shows of a row's sums.
type Column = (&'static str, fn(&Sums) -> u64);

/// The token columns, in the order shown.
const COLUMNS: [Column; 5] = [
    ("Input", |s| s.tokens.input),
    ("Output", |s| s.tokens.output),
    ("Cache create", |s| s.tokens.cache_write()),
    ("Cache read", |s| s.tokens.cache_read),
    ("Total tokens", |s| s.tokens.total()),
];

/// Which token columns are shown, widest set first: narrow terminals lose the cache
/// columns and the total first, then the output.
const COLUMN_SETS: [&[usize]; 4] = [&[0, 1, 2, 3, 4], &[0, 1, 4], &[0, 1], &[0]];

/// One printed line: the label, every token column, the cost.
struct Line {
    label: String,
    counts: Vec<String>,
    cost: String,
}

/// The report as a table at most `width` columns wide (when even the narrowest set of
/// columns does not fit, the narrowest is printed).
pub fn table(
    period: Period,
    rows: &[Row],
    breakdown: bool,
    width: usize,
    locale: Locale,
    now_ms: i64,
) -> String {
    let first = match period {
        Period::Daily => "Date",
        Period::Weekly => "Week",
        Period::Monthly => "Month",
        Period::Session => "Session",
        Period::Blocks => "Block start",
    };
    let line = |label: String, sums: &Sums, cost: f64| Line {
        label,
        counts: COLUMNS.iter().map(|(_, f)| locale.count(f(sums))).collect(),
        cost: locale.dollars(cost),
    };
    let mut lines = vec![Line {
        label: first.to_owned(),
        counts: COLUMNS.iter().map(|(h, _)| (*h).to_owned()).collect(),
        cost: "Cost".to_owned(),
    }];
    for r in rows {
        lines.push(line(row_label(r, now_ms, locale), &r.total, r.cost));
        if breakdown {
            for (name, s, c) in &r.models {
                lines.push(line(format!("  \u{2514} {}", model_label(name)), s, *c));
            }
        }
    }
    let (total, cost) = totals(rows);
    lines.push(line("Total".to_owned(), &total, cost));
    let rules = crate::width::WidthRules::default();
    let w = |s: &str| rules.width(s);
    let widest = |f: &dyn Fn(&Line) -> usize| lines.iter().map(f).max().unwrap_or(0);
    let label_w = widest(&|l| w(&l.label));
    let cost_w = widest(&|l| w(&l.cost));
    let count_w: Vec<usize> = (0..COLUMNS.len())
        .map(|c| widest(&|l| w(&l.counts[c])))
        .collect();
    let line_w =
        |cols: &[usize]| label_w + cost_w + 2 + cols.iter().map(|&c| count_w[c] + 2).sum::<usize>();
    let cols = COLUMN_SETS
        .iter()
        .find(|cols| line_w(cols) <= width)
        .copied()
        .unwrap_or(COLUMN_SETS[COLUMN_SETS.len() - 1]);
    let rule = "\u{2500}".repeat(line_w(cols));
    let mut out = String::new();
    let last = lines.len() - 1;
    for (i, l) in lines.iter().enumerate() {
        if i == 1 || i == last {
            out.push_str(&rule);
            out.push('\n');
        }
        out.push_str(&l.label);
        out.push_str(&" ".repeat(label_w - w(&l.label)));
        for &c in cols {
            out.push_str(&" ".repeat(count_w[c] + 2 - w(&l.counts[c])));
            out.push_str(&l.counts[c]);
        }
        out.push_str(&" ".repeat(cost_w + 2 - w(&l.cost)));
        out.push_str(&l.cost);
        out.push('\n');
    }
    out
}

/// A row's first column: the period (sanitized), the session's project, and for the active
/// block the time it has left.
fn row_label(r: &Row, now_ms: i64, locale: Locale) -> String {
    let mut label = clean(&r.label);
    if let Some(p) = &r.project {
        label = format!("{label} ({})", clean(p));
    }
    if let Some(b) = r.block
        && b.active
    {
        let left = (b.end_ms - now_ms).clamp(0, BLOCK_MS) / 60_000;
        label.push_str(&format!(" ACTIVE, {}h{:02}m left", left / 60, left % 60));
        if let Some((tpm, cph)) = burn(r) {
            label.push_str(&format!(
                ", {} tok/min, {}/h",
                locale.count(tpm.round() as u64),
                locale.dollars(cph)
            ));
        }
    }
    label
}
