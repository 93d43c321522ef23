//! The record log: variable-length records packed into fixed-size pages.
//!
//! Records (B+tree nodes, value chunks, free-list chunks) are appended to the
//! *tail*, an in-memory page payload. The tail is made durable inside the
//! superblock, so a one-row commit costs the bytes of its records, not a
//! page. When the tail is full it is *sealed*: written once as a log page at
//! a page number reserved when the tail was started, and never modified
//! again.
//!
//! Pages 0 and 1 are the two superblock slots, written alternately; the
//! valid slot with the highest sequence number is the database. A commit
//! writes its sealed log pages, syncs, writes the next superblock slot and
//! syncs again, so a crash at any write leaves either the old or the new
//! superblock intact, and the old one only references pages the new commit
//! did not overwrite (pages are reused only once no durable superblock can
//! reach them).
//!
//! A record address ([`Addr`]) is `page_no * PAGE_SIZE + offset`; address 0
//! is never a record (page 0 is a superblock).

use std::rc::Rc;

use crate::error::{Error, Result};
use crate::store::backend::StorageBackend;
use crate::store::cache::Cache;
use crate::store::page::{self, PageBuf, PageKind, Reader, Writer, PAGE_SIZE, PAYLOAD_LEN};

/// Address of a record.
pub type Addr = u64;

/// Maximum bytes of metadata the superblock carries for the layer above.
pub const META_MAX: usize = 256;
const SUPER_FIXED: usize = 8 + 8 + 8 + 4 + 4;
/// Capacity of a log page payload (equal to the tail held by the superblock).
pub const TAIL_CAP: usize = PAYLOAD_LEN - SUPER_FIXED - META_MAX;
/// Largest record body that fits in one page.
pub const RECORD_MAX: usize = TAIL_CAP - 4;
/// Pages kept decoded in memory (16 MiB).
const PAGE_CACHE_MAX: usize = 4096;
/// First page number of the log (0 and 1 are superblocks).
pub const FIRST_LOG_PAGE: u64 = 2;

/// Page number of an address.
pub fn page_of(a: Addr) -> u64 {
    a / PAGE_SIZE as u64
}

/// The state that decides what is durable; cloned before a commit so a
/// failed commit can return to it.
#[derive(Clone, Debug)]
pub struct PagerState {
    seq: u64,
    next_page: u64,
    tail_page: u64,
    tail: Vec<u8>,
    sealed: Vec<(u64, Vec<u8>)>,
    /// Record bytes appended since the pager was opened.
    pub appended: u64,
}

/// The record log over a storage backend.
pub struct Pager {
    backend: Box<dyn StorageBackend>,
    st: PagerState,
    /// Pages free for reuse; allocation pops from the end.
    free: Vec<u64>,
    /// Pages popped from `free` since the last [`Pager::state`], so that a
    /// failed commit can put them back without copying the whole list.
    popped: Vec<u64>,
    cache: Cache<u64, Rc<PageBuf>>,
}

