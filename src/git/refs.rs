//! `HEAD`, loose refs and `packed-refs`, parsed with memchr and without allocating (the
//! buffers live in a reused [`Scratch`]).
//!
//! A symbolic ref is followed at most [`MAX_SYMREF_DEPTH`] times. Ref names are checked
//! before they become paths (no `..`, no leading `/`, no control bytes), so a crafted
//! `HEAD` cannot make us read files outside the repository.
//!
//! Read next: `state.rs`.

use std::path::{Path, PathBuf};

use memchr::memchr;

use crate::git::discover::Repo;
use crate::git::{GitError, Oid, join_into, read_into};

/// How many symbolic refs are followed before giving up (git uses 5).
pub const MAX_SYMREF_DEPTH: usize = 5;

/// Buffers reused from render to render so a warm frame allocates nothing.
#[derive(Default)]
pub struct Scratch {
    pub path: PathBuf,
    pub data: Vec<u8>,
    pub packed: Vec<u8>,
    /// The ref `HEAD` points at (`refs/heads/main`), empty when detached.
    pub head_ref: Vec<u8>,
    /// The upstream ref of the branch (`refs/remotes/origin/main`), empty when none.
    pub upstream_ref: Vec<u8>,
    /// The tag of a detached `HEAD` that git named, where only git reads the refs.
    pub deferred_tag: Vec<u8>,
    /// git's config files, for the upstream.
    pub config: crate::git::state::ConfigFiles,
}

/// What `HEAD` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadTarget<'a> {
    Symbolic(&'a [u8]),
    Detached(Oid),
}

/// Parses the content of `HEAD` (or any loose ref): `ref: NAME` or an object id.
pub fn parse_head(bytes: &[u8]) -> Option<HeadTarget<'_>> {
    let line = bytes.split(|&b| b == b'\n').next()?.trim_ascii();
    if let Some(name) = line.strip_prefix(b"ref:") {
        let name = name.trim_ascii();
        return valid_ref_name(name).then_some(HeadTarget::Symbolic(name));
    }
    Oid::parse(line).map(HeadTarget::Detached)
}

/// True for ref names that are safe to turn into a path.
pub fn valid_ref_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name.len() <= 1024
        && name[0] != b'/'
        && !name.windows(2).any(|w| w == b".." || w == b"//")
        && !name.iter().any(|&b| b < 0x20 || b == 0x7f || b == b'\\')
        && (name.starts_with(b"refs/") || name.iter().all(|b| b.is_ascii_uppercase() || *b == b'_'))
}

/// Looks `name` up in a `packed-refs` file. Lines are `OID NAME`, `^OID` (the peeled
/// commit of the tag above) and `# pack-refs with: …`; anything else is an error.
pub fn packed_lookup(packed: &[u8], name: &[u8]) -> Result<Option<Oid>, &'static str> {
    for line in packed_lines(packed) {
        match line? {
            PackedLine::Ref(oid, n) if n == name => return Ok(Some(oid)),
            _ => {}
        }
    }
    Ok(None)
}

/// The first tag in `packed-refs` that points at `oid` (directly or peeled).
pub fn packed_tag_for<'p>(packed: &'p [u8], oid: &Oid) -> Option<&'p [u8]> {
    let mut last_tag: Option<&[u8]> = None;
    for line in packed_lines(packed) {
        match line.ok()? {
            PackedLine::Ref(o, name) => {
                let tag = name.strip_prefix(b"refs/tags/");
                if tag.is_some() && o == *oid {
                    return tag;
                }
                last_tag = tag;
            }
            PackedLine::Peeled(o) if o == *oid && last_tag.is_some() => return last_tag,
            _ => {}
        }
    }
    None
}

enum PackedLine<'a> {
    Ref(Oid, &'a [u8]),
    Peeled(Oid),
    Comment,
}

fn packed_lines(packed: &[u8]) -> impl Iterator<Item = Result<PackedLine<'_>, &'static str>> {
    let mut rest = packed;
    std::iter::from_fn(move || {
        while !rest.is_empty() {
            let end = memchr(b'\n', rest).unwrap_or(rest.len());
            let line = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or(&[]);
            if line.is_empty() {
                continue;
            }
            return Some(parse_packed_line(line));
        }
        None
    })
}

fn parse_packed_line(line: &[u8]) -> Result<PackedLine<'_>, &'static str> {
    const GARBAGE: &str = "git: packed-refs has a line git does not write";
    if line[0] == b'#' {
        return Ok(PackedLine::Comment);
    }
    if let Some(peeled) = line.strip_prefix(b"^") {
        return Oid::parse(peeled.trim_ascii_end())
            .map(PackedLine::Peeled)
            .ok_or(GARBAGE);
    }
    let space = memchr(b' ', line).ok_or(GARBAGE)?;
    let oid = Oid::parse(&line[..space]).ok_or(GARBAGE)?;
    let name = line[space + 1..].trim_ascii_end();
    if name.is_empty() {
        return Err(GARBAGE);
    }
    Ok(PackedLine::Ref(oid, name))
}

