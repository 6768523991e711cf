//! What the usage widgets (`today`, `week`, `usage_block`) share: the summary record read
//! on each render into buffers kept between frames, and the decision to refresh it.
//!
//! A render never scans directories: it reads the summary (one small record), and stats
//! the session's own transcript. The summary is refreshed, after the frame, by one detached
//! `blinkline __refresh-usage` when it is older than the widget's `max_age`, was made in
//! another time zone, or the session's transcript changed after it was made. The render
//! takes the index's lock itself and hands it to the refresher (as git refreshers get
//! theirs), so many renders at once start one refresher.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use crate::cache::{Cache, Refresh, Refresher};
use crate::input::env::Environment;
use crate::usage::Records;
use crate::usage::summary::Summary;
use crate::widgets::RenderContext;

#[derive(Default)]
struct State {
    /// `None` until first needed; then the cache, or `None` if it cannot be used.
    cache: Option<Option<Cache>>,
    records: Option<Records>,
    path: PathBuf,
    buf: Vec<u8>,
    summary: Summary,
    /// Whether `summary` holds a decoded record.
    have: bool,
    /// A refresh is due: started after the frame.
    due: bool,
}

/// A widget's view of the usage summary.
#[derive(Default)]
pub struct Feed(Mutex<State>);

/// What a widget reads: the summary and today's local day.
pub struct Reading<'a> {
    pub summary: &'a Summary,
    /// Today, as a local day number.
    pub today: i64,
    pub now_ms: i64,
    /// A refresh is due: the figures may be behind.
    pub stale: bool,
}

fn open_cache(env: &Environment) -> Option<Cache> {
    // Unit tests never touch the user's cache: only one they point XDG_CACHE_HOME at.
    if cfg!(test) && env.xdg_cache_home.is_none() {
        return None;
    }
    Cache::open(env).ok()
}

impl Feed {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads the summary and hands `f` what it says; `f` gets `None` before the first
    /// refresh finished (or without a cache).
    pub fn read<R>(
        &self,
        ctx: &RenderContext<'_>,
        max_age_s: i64,
        f: impl FnOnce(Option<Reading<'_>>) -> R,
    ) -> R {
        let mut guard = self.lock();
        let st = &mut *guard;
        let Some(cache) = st.cache.get_or_insert_with(|| open_cache(ctx.env)).as_ref() else {
            return f(None);
        };
        let records = st
            .records
            .get_or_insert_with(|| Records::for_roots(&crate::usage::dirs::roots(ctx.env)));
        st.have = match cache.read_into(&records.summary, &mut st.path, &mut st.buf) {
            Some(bytes) => st.summary.decode_into(bytes),
            None => false,
        };
        let now_ms = ctx.now * 1000;
        let offset = crate::sys::time::utc_offset(ctx.now);
        st.due = !st.have
            || now_ms - st.summary.computed_ms > max_age_s * 1000
            || offset != st.summary.utc_offset_s
            || transcript_changed(ctx, st.summary.computed_ms);
        if !st.have {
            return f(None);
        }
        f(Some(Reading {
            summary: &st.summary,
            today: (ctx.now + offset).div_euclid(86_400),
            now_ms,
            stale: st.due,
        }))
    }

    /// Starts the refresher when the last render found the summary out of date and no
    /// refresher is at work. Never blocks.
    pub fn after_frame(&self, refresher: &Refresher) {
        let mut st = self.lock();
        if !std::mem::take(&mut st.due) {
            return;
        }
        let (Some(Some(cache)), Some(records)) = (st.cache.as_ref(), st.records.as_ref()) else {
            return;
        };
        if let Some(lock) = cache.try_lock(&records.index) {
            let _ = refresher.start_holding(lock, &Refresh::Usage { locked: true });
        }
    }

    /// Forgets what was read (`bench --cold`).
    pub fn forget(&self) {
        *self.lock() = State::default();
    }
}

/// True when the session's transcript was modified after the summary was made (at
/// `computed_ms`).
fn transcript_changed(ctx: &RenderContext<'_>, computed_ms: i64) -> bool {
    ctx.session
        .transcript_path
        .as_deref()
        .and_then(|p| crate::transcript::file::stat(p).ok())
        .is_some_and(|id| id.mtime_ns > computed_ms.saturating_mul(1_000_000))
}

/// A cache holding `summary` for the widget tests, and the environment that finds it.
#[cfg(test)]
pub fn test_env(summary: &Summary) -> (crate::tempdir::TempDir, Environment) {
    let dir = crate::tempdir::TempDir::new("usage-feed").expect("temp dir");
    std::fs::create_dir_all(dir.path().join("claude/projects")).expect("projects dir");
    let env = Environment {
        home: Some(dir.path().display().to_string()),
        xdg_cache_home: Some(dir.path().join("cache").display().to_string()),
        claude_config_dir: Some(dir.path().join("claude").display().to_string()),
        ..Environment::default()
    };
    let cache = Cache::open(&env).expect("cache");
    let records = Records::for_roots(&crate::usage::dirs::roots(&env));
    cache
        .write(&records.summary, &summary.encode())
        .expect("summary written");
    (dir, env)
}
