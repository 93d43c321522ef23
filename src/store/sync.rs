//! The page-level protocol by which browser tabs sharing one stored image
//! stay in step (the browser runtime sends the messages; this is the
//! logic). A tab that flushed pages announces the sequence numbers of the
//! stored superblock before and after the flush and the pages it wrote; a
//! tab holding the "before" state can read just those pages.

use std::collections::BTreeSet;

use super::page::PageBuf;
use super::pager::superblock_seq;

/// The two superblock pages (0 and 1) of an image, as a tab last wrote or
/// read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Superblocks(pub [Option<PageBuf>; 2]);

impl Superblocks {
    /// The superblocks among `pages`.
    pub fn of_pages(pages: &[(u64, PageBuf)]) -> Superblocks {
        let mut s = Superblocks::default();
        s.record_written(pages);
        s
    }

    /// Takes the superblocks among the pages a flush wrote.
    pub fn record_written(&mut self, pages: &[(u64, PageBuf)]) {
        for (n, page) in pages {
            if *n < 2 {
                self.0[*n as usize] = Some(page.clone());
            }
        }
    }

    /// The sequence number of the newest valid superblock (`None`: neither
    /// is valid): which state of the store the image is at.
    pub fn seq(&self) -> Option<u64> {
        superblock_seq(&self.0)
    }

    /// The superblocks as numbered pages.
    pub fn pages(&self) -> impl Iterator<Item = (u64, PageBuf)> + '_ {
        self.0.iter().enumerate().filter_map(|(n, s)| Some((n as u64, s.clone()?)))
    }
}

/// A flush another tab announced: the store's superblock sequence numbers
/// before and after it and the pages it wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFlush {
    /// The state the flush started from (`None`: an empty store).
    pub before: Option<u64>,
    /// The state it left.
    pub after: u64,
    /// The pages it wrote.
    pub pages: Vec<u64>,
}

/// How a tab at state `mine` catches up with the flushes announced to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatchUp {
    /// The flushes (oldest first) form a chain from `mine`: read `pages`
    /// (and the superblocks) and, if the store is at `target`, apply them.
    Chain {
        /// The flushes, newer than `mine`.
        flushes: Vec<RemoteFlush>,
        /// Pages other than the superblocks, each once, in order.
        pages: Vec<u64>,
        /// The state after the last flush.
        target: u64,
    },
    /// No usable chain (nothing announced, or a notice was missed): compare
    /// the stored superblocks and reload everything if they changed.
    Reload,
}

impl CatchUp {
    /// Plans catching up from `mine` with the announced `flushes` (in the
    /// order they arrived); flushes already reflected in `mine` are dropped.
    pub fn plan(mine: Option<u64>, mut flushes: Vec<RemoteFlush>) -> CatchUp {
        flushes.retain(|f| mine.is_none_or(|m| f.after > m));
        let chained = flushes.first().is_some_and(|f| f.before.is_some() && f.before == mine)
            && flushes.windows(2).all(|w| w[1].before == Some(w[0].after));
        match flushes.last() {
            Some(last) if chained => {
                let target = last.after;
                let pages: BTreeSet<u64> =
                    flushes.iter().flat_map(|f| f.pages.iter().copied()).filter(|&n| n >= 2).collect();
                CatchUp::Chain { pages: pages.into_iter().collect(), target, flushes }
            }
            _ => CatchUp::Reload,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Database, Options};
    use crate::store::backend::MemBackend;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn flush(before: Option<u64>, after: u64, pages: &[u64]) -> RemoteFlush {
        RemoteFlush { before, after, pages: pages.to_vec() }
    }

    #[test]
    fn a_chain_from_my_state_reads_only_its_pages() {
        let plan = CatchUp::plan(
            Some(4),
            vec![flush(Some(3), 4, &[9]), flush(Some(4), 5, &[0, 7, 3]), flush(Some(5), 6, &[1, 3])],
        );
        assert_eq!(
            plan,
            CatchUp::Chain {
                flushes: vec![flush(Some(4), 5, &[0, 7, 3]), flush(Some(5), 6, &[1, 3])],
                pages: vec![3, 7],
                target: 6
            }
        );
    }

    #[test]
    fn a_gap_or_nothing_new_reloads() {
        assert_eq!(CatchUp::plan(Some(4), vec![flush(Some(5), 6, &[3])]), CatchUp::Reload);
        assert_eq!(CatchUp::plan(Some(4), vec![flush(Some(4), 5, &[3]), flush(Some(6), 7, &[3])]), CatchUp::Reload);
        assert_eq!(CatchUp::plan(Some(4), vec![flush(Some(3), 4, &[3])]), CatchUp::Reload);
        assert_eq!(CatchUp::plan(None, vec![flush(None, 1, &[3])]), CatchUp::Reload);
        assert_eq!(CatchUp::plan(Some(4), Vec::new()), CatchUp::Reload);
    }

    #[test]
    fn superblocks_track_the_stored_state() {
        let mem = MemBackend::new();
        let mut db = Database::open(Box::new(mem.clone()), Options::default()).unwrap();
        let first = mem.take_dirty();
        let mut s = Superblocks::of_pages(&first);
        let seq = s.seq().expect("a created store has a superblock");
        db.begin();
        db.put(b"k", b"v").unwrap();
        db.commit("put", 1).unwrap();
        let second = mem.take_dirty();
        s.record_written(&second);
        assert!(s.seq() > Some(seq));
        assert_eq!(Superblocks::of_pages(&[first, second].concat()).seq(), s.seq());
        assert_eq!(s.pages().count(), 2);
        assert_eq!(Superblocks::default().seq(), None);
    }
}
