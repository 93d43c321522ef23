//! A persistent (copy-on-write) B+tree over the record log.
//!
//! A tree is named by its root [`NodeRef`]. Stored nodes are immutable;
//! changing a tree copies the nodes on the path into memory ([`NodeRef::Mem`])
//! and leaves every other subtree shared with older versions. At commit,
//! [`Store::persist`] writes the in-memory nodes bottom-up and returns the new
//! root address. Address 0 is the empty tree.
//!
//! To keep the history cost of a small commit far below a page, a node that
//! was copied from a stored node is written as a *patch*: the base address
//! plus the entries that changed. Patch chains are bounded by
//! [`MAX_CHAIN`]; past it (or when the patch would be at least half the size
//! of the whole node) the node is written in full. Reading a patched node
//! applies the chain once and caches the result.
//!
//! Record formats (integers are LEB128 varints unless a width is given):
//!
//! ```text
//! full node  tag(1 leaf, 2 internal) u8, level u8, count, entries
//! entry      shared, suffix length, suffix bytes, then
//!            leaf: value; internal: child address
//! value      len*2, bytes (inline)  |  len*2+1, address of the first chunk
//! patch      tag 3 u8, level u8, depth u8, base address, count, changes
//! linked patch  tag 5 u8, level u8, depth u8, base address,
//!            depth - 1 links, count, changes; a link is the page of the
//!            next record down the chain below the base (base's base first,
//!            the full node last), as a zigzag varint of its distance from
//!            the page before
//! change     shared, suffix length, suffix bytes, op u8 (0 delete, 1 set),
//!            then for a set: the value or child address
//! chunk      tag 4 u8, next chunk address u64, bytes
//! ```
//!
//! A key is written as the length of the prefix it shares with the key
//! before it in the record (0 for the first) and the rest of its bytes, so
//! the keys of a node, which are neighbours, cost little more than what
//! tells them apart.
//!
//! Nodes split once their encoded size passes [`NODE_MAX`], which is a
//! whole record page: a node that fills up by appends past its last key
//! (a bulk load in key order) splits at that edge and stays full, as
//! SQLite's B-trees do; other splits halve the node.

mod codec;
mod diff;
mod mark;
mod node;

use std::cell::RefCell;
use std::collections::HashSet;
use std::ops::Bound;
use std::rc::Rc;

use crate::error::{Error, MissingPages, Result};
use crate::store::backend::PREFETCH_PAGES;
use crate::store::cache::Cache;
use crate::store::page::{Reader, Writer};
use crate::store::pager::{page_of, Addr, Pager, RECORD_MAX};

use codec::{apply_patch, decode_full, encode_full, encode_patch, full_len_at_least, patch_base, patch_link_pages};
pub use mark::Marker;
pub use node::{Node, NodeRef, Val};

/// Largest encoded node: a node larger than this splits. A node of this
/// size fills a log page by itself.
pub const NODE_MAX: usize = RECORD_MAX;
/// Upper bound of a node's header (tag, level, entry count).
const NODE_HEADER: usize = 5;
/// Upper bound of an encoded child address (a varint of an address below
/// 2^63).
const ADDR_MAX_LEN: usize = 9;
/// Below this encoded size a node is merged with a neighbour when they fit.
const NODE_MIN: usize = NODE_MAX / 4;
/// An insert followed by at most this many keys of its leaf counts as an
/// append: the system tree keeps its settings keys after the timeline, whose
/// entries arrive in key order.
const APPEND_TAIL: usize = 2;

/// Longest chain of patches before a node is written in full again.
pub const MAX_CHAIN: u8 = 24;
/// Largest key.
pub const KEY_MAX: usize = 1024;
/// Values longer than this are stored out of line in chunk records.
pub const INLINE_MAX: usize = 1024;
/// Largest value.
pub const VALUE_MAX: usize = 64 << 20;
const CHUNK_DATA: usize = RECORD_MAX - 9;
const NODE_CACHE_MAX: usize = 200_000;

const TAG_LEAF: u8 = 1;
const TAG_INTERNAL: u8 = 2;
const TAG_PATCH: u8 = 3;
const TAG_CHUNK: u8 = 4;
const TAG_LINKED_PATCH: u8 = 5;

/// Whether a record is a patch (with its links or without).
fn is_patch(rec: &[u8]) -> bool {
    matches!(rec.first(), Some(&TAG_PATCH | &TAG_LINKED_PATCH))
}

/// A patch whose base lies farther from where it is written than the pages
/// a fetch reads around a missing one lists the pages of its whole chain
/// (a *linked patch*): such a chain is spread over the log (a node
/// changed by commits far apart), and on a partly loaded image
/// (ARCHITECTURE.md, "Lazy pages") reading it link by link would cost one
/// fetch per link; with the links, one. A chain of nearby records (a node
/// changed by most commits) is read with its neighbours and lists nothing.
const LINKED_PATCH_DISTANCE: u64 = PREFETCH_PAGES;

