//! zlib inflate for loose objects and pack entries, on `miniz_oxide`'s core decompressor.
//!
//! The caller always knows the exact size of what it inflates (a pack entry header states
//! it, a loose object's header is read first), so the output is one flat buffer of that
//! size and the decompressor runs in non-wrapping mode: no 32 KiB window copy, and a
//! stream that would write one byte more than announced is caught as damage instead of
//! growing the buffer. The Adler-32 trailer is checked, so flipped bytes are an error.
//!
//! Input comes from a slice (a loose file read whole) or from a pack file read with
//! `pread` in growing chunks, so a corrupt entry never makes us read the whole pack.

use std::fs::File;

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_PARSE_ZLIB_HEADER,
    TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{DecompressorOxide, decompress};

/// The largest chunk read from a pack at once.
const MAX_CHUNK: usize = 256 << 10;

/// Where compressed bytes come from.
pub(crate) enum Source<'a> {
    /// Everything in memory.
    Slice(&'a [u8]),
    /// A file from `offset` up to `end` (the pack's trailing checksum).
    File {
        file: &'a File,
        offset: u64,
        end: u64,
    },
}

/// Why inflating failed (mapped to `GitError` with the file's path by the caller).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum InflateError {
    Io(std::io::ErrorKind),
    Corrupt(&'static str),
}

/// A zlib stream being inflated into a caller-sized buffer.
pub(crate) struct Inflater<'a> {
    state: Box<DecompressorOxide>,
    source: Source<'a>,
    input: Vec<u8>,
    pos: usize,
    exhausted: bool,
    finished: bool,
}

