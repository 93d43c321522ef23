//! The on-disk page format.
//!
//! Every page is [`PAGE_SIZE`] bytes: a 24-byte header followed by the
//! payload. Header integers are fixed-width little-endian; records inside the
//! payload use the same plus LEB128 varints ([`Reader::varint`]), so a page
//! written by a native build and by a wasm32 build is byte-for-byte
//! identical.
//!
//! ```text
//! offset size field
//!      0    4 magic "RLDB"
//!      4    2 format version (FORMAT_VERSION)
//!      6    1 page kind (1 = superblock, 2 = log page)
//!      7    1 reserved (0)
//!      8    8 page number (guards against misplaced writes)
//!     16    4 payload length in bytes
//!     20    4 CRC-32 of the whole page with this field zeroed
//!     24    . payload, zero-padded to the end of the page
//! ```

use crate::error::{Error, Result};

/// Size of every page in bytes.
///
/// 4 KiB matches the block size of common file systems and the sweet spot of
/// IndexedDB values: small enough that a one-row commit rewrites little,
/// large enough that a full B+tree node fits in one page.
pub const PAGE_SIZE: usize = 4096;
/// The page format this build writes and reads. Version 2 packs B+tree
/// nodes densely (varint lengths, keys prefix-compressed within a node, rows
/// and keys encoded compactly by the SQL layer); a store written in another
/// version is refused with [`Error::UnknownFormat`].
pub const FORMAT_VERSION: u16 = 2;
/// Bytes of page header.
pub const HEADER_LEN: usize = 24;
/// Bytes of payload a page can carry.
pub const PAYLOAD_LEN: usize = PAGE_SIZE - HEADER_LEN;
const MAGIC: &[u8; 4] = b"RLDB";

/// What a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// One of the two alternating superblock slots (pages 0 and 1).
    Super = 1,
    /// A sealed page of the record log.
    Log = 2,
}

/// A page buffer.
pub type PageBuf = Box<[u8; PAGE_SIZE]>;

/// A zeroed page buffer.
pub fn blank() -> PageBuf {
    Box::new([0u8; PAGE_SIZE])
}

/// Builds a page of `kind` numbered `page_no` carrying `payload`.
pub fn seal(kind: PageKind, page_no: u64, payload: &[u8]) -> PageBuf {
    assert!(payload.len() <= PAYLOAD_LEN, "payload exceeds a page");
    let mut p = blank();
    p[0..4].copy_from_slice(MAGIC);
    p[4..6].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    p[6] = kind as u8;
    p[8..16].copy_from_slice(&page_no.to_le_bytes());
    p[16..20].copy_from_slice(&(payload.len() as u32).to_le_bytes());
    p[HEADER_LEN..HEADER_LEN + payload.len()].copy_from_slice(payload);
    let crc = crc32fast::hash(&p[..]);
    p[20..24].copy_from_slice(&crc.to_le_bytes());
    p
}

/// Verifies a page read from slot `page_no` and returns its kind and payload.
pub fn open(page_no: u64, p: &[u8; PAGE_SIZE]) -> Result<(PageKind, &[u8])> {
    if &p[0..4] != MAGIC {
        if p.iter().all(|&b| b == 0) {
            return Err(Error::Corrupt(format!("page {page_no} is blank (never written)")));
        }
        return Err(Error::Corrupt(format!("page {page_no} has no ReelDB page header")));
    }
    let stored = u32::from_le_bytes(p[20..24].try_into().unwrap());
    let mut h = crc32fast::Hasher::new();
    h.update(&p[..20]);
    h.update(&[0u8; 4]);
    h.update(&p[24..]);
    let computed = h.finalize();
    if stored != computed {
        return Err(Error::Checksum { page: page_no, stored, computed });
    }
    let version = u16::from_le_bytes(p[4..6].try_into().unwrap());
    if version != FORMAT_VERSION {
        return Err(Error::UnknownFormat { page: page_no, version, supported: FORMAT_VERSION });
    }
    let kind = match p[6] {
        1 => PageKind::Super,
        2 => PageKind::Log,
        k => return Err(Error::Corrupt(format!("page {page_no} has unknown kind {k}"))),
    };
    let number = u64::from_le_bytes(p[8..16].try_into().unwrap());
    if number != page_no {
        return Err(Error::Corrupt(format!("page {page_no} holds the contents of page {number}")));
    }
    let len = u32::from_le_bytes(p[16..20].try_into().unwrap()) as usize;
    if len > PAYLOAD_LEN {
        return Err(Error::Corrupt(format!("page {page_no} claims a payload of {len} bytes")));
    }
    Ok((kind, &p[HEADER_LEN..HEADER_LEN + len]))
}

/// The payload of a page that [`open`] already accepted (a cached page):
/// the checks are not repeated.
pub fn checked_payload(p: &[u8; PAGE_SIZE]) -> &[u8] {
    let len = (u32::from_le_bytes([p[16], p[17], p[18], p[19]]) as usize).min(PAYLOAD_LEN);
    &p[HEADER_LEN..HEADER_LEN + len]
}

