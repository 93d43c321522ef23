//! `RAND()` with MySQL's generator, and `UUID()`.

use crate::time::Timestamp;

use super::int;
use crate::sql::error::SqlResult;
use crate::sql::exec::{Env, Exec};
use crate::sql::plan::BExpr;
use crate::sql::value::Value;

/// MySQL's random number generator (`my_rnd`), so that `RAND(n)` gives
/// MySQL's sequence for a seed.
#[derive(Debug, Clone, Copy)]
pub struct MysqlRand {
    s1: u64,
    s2: u64,
}

impl MysqlRand {
    const MAX: u64 = 0x3FFF_FFFF;

    /// The generator `RAND(seed)` starts (the seed taken as 32 bits, as MySQL does).
    pub fn seeded(seed: i64) -> MysqlRand {
        let t = seed as u32 as u64;
        MysqlRand::new(
            t.wrapping_mul(0x10001).wrapping_add(55_555_555) as u32 as u64,
            t.wrapping_mul(0x1000_0001) as u32 as u64,
        )
    }

    /// A generator seeded from the clock and a counter (`RAND()`).
    fn unseeded() -> MysqlRand {
        thread_local!(static CALLS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
        let n = CALLS.with(|c| {
            c.set(c.get().wrapping_add(1));
            c.get()
        });
        let mix = |mut z: u64| {
            // splitmix64
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let t = Timestamp::system_now().0 as u64;
        MysqlRand::new(mix(t ^ n), mix(t.rotate_left(17) ^ !n))
    }

    fn new(s1: u64, s2: u64) -> MysqlRand {
        MysqlRand { s1: s1 % Self::MAX, s2: s2 % Self::MAX }
    }

    /// The next number, in [0, 1).
    pub fn next(&mut self) -> f64 {
        self.s1 = (self.s1 * 3 + self.s2) % Self::MAX;
        self.s2 = (self.s1 + self.s2 + 33) % Self::MAX;
        self.s1 as f64 / Self::MAX as f64
    }
}

/// `UUID()`: a version-1 UUID as MySQL makes them: the time in 100 ns
/// steps since 1582-10-15 (plus a count of the UUIDs made, so that each
/// differs), a clock sequence and a node drawn once per process.
pub(super) fn uuid() -> String {
    thread_local!(static STATE: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) });
    let (n, node) = STATE.with(|s| {
        let (n, mut node) = s.get();
        if node == 0 {
            let mut r = MysqlRand::unseeded();
            node = ((r.next() * (1u64 << 30) as f64) as u64) << 18 ^ (r.next() * (1u64 << 30) as f64) as u64 | 1;
        }
        s.set((n + 1, node));
        (n, node)
    });
    let ticks = (Timestamp::system_now().0.max(0) as u64) * 10 + 0x01B2_1DD2_1381_4000 + n;
    let clock = (node >> 32 ^ node) as u16 & 0x3FFF | 0x8000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        ticks as u32,
        (ticks >> 32) as u16,
        ((ticks >> 48) as u16 & 0x0FFF) | 0x1000,
        clock,
        node & 0xFFFF_FFFF_FFFF
    )
}

/// `RAND()`: a new sequence per execution; `RAND(n)` with a constant `n`:
/// MySQL's sequence for seed `n`, one number per call; with a `n` that
/// changes per row: the first number of the sequence for that row's `n`.
pub(super) fn rand(ex: &Exec, args: &[BExpr], env: &Env, slot: usize) -> SqlResult<Value> {
    let x = match args.first() {
        None => ex.state.next_random(slot, || Ok(MysqlRand::unseeded()))?,
        Some(a) if a.is_const() => ex.state.next_random(slot, || Ok(MysqlRand::seeded(int(&ex.eval(a, env)?))))?,
        Some(a) => MysqlRand::seeded(int(&ex.eval(a, env)?)).next(),
    };
    Ok(Value::Double(x))
}
