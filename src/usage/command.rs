//! `blinkline usage`: validates the flags, brings the index up to date, and prints the
//! report; and `__refresh-usage`, the detached refresher the usage widgets start.

use std::io::Write;
use std::process::ExitCode;

use crate::cache::Cache;
use crate::cli::{UsageArgs, UsageMode, UsageReport};
use crate::input::env::Environment;
use crate::transcript::prices::{PriceError, Prices};
use crate::usage::print::{self, Locale};
use crate::usage::report::{self, Mode, Period, Query};

/// A flag `usage` cannot use.
#[derive(Debug)]
pub enum UsageError {
    Date { flag: &'static str, value: String },
    TimeZone(String),
    Locale(String),
    Prices(PriceError),
    PricesToml { path: String, message: String },
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UsageError::Date { flag, value } => write!(
                f,
                "--{flag} `{value}`: expected a date like 20261120 or 2026-11-20"
            ),
            UsageError::TimeZone(zone) => write!(
                f,
                "--timezone `{zone}`: unknown time zone; use an IANA name like Europe/Berlin or UTC"
            ),
            UsageError::Locale(tag) => {
                write!(f, "--locale `{tag}`: unknown; use en, de, fr, ch or plain")
            }
            UsageError::Prices(e) => e.fmt(f),
            UsageError::PricesToml { path, message } => {
                write!(f, "price table {path}: {}", message.trim_end())
            }
        }
    }
}

impl std::error::Error for UsageError {}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// True when `zone` names a time zone libc can load (an IANA name with a zoneinfo file,
/// or UTC/GMT).
fn known_zone(zone: &str) -> bool {
    if matches!(zone, "UTC" | "GMT" | "Etc/UTC" | "Etc/GMT" | "Z") {
        return true;
    }
    if zone.is_empty() || zone.starts_with('/') || zone.split('/').any(|p| p == "..") {
        return false;
    }
    let dirs = std::env::var("TZDIR").into_iter().chain(
        [
            "/usr/share/zoneinfo",
            "/usr/lib/zoneinfo",
            "/usr/share/lib/zoneinfo",
        ]
        .map(String::from),
    );
    dirs.map(|d| std::path::Path::new(&d).join(zone))
        .any(|p| p.is_file())
}

fn load_prices(path: Option<&str>) -> Result<Prices, UsageError> {
    let Some(path) = path else {
        return Ok(Prices::builtin());
    };
    let text = std::fs::read_to_string(path).map_err(|source| {
        UsageError::Prices(PriceError::Unreadable {
            path: path.to_owned(),
            source,
        })
    })?;
    let json = if path.ends_with(".toml") {
        let value: toml::Value = toml::from_str(&text).map_err(|e| UsageError::PricesToml {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        serde_json::to_string(&value).map_err(|e| UsageError::PricesToml {
            path: path.to_owned(),
            message: e.to_string(),
        })?
    } else {
        text
    };
    Prices::with_user(&json, path).map_err(UsageError::Prices)
}

fn locale(args: &UsageArgs) -> Result<Locale, UsageError> {
    if let Some(tag) = &args.locale {
        return Locale::parse(tag).ok_or_else(|| UsageError::Locale(tag.clone()));
    }
    let env = ["LC_ALL", "LC_NUMERIC", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    Ok(env.and_then(|t| Locale::parse(&t)).unwrap_or(Locale {
        thousands: ',',
        decimal: '.',
    }))
}

/// Runs `blinkline usage`.
pub fn run(args: &UsageArgs) -> Result<ExitCode, crate::error::Error> {
    let date = |flag, value: &Option<String>| -> Result<Option<i64>, UsageError> {
        value
            .as_deref()
            .map(|v| {
                report::parse_date(v).ok_or_else(|| UsageError::Date {
                    flag,
                    value: v.to_owned(),
                })
            })
            .transpose()
    };
    let since = date("since", &args.since)?;
    let until = date("until", &args.until)?;
    if let Some(zone) = &args.timezone {
        if !known_zone(zone) {
            return Err(UsageError::TimeZone(zone.clone()).into());
        }
        crate::sys::time::set_time_zone(zone);
    }
    let locale = locale(args)?;
    let prices = load_prices(args.prices.as_deref())?;
    let env = Environment::capture();
    let cache = Cache::open(&env).ok();
    let (index, _) =
        crate::usage::refresh(cache.as_ref(), &env, crate::usage::Lock::Wait)?.unwrap_or_default();
    let period = match args.report {
        UsageReport::Daily => Period::Daily,
        UsageReport::Weekly => Period::Weekly,
        UsageReport::Monthly => Period::Monthly,
        UsageReport::Session => Period::Session,
        UsageReport::Blocks => Period::Blocks,
    };
    let now = now_ms();
    let q = Query {
        period,
        since,
        until,
        project: args.project.as_deref(),
        mode: match args.mode {
            UsageMode::Auto => Mode::Auto,
            UsageMode::Calculate => Mode::Calculate,
            UsageMode::Display => Mode::Display,
        },
        prices: &prices,
        week_start: args.start_of_week as i64,
        now_ms: now,
    };
    let rows = report::rows(&index, &q);
    let text = if args.json {
        print::json(period, &rows, now)
    } else if rows.is_empty() {
        "no usage found\n".to_owned()
    } else {
        let width = env
            .columns
            .or_else(|| crate::sys::tty::columns(1))
            .unwrap_or(120);
        print::table(period, &rows, args.breakdown, width, locale, now)
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(crate::error::Error::Io(e)),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// `__refresh-usage`: updates the index and the widgets' summary; quiet, as a detached
/// process must be. `locked`: the render that started it holds the lock for it (stdin).
pub fn refresh_detached(env: &Environment, locked: bool) {
    let env = env.clone();
    if let Ok(cache) = Cache::open(&env) {
        let lock = if locked {
            crate::usage::Lock::Held
        } else {
            crate::usage::Lock::Try
        };
        let _ = crate::usage::refresh(Some(&cache), &env, lock);
    }
}