/// Little-endian cursor over a byte slice; every read is bounds-checked and
/// reports corruption instead of panicking.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    /// The next `n` bytes, or None (nothing read) when fewer are left.
    #[inline]
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.buf.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(Error::Corrupt(format!(
                "record ends early: wanted {n} bytes at offset {}, {} left",
                self.pos,
                self.remaining()
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    /// One byte.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }
    /// A little-endian u32.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.bytes(4)?.try_into().unwrap()))
    }
    /// A little-endian u64.
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.bytes(8)?.try_into().unwrap()))
    }
    /// A little-endian i64.
    pub fn i64(&mut self) -> Result<i64> {
        Ok(self.u64()? as i64)
    }
    /// An unsigned LEB128 varint (at most 10 bytes).
    pub fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                if shift == 63 && b > 1 {
                    break;
                }
                return Ok(v);
            }
        }
        Err(Error::Corrupt(format!("varint at offset {} is too long", self.pos)))
    }
    /// A varint that must fit in `usize` (a length or a count).
    pub fn varlen(&mut self) -> Result<usize> {
        let v = self.varint()?;
        usize::try_from(v).map_err(|_| Error::Corrupt(format!("length {v} does not fit in memory")))
    }
    /// A varint-length-prefixed byte string.
    pub fn var_bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.varlen()?;
        self.bytes(n)
    }
    /// A u32-length-prefixed byte string.
    pub fn long_bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()? as usize;
        self.bytes(n)
    }
    /// A u32-length-prefixed UTF-8 string.
    pub fn string(&mut self) -> Result<String> {
        let b = self.long_bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| Error::Corrupt("string is not UTF-8".into()))
    }
}

/// Bytes [`Writer::put_varint`] writes for `v`.
pub fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// Little-endian writers matching [`Reader`].
pub trait Writer {
    /// Appends a u32.
    fn put_u32(&mut self, v: u32);
    /// Appends a u64.
    fn put_u64(&mut self, v: u64);
    /// Appends an unsigned LEB128 varint.
    fn put_varint(&mut self, v: u64);
    /// Appends a varint-length-prefixed byte string.
    fn put_var_bytes(&mut self, b: &[u8]);
    /// Appends a u32-length-prefixed byte string.
    fn put_long_bytes(&mut self, b: &[u8]);
}

impl Writer for Vec<u8> {
    fn put_u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_u64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.push(v as u8);
    }
    fn put_var_bytes(&mut self, b: &[u8]) {
        self.put_varint(b.len() as u64);
        self.extend_from_slice(b);
    }
    fn put_long_bytes(&mut self, b: &[u8]) {
        self.put_u32(b.len() as u32);
        self.extend_from_slice(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn seal_and_open_round_trip() {
        let p = seal(PageKind::Log, 7, b"hello");
        let (k, payload) = open(7, &p).unwrap();
        assert_eq!(k, PageKind::Log);
        assert_eq!(payload, b"hello");
    }

    #[test]
    fn detects_every_single_bit_flip_in_header_and_payload() {
        let p = seal(PageKind::Super, 0, &[0xAB; 100]);
        for byte in (0..PAGE_SIZE).step_by(97).chain([0, 5, 6, 8, 17, 21, 30]) {
            let mut q = p.clone();
            q[byte] ^= 0x10;
            assert!(open(0, &q).is_err(), "flip at {byte} went unnoticed");
        }
    }

    #[test]
    fn names_the_problem() {
        let mut p = seal(PageKind::Log, 3, b"x");
        assert!(matches!(open(4, &p), Err(Error::Corrupt(_))));
        p[100] ^= 1;
        assert!(matches!(open(3, &p), Err(Error::Checksum { page: 3, .. })));
        // A future format version with a valid checksum.
        let mut f = seal(PageKind::Log, 3, b"x");
        f[4..6].copy_from_slice(&9u16.to_le_bytes());
        f[20..24].copy_from_slice(&[0; 4]);
        let crc = crc32fast::hash(&f[..]);
        f[20..24].copy_from_slice(&crc.to_le_bytes());
        assert!(matches!(open(3, &f), Err(Error::UnknownFormat { version: 9, .. })));
        assert!(matches!(open(0, &blank()), Err(Error::Corrupt(_))));
    }

    #[test]
    fn varints_round_trip_and_reject_overlong_input() {
        let vals = [0u64, 1, 127, 128, 300, 16_383, 16_384, u32::MAX as u64, u64::MAX - 1, u64::MAX];
        let mut buf = Vec::new();
        for &v in &vals {
            let before = buf.len();
            buf.put_varint(v);
            assert_eq!(buf.len() - before, varint_len(v), "length of {v}");
        }
        let mut r = Reader::new(&buf);
        for &v in &vals {
            assert_eq!(r.varint().unwrap(), v);
        }
        assert_eq!(r.remaining(), 0);
        assert!(matches!(Reader::new(&[0x80; 11]).varint(), Err(Error::Corrupt(_))));
        assert!(matches!(
            Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]).varint(),
            Err(Error::Corrupt(_))
        ));
        assert!(matches!(Reader::new(&[0x80]).varint(), Err(Error::Corrupt(_))));
    }

    #[test]
    fn reader_reports_short_input() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u8().unwrap(), 1);
        assert_eq!(r.u8().unwrap(), 2);
        assert!(matches!(r.u32(), Err(Error::Corrupt(_))));
    }
}
