//! Seeded random streams, one per consumer.
//!
//! Each consumer (a job's arrivals, its durations, the scheduler's tie-breaks)
//! draws from its own stream derived from `(master seed, stream name)`. Adding
//! a consumer therefore never shifts the numbers another consumer sees, and a
//! run is reproducible from its seed alone.
//!
//! The generator is `Xoshiro256PlusPlus`: portable, documented, and fast. The
//! derivation is FNV-1a over the name mixed with the seed, expanded by
//! SplitMix64 into the 256-bit state; both are fixed here so streams never
//! change with a dependency upgrade.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The random generator every simulation consumer uses.
pub type SimRng = Xoshiro256PlusPlus;

/// Derives streams from a master seed.
#[derive(Clone, Copy, Debug)]
pub struct RngStreams {
    master: u64,
}

impl RngStreams {
    pub fn new(master: u64) -> Self {
        RngStreams { master }
    }

    /// The stream for the consumer called `name`.
    pub fn stream(&self, name: &str) -> SimRng {
        SimRng::from_seed(stream_seed(self.master, name))
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 32-byte seed of stream `name` under `master`.
pub fn stream_seed(master: u64, name: &str) -> [u8; 32] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut state = master ^ h.rotate_left(17);
    let mut seed = [0u8; 32];
    for chunk in seed.chunks_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    seed
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_independent_and_reproducible() {
        let s = RngStreams::new(42);
        let a1: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("a"), |r, _: u64| Some(r.random::<u64>()))
            .collect();
        let a2: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("a"), |r, _: u64| Some(r.random::<u64>()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("b"), |r, _: u64| Some(r.random::<u64>()))
            .collect();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        let other_seed: u64 = RngStreams::new(43).stream("a").random();
        assert_ne!(a1[0], other_seed);
    }

    #[test]
    fn stream_values_are_pinned() {
        // Guards against a silent change of derivation or generator: outputs of
        // every seeded run depend on these exact numbers.
        let v: u64 = RngStreams::new(1).stream("scheduler").random();
        assert_eq!(v, PINNED);
    }
    const PINNED: u64 = 6201220639813638311;
}