/// Refs that live in the worktree's own git directory rather than the shared one.
fn is_per_worktree(name: &[u8]) -> bool {
    !name.starts_with(b"refs/")
        || name.starts_with(b"refs/bisect/")
        || name.starts_with(b"refs/worktree/")
        || name.starts_with(b"refs/rewritten/")
}

fn ref_path(name: &[u8]) -> std::borrow::Cow<'_, std::ffi::OsStr> {
    crate::sys::fs::os_str(name)
}

/// Resolves ref `name` (following symbolic refs) to an object id; `Ok(None)` when the ref
/// does not exist (an unborn branch, a deleted upstream).
pub fn resolve(repo: &Repo, name: &[u8], s: &mut Scratch) -> Result<Option<Oid>, GitError> {
    resolve_chain(repo, name, s, None)
}

/// [`resolve`], also leaving in `last` (cleared first) the name of the ref the chain of
/// symbolic refs ends at: a branch `refs/heads/alias` holding `ref: refs/heads/main`
/// names `refs/heads/main`, as git's `resolve_ref` does.
pub fn resolve_to_name(
    repo: &Repo,
    name: &[u8],
    s: &mut Scratch,
    last: &mut Vec<u8>,
) -> Result<Option<Oid>, GitError> {
    resolve_chain(repo, name, s, Some(last))
}

fn resolve_chain(
    repo: &Repo,
    name: &[u8],
    s: &mut Scratch,
    mut last: Option<&mut Vec<u8>>,
) -> Result<Option<Oid>, GitError> {
    let mut current: arrayvec::ArrayVec<u8, 1024> = arrayvec::ArrayVec::new();
    current
        .try_extend_from_slice(name)
        .map_err(|_| GitError::PathTooLong)?;
    for _ in 0..MAX_SYMREF_DEPTH {
        if !valid_ref_name(&current) {
            return Err(GitError::Corrupt {
                path: repo.git_dir.clone(),
                what: "git: invalid ref name",
            });
        }
        let base: &Path = if is_per_worktree(&current) {
            &repo.git_dir
        } else {
            &repo.common_dir
        };
        let path = join_into(&mut s.path, base, Path::new(&*ref_path(&current)));
        let found = match read_into(path, &mut s.data) {
            Ok(found) => found,
            // A directory where a ref file would be (`refs/heads/a` when `a/b` exists).
            Err(GitError::Corrupt { path, .. }) if path.is_dir() => false,
            Err(e) => return Err(e),
        };
        if let Some(last) = last.as_deref_mut() {
            last.clear();
            last.extend_from_slice(&current);
        }
        if !found {
            return packed(repo, &current, s);
        }
        match parse_head(&s.data) {
            Some(HeadTarget::Detached(oid)) => return Ok(Some(oid)),
            Some(HeadTarget::Symbolic(next)) => {
                let next: arrayvec::ArrayVec<u8, 1024> = next.iter().copied().take(1024).collect();
                current = next;
            }
            None => {
                return Err(GitError::Corrupt {
                    path: s.path.clone(),
                    what: "git: a ref file holds no object id",
                });
            }
        }
    }
    Err(GitError::Corrupt {
        path: repo.git_dir.clone(),
        what: "git: symbolic refs nest too deep",
    })
}

fn packed(repo: &Repo, name: &[u8], s: &mut Scratch) -> Result<Option<Oid>, GitError> {
    load_packed(repo, s)?;
    packed_lookup(&s.packed, name).map_err(|what| GitError::Corrupt {
        path: repo.common_dir.join("packed-refs"),
        what,
    })
}

/// Reads `packed-refs` into `s.packed` (empty when there is none).
pub fn load_packed(repo: &Repo, s: &mut Scratch) -> Result<(), GitError> {
    let path = join_into(&mut s.path, &repo.common_dir, "packed-refs");
    read_into(path, &mut s.packed).map(drop)
}

/// A tag pointing at `oid`, for showing a detached `HEAD`: a loose `refs/tags/…` file
/// (nested directories included, in name order) holding the id or an annotated tag that
/// peels to it, else `packed-refs` (its peeled `^` lines). Returned in `s.data` as the
/// name below `refs/tags/`; `false` when there is none.
pub fn tag_for(repo: &Repo, oid: &Oid, s: &mut Scratch) -> bool {
    let tags = repo.common_dir.join("refs/tags");
    let mut peeler = Peeler::new(&repo.common_dir);
    if let Some(name) = loose_tag_for(&tags, b"", oid, &mut peeler, 0) {
        s.data.clear();
        s.data.extend_from_slice(&name);
        return true;
    }
    if load_packed(repo, s).is_err() {
        return false;
    }
    match packed_tag_for(&s.packed, oid) {
        Some(tag) => {
            let tag = tag.to_vec();
            s.data.clear();
            s.data.extend_from_slice(&tag);
            true
        }
        None => false,
    }
}

/// How deep `refs/tags/` is searched.
const MAX_TAG_DEPTH: usize = 8;

