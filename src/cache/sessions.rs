//! Session records: the latest Claude Code payload of each session, so that renders with no
//! payload of their own (tmux `#()`, bars, `watch`) can show the session's model, context
//! and cost.
//!
//! - Where: `sessions/` in the cache directory (`0700`, checked like the cache itself),
//!   one record per session named after its `session_id`. An id that is not a plain file
//!   name (empty, over 128 bytes, a character other than ASCII letters, digits, `-`, `_`
//!   and `.`, a leading `.`) is not recorded: nothing from the payload can reach a path.
//! - How: records are cache records (header and checksum, `0600`), replaced atomically
//!   with [`Cache::replace`] (the spare file is exchanged with the record), and only when
//!   the payload differs from the stored one, after the frame is written.
//! - How much: a payload over [`MAX_PAYLOAD`] is not stored. When a new session's record
//!   is created, records not updated for [`MAX_AGE`] are removed, and beyond
//!   [`MAX_RECORDS`] the oldest go. Claude Code sends no sign that a session ended, so age
//!   is the only end a record has.
//!
//! A record's age is the time since its payload last changed (its modification time);
//! a live Claude Code session changes it on every update (`cost.total_duration_ms` grows).
//!
//! Read next: `commands.rs` (a render saves its payload), `watch/` (which follows them).

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::cache::{Cache, CacheError};
use crate::input::env::Environment;

/// The largest payload recorded.
pub const MAX_PAYLOAD: usize = 64 * 1024;
/// Records not updated for this long are removed.
pub const MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// The most records kept.
pub const MAX_RECORDS: usize = 64;
/// The directory inside the cache.
pub const DIR: &str = "sessions";
/// The longest session id recorded.
const MAX_ID: usize = 128;

/// Which session a render without a payload shows (`--session`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionPick {
    /// The most recently updated record.
    Latest,
    /// The latest record whose directory is the current directory or one above it.
    Cwd,
    /// The session with this id.
    Id(String),
    /// No record: render without a payload, as before session records.
    None,
}

impl SessionPick {
    /// Parses `latest`, `cwd`, `none` or a session id.
    pub fn parse(text: &str) -> Result<SessionPick, String> {
        match text {
            "latest" => Ok(SessionPick::Latest),
            "cwd" => Ok(SessionPick::Cwd),
            "none" => Ok(SessionPick::None),
            id if is_valid_id(id) => Ok(SessionPick::Id(id.to_owned())),
            _ => Err(format!(
                "`{text}` is not a session; use latest, cwd, none or a session id (letters, digits, -, _ and .)"
            )),
        }
    }
}

/// What happened to a payload handed to [`SessionStore::save`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    /// Written: a new session's record.
    Created,
    /// Written over the session's older payload.
    Updated,
    /// The record already holds this payload.
    Unchanged,
    /// Not recorded: the id is not a usable file name, or the payload is too large.
    Refused,
    /// Another process was writing the same record.
    Busy,
}

/// A record found for a render.
#[derive(Clone, Debug)]
pub struct Found {
    pub id: String,
    pub payload: Vec<u8>,
    /// Time since the payload last changed.
    pub age: Duration,
}

/// True if `id` can name a record file as it is.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The session records of one user.
#[derive(Clone, Debug)]
pub struct SessionStore {
    cache: Cache,
}

impl SessionStore {
    /// Opens (creating if needed) the records' directory.
    pub fn open(env: &Environment) -> Result<SessionStore, CacheError> {
        let cache = Cache::open(env)?;
        Ok(SessionStore {
            cache: Cache::at(cache.dir().join(DIR))?,
        })
    }

    /// The records' directory if it exists and is safe; creates nothing.
    pub fn existing(env: &Environment) -> Option<SessionStore> {
        let cache = Cache::existing(env)?;
        let dir = cache.dir().join(DIR);
        fs::symlink_metadata(&dir).ok()?.is_dir().then_some(())?;
        Cache::at(dir).ok().map(|cache| SessionStore { cache })
    }

    pub fn dir(&self) -> &Path {
        self.cache.dir()
    }

