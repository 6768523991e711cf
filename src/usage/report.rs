//! Reports from the index: rows grouped by local day, week, month, session or 5-hour
//! block, each with per-model sums and costs; printed as a table that fits the terminal or
//! as JSON with ccusage's field names.
//!
//! Costs follow a [`Mode`]: `auto` (ccusage's default) takes a line's own `costUSD` when
//! it has one and computes the others from the price table; `calculate` computes every
//! call; `display` shows only the transcripts' `costUSD` (0 for calls without it).
//!
//! Read next: `table.rs`-free formatting lives here too (`render_table`, `render_json`).

use std::collections::BTreeMap;

use crate::transcript::prices::Prices;
use crate::transcript::state::Tokens;
use crate::usage::index::{Index, QUARTER_MS, Sums, add_tokens};

/// How costs are found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Auto,
    Calculate,
    Display,
}

/// What rows group by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Period {
    #[default]
    Daily,
    Weekly,
    Monthly,
    Session,
    Blocks,
}

/// What a report covers and how it prices.
pub struct Query<'a> {
    pub period: Period,
    /// Local days (days since 1970-01-01 in the local zone), inclusive.
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub project: Option<&'a str>,
    pub mode: Mode,
    pub prices: &'a Prices,
    /// The first day of a week: 0 Sunday … 6 Saturday.
    pub week_start: i64,
    pub now_ms: i64,
}

/// One row of a report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    /// The date, week start, month, session id or block start.
    pub label: String,
    /// The session's project (session rows).
    pub project: Option<String>,
    pub total: Sums,
    pub cost: f64,
    /// Per model (names as the transcripts give them, unsanitized), with costs.
    pub models: Vec<(String, Sums, f64)>,
    pub block: Option<BlockInfo>,
}

/// A 5-hour block's times.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BlockInfo {
    pub start_ms: i64,
    pub end_ms: i64,
    pub active: bool,
}

pub const HOUR_MS: i64 = 3_600_000;
pub const BLOCK_MS: i64 = 5 * HOUR_MS;
const DAY_S: i64 = 86_400;

/// The local day of `ms` (days since 1970-01-01, local zone).
pub fn local_day(ms: i64) -> i64 {
    let s = ms.div_euclid(1000);
    (s + crate::sys::time::utc_offset(s)).div_euclid(DAY_S)
}

/// `(year, month, day)` of a day number (Howard Hinnant's civil_from_days).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The day number of a date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn format_day(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYYMMDD` or `YYYY-MM-DD` as a day number; `None` for anything else.
pub fn parse_date(text: &str) -> Option<i64> {
    let digits: String = text.chars().filter(|c| *c != '-').collect();
    let dashed = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if text.len() != 8 && !dashed {
        return None;
    }
    let y: i64 = digits[..4].parse().ok()?;
    let m: u32 = digits[4..6].parse().ok()?;
    let d: u32 = digits[6..].parse().ok()?;
    let days = days_from_civil(y, m, d);
    (civil(days) == (y, m, d)).then_some(days)
}

/// Local `YYYY-MM-DD HH:MM` of `ms`.
pub fn format_local(ms: i64) -> String {
    let s = ms.div_euclid(1000);
    let local = s + crate::sys::time::utc_offset(s);
    let (day, secs) = (local.div_euclid(DAY_S), local.rem_euclid(DAY_S));
    format!(
        "{} {:02}:{:02}",
        format_day(day),
        secs / 3600,
        secs % 3600 / 60
    )
}

/// `2026-11-20T09:00:00.000Z`.
pub fn format_utc(ms: i64) -> String {
    let (day, rest) = (ms.div_euclid(DAY_S * 1000), ms.rem_euclid(DAY_S * 1000));
    let s = rest / 1000;
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        format_day(day),
        s / 3600,
        s % 3600 / 60,
        s % 60,
        rest % 1000
    )
}

/// The cost of `sums` of `model` under `mode`.
pub fn cost(prices: &Prices, mode: Mode, model: &str, sums: &Sums) -> f64 {
    let priced = |t: &Tokens| {
        if model.is_empty() {
            0.0
        } else {
            prices.cost(model, t).unwrap_or(0.0)
        }
    };
    match mode {
        Mode::Calculate => priced(&sums.tokens),
        Mode::Display => sums.cost_usd,
        Mode::Auto => {
            let t = &sums.tokens;
            let c = &sums.costed;
            let uncosted = Tokens {
                input: t.input.saturating_sub(c.input),
                output: t.output.saturating_sub(c.output),
                cache_read: t.cache_read.saturating_sub(c.cache_read),
                cache_write_5m: t.cache_write_5m.saturating_sub(c.cache_write_5m),
                cache_write_1h: t.cache_write_1h.saturating_sub(c.cache_write_1h),
            };
            sums.cost_usd + priced(&uncosted)
        }
    }
}

