//! The walk over the work tree that decides, entry by entry, what `git status` would print
//! as `?` — a port of `treat_path` and `treat_directory` in git's `dir.c`.
//!
//! For each entry of a directory (`.git` skipped everywhere):
//! - a FIFO, socket or device: nothing;
//! - a file or symlink: untracked unless tracked or excluded;
//! - a directory: nothing when excluded (git never looks inside, so nothing below it can
//!   be re-included); walked when the index has paths below it; nothing when it is a
//!   tracked gitlink; otherwise it is untracked: a nested repository is one entry `dir/`;
//!   with `-uall` its files are counted one by one; in normal mode it is one entry `dir/`
//!   if anything below it is untracked (the walk stops at the first), else nothing.
//!
//! A `dir/` entry is dropped when `dir` itself is in the index (a tracked file replaced
//! by a directory: `git status` filters such entries out, though `-uall` lists the files
//! inside). The `.gitignore` of a directory is read when the walk enters it and applies to
//! everything below. An unreadable directory is treated as empty (git warns
//! "could not open directory" and goes on).
//!
//! Read next: `listing.rs` (how directories are read or reused).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::git::GitError;
use crate::git::ignore::{PatternList, read_ignore_file};
use crate::git::untracked::TrackedPaths;
use crate::git::untracked::listing::{Kind, Listing, Stamp, UntrackedCache};
use crate::git::untracked::nested::is_nested_repo;
use crate::sys::fsat::Dir;

/// The ignore files in effect at the current point of the walk.
#[derive(Default)]
pub(crate) struct Excludes {
    /// Per-directory `.gitignore` lists, top first.
    dirs: Vec<PatternList>,
    /// `info/exclude`, then `core.excludesFile` (the order git consults them).
    pub global: Vec<PatternList>,
    /// `core.ignoreCase`: the patterns were lowercased, paths are lowercased to match.
    pub fold: bool,
}

impl Excludes {
    /// Is `path` (below the work tree) excluded? The deepest ignore file with a matching
    /// pattern decides.
    pub fn excluded(&self, path: &[u8], is_dir: bool) -> bool {
        let lowered;
        let path = if self.fold {
            lowered = path.to_ascii_lowercase();
            lowered.as_slice()
        } else {
            path
        };
        self.dirs
            .iter()
            .rev()
            .chain(&self.global)
            .find_map(|list| list.decide(path, is_dir))
            .unwrap_or(false)
    }
}

pub(crate) struct Walker<'w> {
    pub root: &'w Path,
    /// The work tree, open: directories are read relative to it.
    pub dir: &'w Dir,
    /// Directories read ahead of the walk ([`super::read_ahead`]), keyed as `rel`; each
    /// is taken out when the walk reaches it.
    pub ahead: HashMap<Vec<u8>, (Stamp, Listing)>,
    pub git_dir: &'w Path,
    pub tracked: &'w TrackedPaths<'w>,
    /// `-uall`: untracked directories are walked and their files counted one by one.
    pub all_files: bool,
    pub excludes: Excludes,
    pub cache: Option<&'w mut UntrackedCache>,
    pub count: u32,
    abs: PathBuf,
    buf: Vec<u8>,
}

