//! Loose objects: `objects/XX/YYYY…` (the id's first byte in hex names the directory),
//! each one zlib stream of `KIND SIZE\0` followed by the content.
//!
//! The file is read whole (bounded by [`MAX_OBJECT_SIZE`]); the header is inflated first
//! into a small buffer, then the buffer is sized from it and the rest inflated in place, so
//! a header that lies about the size is an error (the stream ends early or runs over).

use std::path::{Path, PathBuf};

use crate::git::object::inflate::{InflateError, Inflater, Source};
use crate::git::object::parse::parse_loose_header;
use crate::git::object::{MAX_OBJECT_SIZE, ObjectKind, open_regular};
use crate::git::{GitError, RawOid};

/// Enough for the longest header git writes (`commit 18446744073709551615\0`).
const HEADER_PROBE: usize = 32;

/// The path of `oid`'s loose file under the objects directory `objects`.
pub fn loose_path(objects: &Path, oid: &RawOid) -> PathBuf {
    let hex = oid.to_hex();
    let hex = hex.as_str();
    let mut path = objects.join(&hex[..2]);
    path.push(&hex[2..]);
    path
}

/// Reads a loose object into `out`; `Ok(None)` when there is no such file.
pub fn read_loose(
    objects: &Path,
    oid: &RawOid,
    file: &mut Vec<u8>,
    out: &mut Vec<u8>,
) -> Result<Option<ObjectKind>, GitError> {
    let path = loose_path(objects, oid);
    if !read_bounded(&path, file)? {
        return Ok(None);
    }
    let corrupt = |what| GitError::Corrupt {
        path: path.clone(),
        what,
    };
    let map = |e| match e {
        InflateError::Corrupt(what) => corrupt(what),
        InflateError::Io(_) => corrupt("git: unreadable loose object"),
    };
    let mut inflater = Inflater::new(Source::Slice(file), HEADER_PROBE);
    out.clear();
    out.resize(HEADER_PROBE, 0);
    let got = inflater.fill(out, 0).map_err(map)?;
    let (kind, size, header_len) = parse_loose_header(&out[..got]).map_err(corrupt)?;
    let total = header_len + size;
    if total < got {
        return Err(corrupt("git: object longer than its header says"));
    }
    if inflater.finished() && total > got {
        return Err(corrupt("git: object shorter than its header says"));
    }
    out.resize(total, 0);
    if !inflater.finished() {
        inflater.exact(out, got).map_err(map)?;
    }
    out.drain(..header_len);
    Ok(Some(kind))
}

/// Reads a regular file of at most `MAX_OBJECT_SIZE` bytes; `Ok(false)` when missing.
fn read_bounded(path: &Path, buf: &mut Vec<u8>) -> Result<bool, GitError> {
    use std::io::Read;
    buf.clear();
    let Some((file, len)) = open_regular(path)? else {
        return Ok(false);
    };
    if len > MAX_OBJECT_SIZE {
        return Err(GitError::Corrupt {
            path: path.to_owned(),
            what: "git: object larger than the limit",
        });
    }
    buf.reserve(len as usize);
    let io = |source| GitError::Io {
        path: path.to_owned(),
        source,
    };
    file.take(MAX_OBJECT_SIZE).read_to_end(buf).map_err(io)?;
    Ok(true)
}
