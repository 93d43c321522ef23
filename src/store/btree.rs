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

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Bound;
use std::rc::Rc;

use crate::error::{Error, Result};
use crate::store::cache::Cache;
use crate::store::page::{varint_len, Reader, Writer};
use crate::store::pager::{page_of, Addr, Pager, RECORD_MAX};

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

type Key = Rc<[u8]>;

/// A value in a leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    /// Stored in the node.
    Inline(Rc<[u8]>),
    /// Long value not yet written (in-memory nodes only).
    Big(Rc<[u8]>),
    /// Long value in a chain of chunk records.
    Chunked {
        /// Total length.
        len: u32,
        /// First chunk.
        head: Addr,
    },
}

impl Val {
    fn encoded_len(&self) -> usize {
        match self {
            Val::Inline(b) => varint_len((b.len() as u64) << 1) + b.len(),
            Val::Big(b) => varint_len(((b.len() as u64) << 1) | 1) + ADDR_MAX_LEN,
            Val::Chunked { len, head } => varint_len((u64::from(*len) << 1) | 1) + varint_len(*head),
        }
    }
}

/// Bytes two keys share at their start.
fn shared_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Encoded bytes of `key` written after `prev`.
fn key_len(prev: &[u8], key: &[u8]) -> usize {
    let shared = shared_prefix(prev, key);
    varint_len(shared as u64) + varint_len((key.len() - shared) as u64) + key.len() - shared
}

fn write_key(out: &mut Vec<u8>, prev: &[u8], key: &[u8]) {
    let shared = shared_prefix(prev, key);
    out.put_varint(shared as u64);
    out.put_var_bytes(&key[shared..]);
}

/// Reads a key written by [`write_key`] after `prev`.
fn read_key(r: &mut Reader, prev: &[u8]) -> Result<Key> {
    let shared = r.varlen()?;
    let suffix = r.var_bytes()?;
    let head = prev
        .get(..shared)
        .ok_or_else(|| Error::Corrupt(format!("key shares {shared} bytes with a key of {}", prev.len())))?;
    let mut k = Vec::with_capacity(shared + suffix.len());
    k.extend_from_slice(head);
    k.extend_from_slice(suffix);
    Ok(k.into())
}

/// Skips a key written by [`write_key`].
fn skip_key(r: &mut Reader) -> Result<()> {
    r.varint()?;
    r.var_bytes()?;
    Ok(())
}

/// The base address of a patch record.
fn patch_base(rec: &[u8]) -> Result<Addr> {
    Reader::new(rec.get(3..).unwrap_or_default()).varint()
}

/// A reference to a node: stored (immutable) or in memory (being changed).
#[derive(Clone, Debug)]
pub enum NodeRef {
    /// A node record in the log; 0 is the empty tree.
    Stored(Addr),
    /// A node changed by an open transaction.
    Mem(Rc<Node>),
}

