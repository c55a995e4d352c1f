//! The event loop: the raw event queue, and whole simulations in events per second.
//!
//! ```text
//! cargo bench --bench event_loop
//! ```
//!
//! **`queue_hold`**: the "hold" model, the classic benchmark for
//! discrete-event queues. The queue is filled with `pending` events, then each
//! iteration pops the earliest event and pushes it back a random delay later
//! (uniform in 0–20 min, in microseconds), so the queue stays at `pending`
//! events in steady state. Divan's time per iteration is the cost of one
//! pop + push. 10 thousand pending is what a 1,000-node cluster holds (about
//! one `PodFinished` per running pod); 1 million is far beyond, where the
//! queue (~28 MB) no longer fits in cache and memory latency dominates.
//!
//! **`queue_sim_mix`**: the same, but with the delays the simulator schedules
//! for a job pod: of its five events, two are for the current instant
//! (`ScheduleCycle` on arrival and on finishing), two within two seconds
//! (next arrival, container start) and one minutes away (`PodFinished`).
//! Same-instant pushes are what the queue's FIFO lane is for.
//!
//! Both take many iterations per sample (`sample_size`): timing a single
//! pop + push would mostly time the timer and a cache cold from divan's own
//! bookkeeping between samples.
//!
//! **`simulation`**: a whole run (set-up, every event to the horizon, building
//! the result; no file output) of a mid-size scenario: 100 nodes of 32 cores,
//! about 10,000 job pods over 2 simulated hours at ~90 % CPU demand, a
//! 50-replica service and a few node failures (see `common::batch_cluster`).
//! The throughput column is simulated events per second (counted in an
//! untimed warm-up run; runs are deterministic). `spread` is a best-score
//! policy (below 100 nodes it filters and scores every node); `first-fit`
//! stops at the first node that fits, so it shows the event loop with the
//! cheapest scheduler.

mod common;

use divan::counter::ItemsCount;
use divan::Bencher;
use podsim::cluster::PodId;
use podsim::engine::{EventQueue, SimTime};
use podsim::simulation::{Event, Simulation};

fn main() {
    divan::main();
}

/// xorshift64*: a few instructions per draw, so the random delays cost
/// little next to the queue operation being measured.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

const MINUTE: u64 = 60_000_000; // µs

/// A queue of `pending` events, times drawn from `delay`, plus its RNG.
fn filled(pending: usize, delay: fn(&mut Rng) -> u64) -> (EventQueue<Event>, Rng) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut q = EventQueue::with_capacity(pending);
    for i in 0..pending {
        let t = delay(&mut rng);
        q.push(
            SimTime(t),
            Event::PodFinished {
                pod: PodId(i as u32),
                epoch: 0,
            },
        );
    }
    // Run the queue into its steady state before measuring.
    for _ in 0..pending {
        let (t, e) = q.pop().unwrap();
        q.push(SimTime(t.0 + delay(&mut rng)), e);
    }
    (q, rng)
}

fn hold(bencher: Bencher, pending: usize, delay: fn(&mut Rng) -> u64) {
    let (mut q, mut rng) = filled(pending, delay);
    bencher.counter(ItemsCount::new(1u32)).bench_local(move || {
        let (t, e) = q.pop().unwrap();
        q.push(SimTime(t.0 + delay(&mut rng)), e);
    });
}

fn uniform_20min(rng: &mut Rng) -> u64 {
    rng.next() % (20 * MINUTE)
}

fn sim_mix(rng: &mut Rng) -> u64 {
    let r = rng.next();
    match r % 5 {
        0 | 1 => 0,
        2 | 3 => (r >> 8) % 2_000_000,
        _ => (r >> 8) % (20 * MINUTE),
    }
}

/// One pop + one push with `pending` events queued, delays uniform in 0–20 min.
#[divan::bench(args = [10_000, 1_000_000], sample_count = 500, sample_size = 2000)]
fn queue_hold(bencher: Bencher, pending: usize) {
    hold(bencher, pending, uniform_20min);
}

/// One pop + one push with `pending` events queued, the simulator's mix of delays.
#[divan::bench(args = [10_000, 1_000_000], sample_count = 500, sample_size = 2000)]
fn queue_sim_mix(bencher: Bencher, pending: usize) {
    hold(bencher, pending, sim_mix);
}

/// A whole mid-size run; throughput is simulated events per second.
#[divan::bench(args = ["spread", "first-fit"], sample_count = 20, sample_size = 1)]
fn simulation(bencher: Bencher, policy: &str) {
    let sc = common::parse(
        &common::batch_cluster("bench-100", 100, 10_000),
        "event_loop",
    );
    let events = Simulation::new(&sc, policy, 1)
        .unwrap()
        .run()
        .summary
        .events;
    bencher
        .counter(ItemsCount::new(events))
        .bench(|| Simulation::new(&sc, policy, 1).unwrap().run());
}