impl<'w> Walker<'w> {
    pub fn new(
        root: &'w Path,
        dir: &'w Dir,
        git_dir: &'w Path,
        tracked: &'w TrackedPaths<'w>,
    ) -> Walker<'w> {
        Walker {
            root,
            dir,
            ahead: HashMap::new(),
            git_dir,
            tracked,
            all_files: false,
            excludes: Excludes::default(),
            cache: None,
            count: 0,
            abs: PathBuf::new(),
            buf: Vec::new(),
        }
    }

    /// The listing of directory `rel` (`""` or ending in `/`); `None` when unreadable.
    fn list(&mut self, rel: &[u8]) -> Option<Rc<Listing>> {
        let ahead = self.ahead.remove(rel);
        match self.cache.as_deref_mut() {
            Some(cache) => cache.list(self.dir, rel, ahead),
            None => ahead
                .or_else(|| Listing::read(self.dir, rel))
                .map(|(_, listing)| Rc::new(listing)),
        }
    }

    /// Walks directory `rel`, counting untracked entries; with `check_only`, stops at the
    /// first and counts nothing. Returns whether it found one.
    /// `below` is the range of tracked paths that start with `rel`.
    pub fn walk(
        &mut self,
        rel: &mut Vec<u8>,
        below: Range<usize>,
        check_only: bool,
    ) -> Result<bool, GitError> {
        let Some(listing) = self.list(rel).filter(|l| !l.is_empty()) else {
            return Ok(false);
        };
        let pushed = listing.has_gitignore && self.push_ignore_file(rel)?;
        let found = self.walk_entries(rel, &listing, below, check_only);
        if pushed {
            self.excludes.dirs.pop();
        }
        found
    }

    /// Reads `rel/.gitignore` onto the stack; whether it added patterns.
    fn push_ignore_file(&mut self, rel: &[u8]) -> Result<bool, GitError> {
        self.abs.clear();
        self.abs.push(self.root);
        self.abs.push(&*crate::sys::fs::os_str(rel));
        self.abs.push(".gitignore");
        if !read_ignore_file(&self.abs, false, &mut self.buf)? {
            return Ok(false);
        }
        let list = if self.excludes.fold {
            self.buf.make_ascii_lowercase();
            PatternList::parse(&self.buf, &rel.to_ascii_lowercase())
        } else {
            PatternList::parse(&self.buf, rel)
        };
        if list.is_empty() {
            return Ok(false);
        }
        self.excludes.dirs.push(list);
        Ok(true)
    }

    fn walk_entries(
        &mut self,
        rel: &mut Vec<u8>,
        listing: &Listing,
        below: Range<usize>,
        check_only: bool,
    ) -> Result<bool, GitError> {
        let mut found = false;
        let dir_len = rel.len();
        for i in 0..listing.len() {
            let (name, kind) = listing.get(i);
            let len = rel.len();
            rel.extend_from_slice(name);
            // `core.ignoreCase`: the index view is lowercased, so is the name looked up.
            let lowered;
            let name = if self.excludes.fold {
                lowered = name.to_ascii_lowercase();
                lowered.as_slice()
            } else {
                name
            };
            let untracked = match kind {
                Kind::Other => Ok(false),
                Kind::File => Ok(!self.tracked.contains_in(below.clone(), dir_len, name)
                    && !self.excludes.excluded(rel, false)),
                Kind::Dir => {
                    // A `dir/` entry whose name is itself in the index (a tracked file
                    // replaced by a directory) is dropped, as git's index_name_is_other.
                    let sub = self.tracked.below(below.clone(), dir_len, name);
                    self.treat_directory(rel, sub, check_only).map(|entry| {
                        entry && !self.tracked.contains_in(below.clone(), dir_len, name)
                    })
                }
            };
            rel.truncate(len);
            if untracked? {
                found = true;
                if check_only {
                    return Ok(true);
                }
                self.count += 1;
            }
        }
        Ok(found)
    }

    /// Is directory `rel` (with tracked paths `below`) itself one `?` line? Walks it
    /// when it holds tracked paths or `-uall` asks for its files.
    fn treat_directory(
        &mut self,
        rel: &mut Vec<u8>,
        below: Range<usize>,
        check_only: bool,
    ) -> Result<bool, GitError> {
        if self.excludes.excluded(rel, true) {
            return Ok(false);
        }
        if !below.is_empty() {
            rel.push(b'/');
            let found = self.walk_tracked_directory(rel, below, check_only);
            rel.pop();
            return Ok(check_only && found?);
        }
        let gitlink = if self.excludes.fold {
            self.tracked.is_gitlink(&rel.to_ascii_lowercase())
        } else {
            self.tracked.is_gitlink(rel)
        };
        if gitlink {
            return Ok(false);
        }
        if self.is_nested(rel) {
            return Ok(true);
        }
        rel.push(b'/');
        let found = if self.all_files && !check_only {
            self.walk(rel, below, false).map(|_| false)
        } else {
            self.walk(rel, below, true)
        };
        rel.pop();
        found
    }

    /// Walks directory `rel` (ending in `/`), which holds tracked paths; a counting walk
    /// takes the subtree's recorded count instead when the cache allows it
    /// ([`UntrackedCache::reuse_subtotals`]) and records the count it finds.
    fn walk_tracked_directory(
        &mut self,
        rel: &mut Vec<u8>,
        below: Range<usize>,
        check_only: bool,
    ) -> Result<bool, GitError> {
        if check_only {
            return self.walk(rel, below, true);
        }
        if let Some(n) = self.cache.as_deref().and_then(|c| c.reusable_subtotal(rel)) {
            self.count += n;
            return Ok(false);
        }
        let before = self.count;
        let found = self.walk(rel, below, false)?;
        if let Some(cache) = self.cache.as_deref_mut() {
            cache.note_subtotal(rel, self.count - before);
        }
        Ok(found)
    }

    /// Is directory `rel` another repository (and not this one's own git directory)?
    fn is_nested(&mut self, rel: &[u8]) -> bool {
        self.abs.clear();
        self.abs.push(self.root);
        self.abs.push(&*crate::sys::fs::os_str(rel));
        is_nested_repo(&self.abs, self.git_dir)
    }
}
