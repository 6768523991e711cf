//! The record format: every cache file is a header (magic, format version, payload
//! length, FNV-1a checksum of the payload) and the payload. A record that fails any check
//! reads as absent, and the next write replaces it.

const MAGIC: &[u8; 4] = b"BLNK";
/// Bumped when the record layout changes; older records then read as absent.
const FORMAT_VERSION: u8 = 1;
/// The header's length: magic, version, length, checksum.
pub(crate) const HEADER_LEN: usize = 4 + 1 + 4 + 8;

/// 64-bit FNV-1a: the record checksum and the hash behind record names.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_more(FNV_START, bytes)
}

/// FNV-1a's starting value: `fnv1a_more(FNV_START, a + b) == fnv1a_more(fnv1a(a), b)`.
pub(crate) const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// Continues an FNV-1a hash over more bytes (a payload checksummed as it is written).
pub(crate) fn fnv1a_more(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

pub(crate) fn encode_record(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&header(payload));
    out.extend_from_slice(payload);
    out
}

/// The header of `payload`'s record (for writers that write it apart from the payload).
pub(crate) fn header(payload: &[u8]) -> [u8; HEADER_LEN] {
    header_of(payload.len(), fnv1a(payload))
}

/// The header of a payload of `len` bytes whose FNV-1a checksum is `checksum`.
pub(crate) fn header_of(len: usize, checksum: u64) -> [u8; HEADER_LEN] {
    let mut out = [0u8; HEADER_LEN];
    out[..4].copy_from_slice(MAGIC);
    out[4] = FORMAT_VERSION;
    out[5..9].copy_from_slice(&(len as u32).to_le_bytes());
    out[9..].copy_from_slice(&checksum.to_le_bytes());
    out
}

/// The payload of a record, if its header and checksum hold.
pub(crate) fn decode_record(bytes: &[u8]) -> Option<&[u8]> {
    let header = bytes.get(..HEADER_LEN)?;
    if &header[..4] != MAGIC || header[4] != FORMAT_VERSION {
        return None;
    }
    let len = u32::from_le_bytes(header[5..9].try_into().ok()?) as usize;
    let sum = u64::from_le_bytes(header[9..17].try_into().ok()?);
    let payload = bytes.get(HEADER_LEN..)?;
    (payload.len() == len && fnv1a(payload) == sum).then_some(payload)
}
