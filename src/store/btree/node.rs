//! Nodes in memory: values, references to stored or changed nodes, and
//! the node itself with its size accounting, search index and splits.

use std::rc::Rc;

use super::codec::{key_len, shared_prefix};
use super::{Key, ADDR_MAX_LEN, NODE_HEADER, NODE_MAX};
use crate::store::page::varint_len;
use crate::store::pager::Addr;

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
    pub(super) fn encoded_len(&self) -> usize {
        match self {
            Val::Inline(b) => varint_len((b.len() as u64) << 1) + b.len(),
            Val::Big(b) => varint_len(((b.len() as u64) << 1) | 1) + ADDR_MAX_LEN,
            Val::Chunked { len, head } => varint_len((u64::from(*len) << 1) | 1) + varint_len(*head),
        }
    }
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
    pub(super) level: u8,
    pub(super) keys: Vec<Key>,
    pub(super) vals: Vec<Val>,
    pub(super) kids: Vec<NodeRef>,
    /// Stored node this one was copied from, with that node's chain depth.
    pub(super) origin: Option<(Addr, u8)>,
    /// Patch-chain depth of a stored node (0 = written in full).
    pub(super) depth: u8,
    /// The addresses of the records a stored patched node is applied to,
    /// its base first and the full node last (`depth` of them).
    pub(super) below: Rc<[Addr]>,
    pub(super) size: usize,
    /// Search index of a node that no longer changes (see [`Heads`]);
    /// dropped by every change of the keys.
    pub(super) heads: Option<Rc<Heads>>,
}

/// The keys of a node as fixed-width integers, for searching without
/// visiting each key's own allocation: the bytes every key of the node
/// shares are skipped, and the next 8 bytes, zero-padded, are read as a
/// big-endian integer. Two keys whose heads differ compare as their heads
/// do; equal heads fall back to the keys.
#[derive(Debug)]
pub(super) struct Heads {
    pub(super) skip: usize,
    /// The shared bytes when there are at most [`PREFIX_INLINE`] of them
    /// (read without visiting the first key's allocation).
    prefix: [u8; PREFIX_INLINE],
    pub(super) vals: Vec<u64>,
}

/// Shared key bytes a [`Heads`] keeps in place.
const PREFIX_INLINE: usize = 16;

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
    cmp_key(ta, tb).then(a.len().cmp(&b.len()))
}

/// `a` against `b` as `[u8]`'s order has it, eight bytes at a time. Keys
/// are short and share long prefixes (a table's or an index's): comparing
/// them through `memcmp` costs a call per comparison natively, and in
/// WebAssembly, where `memcmp` compares a byte at a time, more.
#[inline]
pub(super) fn cmp_key(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    let (mut ca, mut cb) = (a[..n].chunks_exact(8), b[..n].chunks_exact(8));
    for (x, y) in (&mut ca).zip(&mut cb) {
        let (x, y) = (u64::from_be_bytes(x.try_into().unwrap()), u64::from_be_bytes(y.try_into().unwrap()));
        if x != y {
            return x.cmp(&y);
        }
    }
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

impl Node {
    pub(super) fn leaf() -> Node {
        Node {
            level: 0,
            keys: Vec::new(),
            vals: Vec::new(),
            kids: Vec::new(),
            origin: None,
            depth: 0,
            below: Rc::new([]),
            size: NODE_HEADER,
            heads: None,
        }
    }
    pub(super) fn is_leaf(&self) -> bool {
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
    pub(super) fn recompute_size(&mut self) {
        self.size = NODE_HEADER + (0..self.keys.len()).map(|i| self.entry_len(i)).sum::<usize>();
    }
    /// Builds the search index of a node that will not change again (a
    /// stored node).
    pub(super) fn index(&mut self) {
        self.heads = None;
        if self.keys.len() < 8 {
            return;
        }
        let skip = shared_prefix(&self.keys[0], &self.keys[self.keys.len() - 1]);
        let vals = self.keys.iter().map(|k| head_of(&k[skip..])).collect();
        let mut prefix = [0; PREFIX_INLINE];
        if skip <= PREFIX_INLINE {
            prefix[..skip].copy_from_slice(&self.keys[0][..skip]);
        }
        self.heads = Some(Rc::new(Heads { skip, prefix, vals }));
    }

    /// Where `key` is among the keys, as [`slice::binary_search`] says.
    pub(super) fn search(&self, key: &[u8]) -> Result<usize, usize> {
        let Some(h) = &self.heads else {
            // A node changed since it was read has no search array. An
            // append (a bulk load's ascending keys) is decided by the last
            // key alone, before a binary search of the rest.
            return match self.keys.last() {
                Some(last) if cmp_key(key, last).is_gt() => Err(self.keys.len()),
                _ => self.keys.binary_search_by(|k| cmp_key(k, key)),
            };
        };
        let p = h.skip;
        let shared = if p <= PREFIX_INLINE { &h.prefix[..p] } else { &self.keys[0][..p] };
        // every key starts with the node's shared prefix
        if key.len() < p || cmp_key(&key[..p], shared).is_ne() {
            return match cmp_key(&key[..key.len().min(p)], shared) {
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
    pub(super) fn insert_entry(&mut self, i: usize, key: Key, val: Option<Val>, kid: Option<NodeRef>) {
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
    pub(super) fn remove_entry(&mut self, i: usize) {
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
    pub(super) fn child_index(&self, key: &[u8]) -> usize {
        match self.search(key) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        }
    }
    /// Splits off the upper part: from entry `append_at` when an append
    /// overflowed the node (the entries before it stay together, a full
    /// node that later appends leave alone), else the upper half by encoded
    /// size. Returns the new node's first key and the node.
    fn split_once(&mut self, append_at: Option<usize>) -> (Key, Node) {
        let n = self.keys.len();
        let mut at = n / 2;
        let lower = |at: usize| NODE_HEADER + (0..at).map(|i| self.entry_len(i)).sum::<usize>();
        if let Some(a) = append_at.filter(|&a| a >= 1 && a < n && lower(a) <= NODE_MAX) {
            at = a;
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
        // The left part is written in full, not as a patch of the node it
        // was: a part left behind by a split (the timeline's and an
        // ascending key's closed leaves) is rarely written again, so a patch
        // chain kept here would stay spread over the log for good, read by
        // every later visit (open reads the whole timeline).
        self.origin = None;
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
    pub(super) fn split(&mut self, append_at: Option<usize>) -> Vec<(Key, NodeRef)> {
        let mut out = Vec::new();
        let mut rest: Vec<Node> = Vec::new();
        if self.size > NODE_MAX && self.keys.len() >= 2 {
            let (_, right) = self.split_once(append_at);
            rest.push(right);
        }
        // `self` and each part are split again while too large (halving).
        while self.size > NODE_MAX && self.keys.len() >= 2 {
            let (_, right) = self.split_once(None);
            rest.push(right);
        }
        while let Some(mut part) = rest.pop() {
            if part.size > NODE_MAX && part.keys.len() >= 2 {
                let (_, right) = part.split_once(None);
                rest.push(right);
                rest.push(part);
                continue;
            }
            out.push((part.keys[0].clone(), NodeRef::Mem(Rc::new(part))));
        }
        out
    }
}