/// Rows of the report `q` asks for, oldest first.
pub fn rows(index: &Index, q: &Query<'_>) -> Vec<Row> {
    if q.period == Period::Blocks {
        return blocks(index, q);
    }
    let project = q
        .project
        .map(|p| index.projects.iter().position(|n| n == p));
    if project == Some(None) {
        return Vec::new();
    }
    let mut groups: BTreeMap<(i64, u32), BTreeMap<u32, Sums>> = BTreeMap::new();
    // Bucket times are quarter hours: one offset look-up per bucket.
    for (k, s) in &index.buckets {
        let session = &index.sessions[k.session as usize];
        if project.is_some_and(|p| p != Some(session.project as usize)) {
            continue;
        }
        let day = local_day(k.quarter * QUARTER_MS);
        if q.since.is_some_and(|d| day < d) || q.until.is_some_and(|d| day > d) {
            continue;
        }
        let group = match q.period {
            Period::Daily => (day, 0),
            Period::Weekly => {
                let weekday = (day + 4).rem_euclid(7);
                (day - (weekday - q.week_start).rem_euclid(7), 0)
            }
            Period::Monthly => {
                let (y, m, _) = civil(day);
                (y * 12 + i64::from(m) - 1, 0)
            }
            Period::Session | Period::Blocks => (0, k.session),
        };
        groups
            .entry(group)
            .or_default()
            .entry(k.model)
            .or_default()
            .add(s);
    }
    let mut rows: Vec<Row> = groups
        .into_iter()
        .map(|((key, session), models)| {
            let label = match q.period {
                Period::Daily | Period::Weekly => format_day(key),
                Period::Monthly => {
                    format!("{:04}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1)
                }
                Period::Session | Period::Blocks => index.sessions[session as usize].name.clone(),
            };
            let mut row = row_of(index, q, label, &models);
            if q.period == Period::Session {
                let s = &index.sessions[session as usize];
                row.project = Some(index.projects[s.project as usize].clone());
            }
            row
        })
        .collect();
    if q.period == Period::Session {
        rows.sort_by_key(|r| r.total.last_ms);
    }
    rows
}

fn row_of(index: &Index, q: &Query<'_>, label: String, models: &BTreeMap<u32, Sums>) -> Row {
    let mut row = Row {
        label,
        ..Row::default()
    };
    for (&m, s) in models {
        let name = &index.models[m as usize];
        let c = cost(q.prices, q.mode, name, s);
        row.total.add(s);
        row.cost += c;
        row.models.push((name.clone(), *s, c));
    }
    row.models.sort_by(|a, b| b.2.total_cmp(&a.2));
    row
}

/// 5-hour blocks as ccusage counts them: a block starts at the hour of its first call and
/// lasts 5 hours; a call more than 5 hours after the block's start or after the previous
/// call starts a new one. Calls are summed per quarter hour, and a block can only end on
/// a quarter hour, so quarter-hour sums give the same blocks.
pub fn blocks(index: &Index, q: &Query<'_>) -> Vec<Row> {
    let project = q
        .project
        .map(|p| index.projects.iter().position(|n| n == p));
    let mut by_quarter: BTreeMap<i64, BTreeMap<u32, Sums>> = BTreeMap::new();
    for (k, s) in &index.buckets {
        let session = &index.sessions[k.session as usize];
        if project.is_some_and(|p| p != Some(session.project as usize)) {
            continue;
        }
        by_quarter
            .entry(k.quarter)
            .or_default()
            .entry(k.model)
            .or_default()
            .add(s);
    }
    let mut out = Vec::new();
    let mut current: Option<(i64, i64, BTreeMap<u32, Sums>)> = None;
    for models in by_quarter.values() {
        let first = models.values().map(|s| s.first_ms).min().unwrap_or(0);
        let last = models.values().map(|s| s.last_ms).max().unwrap_or(0);
        if let Some((start, prev_last, _)) = &current
            && (first - start > BLOCK_MS || first - prev_last > BLOCK_MS)
        {
            out.extend(current.take().map(|b| block_row(index, q, b)));
        }
        let (_, block_last, sums) = current
            .get_or_insert_with(|| (first - first.rem_euclid(HOUR_MS), last, BTreeMap::new()));
        *block_last = (*block_last).max(last);
        for (&m, s) in models {
            sums.entry(m).or_default().add(s);
        }
    }
    out.extend(current.map(|b| block_row(index, q, b)));
    out.retain(|r| {
        let day = local_day(r.block.map_or(0, |b| b.start_ms));
        !(q.since.is_some_and(|d| day < d) || q.until.is_some_and(|d| day > d))
    });
    out
}

fn block_row(
    index: &Index,
    q: &Query<'_>,
    (start, last, models): (i64, i64, BTreeMap<u32, Sums>),
) -> Row {
    let mut row = row_of(index, q, format_local(start), &models);
    let end = start + BLOCK_MS;
    row.block = Some(BlockInfo {
        start_ms: start,
        end_ms: end,
        active: q.now_ms - last < BLOCK_MS && q.now_ms < end,
    });
    row
}

/// The sum of rows.
pub fn totals(rows: &[Row]) -> (Sums, f64) {
    let mut total = Sums::default();
    let mut cost = 0.0;
    for r in rows {
        add_tokens(&mut total.tokens, &r.total.tokens);
        total.calls += r.total.calls;
        cost += r.cost;
    }
    (total, cost)
}
