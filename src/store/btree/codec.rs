//! Record encoding of nodes: keys written after their predecessor, values,
//! full nodes and patches (the formats are in the module documentation of
//! [`super`]).

use super::node::{Node, NodeRef, Val};
use super::{Key, ADDR_MAX_LEN, MAX_CHAIN, NODE_HEADER, TAG_INTERNAL, TAG_LEAF, TAG_LINKED_PATCH, TAG_PATCH};
use crate::error::{Error, Result};
use crate::store::page::{varint_len, Reader, Writer};
use crate::store::pager::{page_of, Addr};

/// Bytes two keys share at their start.
pub(super) fn shared_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Encoded bytes of `key` written after `prev`.
pub(super) fn key_len(prev: &[u8], key: &[u8]) -> usize {
    let shared = shared_prefix(prev, key);
    varint_len(shared as u64) + varint_len((key.len() - shared) as u64) + key.len() - shared
}

pub(super) fn write_key(out: &mut Vec<u8>, prev: &[u8], key: &[u8]) {
    let shared = shared_prefix(prev, key);
    out.put_varint(shared as u64);
    out.put_var_bytes(&key[shared..]);
}

/// Reads a key written by [`write_key`] after `prev`.
pub(super) fn read_key(r: &mut Reader, prev: &[u8]) -> Result<Key> {
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
pub(super) fn skip_key(r: &mut Reader) -> Result<()> {
    r.varint()?;
    r.var_bytes()?;
    Ok(())
}

/// The base address of a patch record.
pub(super) fn patch_base(rec: &[u8]) -> Result<Addr> {
    Reader::new(rec.get(3..).unwrap_or_default()).varint()
}

/// The pages of the chain a patch record at `addr` is applied to, as far as
/// it lists them: its base's, then (a linked patch) those of every record
/// below, the full node's last.
pub(super) fn patch_link_pages(addr: Addr, rec: &[u8]) -> Result<Vec<u64>> {
    let mut r = Reader::new(rec);
    let tag = r.u8()?;
    r.u8()?;
    let depth = r.u8()?;
    let mut page = page_of(r.varint()?);
    let mut pages = vec![page];
    if tag == TAG_LINKED_PATCH {
        read_links(&mut r, addr, depth, |d| {
            page = page.checked_add_signed(d).ok_or(())?;
            pages.push(page);
            Ok(())
        })?;
    }
    Ok(pages)
}

/// Reads the links of a linked patch at `addr` of chain depth `depth`
/// (after its base address), calling `f` with each one's page distance
/// from the previous; `f` failing means a page outside the log.
fn read_links(r: &mut Reader, addr: Addr, depth: u8, mut f: impl FnMut(i64) -> Result<(), ()>) -> Result<()> {
    let n = r.varint()?;
    if n + 1 != u64::from(depth) {
        return Err(Error::Corrupt(format!("node at {addr:#x}: a patch of depth {depth} lists {n} links")));
    }
    for _ in 0..n {
        let z = r.varint()?;
        let d = (z >> 1) as i64 ^ -((z & 1) as i64);
        f(d).map_err(|()| Error::Corrupt(format!("node at {addr:#x}: a patch link points outside the log")))?;
    }
    Ok(())
}

/// Skips the links of a patch record, after its base address.
pub(super) fn skip_links(r: &mut Reader, tag: u8, addr: Addr, depth: u8) -> Result<()> {
    if tag == TAG_LINKED_PATCH {
        read_links(r, addr, depth, |_| Ok(()))?;
    }
    Ok(())
}

pub(super) fn decode_full(addr: Addr, rec: &[u8]) -> Result<Node> {
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
pub(super) fn apply_patch(node: &mut Node, addr: Addr, rec: &[u8]) -> Result<()> {
    let bad = |what: &str| Error::Corrupt(format!("node at {addr:#x}: {what}"));
    node.heads = None;
    let mut r = Reader::new(rec);
    let tag = r.u8()?;
    let level = r.u8()?;
    let depth = r.u8()?;
    let _base = r.varint()?;
    skip_links(&mut r, tag, addr, depth)?;
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

pub(super) fn read_val(r: &mut Reader) -> Result<Val> {
    let h = r.varint()?;
    let len = usize::try_from(h >> 1).map_err(|_| Error::Corrupt(format!("value length {h} is out of range")))?;
    if h & 1 == 0 {
        return Ok(Val::Inline(r.bytes(len)?.into()));
    }
    let len = u32::try_from(len).map_err(|_| Error::Corrupt(format!("chunked value of {len} bytes")))?;
    Ok(Val::Chunked { len, head: r.varint()? })
}

pub(super) fn write_val(out: &mut Vec<u8>, v: &Val) {
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

pub(super) fn encode_full(n: &Node) -> Vec<u8> {
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

/// A lower bound of `encode_full(n).len()` from the size `n` keeps: the
/// header takes at least three bytes of its [`NODE_HEADER`] and a child's
/// address at least one of its [`ADDR_MAX_LEN`] (values count exactly).
pub(super) fn full_len_at_least(n: &Node) -> usize {
    let slack = if n.is_leaf() { 0 } else { (ADDR_MAX_LEN - 1) * n.keys.len() };
    n.size.saturating_sub(NODE_HEADER - 3 + slack)
}

fn same_entry(a: &Node, i: usize, b: &Node, j: usize) -> bool {
    if a.is_leaf() {
        a.vals[i] == b.vals[j]
    } else {
        a.kids[i].addr() == b.kids[j].addr()
    }
}

/// A patch of `base` (at `base_addr`) that makes it `new`; with `links`
/// (what `base` is applied to, its own base first), a linked patch.
pub(super) fn encode_patch(base: &Node, new: &Node, base_addr: Addr, depth: u8, links: Option<&[Addr]>) -> Vec<u8> {
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
    out.push(if links.is_some() { TAG_LINKED_PATCH } else { TAG_PATCH });
    out.push(new.level);
    out.push(depth);
    out.put_varint(base_addr);
    if let Some(links) = links {
        out.put_varint(links.len() as u64);
        let mut prev = page_of(base_addr);
        for &a in links {
            let d = page_of(a).wrapping_sub(prev) as i64;
            out.put_varint(((d << 1) ^ (d >> 63)) as u64);
            prev = page_of(a);
        }
    }
    out.put_varint(count);
    out.extend_from_slice(&body);
    out
}
