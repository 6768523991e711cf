//! Usage across every session and project: an incremental index of all transcripts under
//! the Claude config directories (`dirs.rs`), kept in the cache, and what is read from it:
//! the `blinkline usage` reports (`report.rs`) and the small summary the `today`, `week`
//! and `usage_block` widgets read on a render (`summary.rs`).
//!
//! The index is brought up to date by whoever needs it exact: `blinkline usage` itself, and
//! the detached `blinkline __refresh-usage` a widget starts after its frame when the
//! summary is old or the session's transcript grew. Both hold the index's single-flight
//! lock while they update it, so concurrent renders start one refresh, and a report that
//! finds a refresher at work waits for it and reads its result.
//!
//! Read next: `index.rs` (what is stored, deduplication), `line.rs` (which lines count).

pub mod calls;
pub mod codec;
pub mod command;
pub mod dirs;
pub mod feed;
pub mod index;
pub mod line;
pub mod print;
pub mod report;
pub mod summary;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::cache::{Cache, CacheError, record_name};
use crate::input::env::Environment;
pub use index::{Index, Updated};

/// The cache records of the index for one set of config directories.
pub struct Records {
    /// The config directories, one per line: part of every record's name and content.
    pub roots_key: String,
    pub index: String,
    pub calls: String,
    pub summary: String,
}

impl Records {
    pub fn for_roots(roots: &[PathBuf]) -> Records {
        let roots_key = roots
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        let name = |kind| record_name(kind, &[roots_key.as_bytes()]);
        Records {
            index: name("usage-index"),
            calls: name("usage-calls"),
            summary: name("usage-summary"),
            roots_key,
        }
    }
}

/// How long a report waits for a refresher that holds the index.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// How [`refresh`] takes the index's single-flight lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// Wait for a refresher that holds it (a report), up to 30 s.
    Wait,
    /// Give up if it is held (a refresher started without it).
    Try,
    /// The caller's parent holds it for this process (a refresher started with it).
    Held,
}

/// Brings the index of `env`'s config directories up to date and returns it, with what
/// changed; `None` when `lock` is [`Lock::Try`] and another process holds the lock.
/// Without a cache, the index is built in memory and nothing is saved.
pub fn refresh(
    cache: Option<&Cache>,
    env: &Environment,
    lock: Lock,
) -> Result<Option<(Index, Updated)>, CacheError> {
    let roots = dirs::roots(env);
    let records = Records::for_roots(&roots);
    let found = dirs::find(&roots);
    let Some(cache) = cache else {
        let mut index = Index::default();
        let updated = index.update(&found, &mut Some(Default::default()), &mut || None);
        return Ok(Some((index, updated)));
    };
    let started = Instant::now();
    let _lock = match lock {
        Lock::Held => None,
        Lock::Try => match cache.try_lock(&records.index) {
            Some(l) => Some(l),
            None => return Ok(None),
        },
        Lock::Wait => loop {
            if let Some(l) = cache.try_lock(&records.index) {
                break Some(l);
            }
            if started.elapsed() > LOCK_WAIT {
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        },
    };
    cache.sweep_temporaries();
    let mut index = cache
        .read_large(&records.index)
        .and_then(|b| codec::decode_index(&b, &records.roots_key))
        .unwrap_or_default();
    let lines = index.lines;
    let mut calls = None;
    let updated = index.update(&found, &mut calls, &mut || {
        if lines == 0 {
            return Some(Default::default());
        }
        cache
            .read_large(&records.calls)
            .and_then(|b| codec::decode_calls(&b, lines))
    });
    let summary_missing = cache.read(&records.summary).is_none();
    if updated.scanned > 0 || updated.rebuilt || summary_missing {
        if let Some(calls) = &calls {
            cache.write_large_with(&records.calls, |out| {
                codec::write_calls(out, calls, index.lines)
            })?;
        }
        if updated.scanned > 0 || updated.rebuilt {
            cache.write_large(
                &records.index,
                &codec::encode_index(&index, &records.roots_key),
            )?;
        }
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let summary = summary::Summary::compute(&index, now_ms);
    cache.write(&records.summary, &summary.encode())?;
    Ok(Some((index, updated)))
}
