//! `watch` without `--input`: the payload is a recorded Claude Code session
//! (`cache/sessions.rs`), picked with `--session` and followed as it changes.
//!
//! Before each frame the records' directory and the shown record are `stat`ed; only when
//! either changed is the pick made again and the record read (a warm frame with nothing
//! new reads no file). A record not updated for `--session-max-age` is dropped: the line
//! then renders without a payload, as `watch` did before session records, until the
//! session is updated again.
//!
//! On Linux and macOS a thread watches the records' directory (`sys::dirwatch`: inotify,
//! kqueue) and forces a frame as soon as a record is saved (a save renames a new copy
//! into place, a name change both report), so a change shows at once rather than at the
//! next `--interval` tick. Elsewhere (Windows), or with `BLINKLINE_SESSION_POLL=1`, the
//! tick is the poll.
//!
//! Read next: `cache/sessions.rs`.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::cache::sessions::{SessionPick, SessionStore};
use crate::input::env::Environment;

/// What `stat` says of a file: enough to see that it was replaced or rewritten.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &std::path::Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// The record shown now.
struct Shown {
    path: PathBuf,
    stamp: Stamp,
    /// When its payload last changed.
    modified: SystemTime,
}

/// The session a `watch` follows.
pub struct SessionInput {
    env: Environment,
    pick: SessionPick,
    max_age: Duration,
    cwd: Option<PathBuf>,
    store: Option<SessionStore>,
    dir_stamp: Stamp,
    shown: Option<Shown>,
}

impl SessionInput {
    pub fn new(env: Environment, pick: SessionPick, max_age: Duration) -> SessionInput {
        SessionInput {
            env,
            pick,
            max_age,
            cwd: std::env::current_dir().ok(),
            store: None,
            dir_stamp: None,
            shown: None,
        }
    }

    /// The records' directory, created if missing (to be watched); `None` when there is
    /// no usable cache.
    pub fn open_dir(&mut self) -> Option<PathBuf> {
        let store = SessionStore::open(&self.env).ok()?;
        let dir = store.dir().to_path_buf();
        self.store = Some(store);
        Some(dir)
    }

    /// Brings `payload` up to date with the picked record; true when it changed. Without
    /// a record (none, or too old) the payload is `{}`.
    pub fn refresh(&mut self, payload: &mut Vec<u8>) -> bool {
        if self.store.is_none() {
            self.store = SessionStore::existing(&self.env);
        }
        let Some(store) = self.store.as_ref() else {
            return set_empty(payload);
        };
        let dir_stamp = stamp(store.dir());
        let unchanged = dir_stamp.is_some()
            && dir_stamp == self.dir_stamp
            && self
                .shown
                .as_ref()
                .is_none_or(|shown| stamp(&shown.path) == shown.stamp);
        if unchanged {
            let too_old = self
                .shown
                .as_ref()
                .is_some_and(|shown| shown.modified.elapsed().is_ok_and(|age| age > self.max_age));
            if !too_old {
                return false;
            }
            self.shown = None;
            return set_empty(payload);
        }
        self.dir_stamp = dir_stamp;
        let found = store
            .find(&self.pick, self.cwd.as_deref())
            .filter(|found| found.age <= self.max_age);
        let Some(found) = found else {
            self.shown = None;
            return set_empty(payload);
        };
        let path = store.dir().join(&found.id);
        self.shown = Some(Shown {
            stamp: stamp(&path),
            path,
            modified: SystemTime::now() - found.age,
        });
        if *payload == found.payload {
            return false;
        }
        *payload = found.payload;
        true
    }
}

fn set_empty(payload: &mut Vec<u8>) -> bool {
    if payload.as_slice() == b"{}" {
        return false;
    }
    payload.clear();
    payload.extend_from_slice(b"{}");
    true
}

/// Whether changes are noticed by polling only (`BLINKLINE_SESSION_POLL` set to
/// something other than `0`/`off`/`false`/`no`; always where `sys::dirwatch` is missing).
#[cfg_attr(not(any(target_os = "linux", target_os = "macos")), allow(dead_code))]
pub fn poll_only() -> bool {
    !cfg!(any(target_os = "linux", target_os = "macos"))
        || std::env::var("BLINKLINE_SESSION_POLL").is_ok_and(|v| {
            !v.is_empty()
                && !matches!(
                    v.to_ascii_lowercase().as_str(),
                    "0" | "off" | "false" | "no"
                )
        })
}

/// Starts a thread that calls `changed` whenever a name in `dir` is created, renamed or
/// removed. Linux and macOS only (`sys::dirwatch`); elsewhere there is nothing to start.
#[cfg(any(target_os = "linux", target_os = "macos"))]
pub fn spawn_notifier(dir: PathBuf, changed: impl Fn() + Send + 'static) -> std::io::Result<()> {
    let mut watch = crate::sys::dirwatch::DirWatch::new()?;
    watch.add(&dir)?;
    std::thread::Builder::new()
        .name("blinkline-sessions".into())
        .spawn(move || {
            loop {
                match watch.wait(None) {
                    Ok(true) => changed(),
                    Ok(false) => {}
                    Err(_) => return,
                }
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_at(dir: &std::path::Path) -> Environment {
        let cache = dir.to_str().unwrap().to_owned();
        Environment::from_lookup(|key| (key == "XDG_CACHE_HOME").then(|| cache.clone()))
    }

    fn set_age(path: &std::path::Path, secs: u64) {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(secs))
            .unwrap();
    }

    #[test]
    fn a_followed_record_is_read_when_it_changes_and_dropped_when_it_gets_old() {
        let dir = crate::tempdir::TempDir::new("watch-session").unwrap();
        let env = env_at(&dir);
        let mut input =
            SessionInput::new(env.clone(), SessionPick::Latest, Duration::from_secs(600));
        let mut payload = b"{}".to_vec();
        assert!(!input.refresh(&mut payload), "no records yet");
        let store = SessionStore::open(&env).unwrap();
        store.save("s", br#"{"cwd":"/a"}"#).unwrap();
        assert!(input.refresh(&mut payload));
        assert_eq!(payload, br#"{"cwd":"/a"}"#);
        assert!(!input.refresh(&mut payload), "nothing changed");
        store.save("s", br#"{"cwd":"/b"}"#).unwrap();
        assert!(input.refresh(&mut payload));
        assert_eq!(payload, br#"{"cwd":"/b"}"#);
        set_age(&store.dir().join("s"), 300);
        input.refresh(&mut payload);
        assert_eq!(payload, br#"{"cwd":"/b"}"#, "younger than the bound");
        set_age(&store.dir().join("s"), 1200);
        assert!(input.refresh(&mut payload));
        assert_eq!(payload, b"{}", "too old: no payload");
    }

    #[test]
    fn a_record_past_the_bound_while_unchanged_is_dropped_on_the_next_tick() {
        let dir = crate::tempdir::TempDir::new("watch-session-age").unwrap();
        let env = env_at(&dir);
        let store = SessionStore::open(&env).unwrap();
        store.save("s", br#"{"cwd":"/a"}"#).unwrap();
        let mut input = SessionInput::new(env, SessionPick::Latest, Duration::from_secs(600));
        let mut payload = b"{}".to_vec();
        assert!(input.refresh(&mut payload));
        // The record itself does not change; only time passes.
        input.shown.as_mut().unwrap().modified = SystemTime::now() - Duration::from_secs(601);
        assert!(input.refresh(&mut payload));
        assert_eq!(payload, b"{}");
    }
}
