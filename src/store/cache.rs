//! A bounded two-generation cache: an approximation of LRU with O(1)
//! operations and no per-entry bookkeeping.
//!
//! New entries go to the young generation. When it holds `capacity / 2`
//! entries, the old generation is dropped and the young one becomes old. A
//! hit in the old generation moves the entry back to the young one, so
//! entries in use survive while cold ones age out. A dropped generation is
//! freed a few entries per later operation, not at once: dropping 100,000
//! decoded nodes in one go stalled the write that filled the cache for a
//! third of a second.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;

/// Two-generation cache with interior mutability (the engine is
/// single-threaded).
pub struct Cache<K, V> {
    inner: RefCell<Gens<K, V>>,
    half: usize,
}

struct Gens<K, V> {
    young: HashMap<K, V>,
    old: HashMap<K, V>,
    /// The generation dropped last, freed `FREE_PER_OP` entries per
    /// operation (long before the next generation is dropped: it holds at
    /// most `half` entries, and `half` insertions come first).
    dying: Option<std::collections::hash_map::IntoIter<K, V>>,
}

/// Entries of a dropped generation freed per insertion.
const FREE_PER_OP: usize = 4;

impl<K: Hash + Eq + Copy, V: Clone> Cache<K, V> {
    /// A cache holding at most about `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Cache {
            inner: RefCell::new(Gens { young: HashMap::new(), old: HashMap::new(), dying: None }),
            half: (capacity / 2).max(1),
        }
    }

    /// The cached value for `k`.
    pub fn get(&self, k: &K) -> Option<V> {
        let mut g = self.inner.borrow_mut();
        if let Some(v) = g.young.get(k) {
            return Some(v.clone());
        }
        let v = g.old.remove(k)?;
        drop(g);
        self.insert(*k, v.clone());
        Some(v)
    }

    /// Caches `v` under `k`.
    pub fn insert(&self, k: K, v: V) {
        let mut g = self.inner.borrow_mut();
        if let Some(dying) = &mut g.dying {
            if dying.by_ref().take(FREE_PER_OP).count() < FREE_PER_OP {
                g.dying = None;
            }
        }
        if g.young.len() >= self.half {
            let young = std::mem::take(&mut g.young);
            let dropped = std::mem::replace(&mut g.old, young);
            // (Were the one before still not freed, it goes now.)
            g.dying = Some(dropped.into_iter());
        }
        g.old.remove(&k);
        g.young.insert(k, v);
    }

    /// Forgets `k`.
    pub fn remove(&self, k: &K) {
        let mut g = self.inner.borrow_mut();
        g.young.remove(k);
        g.old.remove(k);
    }

    /// Forgets everything.
    pub fn clear(&self) {
        let mut g = self.inner.borrow_mut();
        g.young.clear();
        g.old.clear();
        g.dying = None;
    }
}

#[cfg(test)]
mod tests {
    use super::Cache;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn keeps_entries_in_use_and_bounds_size() {
        let c = Cache::new(100);
        c.insert(0u32, 0u32);
        for i in 1..1000u32 {
            c.insert(i, i);
            assert_eq!(c.get(&0), Some(0), "a hot entry survives");
        }
        assert_eq!(c.get(&1), None, "a cold entry ages out");
        assert_eq!(c.get(&999), Some(999));
        c.remove(&999);
        assert_eq!(c.get(&999), None);
    }

    #[test]
    fn a_dropped_generation_is_freed_gradually_and_completely() {
        use std::rc::Rc;
        let c = Cache::new(100);
        let probe = Rc::new(());
        c.insert(0u32, probe.clone());
        // The probe's generation becomes old after 50 more insertions and
        // is dropped after 50 more; then freed 4 entries per insertion.
        let owners: Vec<usize> = (1..=150u32)
            .map(|i| {
                c.insert(i, Rc::new(()));
                Rc::strong_count(&probe)
            })
            .collect();
        assert_eq!(owners[99], 2, "not freed all at once when its generation is dropped");
        assert_eq!(owners[149], 1, "freed before the next generation is dropped");
    }
}
