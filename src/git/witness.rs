//! Proof that an inline status still holds, for a process that renders the same
//! repository again (`watch`, `bench`): the `lstat` data of everything the status read
//! in the work tree, folded into one signature.
//!
//! A status is a function of the record's key (`HEAD`, its commit, the index, the stash:
//! checked by every render anyway), the tracked files' stat data and content, the names in
//! the directories the untracked walk read, the ignore and attribute files, and the
//! config files. Any change to a file's content or to a directory's names sets its ctime
//! (and mtime) anew, so when every one of them has the stat data it had, the status is
//! what it was, and a render may show the counts it computed as exact without computing
//! them again (and without allocating: paths are joined in a reused buffer).
//!
//! Timestamps come from a coarse clock: a change made in the same tick as the status's
//! reads could leave them unchanged. A witness therefore only holds when everything it
//! covers is older than [`RACY`] at the moment the status started (as git treats
//! "racily clean" index entries, and `untracked/listing.rs` its listings); until then
//! every render computes again. That also lets the stat data be read at the next render
//! rather than right after the status: whatever changed since the status started is
//! newer than that, so data older than it are the data the status saw. A one-shot
//! render thus pays for the list of paths only, never for the `lstat`s.
//!
//! A one-shot render (Claude Code's) starts with nothing held, so the witness also goes
//! into the status record ([`Witness::encode`], after the frame): its signature, taken
//! with the racy check, and its list of paths. The next process trusts the recorded
//! counts only under the record's key and while that stored witness holds
//! ([`Witness::decode`], then [`Witness::holds`]: one `lstat` per path, against computing
//! the whole status again). The paths outside the work tree are listed anew from that
//! process's own environment and are in the signature, so another `HOME` or
//! `XDG_CONFIG_HOME` fails it.
//!
//! Not covered: files named from elsewhere (`include.path`, a `core.excludesFile` outside
//! the usual places).
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::cache::fnv1a;
use crate::git::discover::Repo;
use crate::git::engine::StatusParts;
use crate::git::join_into;
use crate::git::status::ConfigEnv;

/// How long before a status started everything it read must have last changed: two
/// ticks of the coarsest kernel clock (`HZ=100`).
pub const RACY: Duration = Duration::from_millis(20);

/// The stat data of what a status read, as it was right after.
#[derive(Debug)]
pub struct Witness {
    root: PathBuf,
    /// Work-tree-relative paths, each ended by a NUL byte.
    rel: Vec<u8>,
    /// Files outside the work tree (config, excludes, attributes).
    abs: Vec<PathBuf>,
    /// Nothing covered changed at or after this (ns since the epoch): the status's start
    /// less [`RACY`].
    racy_from: i128,
    /// The signature, once read (by the first [`Witness::holds`]).
    signature: Option<u64>,
}

impl Witness {
    /// The witness of `parts`, computed for `repo` from `started` on (no `lstat` yet).
    pub fn new(repo: &Repo, parts: &StatusParts, started: SystemTime) -> Option<Witness> {
        let root = repo.work_tree.clone()?;
        let mut dirs: Vec<&[u8]> = parts.tracked.directories();
        if let Some(listing) = &parts.listing {
            dirs.extend(
                listing
                    .directories()
                    .map(|d| d.strip_suffix(b"/").unwrap_or(d)),
            );
        }
        dirs.sort_unstable();
        dirs.dedup();
        let mut rel = Vec::new();
        for path in parts.tracked.paths() {
            push(&mut rel, &[path]);
        }
        for dir in dirs {
            let sep: &[u8] = if dir.is_empty() { b"" } else { b"/" };
            push(&mut rel, &[dir]);
            push(&mut rel, &[dir, sep, b".gitignore"]);
            push(&mut rel, &[dir, sep, b".gitattributes"]);
        }
        let since = started.checked_sub(RACY)?.duration_since(UNIX_EPOCH).ok()?;
        Some(Witness {
            abs: outside_files(repo, &ConfigEnv::from_process()),
            root,
            rel,
            racy_from: i128::try_from(since.as_nanos()).ok()?,
            signature: None,
        })
    }

    /// Whether everything is as when the status was computed. The first call reads the
    /// signature, and fails when something changed too recently (or since) to tell.
    /// Allocates nothing once `buf` has grown to the longest path (paths under 384 bytes
    /// need no C string copy).
    pub fn holds(&mut self, buf: &mut PathBuf) -> bool {
        match self.signature {
            Some(signature) => self.sign(buf, None) == Some(signature),
            None => {
                self.signature = self.sign(buf, Some(self.racy_from));
                self.signature.is_some()
            }
        }
    }

