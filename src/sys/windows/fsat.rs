//! Name lookups in a directory on Windows. There are no directory descriptors to look
//! names up relative to, so a [`Dir`] is its path and each lookup resolves the whole
//! path again (`symlink_metadata`, which does not follow a reparse point). A symlink or
//! junction where a directory is expected fails as `NotADirectory`, as `O_NOFOLLOW` does.

use std::ffi::CStr;
use std::io;
use std::path::{Path, PathBuf};

/// The fields of `struct stat` git's index compares, as Git for Windows fills them: no
/// device, inode, owner or group (all 0), the change time is the creation time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileStat {
    pub mode: u32,
    pub dev: u64,
    pub ino: u64,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub mtime: i64,
    pub mtime_nsec: i64,
    pub ctime: i64,
    pub ctime_nsec: i64,
}

/// A directory that names are looked up in.
#[derive(Debug)]
pub struct Dir(PathBuf);

impl Dir {
    /// The directory at `path` (following a link, as a path given by the user is).
    pub fn open(path: &Path) -> io::Result<Dir> {
        if std::fs::metadata(path)?.is_dir() {
            Ok(Dir(path.to_owned()))
        } else {
            Err(io::Error::from(io::ErrorKind::NotADirectory))
        }
    }
}

fn join(dir: &Dir, name: &CStr) -> io::Result<PathBuf> {
    let name = name
        .to_str()
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidFilename))?;
    Ok(dir.0.join(name))
}

/// The directory `name` inside `parent`, not through a symlink or junction.
pub fn open_subdir(parent: &Dir, name: &CStr) -> io::Result<Dir> {
    let path = join(parent, name)?;
    let meta = std::fs::symlink_metadata(&path)?;
    if meta.is_dir() && !meta.file_type().is_symlink() {
        Ok(Dir(path))
    } else {
        Err(io::Error::from(io::ErrorKind::NotADirectory))
    }
}

/// `lstat` of `name` inside `dir`.
pub fn lstat_at(dir: &Dir, name: &CStr) -> io::Result<FileStat> {
    let meta = std::fs::symlink_metadata(join(dir, name)?)?;
    Ok(super::fs::stat_of(&meta))
}

/// What a directory entry is; symlinks and junctions are not followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Other,
}

/// Reads the directory `rel` (`/`-separated, `.` for `dir` itself) inside `dir`: takes its
/// status first, then calls `visit` with the name and kind of every entry. An entry that
/// cannot be read is skipped.
pub fn read_dir_at(
    dir: &Dir,
    rel: &CStr,
    visit: &mut dyn FnMut(&[u8], EntryKind),
) -> io::Result<FileStat> {
    let path = join(dir, rel)?;
    let stat = super::fs::stat_of(&std::fs::symlink_metadata(&path)?);
    for entry in std::fs::read_dir(&path)? {
        let Ok(entry) = entry else { continue };
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        let kind = if file_type.is_symlink() {
            EntryKind::Symlink
        } else if file_type.is_dir() {
            EntryKind::Dir
        } else if file_type.is_file() {
            EntryKind::File
        } else {
            EntryKind::Other
        };
        visit(entry.file_name().as_encoded_bytes(), kind);
    }
    Ok(stat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_at_agrees_with_std_and_a_file_is_not_a_subdirectory() {
        let root = crate::tempdir::TempDir::new("fsat").unwrap();
        std::fs::create_dir_all(root.join("d")).unwrap();
        std::fs::write(root.join("d").join("f"), b"12345").unwrap();
        let dir = Dir::open(&root).unwrap();
        let sub = open_subdir(&dir, c"d").unwrap();
        let st = lstat_at(&sub, c"f").unwrap();
        assert_eq!((st.size, st.mode), (5, 0o100644));
        let modified = std::fs::metadata(root.join("d").join("f"))
            .unwrap()
            .modified()
            .unwrap();
        let since = modified.duration_since(std::time::UNIX_EPOCH).unwrap();
        assert_eq!(
            (st.mtime, st.mtime_nsec),
            (since.as_secs() as i64, i64::from(since.subsec_nanos()))
        );
        let not_dir = open_subdir(&sub, c"f").unwrap_err();
        assert!(crate::sys::fs::is_missing(&not_dir), "{not_dir:?}");
        let missing = lstat_at(&sub, c"nope").unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }
}
