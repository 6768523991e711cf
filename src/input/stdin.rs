//! Bounded reading of the payload from stdin.
//!
//! At most [`STDIN_LIMIT`] bytes are read: a larger input is not a Claude Code payload, and
//! reading it all would cost time and memory on every render. Invalid UTF-8 is replaced
//! (U+FFFD) so the rest of the payload still renders.

use std::io::Read;

use crate::input::InputProblem;

/// The largest payload accepted (1 MiB).
pub const STDIN_LIMIT: usize = 1 << 20;

/// Reads stdin into `buf` (cleared first). Returns a problem for oversized, unreadable or
/// non-UTF-8 input; `buf` then holds what can still be used (possibly nothing).
pub fn read_payload(reader: &mut dyn Read, buf: &mut Vec<u8>) -> Option<InputProblem> {
    buf.clear();
    let mut limited = reader.take(STDIN_LIMIT as u64 + 1);
    if let Err(err) = limited.read_to_end(buf) {
        buf.clear();
        return Some(InputProblem::Unreadable {
            reason: err.to_string(),
        });
    }
    if buf.len() > STDIN_LIMIT {
        buf.clear();
        return Some(InputProblem::TooLarge { limit: STDIN_LIMIT });
    }
    if std::str::from_utf8(buf).is_err() {
        let repaired = String::from_utf8_lossy(buf).into_owned();
        *buf = repaired.into_bytes();
        return Some(InputProblem::InvalidUtf8);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_input_is_refused_without_reading_it_all() {
        let mut source = std::io::repeat(b' ').take(10 * STDIN_LIMIT as u64);
        let mut buf = Vec::new();
        let problem = read_payload(&mut source, &mut buf);
        assert_eq!(problem, Some(InputProblem::TooLarge { limit: STDIN_LIMIT }));
        assert!(buf.is_empty());
    }

    #[test]
    fn invalid_utf8_is_replaced_and_reported() {
        let mut source: &[u8] = b"{\"cwd\":\"/a\xff\"}";
        let mut buf = Vec::new();
        assert_eq!(
            read_payload(&mut source, &mut buf),
            Some(InputProblem::InvalidUtf8)
        );
        assert_eq!(
            std::str::from_utf8(&buf).unwrap(),
            "{\"cwd\":\"/a\u{fffd}\"}"
        );
    }

    #[test]
    fn normal_input_is_read_whole() {
        let mut source: &[u8] = b"{\"cwd\":\"/a\"}";
        let mut buf = Vec::new();
        assert_eq!(read_payload(&mut source, &mut buf), None);
        assert_eq!(buf, b"{\"cwd\":\"/a\"}");
    }
}