    /// The signature of every covered path; `None` when one changed at or after
    /// `racy_from` (nanoseconds since the epoch).
    fn sign(&self, buf: &mut PathBuf, racy_from: Option<i128>) -> Option<u64> {
        let mut hash = 0u64;
        let rel = self.rel.strip_suffix(&[0]).unwrap_or(&self.rel);
        for rel in rel.split(|&b| b == 0) {
            let path = join_into(buf, &self.root, &*crate::sys::fs::os_str(rel));
            hash = mix(hash, path, racy_from)?;
        }
        for path in &self.abs {
            hash = mix(hash, path, racy_from)?;
        }
        Some(hash)
    }
}

/// The size of a stored witness's header: the signature.
const SIGNATURE_LEN: usize = 8;

impl Witness {
    /// The witness as stored in a status record: its signature (read now, with the racy
    /// check, when no [`Witness::holds`] read it yet) and its work-tree paths. `None`
    /// when something changed too recently to tell, or since.
    pub fn encode(&mut self, buf: &mut PathBuf) -> Option<Vec<u8>> {
        if !self.holds(buf) {
            return None;
        }
        let signature = self.signature?;
        let mut out = Vec::with_capacity(SIGNATURE_LEN + self.rel.len());
        out.extend_from_slice(&signature.to_le_bytes());
        out.extend_from_slice(&self.rel);
        Some(out)
    }

    /// The witness `bytes` ([`Witness::encode`]) stored for `repo`, ready for
    /// [`Witness::holds`] to compare its signature with the files as they are now.
    pub fn decode(repo: &Repo, bytes: &[u8]) -> Option<Witness> {
        let (signature, rel) = bytes.split_first_chunk::<SIGNATURE_LEN>()?;
        if !rel.is_empty() && rel.last() != Some(&0) {
            return None;
        }
        Some(Witness {
            root: repo.work_tree.clone()?,
            rel: rel.to_vec(),
            abs: outside_files(repo, &ConfigEnv::from_process()),
            racy_from: i128::MAX,
            signature: Some(u64::from_le_bytes(*signature)),
        })
    }
}

fn push(rel: &mut Vec<u8>, parts: &[&[u8]]) {
    for part in parts {
        rel.extend_from_slice(part);
    }
    rel.push(0);
}

/// Folds the stat data of `path` (or its absence) into `hash`.
fn mix(hash: u64, path: &Path, racy_from: Option<i128>) -> Option<u64> {
    let mut bytes = [0u8; 64];
    if let Ok(m) = std::fs::symlink_metadata(path) {
        let m = crate::sys::fs::stat_of(&m);
        let newest = latest_change(m.mtime, m.mtime_nsec).max(latest_change(m.ctime, m.ctime_nsec));
        if racy_from.is_some_and(|from| newest >= from) {
            return None;
        }
        let fields = [
            m.dev,
            m.ino,
            u64::from(m.mode),
            m.size,
            m.mtime as u64,
            m.mtime_nsec as u64,
            m.ctime as u64,
            m.ctime_nsec as u64,
        ];
        for (chunk, field) in bytes.chunks_exact_mut(8).zip(fields) {
            chunk.copy_from_slice(&field.to_le_bytes());
        }
    }
    Some(
        (hash ^ fnv1a(&bytes))
            .rotate_left(23)
            .wrapping_mul(0x0100_0000_01b3)
            ^ fnv1a(path.as_os_str().as_encoded_bytes()),
    )
}

/// The latest moment (ns since the epoch) a timestamp of `secs` and `nanos` can stand
/// for. A file system that keeps whole seconds (FAT, HFS+, ext4 with small inodes, some
/// network and FUSE file systems) writes 0 nanoseconds: such a change may have happened
/// at any point of that second, so it counts as the second's end (as git does for its
/// racily clean entries).
fn latest_change(secs: i64, nanos: i64) -> i128 {
    let at = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
    if nanos == 0 { at + 999_999_999 } else { at }
}