impl NodeRef {
    /// The empty tree.
    pub fn empty() -> NodeRef {
        NodeRef::Stored(0)
    }
    /// Whether two references name the same immutable subtree.
    pub fn same(&self, other: &NodeRef) -> bool {
        match (self, other) {
            (NodeRef::Stored(a), NodeRef::Stored(b)) => a == b,
            (NodeRef::Mem(a), NodeRef::Mem(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
    /// The stored address, if the tree has been persisted.
    pub fn addr(&self) -> Option<Addr> {
        match self {
            NodeRef::Stored(a) => Some(*a),
            NodeRef::Mem(_) => None,
        }
    }
}

/// A B+tree node. Internal nodes route key `k` to the last child whose key is
/// `<= k` (the first key of a node is its lower bound and is not compared).
#[derive(Clone, Debug)]
pub struct Node {
    level: u8,
    keys: Vec<Key>,
    vals: Vec<Val>,
    kids: Vec<NodeRef>,
    /// Stored node this one was copied from, with that node's chain depth.
    origin: Option<(Addr, u8)>,
    /// Patch-chain depth of a stored node (0 = written in full).
    depth: u8,
    size: usize,
    /// Search index of a node that no longer changes (see [`Heads`]);
    /// dropped by every change of the keys.
    heads: Option<Rc<Heads>>,
}

/// The keys of a node as fixed-width integers, for searching without
/// visiting each key's own allocation: the bytes every key of the node
/// shares are skipped, and the next 8 bytes, zero-padded, are read as a
/// big-endian integer. Two keys whose heads differ compare as their heads
/// do; equal heads fall back to the keys.
#[derive(Debug)]
struct Heads {
    skip: usize,
    vals: Vec<u64>,
}

fn head_of(s: &[u8]) -> u64 {
    if let Some(b) = s.first_chunk::<8>() {
        return u64::from_be_bytes(*b);
    }
    s.iter().enumerate().fold(0, |v, (i, &b)| v | u64::from(b) << (56 - 8 * i))
}

/// Order of two key tails whose heads are equal: they agree on their first
/// 8 bytes (a shorter one padded with zeros), so what follows decides, and
/// then the length.
fn cmp_after_head(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let (ta, tb) = (a.get(8..).unwrap_or_default(), b.get(8..).unwrap_or_default());
    if ta.is_empty() && tb.is_empty() {
        return a.len().cmp(&b.len());
    }
    ta.cmp(tb).then(a.len().cmp(&b.len()))
}

impl Node {
    fn leaf() -> Node {
        Node {
            level: 0,
            keys: Vec::new(),
            vals: Vec::new(),
            kids: Vec::new(),
            origin: None,
            depth: 0,
            size: NODE_HEADER,
            heads: None,
        }
    }
    fn is_leaf(&self) -> bool {
        self.level == 0
    }
    /// Encoded bytes of entry `i` (its key is written after key `i - 1`);
    /// an upper bound for a child address.
    fn entry_len(&self, i: usize) -> usize {
        let prev = if i == 0 { &[][..] } else { &self.keys[i - 1][..] };
        key_len(prev, &self.keys[i]) + if self.is_leaf() { self.vals[i].encoded_len() } else { ADDR_MAX_LEN }
    }
    /// Encoded bytes of entries `i` and `i + 1` (those a change at `i`
    /// affects).
    fn pair_len(&self, i: usize) -> usize {
        (i..self.keys.len().min(i + 2)).map(|j| self.entry_len(j)).sum()
    }
    fn recompute_size(&mut self) {
        self.size = NODE_HEADER + (0..self.keys.len()).map(|i| self.entry_len(i)).sum::<usize>();
    }
    /// Builds the search index of a node that will not change again (a
    /// stored node).
    fn index(&mut self) {
        self.heads = None;
        if self.keys.len() < 8 {
            return;
        }
        let skip = shared_prefix(&self.keys[0], &self.keys[self.keys.len() - 1]);
        let vals = self.keys.iter().map(|k| head_of(&k[skip..])).collect();
        self.heads = Some(Rc::new(Heads { skip, vals }));
    }

    /// Where `key` is among the keys, as [`slice::binary_search`] says.
    fn search(&self, key: &[u8]) -> std::result::Result<usize, usize> {
        let Some(h) = &self.heads else { return self.keys.binary_search_by(|k| k[..].cmp(key)) };
        let p = h.skip;
        // every key starts with the node's shared prefix
        if key.len() < p || key[..p] != self.keys[0][..p] {
            return match key[..key.len().min(p)].cmp(&self.keys[0][..p]) {
                std::cmp::Ordering::Greater => Err(self.keys.len()),
                _ => Err(0),
            };
        }
        let rest = &key[p..];
        let want = head_of(rest);
        let (mut lo, mut hi) = (0, h.vals.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let ord = match h.vals[mid].cmp(&want) {
                std::cmp::Ordering::Equal => cmp_after_head(&self.keys[mid][p..], rest),
                o => o,
            };
            match ord {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// Inserts an entry at `i` (a value for a leaf, a child otherwise).
    fn insert_entry(&mut self, i: usize, key: Key, val: Option<Val>, kid: Option<NodeRef>) {
        self.heads = None;
        let before = if i < self.keys.len() { self.entry_len(i) } else { 0 };
        self.keys.insert(i, key);
        if let Some(v) = val {
            self.vals.insert(i, v);
        }
        if let Some(k) = kid {
            self.kids.insert(i, k);
        }
        self.size = self.size + self.pair_len(i) - before;
    }
    /// Removes entry `i`.
    fn remove_entry(&mut self, i: usize) {
        self.heads = None;
        let before = self.pair_len(i);
        self.keys.remove(i);
        if self.is_leaf() {
            self.vals.remove(i);
        } else {
            self.kids.remove(i);
        }
        let after = if i < self.keys.len() { self.entry_len(i) } else { 0 };
        self.size = self.size + after - before;
    }
    fn child_index(&self, key: &[u8]) -> usize {
        match self.search(key) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        }
    }
    /// Splits off the upper part: only the last entry when `at_end` (an
    /// append past the last key overflowed the node, which stays full), else
    /// the upper half by encoded size. Returns the new node's first key and
    /// the node.
    fn split_once(&mut self, at_end: bool) -> (Key, Node) {
        let n = self.keys.len();
        let mut at = n / 2;
        if at_end && self.size - self.entry_len(n - 1) <= NODE_MAX {
            at = n - 1;
        } else {
            let mut acc = NODE_HEADER;
            for i in 0..n {
                acc += self.entry_len(i);
                if acc > self.size / 2 {
                    at = i;
                    break;
                }
            }
        }
        let at = at.clamp(1, n - 1);
        self.heads = None;
        let mut right = Node { level: self.level, origin: None, depth: 0, ..Node::leaf() };
        right.keys = self.keys.split_off(at);
        if self.is_leaf() {
            right.vals = self.vals.split_off(at);
        } else {
            right.kids = self.kids.split_off(at);
        }
        self.recompute_size();
        right.recompute_size();
        (right.keys[0].clone(), right)
    }

    /// Splits an overfull node until every part fits in [`NODE_MAX`] (one
    /// split unless entries near the size limits meet); returns the parts
    /// after the first, which stays in `self`, with their first keys.
    fn split(&mut self, at_end: bool) -> Vec<(Key, NodeRef)> {
        let mut out = Vec::new();
        let mut rest: Vec<Node> = Vec::new();
        if self.size > NODE_MAX && self.keys.len() >= 2 {
            let (_, right) = self.split_once(at_end);
            rest.push(right);
        }
        // `self` and each part are split again while too large (halving).
        while self.size > NODE_MAX && self.keys.len() >= 2 {
            let (_, right) = self.split_once(false);
            rest.push(right);
        }
        while let Some(mut part) = rest.pop() {
            if part.size > NODE_MAX && part.keys.len() >= 2 {
                let (_, right) = part.split_once(false);
                rest.push(right);
                rest.push(part);
                continue;
            }
            out.push((part.keys[0].clone(), NodeRef::Mem(Rc::new(part))));
        }
        out
    }
}

/// One difference between two trees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The key.
    pub key: Vec<u8>,
    /// Value in the first tree.
    pub before: Option<Vec<u8>>,
    /// Value in the second tree.
    pub after: Option<Vec<u8>>,
}

/// Slots of the direct-mapped cache of recently used nodes.
const HOT_SLOTS: usize = 256;

/// A slot of that cache: an address and its node.
type HotSlot = (Addr, Option<Rc<Node>>);

/// The record log plus a cache of decoded nodes.
pub struct Store {
    /// The record log.
    pub pager: Pager,
    cache: Cache<Addr, Rc<Node>>,
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
        Bound::Included(e) => key <= e,
        Bound::Excluded(e) => key < e,
    }
}

enum Item {
    Sub { node: NodeRef, lo: Option<Key>, hi: Option<Key>, level: u8 },
    Ent { key: Key, val: Val },
}

impl Item {
    fn low(&self) -> Option<&[u8]> {
        match self {
            Item::Sub { lo, .. } => lo.as_deref(),
            Item::Ent { key, .. } => Some(key),
        }
    }
}

impl Store {
    /// Wraps a pager.
    pub fn new(pager: Pager) -> Store {
        Store { pager, cache: Cache::new(NODE_CACHE_MAX), hot: RefCell::new(vec![(0, None); HOT_SLOTS].into()) }
    }

    /// Forgets every decoded node (after a failed commit).
    pub fn clear_cache(&self) {
        self.cache.clear();
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
        if let Some(n) = self.cache.get(&addr) {
            return Ok(n);
        }
        // Walk the patch chain down to a cached or full node, then apply the
        // patches oldest first: one copy of the node however long the chain.
        let mut chain: Vec<(Addr, Vec<u8>)> = Vec::new();
        let mut at = addr;
        let mut node = loop {
            if at == 0 {
                return Err(Error::Corrupt(format!("node at {addr:#x}: patch chain reaches the empty tree")));
            }
            if let Some(n) = self.cache.get(&at) {
                break (*n).clone();
            }
            let rec = self.pager.read(at)?;
            if rec.first() == Some(&TAG_PATCH) {
                if chain.len() > MAX_CHAIN as usize {
                    return Err(Error::Corrupt(format!("node at {addr:#x}: patch chain is too long or loops")));
                }
                let base = patch_base(&rec)?;
                chain.push((at, rec));
                at = base;
            } else {
                let full = Rc::new(decode_full(at, &rec)?);
                if !chain.is_empty() {
                    // Bases are shared by many versions: worth keeping.
                    self.cache.insert(at, full.clone());
                }
                break (*full).clone();
            }
        };
        for (a, rec) in chain.iter().rev() {
            apply_patch(&mut node, *a, rec)?;
        }
        node.origin = None;
        node.recompute_size();
        node.index();
        let node = Rc::new(node);
        self.cache.insert(addr, node.clone());
        Ok(node)
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
        let mut n = self.node(root)?;
        loop {
            if n.is_leaf() {
                return match n.search(key) {
                    Ok(i) => Ok(Some(self.value(&n.vals[i])?)),
                    Err(_) => Ok(None),
                };
            }
            let i = n.child_index(key);
            n = self.node(&n.kids[i])?;
        }
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
        if key.len() > KEY_MAX {
            return Err(Error::TooLarge(format!("key of {} bytes exceeds the {KEY_MAX}-byte limit", key.len())));
        }
        if value.len() > VALUE_MAX {
            return Err(Error::TooLarge(format!("value of {} bytes exceeds the {VALUE_MAX}-byte limit", value.len())));
        }
        let val = if value.len() > INLINE_MAX { Val::Big(value.into()) } else { Val::Inline(value.into()) };
        let parts = self.put_rec(root, key, val)?;
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
    fn put_rec(&self, r: &mut NodeRef, key: &[u8], val: Val) -> Result<Vec<(Key, NodeRef)>> {
        let node = self.make_mut(r)?;
        let at_end;
        if node.is_leaf() {
            match node.search(key) {
                Ok(i) => {
                    node.size = node.size - node.vals[i].encoded_len() + val.encoded_len();
                    node.vals[i] = val;
                    at_end = false;
                }
                Err(i) => {
                    at_end = i == node.keys.len();
                    node.insert_entry(i, key.into(), Some(val), None);
                }
            }
        } else {
            let i = node.child_index(key);
            let parts = self.put_rec(&mut node.kids[i], key, val)?;
            at_end = i + 1 == node.keys.len() && !parts.is_empty();
            for (j, (sep, right)) in parts.into_iter().enumerate() {
                node.insert_entry(i + 1 + j, sep, None, Some(right));
            }
        }
        Ok(node.split(at_end))
    }

    /// Removes `key`; returns whether it was present.
    pub fn delete(&self, root: &mut NodeRef, key: &[u8]) -> Result<bool> {
        if self.get(root, key)?.is_none() {
            return Ok(false);
        }
        self.del_rec(root, key)?;
        loop {
            let n = self.node(root)?;
            if n.is_leaf() || n.kids.len() != 1 {
                break;
            }
            *root = n.kids[0].clone();
        }
        Ok(true)
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
        let mut stored = Node { level: n.level, keys: n.keys.clone(), origin: None, ..Node::leaf() };
        if n.is_leaf() {
            for v in &n.vals {
                stored.vals.push(match v {
                    Val::Big(b) => self.write_chunks(b)?,
                    v => v.clone(),
                });
            }
        } else {
            for k in &n.kids {
                stored.kids.push(NodeRef::Stored(self.persist(k)?));
            }
        }
        stored.recompute_size();
        if stored.keys.is_empty() && n.level == 0 {
            return Ok(0);
        }
        stored.index();
        let full = encode_full(&stored);
        let mut rec = full;
        if let Some((base_addr, base_depth)) = n.origin {
            if base_depth < MAX_CHAIN {
                let base = self.load(base_addr)?;
                if base.level == stored.level {
                    let patch = encode_patch(&base, &stored, base_addr, base_depth + 1);
                    if patch.len() * 2 < rec.len() {
                        rec = patch;
                        stored.depth = base_depth + 1;
                    }
                }
            }
        }
        let addr = self.pager.append(&rec)?;
        self.cache.insert(addr, Rc::new(stored));
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

    /// Every key whose value differs between the trees `a` and `b` within
    /// `[start, end]`, in key order. Subtrees the two trees share are
    /// skipped, so the cost follows the size of the change.
    pub fn diff(&self, a: &NodeRef, b: &NodeRef, start: Bound<&[u8]>, end: Bound<&[u8]>) -> Result<Vec<Change>> {
        let mut out = Vec::new();
        let root_item = |r: &NodeRef| -> Result<Item> {
            Ok(Item::Sub { node: r.clone(), lo: None, hi: None, level: self.node(r)?.level })
        };
        let mut qa = VecDeque::from([root_item(a)?]);
        let mut qb = VecDeque::from([root_item(b)?]);
        // Each step either skips a shared subtree, expands one subtree, or
        // emits the entry with the lowest key (a key only one side has).
        enum Step {
            SkipBoth,
            Expand { a: bool, both: bool },
            OnlyA,
            OnlyB,
            Compare,
        }
        loop {
            let step = match (qa.front(), qb.front()) {
                (None, None) => break,
                (Some(Item::Sub { node: x, .. }), Some(Item::Sub { node: y, .. })) if x.same(y) => Step::SkipBoth,
                (Some(Item::Ent { .. }), None) => Step::OnlyA,
                (None, Some(Item::Ent { .. })) => Step::OnlyB,
                (Some(Item::Sub { .. }), None) => Step::Expand { a: true, both: false },
                (None, Some(Item::Sub { .. })) => Step::Expand { a: false, both: false },
                (Some(x), Some(y)) => {
                    let (lx, ly) = (x.low(), y.low());
                    match (x, y) {
                        (Item::Ent { .. }, Item::Ent { .. }) => Step::Compare,
                        (Item::Sub { level: la, .. }, Item::Sub { level: lb, .. }) => match (lx.cmp(&ly), la.cmp(lb)) {
                            (std::cmp::Ordering::Equal, std::cmp::Ordering::Equal) => {
                                Step::Expand { a: true, both: true }
                            }
                            (std::cmp::Ordering::Equal, levels) => Step::Expand { a: levels.is_gt(), both: false },
                            (lows, _) => Step::Expand { a: lows.is_lt(), both: false },
                        },
                        (Item::Sub { .. }, Item::Ent { .. }) if lx <= ly => Step::Expand { a: true, both: false },
                        (Item::Sub { .. }, Item::Ent { .. }) => Step::OnlyB,
                        (Item::Ent { .. }, Item::Sub { .. }) if ly <= lx => Step::Expand { a: false, both: false },
                        (Item::Ent { .. }, Item::Sub { .. }) => Step::OnlyA,
                    }
                }
            };
            match step {
                Step::SkipBoth => {
                    qa.pop_front();
                    qb.pop_front();
                }
                Step::Expand { a, both } => {
                    if both || !a {
                        let item = qb.pop_front().expect("front exists");
                        self.expand(item, &mut qb, start, end)?;
                    }
                    if both || a {
                        let item = qa.pop_front().expect("front exists");
                        self.expand(item, &mut qa, start, end)?;
                    }
                }
                Step::OnlyA => {
                    let (key, val) = self.pop_entry(&mut qa)?;
                    out.push(Change { key, before: Some(val), after: None });
                }
                Step::OnlyB => {
                    let (key, val) = self.pop_entry(&mut qb)?;
                    out.push(Change { key, before: None, after: Some(val) });
                }
                Step::Compare => {
                    let ord = qa.front().and_then(Item::low).cmp(&qb.front().and_then(Item::low));
                    let va = if ord.is_le() { Some(self.pop_entry(&mut qa)?) } else { None };
                    let vb = if ord.is_ge() { Some(self.pop_entry(&mut qb)?) } else { None };
                    let key = va.as_ref().or(vb.as_ref()).map(|(k, _)| k.clone()).unwrap_or_default();
                    let (before, after) = (va.map(|(_, v)| v), vb.map(|(_, v)| v));
                    if before != after {
                        out.push(Change { key, before, after });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Removes the entry at the front of `q` and reads its value.
    fn pop_entry(&self, q: &mut VecDeque<Item>) -> Result<(Vec<u8>, Vec<u8>)> {
        match q.pop_front() {
            Some(Item::Ent { key, val }) => Ok((key.to_vec(), self.value(&val)?)),
            _ => unreachable!("the front is an entry"),
        }
    }

    fn expand(&self, item: Item, q: &mut VecDeque<Item>, start: Bound<&[u8]>, end: Bound<&[u8]>) -> Result<()> {
        let Item::Sub { node, lo, hi, .. } = item else { unreachable!("only subtrees are expanded") };
        let n = self.node(&node)?;
        let mut items = Vec::with_capacity(n.keys.len());
        if n.is_leaf() {
            for (k, v) in n.keys.iter().zip(&n.vals) {
                if in_start(k, start) && in_end(k, end) {
                    items.push(Item::Ent { key: k.clone(), val: v.clone() });
                }
            }
        } else {
            for i in 0..n.kids.len() {
                let clo = if i == 0 { lo.clone() } else { Some(n.keys[i].clone()) };
                let chi = if i + 1 < n.kids.len() { Some(n.keys[i + 1].clone()) } else { hi.clone() };
                let before_start = match (&chi, start) {
                    (Some(h), Bound::Included(s) | Bound::Excluded(s)) => &h[..] <= s,
                    _ => false,
                };
                let after_end = match (&clo, end) {
                    (Some(l), Bound::Included(e)) => &l[..] > e,
                    (Some(l), Bound::Excluded(e)) => &l[..] >= e,
                    _ => false,
                };
                if !before_start && !after_end {
                    items.push(Item::Sub { node: n.kids[i].clone(), lo: clo, hi: chi, level: n.level - 1 });
                }
            }
        }
        for it in items.into_iter().rev() {
            q.push_front(it);
        }
        Ok(())
    }

    /// Adds every record reachable from the node at `addr` to `live` and
    /// returns the bytes newly marked. Records are parsed, not decoded: a
    /// patch reaches its base plus the children it sets, which is exactly
    /// what the patched node reaches given that its base is live.
    pub fn mark(&self, addr: Addr, live: &mut HashMap<Addr, u32>) -> Result<u64> {
        let mut bytes = 0;
        let mut stack = vec![addr];
        while let Some(a) = stack.pop() {
            if a == 0 || live.contains_key(&a) {
                continue;
            }
            let rec = self.pager.read(a)?;
            live.insert(a, 4 + rec.len() as u32);
            bytes += 4 + rec.len() as u64;
            let mut r = Reader::new(&rec);
            let tag = r.u8()?;
            let level = r.u8()?;
            let patch = tag == TAG_PATCH;
            if patch {
                r.u8()?;
                stack.push(r.varint()?);
            } else if !matches!(tag, TAG_LEAF | TAG_INTERNAL) {
                return Err(Error::Corrupt(format!("record at {a:#x} is not a node")));
            }
            let n = r.varint()?;
            for _ in 0..n {
                skip_key(&mut r)?;
                if patch && r.u8()? == 0 {
                    continue;
                }
                if level > 0 {
                    stack.push(r.varint()?);
                } else if let Val::Chunked { head, .. } = read_val(&mut r)? {
                    let mut at = head;
                    while at != 0 && !live.contains_key(&at) {
                        let rec = self.pager.read(at)?;
                        live.insert(at, 4 + rec.len() as u32);
                        bytes += 4 + rec.len() as u64;
                        at = Reader::new(rec.get(1..).unwrap_or_default()).u64()?;
                    }
                }
            }
        }
        Ok(bytes)
    }

    /// Whether the record at `addr`, or a record it depends on (its patch
    /// chain, its value chunks), lies on one of the `pages`.
    fn depends_on(&self, addr: Addr, pages: &HashSet<u64>) -> Result<bool> {
        let mut at = addr;
        while at != 0 {
            if pages.contains(&page_of(at)) {
                return Ok(true);
            }
            let rec = self.pager.read(at)?;
            if rec.first() != Some(&TAG_PATCH) {
                break;
            }
            at = patch_base(&rec)?;
        }
        Ok(false)
    }

    /// Copies out of `pages` every node of the tree (and every long value)
    /// that depends on them: such nodes are rewritten in full, their
    /// ancestors as patches. Returns the new in-memory root, or `None` when
    /// nothing depends on those pages. Older versions keep the old copies
    /// until they leave the window; then the pages become free.
    pub fn relocate(&self, r: &NodeRef, pages: &HashSet<u64>) -> Result<Option<NodeRef>> {
        let NodeRef::Stored(a) = *r else { return Ok(None) };
        if a == 0 {
            return Ok(None);
        }
        let node = self.load(a)?;
        let moved = self.depends_on(a, pages)?;
        let mut copy: Option<Node> = None;
        if node.is_leaf() {
            for (i, v) in node.vals.iter().enumerate() {
                if let Val::Chunked { head, .. } = v {
                    let mut at = *head;
                    let mut touches = false;
                    while at != 0 && !touches {
                        touches = pages.contains(&page_of(at));
                        at = Reader::new(self.pager.read(at)?.get(1..).unwrap_or_default()).u64()?;
                    }
                    if touches {
                        let bytes: Rc<[u8]> = self.value(v)?.into();
                        copy.get_or_insert_with(|| (*node).clone()).vals[i] = Val::Big(bytes);
                    }
                }
            }
        } else {
            for (i, kid) in node.kids.iter().enumerate() {
                if let Some(k) = self.relocate(kid, pages)? {
                    copy.get_or_insert_with(|| (*node).clone()).kids[i] = k;
                }
            }
        }
        if !moved && copy.is_none() {
            return Ok(None);
        }
        let mut n = copy.unwrap_or_else(|| (*node).clone());
        n.origin = if moved { None } else { Some((a, node.depth)) };
        Ok(Some(NodeRef::Mem(Rc::new(n))))
    }
}

fn decode_full(addr: Addr, rec: &[u8]) -> Result<Node> {
    let bad = |what: &str| Error::Corrupt(format!("node at {addr:#x}: {what}"));
    let mut r = Reader::new(rec);
    let tag = r.u8()?;
    let level = r.u8()?;
    if !matches!(tag, TAG_LEAF | TAG_INTERNAL) {
        return Err(bad(&format!("record tag {tag} is not a node")));
    }
    if (tag == TAG_LEAF) != (level == 0) {
        return Err(bad("level does not match node kind"));
    }
    let n = r.varlen()?;
    if n > r.remaining() {
        return Err(bad("more entries than bytes"));
    }
    let mut node = Node { level, ..Node::leaf() };
    node.keys.reserve(n);
    for _ in 0..n {
        let key = read_key(&mut r, node.keys.last().map_or(&[][..], |k| &k[..]))?;
        if node.keys.last().is_some_and(|k| *k >= key) {
            return Err(bad("keys out of order"));
        }
        node.keys.push(key);
        if level == 0 {
            node.vals.push(read_val(&mut r)?);
        } else {
            node.kids.push(NodeRef::Stored(r.varint()?));
        }
    }
    node.recompute_size();
    node.index();
    Ok(node)
}

/// Applies the patch record `rec` (at `addr`) to its base, `node`.
fn apply_patch(node: &mut Node, addr: Addr, rec: &[u8]) -> Result<()> {
    let bad = |what: &str| Error::Corrupt(format!("node at {addr:#x}: {what}"));
    node.heads = None;
    let mut r = Reader::new(rec);
    let _tag = r.u8()?;
    let level = r.u8()?;
    let depth = r.u8()?;
    let _base = r.varint()?;
    if level != node.level {
        return Err(bad("patch level differs from its base"));
    }
    if depth == 0 || depth > MAX_CHAIN {
        return Err(bad("patch depth out of range"));
    }
    node.depth = depth;
    let n = r.varint()?;
    let mut prev: Key = Key::from(&[][..]);
    for _ in 0..n {
        let key = read_key(&mut r, &prev)?;
        prev = key.clone();
        let op = r.u8()?;
        let pos = node.keys.binary_search(&key);
        match (op, pos) {
            (0, Ok(i)) => {
                node.keys.remove(i);
                if level == 0 {
                    node.vals.remove(i);
                } else {
                    node.kids.remove(i);
                }
            }
            (1, Ok(i)) => {
                if level == 0 {
                    node.vals[i] = read_val(&mut r)?;
                } else {
                    node.kids[i] = NodeRef::Stored(r.varint()?);
                }
            }
            (1, Err(i)) => {
                node.keys.insert(i, key);
                if level == 0 {
                    node.vals.insert(i, read_val(&mut r)?);
                } else {
                    node.kids.insert(i, NodeRef::Stored(r.varint()?));
                }
            }
            _ => return Err(bad("patch deletes a missing key or has an unknown op")),
        }
    }
    Ok(())
}

fn read_val(r: &mut Reader) -> Result<Val> {
    let h = r.varint()?;
    let len = usize::try_from(h >> 1).map_err(|_| Error::Corrupt(format!("value length {h} is out of range")))?;
    if h & 1 == 0 {
        return Ok(Val::Inline(r.bytes(len)?.into()));
    }
    let len = u32::try_from(len).map_err(|_| Error::Corrupt(format!("chunked value of {len} bytes")))?;
    Ok(Val::Chunked { len, head: r.varint()? })
}

fn write_val(out: &mut Vec<u8>, v: &Val) {
    match v {
        Val::Inline(b) => {
            out.put_varint((b.len() as u64) << 1);
            out.extend_from_slice(b);
        }
        Val::Chunked { len, head } => {
            out.put_varint((u64::from(*len) << 1) | 1);
            out.put_varint(*head);
        }
        Val::Big(_) => unreachable!("long values are chunked before their node is written"),
    }
}

fn write_entry(out: &mut Vec<u8>, n: &Node, i: usize) {
    if n.is_leaf() {
        write_val(out, &n.vals[i]);
    } else {
        out.put_varint(n.kids[i].addr().expect("children are persisted first"));
    }
}

fn encode_full(n: &Node) -> Vec<u8> {
    let mut out = Vec::with_capacity(n.size);
    out.push(if n.is_leaf() { TAG_LEAF } else { TAG_INTERNAL });
    out.push(n.level);
    out.put_varint(n.keys.len() as u64);
    for i in 0..n.keys.len() {
        write_key(&mut out, if i == 0 { &[] } else { &n.keys[i - 1] }, &n.keys[i]);
        write_entry(&mut out, n, i);
    }
    out
}

fn same_entry(a: &Node, i: usize, b: &Node, j: usize) -> bool {
    if a.is_leaf() {
        a.vals[i] == b.vals[j]
    } else {
        a.kids[i].addr() == b.kids[j].addr()
    }
}

fn encode_patch(base: &Node, new: &Node, base_addr: Addr, depth: u8) -> Vec<u8> {
    let mut body = Vec::new();
    let mut count = 0u64;
    let mut prev: &[u8] = &[];
    let (mut i, mut j) = (0, 0);
    while i < base.keys.len() || j < new.keys.len() {
        let ord = match (base.keys.get(i), new.keys.get(j)) {
            (Some(a), Some(b)) => a.cmp(b),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match ord {
            std::cmp::Ordering::Less => {
                write_key(&mut body, prev, &base.keys[i]);
                prev = &base.keys[i];
                body.push(0);
                count += 1;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                write_key(&mut body, prev, &new.keys[j]);
                prev = &new.keys[j];
                body.push(1);
                write_entry(&mut body, new, j);
                count += 1;
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                if !same_entry(base, i, new, j) {
                    write_key(&mut body, prev, &new.keys[j]);
                    prev = &new.keys[j];
                    body.push(1);
                    write_entry(&mut body, new, j);
                    count += 1;
                }
                i += 1;
                j += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(body.len() + 16);
    out.push(TAG_PATCH);
    out.push(new.level);
    out.push(depth);
    out.put_varint(base_addr);
    out.put_varint(count);
    out.extend_from_slice(&body);
    out
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
        let mut live = HashMap::new();
        let bytes = s.mark(addr, &mut live).unwrap();
        assert!(bytes > 50_000, "chunks are counted as live: {bytes}");
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
            for k in probes {
                assert_eq!(n.search(&k), n.keys.binary_search_by(|x| x[..].cmp(&k)), "{k:?}");
            }
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
