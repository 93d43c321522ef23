//! A bounded two-generation cache: an approximation of LRU with O(1)
//! operations and no per-entry bookkeeping.
//!
//! New entries go to the young generation. When it holds `capacity / 2`
//! entries, the old generation is dropped and the young one becomes old. A
//! hit in the old generation moves the entry back to the young one, so
//! entries in use survive while cold ones age out.

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
}

impl<K: Hash + Eq + Copy, V: Clone> Cache<K, V> {
    /// A cache holding at most about `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Cache { inner: RefCell::new(Gens { young: HashMap::new(), old: HashMap::new() }), half: (capacity / 2).max(1) }
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
        if g.young.len() >= self.half {
            let young = std::mem::take(&mut g.young);
            g.old = young;
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

    /// Keeps only the entries whose key satisfies `keep`.
    pub fn retain(&self, keep: impl Fn(&K) -> bool) {
        let mut g = self.inner.borrow_mut();
        g.young.retain(|k, _| keep(k));
        g.old.retain(|k, _| keep(k));
    }

    /// Forgets everything.
    pub fn clear(&self) {
        let mut g = self.inner.borrow_mut();
        g.young.clear();
        g.old.clear();
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
}