fn loose_tag_for(
    dir: &Path,
    prefix: &[u8],
    oid: &Oid,
    peeler: &mut Peeler<'_>,
    depth: usize,
) -> Option<Vec<u8>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir).ok()?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let mut name = prefix.to_vec();
        name.extend_from_slice(entry.file_name().as_encoded_bytes());
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && depth < MAX_TAG_DEPTH {
            name.push(b'/');
            if let Some(found) = loose_tag_for(&entry.path(), &name, oid, peeler, depth + 1) {
                return Some(found);
            }
            continue;
        }
        let mut content = Vec::new();
        if !read_into(&entry.path(), &mut content).unwrap_or(false) {
            continue;
        }
        if let Some(HeadTarget::Detached(target)) = parse_head(&content)
            && (target == *oid || peeler.peels_to(&target, oid))
        {
            return Some(name);
        }
    }
    None
}

/// Peels tag objects to the commit they name: loose objects first, the object store
/// (packs) opened only when one is not loose.
struct Peeler<'a> {
    common_dir: &'a Path,
    store: Option<Option<crate::git::object::ObjectStore>>,
}

impl<'a> Peeler<'a> {
    fn new(common_dir: &'a Path) -> Peeler<'a> {
        Peeler {
            common_dir,
            store: None,
        }
    }

    /// Is `tag` a tag object (or a chain of them) that ends at `target`?
    fn peels_to(&mut self, tag: &Oid, target: &Oid) -> bool {
        use crate::git::RawOid;
        use crate::git::object::ObjectKind;
        use crate::git::object::loose::read_loose;
        use crate::git::object::parse::parse_tag;
        let Some(mut current) = RawOid::from_hex(tag) else {
            return false;
        };
        let objects = self.common_dir.join("objects");
        let (mut file, mut data) = (Vec::new(), Vec::new());
        for _ in 0..MAX_SYMREF_DEPTH {
            match read_loose(&objects, &current, &mut file, &mut data) {
                Ok(Some(ObjectKind::Tag)) => match parse_tag(&data) {
                    Ok((next, _)) => current = next,
                    Err(_) => return false,
                },
                Ok(Some(_)) => return current.to_hex() == *target,
                Ok(None) => {
                    let store = self.store.get_or_insert_with(|| {
                        crate::git::object::ObjectStore::open(self.common_dir).ok()
                    });
                    return store
                        .as_ref()
                        .and_then(|store| store.peel_to_commit(&current).ok())
                        .is_some_and(|commit| commit.to_hex() == *target);
                }
                Err(_) => return false,
            }
        }
        false
    }
}

/// Does the repository have `git replace` refs (`refs/replace/`, loose or packed)? git
/// then reads the replacement of each replaced object, which only git is trusted with.
pub fn has_replace_refs(common_dir: &Path) -> bool {
    if std::env::var_os("GIT_NO_REPLACE_OBJECTS").is_some() {
        return false;
    }
    let loose = std::fs::read_dir(common_dir.join("refs/replace"))
        .is_ok_and(|mut entries| entries.next().is_some());
    if loose {
        return true;
    }
    let mut packed = Vec::new();
    matches!(
        read_into(&common_dir.join("packed-refs"), &mut packed),
        Ok(true)
    ) && memchr::memmem::find(&packed, b" refs/replace/").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";

    #[test]
    fn head_is_a_symbolic_ref_or_an_object_id() {
        assert_eq!(
            parse_head(b"ref: refs/heads/main\n"),
            Some(HeadTarget::Symbolic(b"refs/heads/main"))
        );
        assert!(matches!(
            parse_head(format!("{A}\n").as_bytes()),
            Some(HeadTarget::Detached(_))
        ));
        assert_eq!(parse_head(b"garbage"), None);
        assert_eq!(parse_head(b""), None);
    }

    #[test]
    fn ref_names_that_escape_the_repository_are_refused() {
        assert_eq!(parse_head(b"ref: refs/../../etc/passwd"), None);
        assert_eq!(parse_head(b"ref: /etc/passwd"), None);
        assert_eq!(parse_head(b"ref: refs/heads/\x1b[31mred"), None);
        assert!(valid_ref_name(b"refs/heads/feature/x"));
        assert!(valid_ref_name(b"ORIG_HEAD"));
    }

    #[test]
    fn packed_refs_are_looked_up_and_tags_peeled() {
        let packed = format!(
            "# pack-refs with: peeled fully-peeled sorted\n{A} refs/heads/main\n{B} refs/tags/v1\n^{A}\n"
        );
        let found = packed_lookup(packed.as_bytes(), b"refs/heads/main").unwrap();
        assert_eq!(found.map(|o| o.as_str().to_owned()), Some(A.to_owned()));
        assert_eq!(packed_lookup(packed.as_bytes(), b"refs/heads/x"), Ok(None));
        let a = Oid::parse(A.as_bytes()).unwrap();
        assert_eq!(packed_tag_for(packed.as_bytes(), &a), Some(&b"v1"[..]));
    }

    #[test]
    fn packed_refs_with_garbage_is_an_error_not_a_panic() {
        for bad in [
            &b"nonsense\n"[..],
            b"^zz\n",
            b"1111 refs/x\n",
            b"\xff\xfe\n",
        ] {
            assert!(packed_lookup(bad, b"refs/heads/main").is_err(), "{bad:?}");
        }
    }
}