    /// Records `payload` as session `id`'s latest, unless it is already stored.
    pub fn save(&self, id: &str, payload: &[u8]) -> Result<Saved, CacheError> {
        if !is_valid_id(id) || payload.len() > MAX_PAYLOAD {
            return Ok(Saved::Refused);
        }
        let previous = self.cache.read(id);
        if previous.as_deref() == Some(payload) {
            return Ok(Saved::Unchanged);
        }
        if !self.cache.replace(id, payload)? {
            return Ok(Saved::Busy);
        }
        if previous.is_some() {
            return Ok(Saved::Updated);
        }
        self.prune(SystemTime::now());
        Ok(Saved::Created)
    }

    /// The records (id and modification time), newest first.
    fn records(&self) -> Vec<(String, SystemTime)> {
        let Ok(entries) = fs::read_dir(self.dir()) else {
            return Vec::new();
        };
        let mut records: Vec<(String, SystemTime)> = entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                if !is_valid_id(&name) || name.ends_with(".lock") {
                    return None;
                }
                let meta = entry.metadata().ok()?;
                meta.is_file()
                    .then(|| Some((name, meta.modified().ok()?)))
                    .flatten()
            })
            .collect();
        records.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        records
    }

    /// Removes records older than [`MAX_AGE`] and all but the newest [`MAX_RECORDS`], with
    /// their spare files. Returns how many records went.
    pub fn prune(&self, now: SystemTime) -> usize {
        let mut removed = 0;
        for (index, (id, modified)) in self.records().into_iter().enumerate() {
            let old = now.duration_since(modified).is_ok_and(|age| age > MAX_AGE);
            if (old || index >= MAX_RECORDS) && fs::remove_file(self.dir().join(&id)).is_ok() {
                let _ = fs::remove_file(self.dir().join(format!(".{id}.spare")));
                removed += 1;
            }
        }
        removed
    }

    /// The record `pick` selects (`cwd`: the directory the render runs in), if any.
    pub fn find(&self, pick: &SessionPick, cwd: Option<&Path>) -> Option<Found> {
        let now = SystemTime::now();
        let found = |id: String, modified: SystemTime| {
            let payload = self.cache.read(&id)?;
            Some(Found {
                id,
                payload,
                age: now.duration_since(modified).unwrap_or_default(),
            })
        };
        match pick {
            SessionPick::None => None,
            SessionPick::Id(id) => {
                let modified = fs::metadata(self.dir().join(id)).ok()?.modified().ok()?;
                found(id.clone(), modified)
            }
            SessionPick::Latest => self
                .records()
                .into_iter()
                .find_map(|(id, modified)| found(id, modified)),
            SessionPick::Cwd => {
                let cwd = cwd?;
                self.records().into_iter().find_map(|(id, modified)| {
                    let record = found(id, modified)?;
                    let (session, _) = crate::input::parse_session(&record.payload);
                    let dir = session.current_dir()?;
                    (!dir.is_empty() && cwd.starts_with(dir)).then_some(record)
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(tag: &str) -> (SessionStore, crate::tempdir::TempDir) {
        let dir = crate::tempdir::TempDir::new(&format!("sessions-{tag}")).unwrap();
        let cache = Cache::at(dir.join("cache").join(DIR)).unwrap();
        (SessionStore { cache }, dir)
    }

    fn age(store: &SessionStore, id: &str, secs: u64) {
        let file = fs::File::options()
            .write(true)
            .open(store.dir().join(id))
            .unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(secs))
            .unwrap();
    }

    #[test]
    fn ids_that_are_not_plain_file_names_are_refused() {
        let (store, _dir) = store("ids");
        for id in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            ".hidden",
            "a\\b",
            "a b",
            "é",
            &"x".repeat(129),
        ] {
            assert_eq!(store.save(id, b"{}").unwrap(), Saved::Refused, "{id:?}");
        }
        assert_eq!(fs::read_dir(store.dir()).unwrap().count(), 0);
        assert_eq!(
            store.save("3f1c-9a_b.2", b"{}").unwrap(),
            Saved::Created,
            "a uuid-like id"
        );
    }

    #[test]
    fn a_payload_is_written_only_when_it_changed_and_never_over_the_cap() {
        let (store, _dir) = store("changes");
        assert_eq!(store.save("s", b"{\"a\":1}").unwrap(), Saved::Created);
        assert_eq!(store.save("s", b"{\"a\":1}").unwrap(), Saved::Unchanged);
        assert_eq!(store.save("s", b"{\"a\":2}").unwrap(), Saved::Updated);
        let big = vec![b' '; MAX_PAYLOAD + 1];
        assert_eq!(store.save("s", &big).unwrap(), Saved::Refused);
        let found = store.find(&SessionPick::Id("s".into()), None).unwrap();
        assert_eq!(found.payload, b"{\"a\":2}");
    }

    #[cfg(unix)]
    #[test]
    fn records_are_private_files_in_a_private_directory() {
        use std::os::unix::fs::PermissionsExt;
        let (store, _dir) = store("modes");
        store.save("s", b"{}").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(store.dir()), 0o700);
        assert_eq!(mode(&store.dir().join("s")), 0o600);
    }

    #[test]
    fn old_records_and_records_beyond_the_cap_are_pruned_with_their_spares() {
        let (store, _dir) = store("prune");
        for i in 0..MAX_RECORDS + 3 {
            // Written without `save`, which would prune as it goes.
            store.cache.replace(&format!("s{i}"), b"{}").unwrap();
            // Distinct ages, the first session the oldest.
            age(&store, &format!("s{i}"), 1000 - i as u64);
        }
        store.save("s1", b"{\"v\":2}").unwrap();
        age(&store, "s1", MAX_AGE.as_secs() + 60);
        assert!(store.dir().join(".s1.spare").exists());
        let removed = store.prune(SystemTime::now());
        assert_eq!(removed, 3, "s1 by age; s0 and s2 beyond the cap");
        let left: Vec<String> = store.records().into_iter().map(|r| r.0).collect();
        assert_eq!(left.len(), MAX_RECORDS);
        assert!(left.contains(&"s3".to_owned()));
        for gone in ["s0", "s1", "s2"] {
            assert!(!left.contains(&gone.to_owned()), "{gone}");
        }
        assert!(!store.dir().join(".s1.spare").exists());
    }

    #[test]
    fn latest_is_the_newest_record_and_cwd_the_newest_above_the_directory() {
        let (store, _dir) = store("find");
        store
            .save("a", br#"{"workspace":{"current_dir":"/w/proj"}}"#)
            .unwrap();
        store.save("b", br#"{"cwd":"/w/other"}"#).unwrap();
        store.save("c", br#"{"cwd":"/w/proj/sub"}"#).unwrap();
        age(&store, "a", 30);
        age(&store, "b", 10);
        age(&store, "c", 20);
        let pick =
            |p: SessionPick, cwd: Option<&str>| store.find(&p, cwd.map(Path::new)).map(|f| f.id);
        assert_eq!(pick(SessionPick::Latest, None).as_deref(), Some("b"));
        assert_eq!(
            pick(SessionPick::Cwd, Some("/w/proj/sub/deeper")).as_deref(),
            Some("c")
        );
        assert_eq!(
            pick(SessionPick::Cwd, Some("/w/proj")).as_deref(),
            Some("a")
        );
        assert_eq!(pick(SessionPick::Cwd, Some("/w/projection")), None);
        assert_eq!(pick(SessionPick::Cwd, Some("/elsewhere")), None);
        assert_eq!(pick(SessionPick::Id("zzz".into()), None), None);
        assert_eq!(pick(SessionPick::None, None), None);
        let found = store.find(&SessionPick::Latest, None).unwrap();
        assert!(found.age >= Duration::from_secs(9), "{:?}", found.age);
    }

    #[test]
    fn session_picks_parse_and_a_path_is_not_an_id() {
        assert_eq!(SessionPick::parse("latest"), Ok(SessionPick::Latest));
        assert_eq!(SessionPick::parse("cwd"), Ok(SessionPick::Cwd));
        assert_eq!(SessionPick::parse("none"), Ok(SessionPick::None));
        assert_eq!(
            SessionPick::parse("abc-1"),
            Ok(SessionPick::Id("abc-1".into()))
        );
        assert_eq!(
            SessionPick::parse("../etc").unwrap_err(),
            "`../etc` is not a session; use latest, cwd, none or a session id (letters, digits, -, _ and .)"
        );
    }
}