impl<'a> Inflater<'a> {
    /// Starts a stream; `size_hint` is the inflated size expected (sizes the first read).
    pub(crate) fn new(source: Source<'a>, size_hint: usize) -> Inflater<'a> {
        let (input, exhausted) = match source {
            Source::Slice(_) => (Vec::new(), true),
            Source::File { .. } => {
                let first = size_hint
                    .saturating_add(size_hint / 64)
                    .saturating_add(64)
                    .min(MAX_CHUNK);
                (Vec::with_capacity(first), false)
            }
        };
        Inflater {
            state: Box::default(),
            source,
            input,
            pos: 0,
            exhausted,
            finished: false,
        }
    }

    /// Whether the stream's end (and its checksum) has been reached.
    pub(crate) fn finished(&self) -> bool {
        self.finished
    }

    /// Inflates into `out[done..]` until `out` is full or the stream ends; returns how many
    /// bytes of `out` are filled. `out[..done]` must hold what earlier calls produced.
    pub(crate) fn fill(&mut self, out: &mut [u8], mut done: usize) -> Result<usize, InflateError> {
        loop {
            if self.finished {
                return Ok(done);
            }
            if self.pos == self.input_len() && !self.exhausted {
                self.read_more()?;
            }
            let more = if self.exhausted {
                0
            } else {
                TINFL_FLAG_HAS_MORE_INPUT
            };
            let flags =
                TINFL_FLAG_PARSE_ZLIB_HEADER | TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF | more;
            let input = match self.source {
                Source::Slice(s) => &s[self.pos..],
                Source::File { .. } => &self.input[self.pos..],
            };
            let (status, used, written) = decompress(&mut self.state, input, out, done, flags);
            self.pos += used;
            done += written;
            match status {
                TINFLStatus::Done => self.finished = true,
                TINFLStatus::HasMoreOutput => return Ok(done),
                TINFLStatus::NeedsMoreInput if !self.exhausted => {}
                TINFLStatus::NeedsMoreInput | TINFLStatus::FailedCannotMakeProgress => {
                    return Err(InflateError::Corrupt("git: truncated zlib stream"));
                }
                TINFLStatus::Adler32Mismatch => {
                    return Err(InflateError::Corrupt("git: zlib checksum mismatch"));
                }
                TINFLStatus::Failed | TINFLStatus::BadParam => {
                    return Err(InflateError::Corrupt("git: corrupt zlib stream"));
                }
            }
        }
    }

    /// Inflates a stream that must produce exactly `out.len()` bytes.
    pub(crate) fn exact(&mut self, out: &mut [u8], done: usize) -> Result<(), InflateError> {
        let filled = self.fill(out, done)?;
        if filled != out.len() {
            return Err(InflateError::Corrupt(
                "git: object shorter than its header says",
            ));
        }
        // The output is full: the stream must end here (only its trailer may be left).
        let filled = self.fill(out, filled)?;
        if !self.finished || filled != out.len() {
            return Err(InflateError::Corrupt(
                "git: object longer than its header says",
            ));
        }
        Ok(())
    }

    fn input_len(&self) -> usize {
        match self.source {
            Source::Slice(s) => s.len(),
            Source::File { .. } => self.input.len(),
        }
    }

    /// Reads the next chunk of a file source (a slice source is exhausted at once).
    fn read_more(&mut self) -> Result<(), InflateError> {
        let Source::File { file, offset, end } = self.source else {
            self.exhausted = true;
            return Ok(());
        };
        let want = if self.input.capacity() > 0 && self.input.is_empty() {
            self.input.capacity()
        } else {
            MAX_CHUNK
        };
        let left = end.saturating_sub(offset);
        let n = want.min(usize::try_from(left).unwrap_or(usize::MAX));
        self.input.clear();
        self.input.resize(n, 0);
        let mut got = 0;
        while got < n {
            match crate::sys::fs::read_at(file, &mut self.input[got..], offset + got as u64) {
                Ok(0) => break,
                Ok(k) => got += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(InflateError::Io(e.kind())),
            }
        }
        self.input.truncate(got);
        self.pos = 0;
        self.source = Source::File {
            file,
            offset: offset + got as u64,
            end,
        };
        self.exhausted = got == 0 || offset + got as u64 >= end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miniz_oxide::deflate::compress_to_vec_zlib;

    fn inflate_slice(compressed: &[u8], size: usize) -> Result<Vec<u8>, InflateError> {
        let mut out = vec![0; size];
        Inflater::new(Source::Slice(compressed), size).exact(&mut out, 0)?;
        Ok(out)
    }

    #[test]
    fn an_empty_stream_inflates_to_nothing() {
        assert_eq!(
            inflate_slice(&compress_to_vec_zlib(b"", 6), 0),
            Ok(Vec::new())
        );
    }

    #[test]
    fn a_stream_must_have_exactly_the_announced_size() {
        let compressed = compress_to_vec_zlib(b"twenty bytes of text", 6);
        assert!(inflate_slice(&compressed, 20).is_ok());
        assert!(inflate_slice(&compressed, 19).is_err());
        assert!(inflate_slice(&compressed, 21).is_err());
        assert!(inflate_slice(&compressed[..compressed.len() - 2], 20).is_err());
    }

    #[test]
    fn a_file_source_streams_across_chunks_and_stops_at_its_end() {
        let data: Vec<u8> = (0..MAX_CHUNK as u32)
            .flat_map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes())
            .collect();
        let compressed = compress_to_vec_zlib(&data, 1);
        let dir = crate::tempdir::TempDir::new("inflate").unwrap();
        let path = dir.join("pack");
        let mut file_bytes = b"header".to_vec();
        file_bytes.extend_from_slice(&compressed);
        std::fs::write(&path, &file_bytes).unwrap();
        let file = File::open(&path).unwrap();
        let end = file_bytes.len() as u64;
        let mut out = vec![0; data.len()];
        let source = Source::File {
            file: &file,
            offset: 6,
            end,
        };
        Inflater::new(source, 100).exact(&mut out, 0).unwrap();
        assert!(out == data);
        let cut = Source::File {
            file: &file,
            offset: 6,
            end: end - 100,
        };
        assert!(Inflater::new(cut, data.len()).exact(&mut out, 0).is_err());
    }
}
