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
        if i > 0 && (digits.len() - i) % 3 == 0 {
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

/// The report as a table at most `width` columns wide.
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
    // Columns by priority: the widest set that fits is used.
    let all: [(&str, fn(&Sums) -> u64); 5] = [
        ("Input", |s| s.tokens.input),
        ("Output", |s| s.tokens.output),
        ("Cache create", |s| s.tokens.cache_write()),
        ("Cache read", |s| s.tokens.cache_read),
        ("Total tokens", |s| s.tokens.total()),
    ];
    let mut lines: Vec<(String, Vec<String>, String)> = Vec::new();
    let label_of = |r: &Row| -> String {
        let mut l = clean(&r.label);
        if let Some(p) = &r.project {
            l = format!("{l} ({})", clean(p));
        }
        if let Some(b) = r.block
            && b.active
        {
            let left = (b.end_ms - now_ms).clamp(0, BLOCK_MS) / 60_000;
            l.push_str(&format!(" ACTIVE {}h{:02}m left", left / 60, left % 60));
        }
        l
    };
    for r in rows {
        let nums = all.iter().map(|(_, f)| locale.count(f(&r.total))).collect();
        lines.push((label_of(r), nums, locale.dollars(r.cost)));
        if breakdown {
            for (name, s, c) in &r.models {
                let nums = all.iter().map(|(_, f)| locale.count(f(s))).collect();
                lines.push((
                    format!("  \u{2514} {}", model_label(name)),
                    nums,
                    locale.dollars(*c),
                ));
            }
        }
    }
    let (total, cost) = totals(rows);
    let total_nums: Vec<String> = all.iter().map(|(_, f)| locale.count(f(&total))).collect();
    let total_line = ("Total".to_owned(), total_nums, locale.dollars(cost));
    let rules = crate::width::WidthRules::default();
    let w = |s: &str| rules.width(s);
    let widest = |col: usize| {
        lines
            .iter()
            .chain(std::iter::once(&total_line))
            .map(|l| w(&l.1[col]))
            .chain(std::iter::once(w(all[col].0)))
            .max()
            .unwrap_or(0)
    };
    let label_w = lines
        .iter()
        .chain(std::iter::once(&total_line))
        .map(|l| w(&l.0))
        .chain(std::iter::once(w(first)))
        .max()
        .unwrap_or(0);
    let cost_w = lines
        .iter()
        .chain(std::iter::once(&total_line))
        .map(|l| w(&l.2))
        .chain(std::iter::once(4))
        .max()
        .unwrap_or(4);
    // Narrow: drop cache columns and the total first, then output.
    let orders: [&[usize]; 4] = [&[0, 1, 2, 3, 4], &[0, 1, 4], &[0, 1], &[0]];
    let cols = orders
        .iter()
        .find(|cols| {
            label_w + cost_w + 2 + cols.iter().map(|&c| widest(c) + 2).sum::<usize>() <= width
        })
        .copied()
        .unwrap_or(&[]);
    let mut out = String::new();
    let mut emit = |label: &str, nums: &[String], cost: &str| {
        out.push_str(label);
        out.push_str(&" ".repeat(label_w - w(label)));
        for &c in cols {
            let n = &nums[c];
            out.push_str(&" ".repeat(widest(c) + 2 - w(n)));
            out.push_str(n);
        }
        out.push_str(&" ".repeat(cost_w + 2 - w(cost)));
        out.push_str(cost);
        out.push('\n');
    };
    let header: Vec<String> = all.iter().map(|(h, _)| (*h).to_owned()).collect();
    emit(first, &header, "Cost");
    let rule_w = label_w + cost_w + 2 + cols.iter().map(|&c| widest(c) + 2).sum::<usize>();
    let rule = "\u{2500}".repeat(rule_w);
    let mut text = String::new();
    for (label, nums, cost) in &lines {
        emit(label, nums, cost);
    }
    text.push_str(&rule);
    drop(emit);
    let mut body = out;
    // Header, rule, rows, rule, total.
    let header_end = body.find('\n').map_or(0, |i| i + 1);
    body.insert_str(header_end, &format!("{rule}\n"));
    body.push_str(&text);
    body.push('\n');
    let mut last = String::new();
    let (l, n, c) = &total_line;
    last.push_str(l);
    last.push_str(&" ".repeat(label_w - w(l)));
    for &col in cols {
        last.push_str(&" ".repeat(widest(col) + 2 - w(&n[col])));
        last.push_str(&n[col]);
    }
    last.push_str(&" ".repeat(cost_w + 2 - w(c)));
    last.push_str(c);
    body.push_str(&last);
    body.push('\n');
    body
}