type Key = Rc<[u8]>;

/// Slots of the direct-mapped cache of recently used nodes.
const HOT_SLOTS: usize = 256;

/// A slot of that cache: an address and its node.
type HotSlot = (Addr, Option<Rc<Node>>);

/// The record log plus a cache of decoded nodes.
pub struct Store {
    /// The record log.
    pub pager: Pager,
    /// Decoded nodes by address, each with its page's generation when it
    /// was cached (see `page_generations`).
    cache: Cache<Addr, (Rc<Node>, u32)>,
    /// How many times a collection freed each page (by page number; pages
    /// past the end were never freed). A freed page is reused for other
    /// records, so a cached node is current only while its page's count is
    /// the one it was cached with: freeing pages costs one increment per
    /// page, not a pass over a cache of up to `NODE_CACHE_MAX` nodes (which
    /// dropped them all inside one commit: tens of milliseconds), and the
    /// stale nodes age out of the cache like any other.
    page_generations: RefCell<Vec<u32>>,
    /// The nodes used last, one per slot by address, in front of `cache`:
    /// the interior of a tree is visited by every lookup, and a slot
    /// costs an index and a compare where `cache` hashes.
    hot: RefCell<Box<[HotSlot]>>,
}

fn hot_slot(addr: Addr) -> usize {
    (addr.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize % HOT_SLOTS
}

fn in_start(key: &[u8], start: Bound<&[u8]>) -> bool {
    match start {
        Bound::Unbounded => true,
        Bound::Included(s) => key >= s,
        Bound::Excluded(s) => key > s,
    }
}

fn in_end(key: &[u8], end: Bound<&[u8]>) -> bool {
    match end {
        Bound::Unbounded => true,
        Bound::Included(e) => node::cmp_key(key, e).is_le(),
        Bound::Excluded(e) => node::cmp_key(key, e).is_lt(),
    }
}

impl Store {
    /// Wraps a pager.
    pub fn new(pager: Pager) -> Store {
        Store {
            pager,
            cache: Cache::new(NODE_CACHE_MAX),
            page_generations: RefCell::new(Vec::new()),
            hot: RefCell::new(vec![(0, None); HOT_SLOTS].into()),
        }
    }

    /// The generation of the page holding `addr` (see `page_generations`).
    fn generation(&self, addr: Addr) -> u32 {
        let page = usize::try_from(page_of(addr)).unwrap_or(usize::MAX);
        self.page_generations.borrow().get(page).copied().unwrap_or(0)
    }

    /// The decoded node cached for `addr`, unless its page was freed since.
    fn cached(&self, addr: Addr) -> Option<Rc<Node>> {
        let (node, generation) = self.cache.get(&addr)?;
        if generation == self.generation(addr) {
            Some(node)
        } else {
            self.cache.remove(&addr);
            None
        }
    }

    /// Caches the decoded node at `addr`.
    fn cache_node(&self, addr: Addr, node: Rc<Node>) {
        self.cache.insert(addr, (node, self.generation(addr)));
    }

    /// Forgets every decoded node (after a failed commit).
    pub fn clear_cache(&self) {
        self.cache.clear();
        self.hot.borrow_mut().iter_mut().for_each(|s| *s = (0, None));
    }

    /// Forgets the decoded nodes stored on `pages` (pages just freed, whose
    /// addresses will name other records once reused): O(pages), whatever
    /// the cache holds.
    pub fn forget_pages(&self, pages: &HashSet<u64>) {
        if pages.is_empty() {
            return;
        }
        let mut generations = self.page_generations.borrow_mut();
        for &page in pages {
            // A page beyond the address space holds nothing cached.
            let Ok(page) = usize::try_from(page) else { continue };
            if generations.len() <= page {
                generations.resize(page + 1, 0);
            }
            generations[page] = generations[page].wrapping_add(1);
        }
        self.hot.borrow_mut().iter_mut().for_each(|s| *s = (0, None));
    }

    /// The decoded node at `addr` (applying patches).
    pub fn load(&self, addr: Addr) -> Result<Rc<Node>> {
        if addr == 0 {
            return Ok(Rc::new(Node::leaf()));
        }
        let slot = hot_slot(addr);
        if let (a, Some(n)) = &self.hot.borrow()[slot] {
            if *a == addr {
                return Ok(n.clone());
            }
        }
        let n = self.load_cold(addr)?;
        self.hot.borrow_mut()[slot] = (addr, Some(n.clone()));
        Ok(n)
    }

    fn load_cold(&self, addr: Addr) -> Result<Rc<Node>> {
        if let Some(n) = self.cached(addr) {
            return Ok(n);
        }
        // Walk the patch chain down to a cached or full node, then apply the
        // patches oldest first: one copy of the node however long the chain.
        let mut chain: Vec<(Addr, Vec<u8>)> = Vec::new();
        let mut at = addr;
        let mut touched = false;
        let mut node = loop {
            if at == 0 {
                return Err(Error::Corrupt(format!("node at {addr:#x}: patch chain reaches the empty tree")));
            }
            if let Some(n) = self.cached(at) {
                break (*n).clone();
            }
            let rec = self.pager.read(at)?;
            if is_patch(&rec) {
                if chain.len() > MAX_CHAIN as usize {
                    return Err(Error::Corrupt(format!("node at {addr:#x}: patch chain is too long or loops")));
                }
                if !touched && rec[0] == TAG_LINKED_PATCH && !self.pager.fully_loaded() {
                    touched = true;
                    self.touch_links(at, &rec)?;
                }
                let base = patch_base(&rec)?;
                chain.push((at, rec));
                at = base;
            } else {
                let full = Rc::new(decode_full(at, &rec)?);
                if !chain.is_empty() {
                    // Bases are shared by many versions: worth keeping.
                    self.cache_node(at, full.clone());
                }
                break (*full).clone();
            }
        };
        // What the node is applied to: the chain walked, then what the node
        // it stopped at is applied to.
        let mut below: Vec<Addr> = chain.iter().skip(1).map(|c| c.0).collect();
        if !chain.is_empty() {
            below.push(at);
            below.extend_from_slice(&node.below);
        }
        for (a, rec) in chain.iter().rev() {
            apply_patch(&mut node, *a, rec)?;
        }
        node.below = below.into();
        node.origin = None;
        node.recompute_size();
        node.index();
        let node = Rc::new(node);
        self.cache_node(addr, node.clone());
        Ok(node)
    }

    /// Loads the pages of every record a linked patch at `at` lists (unless
    /// its base is decoded already), going on past pages not loaded yet:
    /// one attempt on a partly loaded image names the missing pages of the
    /// whole chain.
    fn touch_links(&self, at: Addr, rec: &[u8]) -> Result<()> {
        if self.cached(patch_base(rec)?).is_some() {
            return Ok(());
        }
        let mut missing = MissingPages::default();
        for page in patch_link_pages(at, rec)? {
            missing.attempt(self.pager.load_page(page))?;
        }
        missing.finish()
    }

    fn node(&self, r: &NodeRef) -> Result<Rc<Node>> {
        match r {
            NodeRef::Stored(a) => self.load(*a),
            NodeRef::Mem(n) => Ok(n.clone()),
        }
    }

    /// Reads a value in full.
    pub fn value(&self, v: &Val) -> Result<Vec<u8>> {
        match v {
            Val::Inline(b) => Ok(b.to_vec()),
            Val::Big(b) => Ok(b.to_vec()),
            Val::Chunked { len, head } => {
                let mut out = Vec::with_capacity(*len as usize);
                let mut at = *head;
                while at != 0 {
                    let rec = self.pager.read(at)?;
                    let mut r = Reader::new(&rec);
                    if r.u8()? != TAG_CHUNK {
                        return Err(Error::Corrupt(format!("value chunk at {at:#x} has the wrong tag")));
                    }
                    let next = r.u64()?;
                    out.extend_from_slice(r.bytes(r.remaining())?);
                    if out.len() > *len as usize {
                        return Err(Error::Corrupt(format!("value chunk chain at {at:#x} is longer than its value")));
                    }
                    at = next;
                }
                if out.len() != *len as usize {
                    return Err(Error::Corrupt("value chunks do not add up to the value length".into()));
                }
                Ok(out)
            }
        }
    }

    /// The value stored under `key`.
    pub fn get(&self, root: &NodeRef, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.read(root, key, <[u8]>::to_vec)
    }

    /// `f` of the value stored under `key`, read in place when it is stored
    /// in its leaf (no copy of it is made).
    pub fn read<R>(&self, root: &NodeRef, key: &[u8], f: impl FnOnce(&[u8]) -> R) -> Result<Option<R>> {
        let mut n = self.node(root)?;
        loop {
            if n.is_leaf() {
                return match n.search(key) {
                    Ok(i) => Ok(Some(match &n.vals[i] {
                        Val::Inline(b) => f(b),
                        v => f(&self.value(v)?),
                    })),
                    Err(_) => Ok(None),
                };
            }
            let i = n.child_index(key);
            n = self.node(&n.kids[i])?;
        }
    }

    /// Loads every node of the tree `root`, level by level, going on past
    /// nodes that cannot be read yet: on a lazy image (ARCHITECTURE.md,
    /// "Lazy pages") one attempt reports the missing pages of a whole level
    /// at once, so reading a tree of depth `d` costs about `d` fetches
    /// rather than one per node. A missing-page error names every page
    /// missed on the way; any other error ends it at once.
    pub fn load_levels(&self, root: &NodeRef) -> Result<()> {
        let mut level = vec![root.clone()];
        let mut missing = MissingPages::default();
        while !level.is_empty() {
            let mut next = Vec::new();
            for r in &level {
                if let Some(n) = missing.attempt(self.node(r))? {
                    if !n.is_leaf() {
                        next.extend(n.kids.iter().cloned());
                    }
                }
            }
            level = next;
        }
        missing.finish()
    }

    /// The entry with the greatest key `<= bound`, read along one path
    /// (a leaf left without such a key by deletions sends the search to
    /// the child before it).
    pub fn last_at_most(&self, root: &NodeRef, bound: &[u8]) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        let n = self.node(root)?;
        if n.is_leaf() {
            let below = match n.search(bound) {
                Ok(i) => i + 1,
                Err(i) => i,
            };
            return match below.checked_sub(1) {
                Some(i) => Ok(Some((n.keys[i].to_vec(), self.value(&n.vals[i])?))),
                None => Ok(None),
            };
        }
        for i in (0..=n.child_index(bound)).rev() {
            if let Some(found) = self.last_at_most(&n.kids[i], bound)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Calls `f` for every entry in `[start, end]` in key order until it
    /// returns false.
    pub fn scan(
        &self,
        root: &NodeRef,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        f: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<()> {
        self.scan_rec(root, start, end, f).map(|_| ())
    }

    fn scan_rec(
        &self,
        r: &NodeRef,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        f: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<bool> {
        let n = self.node(r)?;
        if n.is_leaf() {
            let from = match start {
                Bound::Unbounded => 0,
                Bound::Included(s) => n.search(s).unwrap_or_else(|i| i),
                Bound::Excluded(s) => n.search(s).map_or_else(|i| i, |i| i + 1),
            };
            for i in from..n.keys.len() {
                if !in_end(&n.keys[i], end) {
                    return Ok(false);
                }
                let keep = match &n.vals[i] {
                    Val::Inline(b) => f(&n.keys[i], b),
                    v => f(&n.keys[i], &self.value(v)?),
                };
                if !keep {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        let first = match start {
            Bound::Unbounded => 0,
            Bound::Included(s) | Bound::Excluded(s) => n.child_index(s),
        };
        for i in first..n.kids.len() {
            if i > first && !in_end(&n.keys[i], end) {
                return Ok(false);
            }
            if !self.scan_rec(&n.kids[i], start, end, f)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn make_mut<'a>(&self, r: &'a mut NodeRef) -> Result<&'a mut Node> {
        if let NodeRef::Stored(a) = *r {
            let n = self.load(a)?;
            let mut copy = (*n).clone();
            copy.origin = if a == 0 { None } else { Some((a, n.depth)) };
            *r = NodeRef::Mem(Rc::new(copy));
        }
        match r {
            NodeRef::Mem(rc) => Ok(Rc::make_mut(rc)),
            NodeRef::Stored(_) => unreachable!("made in memory above"),
        }
    }

    /// Sets `key` to `value` in the tree rooted at `root`.
    pub fn put(&self, root: &mut NodeRef, key: &[u8], value: &[u8]) -> Result<()> {
        self.put_with(root, key, value, &mut None)
    }

    /// [`Store::put`], giving back the value `key` had (`None`: it had
    /// none) without a second descent.
    pub fn replace(&self, root: &mut NodeRef, key: &[u8], value: &[u8]) -> Result<Option<Vec<u8>>> {
        let mut old = None;
        self.put_with(root, key, value, &mut old)?;
        old.map(|v| self.value(&v)).transpose()
    }

    fn put_with(&self, root: &mut NodeRef, key: &[u8], value: &[u8], old: &mut Option<Val>) -> Result<()> {
        if key.len() > KEY_MAX {
            return Err(Error::TooLarge(format!("key of {} bytes exceeds the {KEY_MAX}-byte limit", key.len())));
        }
        if value.len() > VALUE_MAX {
            return Err(Error::TooLarge(format!("value of {} bytes exceeds the {VALUE_MAX}-byte limit", value.len())));
        }
        let val = if value.len() > INLINE_MAX { Val::Big(value.into()) } else { Val::Inline(value.into()) };
        let parts = self.put_rec(root, key, val, old)?;
        if !parts.is_empty() {
            let left = std::mem::replace(root, NodeRef::empty());
            let level = self.node(&left)?.level + 1;
            let mut top = Node { level, ..Node::leaf() };
            top.keys = vec![Key::from(&[][..])];
            top.kids = vec![left];
            for (sep, right) in parts {
                top.keys.push(sep);
                top.kids.push(right);
            }
            top.recompute_size();
            *root = NodeRef::Mem(Rc::new(top));
        }
        Ok(())
    }

    /// Puts `key` under `r`; returns the nodes split off `r` (with their
    /// first keys) for the parent to add after it.
    /// `old` receives the value replaced.
    fn put_rec(&self, r: &mut NodeRef, key: &[u8], val: Val, old: &mut Option<Val>) -> Result<Vec<(Key, NodeRef)>> {
        let node = self.make_mut(r)?;
        // Where an append starts the upper part of a split (see `split`).
        let append_at;
        if node.is_leaf() {
            match node.search(key) {
                Ok(i) => {
                    node.size = node.size - node.vals[i].encoded_len() + val.encoded_len();
                    *old = Some(std::mem::replace(&mut node.vals[i], val));
                    append_at = None;
                }
                Err(i) => {
                    append_at = (node.keys.len() - i <= APPEND_TAIL).then_some(i);
                    node.insert_entry(i, key.into(), Some(val), None);
                }
            }
        } else {
            let i = node.child_index(key);
            let parts = self.put_rec(&mut node.kids[i], key, val, old)?;
            let last_child = i + 1 == node.keys.len() && !parts.is_empty();
            for (j, (sep, right)) in parts.into_iter().enumerate() {
                node.insert_entry(i + 1 + j, sep, None, Some(right));
            }
            append_at = last_child.then(|| node.keys.len() - 1);
        }
        Ok(node.split(append_at))
    }

    /// Removes `key`; returns whether it was present.
    pub fn delete(&self, root: &mut NodeRef, key: &[u8]) -> Result<bool> {
        Ok(self.remove(root, key)?.is_some())
    }

    /// Removes `key`; returns the value it had.
    pub fn remove(&self, root: &mut NodeRef, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let Some(old) = self.get(root, key)? else { return Ok(None) };
        self.del_rec(root, key)?;
        loop {
            let n = self.node(root)?;
            if n.is_leaf() || n.kids.len() != 1 {
                break;
            }
            *root = n.kids[0].clone();
        }
        Ok(Some(old))
    }

    fn del_rec(&self, r: &mut NodeRef, key: &[u8]) -> Result<()> {
        let node = self.make_mut(r)?;
        if node.is_leaf() {
            if let Ok(i) = node.search(key) {
                node.remove_entry(i);
            }
            return Ok(());
        }
        let i = node.child_index(key);
        self.del_rec(&mut node.kids[i], key)?;
        let child = self.node(&node.kids[i])?;
        if child.keys.is_empty() {
            node.remove_entry(i);
            return Ok(());
        }
        if child.size < NODE_MIN && node.kids.len() > 1 {
            let l = if i + 1 < node.kids.len() { i } else { i - 1 };
            let right = self.node(&node.kids[l + 1])?;
            let left_size = self.node(&node.kids[l])?.size;
            // (an internal right node's first key becomes the separator,
            // which may be longer)
            if left_size + right.size + node.keys[l + 1].len() + 4 <= NODE_MAX {
                let sep = node.keys[l + 1].clone();
                let left = self.make_mut(&mut node.kids[l])?;
                let mut rkeys = right.keys.clone();
                if !left.is_leaf() {
                    rkeys[0] = sep;
                }
                left.heads = None;
                left.keys.extend(rkeys);
                left.vals.extend(right.vals.iter().cloned());
                left.kids.extend(right.kids.iter().cloned());
                left.recompute_size();
                node.remove_entry(l + 1);
            }
        }
        Ok(())
    }

    /// Writes every in-memory node of the tree and returns the root address.
    pub fn persist(&mut self, r: &NodeRef) -> Result<Addr> {
        let n = match r {
            NodeRef::Stored(a) => return Ok(*a),
            NodeRef::Mem(n) => n.clone(),
        };
        let mut stored = Node { level: n.level, keys: n.keys.clone(), origin: None, size: n.size, ..Node::leaf() };
        // The size kept up to date by every change of `n` holds for the
        // stored node unless a long value becomes a chain of chunks (a
        // child's address counts as its longest encoding either way).
        let mut resized = false;
        if n.is_leaf() {
            stored.vals.reserve_exact(n.vals.len());
            for v in &n.vals {
                stored.vals.push(match v {
                    Val::Big(b) => {
                        resized = true;
                        self.write_chunks(b)?
                    }
                    v => v.clone(),
                });
            }
        } else {
            stored.kids.reserve_exact(n.kids.len());
            for k in &n.kids {
                stored.kids.push(NodeRef::Stored(self.persist(k)?));
            }
        }
        if resized {
            stored.recompute_size();
        }
        #[cfg(debug_assertions)]
        {
            let kept = stored.size;
            stored.recompute_size();
            debug_assert_eq!(kept, stored.size, "the size of a changed node was kept up to date");
        }
        if stored.keys.is_empty() && n.level == 0 {
            return Ok(0);
        }
        stored.index();
        // A patch is written when it is under half the full encoding; a
        // lower bound of that length mostly decides without encoding it.
        let mut full = None;
        let mut patched = None;
        if let Some((base_addr, base_depth)) = n.origin {
            if base_depth < MAX_CHAIN {
                let base = self.load(base_addr)?;
                if base.level == stored.level {
                    let far = page_of(base_addr).abs_diff(self.pager.tail_page()) > LINKED_PATCH_DISTANCE;
                    let links = if far && base_depth > 0 { Some(&base.below[..]) } else { None };
                    let patch = encode_patch(&base, &stored, base_addr, base_depth + 1, links);
                    let wins = patch.len() * 2 < full_len_at_least(&stored) || {
                        let f = encode_full(&stored);
                        let wins = patch.len() * 2 < f.len();
                        full = Some(f);
                        wins
                    };
                    if wins {
                        patched = Some(patch);
                        stored.depth = base_depth + 1;
                        stored.below = std::iter::once(base_addr).chain(base.below.iter().copied()).collect();
                    }
                }
            }
        }
        let rec = match patched {
            Some(patch) => patch,
            None => full.unwrap_or_else(|| encode_full(&stored)),
        };
        #[cfg(debug_assertions)]
        {
            let f = encode_full(&stored);
            debug_assert!(full_len_at_least(&stored) <= f.len(), "a lower bound");
            debug_assert!(stored.depth == 0 || rec.len() * 2 < f.len(), "a patch is under half the full encoding");
        }
        let addr = self.pager.append(&rec)?;
        self.cache_node(addr, Rc::new(stored));
        Ok(addr)
    }

    fn write_chunks(&mut self, b: &[u8]) -> Result<Val> {
        let mut next = 0;
        // Chunks are written last-first so that each knows its successor.
        for chunk in b.chunks(CHUNK_DATA).rev() {
            let mut rec = Vec::with_capacity(chunk.len() + 9);
            rec.push(TAG_CHUNK);
            rec.put_u64(next);
            rec.extend_from_slice(chunk);
            next = self.pager.append(&rec)?;
        }
        Ok(Val::Chunked { len: b.len() as u32, head: next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::backend::MemBackend;
    use std::collections::BTreeMap;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn store() -> Store {
        Store::new(Pager::open(Box::new(MemBackend::new())).unwrap().0)
    }

    fn key(i: u32) -> Vec<u8> {
        format!("k{:08}", i).into_bytes()
    }

    #[test]
    fn freeing_a_page_forgets_the_nodes_cached_on_it_only() {
        let mut s = store();
        let mut first = NodeRef::empty();
        s.put(&mut first, b"a", b"1").unwrap();
        let a = s.persist(&first).unwrap();
        // Fill the rest of the page so that the next tree lands on another.
        let mut filler = NodeRef::empty();
        for i in 0..200 {
            s.put(&mut filler, &key(i), &[7; 40]).unwrap();
        }
        s.persist(&filler).unwrap();
        let mut second = NodeRef::empty();
        s.put(&mut second, b"b", b"2").unwrap();
        let b = s.persist(&second).unwrap();
        assert_ne!(page_of(a), page_of(b));
        assert!(s.cached(a).is_some() && s.cached(b).is_some());
        s.forget_pages(&HashSet::from([page_of(a)]));
        assert!(s.cached(a).is_none(), "a node of a freed page is forgotten");
        assert!(s.cached(b).is_some(), "a node of another page is kept");
        // Cached again, it is current until its page is freed again.
        assert_eq!(s.get(&NodeRef::Stored(a), b"a").unwrap().as_deref(), Some(&b"1"[..]));
        assert!(s.cached(a).is_some());
        s.forget_pages(&HashSet::from([page_of(a)]));
        assert!(s.cached(a).is_none());
    }

    fn all(s: &Store, r: &NodeRef) -> BTreeMap<Vec<u8>, Vec<u8>> {
        let mut m = BTreeMap::new();
        s.scan(r, Bound::Unbounded, Bound::Unbounded, &mut |k, v| {
            m.insert(k.to_vec(), v.to_vec());
            true
        })
        .unwrap();
        m
    }

    #[test]
    fn insert_get_delete_many_with_persist_in_between() {
        let mut s = store();
        let mut root = NodeRef::empty();
        let mut model = BTreeMap::new();
        for i in 0..5000u32 {
            let k = key((i * 7919) % 5000);
            let v = vec![(i % 200) as u8; (i % 40) as usize];
            s.put(&mut root, &k, &v).unwrap();
            model.insert(k, v);
            if i % 500 == 0 {
                root = NodeRef::Stored(s.persist(&root).unwrap());
            }
        }
        root = NodeRef::Stored(s.persist(&root).unwrap());
        s.clear_cache();
        assert_eq!(all(&s, &root), model);
        for i in (0..5000u32).step_by(3) {
            assert!(s.delete(&mut root, &key(i)).unwrap());
            model.remove(&key(i));
        }
        assert!(!s.delete(&mut root, &key(0)).unwrap());
        let addr = s.persist(&root).unwrap();
        s.clear_cache();
        let root = NodeRef::Stored(addr);
        assert_eq!(all(&s, &root), model);
        assert_eq!(s.get(&root, &key(1)).unwrap(), model.get(&key(1)).cloned());
    }

    #[test]
    fn range_scan_respects_bounds_and_early_stop() {
        let s = store();
        let mut root = NodeRef::empty();
        for i in 0..1000 {
            s.put(&mut root, &key(i), b"v").unwrap();
        }
        let mut got = Vec::new();
        s.scan(&root, Bound::Excluded(&key(100)), Bound::Included(&key(400)), &mut |k, _| {
            got.push(k.to_vec());
            got.len() < 250
        })
        .unwrap();
        assert_eq!(got.len(), 250);
        assert_eq!(got[0], key(101));
        assert_eq!(got[249], key(350));
    }

    #[test]
    fn long_values_round_trip_through_chunks() {
        let mut s = store();
        let mut root = NodeRef::empty();
        let big: Vec<u8> = (0..50_000u32).map(|i| (i * 31 % 251) as u8).collect();
        s.put(&mut root, b"big", &big).unwrap();
        s.put(&mut root, b"small", b"x").unwrap();
        let addr = s.persist(&root).unwrap();
        s.clear_cache();
        assert_eq!(s.get(&NodeRef::Stored(addr), b"big").unwrap().unwrap(), big);
        let mut m = Marker::default();
        m.push_root(addr);
        assert!(s.mark_step(&mut m, usize::MAX).unwrap());
        assert!(m.bytes() > 50_000, "chunks are counted as live: {}", m.bytes());
    }

    #[test]
    fn marking_in_steps_of_one_record_finds_what_one_pass_finds() {
        let mut s = store();
        let mut root = NodeRef::empty();
        let mut roots = Vec::new();
        for i in 0..3000u32 {
            let v = if i % 500 == 0 { vec![7u8; 9000] } else { i.to_le_bytes().to_vec() };
            s.put(&mut root, &key(i % 1000), &v).unwrap();
            if i % 100 == 99 {
                let a = s.persist(&root).unwrap();
                roots.push(a);
                root = NodeRef::Stored(a);
            }
        }
        let mut whole = Marker::default();
        let mut stepped = Marker::default();
        for &a in &roots {
            whole.push_root(a);
            stepped.push_root(a);
        }
        assert!(s.mark_step(&mut whole, usize::MAX).unwrap());
        let mut steps = 0;
        while !s.mark_step(&mut stepped, 1).unwrap() {
            steps += 1;
        }
        // one record per step (the last may find only records already marked)
        assert!(steps <= stepped.records() && stepped.records() <= steps + 1);
        assert_eq!(whole.bytes(), stepped.bytes());
        assert_eq!(whole.page_bytes(), stepped.page_bytes());
        assert!(whole.records() > roots.len());
    }

    #[test]
    fn diff_matches_model_and_skips_shared_subtrees() {
        let mut s = store();
        let mut root = NodeRef::empty();
        for i in 0..20_000 {
            s.put(&mut root, &key(i), &i.to_le_bytes()).unwrap();
        }
        let a = NodeRef::Stored(s.persist(&root).unwrap());
        let mut r2 = a.clone();
        s.put(&mut r2, &key(5), b"changed").unwrap();
        s.delete(&mut r2, &key(19_999)).unwrap();
        s.put(&mut r2, b"new", b"n").unwrap();
        let b = NodeRef::Stored(s.persist(&r2).unwrap());
        let d = s.diff(&a, &b, Bound::Unbounded, Bound::Unbounded).unwrap();
        let keys: Vec<_> = d.iter().map(|c| c.key.clone()).collect();
        assert_eq!(keys, vec![key(5), key(19_999), b"new".to_vec()]);
        assert_eq!(d[0].after.as_deref(), Some(&b"changed"[..]));
        assert_eq!(d[1].after, None);
        let ranged = s.diff(&a, &b, Bound::Included(&key(0)), Bound::Excluded(&key(10))).unwrap();
        assert_eq!(ranged.len(), 1);
        assert!(s.diff(&a, &a, Bound::Unbounded, Bound::Unbounded).unwrap().is_empty());
    }

    /// Encoded sizes of the leaves under `r`.
    fn leaf_sizes(s: &Store, r: &NodeRef, out: &mut Vec<usize>) {
        let n = s.node(r).unwrap();
        if n.is_leaf() {
            out.push(encode_full(&n).len());
        } else {
            for k in &n.kids {
                leaf_sizes(s, k, out);
            }
        }
    }

    #[test]
    fn appends_in_key_order_fill_nodes() {
        let mut s = store();
        let mut root = NodeRef::empty();
        for i in 0..20_000u32 {
            s.put(&mut root, &key(i), &[5u8; 20]).unwrap();
        }
        let addr = s.persist(&root).unwrap();
        s.clear_cache();
        let root = NodeRef::Stored(addr);
        let mut sizes = Vec::new();
        leaf_sizes(&s, &root, &mut sizes);
        let last = sizes.pop().unwrap();
        assert!(last <= NODE_MAX);
        for &sz in &sizes {
            assert!(sz <= NODE_MAX && sz + 40 > NODE_MAX, "a leaf of {sz} bytes after appends in key order");
        }
        // keys sharing their first bytes are stored once per node
        let total: usize = sizes.iter().sum();
        assert!(total < 20_000 * 28, "{total} bytes for 20,000 entries of 9-byte keys and 20-byte values");
        assert_eq!(all(&s, &root).len(), 20_000);
    }

    #[test]
    fn entries_at_the_size_limits_split_into_records_that_fit() {
        let mut s = store();
        let mut root = NodeRef::empty();
        let mut model = BTreeMap::new();
        // keys of KEY_MAX bytes sharing long prefixes or none, values at
        // INLINE_MAX, in an order that splits nodes everywhere
        for i in 0..300u32 {
            let j = (i * 37) % 300;
            let mut k = vec![if j % 2 == 0 { b'a' } else { (j % 251) as u8 }; KEY_MAX];
            k[KEY_MAX - 4..].copy_from_slice(&j.to_be_bytes());
            if j % 3 == 0 {
                k.truncate(5 + (j as usize % 7));
            }
            let v = vec![(j % 256) as u8; if j % 5 == 0 { 3 } else { INLINE_MAX }];
            s.put(&mut root, &k, &v).unwrap();
            model.insert(k, v);
            if i % 50 == 49 {
                root = NodeRef::Stored(s.persist(&root).unwrap());
            }
        }
        for (i, k) in model.keys().cloned().collect::<Vec<_>>().iter().enumerate() {
            if i % 3 == 1 {
                assert!(s.delete(&mut root, k).unwrap());
                model.remove(k);
            }
        }
        let addr = s.persist(&root).unwrap();
        s.clear_cache();
        assert_eq!(all(&s, &NodeRef::Stored(addr)), model);
    }

    #[test]
    fn indexed_search_agrees_with_binary_search() {
        let mut keys: Vec<Vec<u8>> = vec![b"p".to_vec(), b"pre".to_vec(), b"pre\0".to_vec(), b"pre\0\0".to_vec()];
        for i in 0..300u32 {
            let mut k = b"pre".to_vec();
            k.extend_from_slice(&(i * 977 % 1000).to_be_bytes()[..(i % 4 + 1) as usize]);
            keys.push(k);
        }
        for i in 0..40u64 {
            // long keys: equal heads, decided by what follows or the length
            let mut k = b"pre".to_vec();
            k.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, (i % 3) as u8]);
            k.extend_from_slice(&(i * 31 % 17).to_be_bytes()[..(i % 9) as usize]);
            keys.push(k);
        }
        keys.extend([b"prf".to_vec(), b"q".to_vec()]);
        keys.sort();
        keys.dedup();
        for sub in [&keys[..], &keys[1..keys.len() - 1], &keys[4..40]] {
            let mut n = Node::leaf();
            n.keys = sub.iter().map(|k| Key::from(&k[..])).collect();
            n.vals = sub.iter().map(|_| Val::Inline(Rc::from(&b""[..]))).collect();
            n.index();
            assert!(n.heads.is_some());
            let mut probes = keys.clone();
            probes.extend([vec![], b"o".to_vec(), b"pr".to_vec(), b"pre\0\0\0".to_vec(), b"z".to_vec()]);
            // and a node changed since it was read (no search array)
            let mut changed = Node::leaf();
            changed.keys = n.keys.clone();
            changed.vals = n.vals.clone();
            assert!(changed.heads.is_none());
            for k in probes {
                assert_eq!(n.search(&k), n.keys.binary_search_by(|x| x[..].cmp(&k)), "{k:?}");
                assert_eq!(changed.search(&k), n.search(&k), "{k:?}");
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn keys_compare_as_byte_strings(
            prefix in proptest::collection::vec(0u8..4, 0..20),
            a in proptest::collection::vec(0u8..4, 0..20),
            b in proptest::collection::vec(0u8..4, 0..20),
        ) {
            let (a, b) = ([&prefix[..], &a[..]].concat(), [&prefix[..], &b[..]].concat());
            proptest::prop_assert_eq!(node::cmp_key(&a, &b), a.cmp(&b));
            proptest::prop_assert_eq!(node::cmp_key(&b, &a), b.cmp(&a));
            proptest::prop_assert_eq!(node::cmp_key(&a, &a), std::cmp::Ordering::Equal);
        }
    }

    #[test]
    fn small_change_is_written_as_small_patches() {
        let mut s = store();
        let mut root = NodeRef::empty();
        for i in 0..20_000 {
            s.put(&mut root, &key(i), &[7u8; 40]).unwrap();
        }
        let a = s.persist(&root).unwrap();
        let before = s.pager.appended();
        let mut r = NodeRef::Stored(a);
        s.put(&mut r, &key(12_345), &[8u8; 40]).unwrap();
        s.persist(&r).unwrap();
        let cost = s.pager.appended() - before;
        assert!(cost < 160, "a one-value change wrote {cost} bytes");
    }
}