impl Pager {
    /// Opens the log. Returns the pager and the metadata of the newest valid
    /// superblock, or `None` for an empty store.
    pub fn open(backend: Box<dyn StorageBackend>) -> Result<(Pager, Option<Vec<u8>>)> {
        let len = backend.len()?;
        let mut pager = Pager {
            backend,
            st: PagerState {
                seq: 0,
                next_page: FIRST_LOG_PAGE + 1,
                tail_page: FIRST_LOG_PAGE,
                tail: Vec::new(),
                sealed: Vec::new(),
                appended: 0,
            },
            free: Vec::new(),
            popped: Vec::new(),
            cache: Cache::new(PAGE_CACHE_MAX),
        };
        if len == 0 {
            return Ok((pager, None));
        }
        let mut best: Option<SuperContents> = None;
        let mut first_err = None;
        for slot in 0..2u64 {
            if slot >= len {
                break;
            }
            let mut buf = page::blank();
            pager.backend.read(slot, &mut buf)?;
            match read_super(slot, &buf) {
                Ok(s) => {
                    if best.as_ref().is_none_or(|b| s.0 > b.0) {
                        best = Some(s);
                    }
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        let Some((seq, meta, next_page, tail_page, tail)) = best else {
            return Err(first_err.unwrap_or_else(|| Error::Truncated("no superblock".into())));
        };
        pager.st.seq = seq;
        pager.st.next_page = next_page;
        pager.st.tail_page = tail_page;
        pager.st.tail = tail;
        Ok((pager, Some(meta)))
    }

    /// A copy of the durable-state bookkeeping (O(1) in the free list).
    pub fn state(&mut self) -> PagerState {
        self.popped.clear();
        self.st.clone()
    }

    /// Returns to the state saved by the last [`Pager::state`] (after a
    /// failed commit).
    pub fn restore(&mut self, st: PagerState) {
        self.st = st;
        while let Some(p) = self.popped.pop() {
            self.free.push(p);
        }
        self.cache.clear();
    }

    /// Record bytes appended since open.
    pub fn appended(&self) -> u64 {
        self.st.appended
    }

    /// Pages in use (the high-water mark) and pages on the free list.
    pub fn page_counts(&self) -> (u64, u64) {
        (self.st.next_page, self.free.len() as u64)
    }

    /// Replaces the free list (after garbage collection).
    pub fn set_free(&mut self, free: Vec<u64>) {
        self.free = free;
        self.popped.clear();
    }

    /// The free list.
    pub fn free(&self) -> &[u64] {
        &self.free
    }

    /// Every page of the storage in page order: the bytes of a database
    /// file (what `FileBackend` stores), as of the last commit.
    pub fn image(&self) -> Result<Vec<u8>> {
        let len = self.backend.len()?;
        let bytes = usize::try_from(len.saturating_mul(PAGE_SIZE as u64))
            .map_err(|_| Error::TooLarge(format!("{len} pages exceed memory")))?;
        let mut out = Vec::with_capacity(bytes);
        let mut buf = [0u8; PAGE_SIZE];
        for n in 0..len {
            self.backend.read(n, &mut buf)?;
            out.extend_from_slice(&buf);
        }
        Ok(out)
    }

    /// Whether every stored page can be read without waiting (see
    /// [`StorageBackend::fully_loaded`]).
    pub fn fully_loaded(&self) -> bool {
        self.backend.fully_loaded()
    }

    /// The page the tail will be sealed into.
    pub fn tail_page(&self) -> u64 {
        self.st.tail_page
    }

    fn alloc(&mut self) -> u64 {
        match self.free.pop() {
            Some(p) => {
                self.popped.push(p);
                // The page held garbage that may still be cached.
                self.cache.remove(&p);
                p
            }
            None => {
                self.st.next_page += 1;
                self.st.next_page - 1
            }
        }
    }

    /// Appends a record and returns its address.
    pub fn append(&mut self, body: &[u8]) -> Result<Addr> {
        if body.len() > RECORD_MAX {
            return Err(Error::TooLarge(format!("record of {} bytes exceeds {RECORD_MAX}", body.len())));
        }
        if self.st.tail.len() + 4 + body.len() > TAIL_CAP {
            let full = std::mem::take(&mut self.st.tail);
            let at = self.st.tail_page;
            self.st.sealed.push((at, full));
            self.st.tail_page = self.alloc();
        }
        let addr = self.st.tail_page * PAGE_SIZE as u64 + self.st.tail.len() as u64;
        self.st.tail.put_u32(body.len() as u32);
        self.st.tail.extend_from_slice(body);
        self.st.appended += 4 + body.len() as u64;
        Ok(addr)
    }

    /// Reads the record at `addr`.
    pub fn read(&self, addr: Addr) -> Result<Vec<u8>> {
        let page_no = page_of(addr);
        let off = (addr % PAGE_SIZE as u64) as usize;
        let take = |payload: &[u8]| -> Result<Vec<u8>> {
            let mut r = Reader::new(payload.get(off..).ok_or_else(|| bad_addr(addr))?);
            Ok(r.long_bytes().map_err(|_| bad_addr(addr))?.to_vec())
        };
        if page_no == self.st.tail_page {
            return take(&self.st.tail);
        }
        if let Some((_, p)) = self.st.sealed.iter().find(|(n, _)| *n == page_no) {
            return take(p);
        }
        if page_no < FIRST_LOG_PAGE || page_no >= self.st.next_page {
            return Err(bad_addr(addr));
        }
        let b = self.stored_page(page_no)?;
        take(page::checked_payload(&b))
    }

    /// Stored log page `page_no`: from the page cache, else read from the
    /// backend, checked (checksum, number, kind) and cached. A cached page
    /// passed its checks when it was read.
    fn stored_page(&self, page_no: u64) -> Result<Rc<PageBuf>> {
        if let Some(b) = self.cache.get(&page_no) {
            return Ok(b);
        }
        let mut b = page::blank();
        self.backend.read(page_no, &mut b)?;
        if page::open(page_no, &b)?.0 != PageKind::Log {
            return Err(Error::Corrupt(format!("page {page_no} is not a log page")));
        }
        let b = Rc::new(b);
        self.cache.insert(page_no, b.clone());
        Ok(b)
    }

    /// Reads log page `page_no` into the page cache (checked), as reading a
    /// record on it would; a page that is in memory already costs nothing.
    pub fn load_page(&self, page_no: u64) -> Result<()> {
        if page_no == self.st.tail_page || self.st.sealed.iter().any(|(n, _)| *n == page_no) {
            return Ok(());
        }
        if page_no < FIRST_LOG_PAGE || page_no >= self.st.next_page {
            return Err(Error::Corrupt(format!("a patch lists page {page_no}, outside the log")));
        }
        self.stored_page(page_no).map(|_| ())
    }

    /// Makes everything appended so far durable together with `meta`:
    /// sealed pages, sync, the next superblock slot, sync.
    pub fn commit(&mut self, meta: &[u8]) -> Result<()> {
        assert!(meta.len() <= META_MAX, "superblock metadata too large");
        for (n, payload) in &self.st.sealed {
            let p = page::seal(PageKind::Log, *n, payload);
            self.backend.write(*n, &p)?;
        }
        if !self.st.sealed.is_empty() {
            self.backend.sync()?;
        }
        let seq = self.st.seq + 1;
        let mut payload = Vec::with_capacity(PAYLOAD_LEN);
        payload.put_u64(seq);
        payload.put_u64(self.st.next_page);
        payload.put_u64(self.st.tail_page);
        payload.put_u32(self.st.tail.len() as u32);
        payload.put_u32(meta.len() as u32);
        payload.extend_from_slice(meta);
        payload.extend_from_slice(&self.st.tail);
        let slot = seq % 2;
        self.backend.write(slot, &page::seal(PageKind::Super, slot, &payload))?;
        self.backend.sync()?;
        self.st.seq = seq;
        self.st.sealed.clear();
        Ok(())
    }
}

fn bad_addr(addr: Addr) -> Error {
    Error::Corrupt(format!("no record at address {addr:#x}"))
}

type SuperContents = (u64, Vec<u8>, u64, u64, Vec<u8>);

/// The sequence number of the newest valid superblock of the two slots
/// (`None`: neither is valid). Other tabs compare it to know which state of
/// the store a set of pages belongs to (see `sync::Superblocks`).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub fn superblock_seq(slots: &[Option<PageBuf>; 2]) -> Option<u64> {
    slots.iter().enumerate().filter_map(|(slot, page)| read_super(slot as u64, page.as_ref()?).ok().map(|s| s.0)).max()
}

/// The page high-water mark of the newest valid superblock of the two
/// slots (`None`: neither is valid): every page of that state is numbered
/// below it. A lazily loaded image ([`crate::store::backend::MemBackend::lazy`])
/// starts from it.
pub fn high_water(slots: &[Option<PageBuf>; 2]) -> Option<u64> {
    slots
        .iter()
        .enumerate()
        .filter_map(|(slot, page)| read_super(slot as u64, page.as_ref()?).ok())
        .max_by_key(|s| s.0)
        .map(|s| s.2)
}

/// The contents of the superblock page in `slot`.
fn read_super(slot: u64, buf: &PageBuf) -> Result<SuperContents> {
    let (kind, payload) = page::open(slot, buf)?;
    if kind != PageKind::Super {
        return Err(Error::Corrupt(format!("page {slot} is not a superblock")));
    }
    decode_super(payload)
}

fn decode_super(payload: &[u8]) -> Result<SuperContents> {
    let mut r = Reader::new(payload);
    let seq = r.u64()?;
    let next_page = r.u64()?;
    let tail_page = r.u64()?;
    let tail_len = r.u32()? as usize;
    let meta_len = r.u32()? as usize;
    if meta_len > META_MAX || tail_len > TAIL_CAP {
        return Err(Error::Corrupt("superblock lengths out of range".into()));
    }
    if tail_page < FIRST_LOG_PAGE || tail_page >= next_page {
        return Err(Error::Corrupt(format!("superblock tail page {tail_page} is out of range")));
    }
    let meta = r.bytes(meta_len)?.to_vec();
    let tail = r.bytes(tail_len)?.to_vec();
    Ok((seq, meta, next_page, tail_page, tail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::backend::MemBackend;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn records_survive_reopen_across_sealed_pages() {
        let mem = MemBackend::new();
        let (mut p, meta) = Pager::open(Box::new(mem.clone())).unwrap();
        assert!(meta.is_none());
        let mut addrs = Vec::new();
        for i in 0..500u32 {
            let body = vec![(i % 251) as u8; (i as usize * 7) % 300];
            addrs.push((p.append(&body).unwrap(), body));
        }
        p.commit(b"meta!").unwrap();
        let (q, meta) = Pager::open(Box::new(mem)).unwrap();
        assert_eq!(meta.as_deref(), Some(&b"meta!"[..]));
        for (a, body) in addrs {
            assert_eq!(q.read(a).unwrap(), body);
        }
    }

    #[test]
    fn uncommitted_appends_vanish_and_old_superblock_wins_over_torn_new_one() {
        let mem = MemBackend::new();
        let (mut p, _) = Pager::open(Box::new(mem.clone())).unwrap();
        let a = p.append(b"one").unwrap();
        p.commit(b"1").unwrap();
        p.append(b"two").unwrap();
        p.commit(b"2").unwrap();
        // Tear the newest superblock (slot 0 holds seq 2).
        mem.with_page(0, |pg| pg.unwrap()[3000] ^= 0xFF);
        let (q, meta) = Pager::open(Box::new(mem.clone())).unwrap();
        assert_eq!(meta.as_deref(), Some(&b"1"[..]));
        assert_eq!(q.read(a).unwrap(), b"one");
        // Both slots bad: a typed checksum error, not a panic.
        mem.with_page(1, |pg| pg.unwrap()[3000] ^= 0xFF);
        assert!(matches!(Pager::open(Box::new(mem)), Err(Error::Checksum { .. })));
    }

    #[test]
    fn oversized_record_is_an_error() {
        let (mut p, _) = Pager::open(Box::new(MemBackend::new())).unwrap();
        assert!(matches!(p.append(&vec![0; RECORD_MAX + 1]), Err(Error::TooLarge(_))));
        assert!(p.append(&vec![0; RECORD_MAX]).is_ok());
    }
}