/// The config, exclude and attribute files outside the work tree that git reads, and
/// the directories that hold them: a file deleted after the status started leaves no
/// stat data of its own, but its directory's changes.
fn outside_files(repo: &Repo, env: &ConfigEnv) -> Vec<PathBuf> {
    let mut files = env.outer_files();
    files.extend(
        ["ignore", "attributes"]
            .map(|f| env.xdg_git_file(f))
            .into_iter()
            .flatten(),
    );
    for name in ["config", "config.worktree"] {
        files.push(repo.git_dir.join(name));
        files.push(repo.common_dir.join(name));
    }
    files.push(repo.common_dir.join("info/exclude"));
    files.push(repo.common_dir.join("info/attributes"));
    let parents: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    files.extend(parents);
    files.sort_unstable();
    files.dedup();
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::discover::{GitEnv, discover};
    use crate::git::engine::{EngineOptions, status_parts};
    use crate::git::record::inspect;
    use crate::git::refs::Scratch;
    use crate::git::test_repo::with_commit;
    use crate::git::untracked::UntrackedCache;

    /// A witness of a repository whose files are older than [`RACY`], read once.
    fn witnessed(tag: &str) -> (crate::git::test_repo::TempRepo, Witness) {
        let repo = with_commit(tag);
        std::fs::create_dir(repo.root.join("sub")).unwrap();
        std::fs::write(repo.root.join("sub/u.txt"), "u\n").unwrap();
        // Timestamps must fall out of the racy window: nothing else can age them.
        std::thread::sleep(RACY * 2);
        let found = discover(&repo.root, &GitEnv::default()).unwrap().unwrap();
        let snap = inspect(&found, &mut Scratch::default()).unwrap();
        let started = SystemTime::now();
        let listing = UntrackedCache::new(&repo.root);
        let parts = status_parts(&found, &snap, &EngineOptions::default(), Some(listing)).unwrap();
        let mut witness = Witness::new(&found, &parts, started).unwrap();
        assert!(witness.holds(&mut PathBuf::new()), "nothing is racy");
        (repo, witness)
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "needs git")]
    fn a_witness_holds_until_a_file_or_a_name_changes() {
        let (repo, mut witness) = witnessed("witness");
        let mut buf = PathBuf::new();
        assert!(witness.holds(&mut buf));
        std::fs::write(repo.root.join("a.txt"), "b\n").unwrap();
        assert!(!witness.holds(&mut buf), "an edit of the same size");

        let (repo, mut witness) = witnessed("witness-untracked");
        std::fs::write(repo.root.join("sub/v.txt"), "v\n").unwrap();
        assert!(
            !witness.holds(&mut buf),
            "a name inside an untracked directory"
        );

        let (repo, mut witness) = witnessed("witness-ignore");
        std::fs::write(repo.root.join(".gitignore"), "sub/\n").unwrap();
        assert!(!witness.holds(&mut buf), "an ignore file");

        let (repo, mut witness) = witnessed("witness-config");
        std::fs::write(repo.root.join(".git/info/exclude"), "*.txt\n").unwrap();
        assert!(!witness.holds(&mut buf), "info/exclude");
    }

    #[test]
    fn a_whole_second_timestamp_counts_as_the_end_of_its_second() {
        // Coarse file systems store 0 ns: a change in the same second as the status could
        // otherwise look older than the status's start and keep old counts fresh.
        assert_eq!(latest_change(100, 0), 100_999_999_999);
        assert_eq!(latest_change(100, 5), 100_000_000_005);
        let started = 100_500_000_000;
        assert!(latest_change(100, 0) >= started, "racy within its second");
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "needs git")]
    fn a_config_file_deleted_before_the_first_read_is_not_taken_as_always_absent() {
        let repo = with_commit("witness-deleted");
        // Timestamps must fall out of the racy window: nothing else can age them.
        std::thread::sleep(RACY * 2);
        let found = discover(&repo.root, &GitEnv::default()).unwrap().unwrap();
        let snap = inspect(&found, &mut Scratch::default()).unwrap();
        let started = SystemTime::now();
        let parts = status_parts(&found, &snap, &EngineOptions::default(), None).unwrap();
        let mut witness = Witness::new(&found, &parts, started).unwrap();
        // The status may have read the exclude file; deleted before the witness's first
        // read, it leaves no stat data of its own, only its directory's change.
        std::fs::remove_file(repo.root.join(".git/info/exclude")).unwrap();
        assert!(!witness.holds(&mut PathBuf::new()));
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "needs git")]
    fn no_witness_is_taken_while_a_file_changed_within_the_racy_window() {
        let repo = with_commit("witness-racy");
        let found = discover(&repo.root, &GitEnv::default()).unwrap().unwrap();
        let snap = inspect(&found, &mut Scratch::default()).unwrap();
        // Changed after the status started: its timestamps cannot be told apart from a
        // change made later in the same clock tick.
        let started = SystemTime::now();
        std::fs::write(repo.root.join("a.txt"), "z\n").unwrap();
        let parts = status_parts(&found, &snap, &EngineOptions::default(), None).unwrap();
        let mut witness = Witness::new(&found, &parts, started).unwrap();
        assert!(!witness.holds(&mut PathBuf::new()));
        assert!(
            !witness.holds(&mut PathBuf::new()),
            "a failed first read is final"
        );
        assert!(
            witness.encode(&mut PathBuf::new()).is_none(),
            "nothing is stored for a later process to trust"
        );
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "needs git")]
    fn a_stored_witness_holds_in_a_new_process_until_a_file_changes() {
        let (repo, mut witness) = witnessed("witness-stored");
        let mut buf = PathBuf::new();
        let stored = witness.encode(&mut buf).expect("nothing is racy");
        let found = discover(&repo.root, &GitEnv::default()).unwrap().unwrap();
        let mut decoded = Witness::decode(&found, &stored).expect("decodes");
        assert!(decoded.holds(&mut buf));
        std::fs::write(repo.root.join("a.txt"), "b\n").unwrap();
        let mut decoded = Witness::decode(&found, &stored).expect("decodes");
        assert!(!decoded.holds(&mut buf), "a tracked file edited, same size");
        assert!(Witness::decode(&found, b"short").is_none());
    }
}
