//! Atomics-only metrics: counters and log-bucketed latency histograms.
//!
//! Every field is an `Atomic*` updated with `Relaxed` ordering: metrics are statistics, no
//! other memory is published through them, and a reader only needs each counter to be
//! eventually exact. No locks anywhere, so recording from a worker never blocks the frame.
//!
//! The histogram keeps 8 linear sub-buckets per power of two of nanoseconds (values below 16
//! ns are exact), so any percentile it reports is within 12.5% of the true value.

use core::sync::atomic::AtomicU64;
use core::sync::atomic::Ordering::Relaxed;

const SUB_BITS: u32 = 3;
const SUB_BUCKETS: usize = 1 << SUB_BITS;
const LINEAR_LIMIT: u64 = 2 * SUB_BUCKETS as u64;
const BUCKETS: usize = LINEAR_LIMIT as usize + (64 - SUB_BITS as usize - 1) * SUB_BUCKETS;

/// A lock-free latency histogram in nanoseconds.
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS],
    count: AtomicU64,
    sum: AtomicU64,
    max: AtomicU64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

fn bucket_of(nanos: u64) -> usize {
    if nanos < LINEAR_LIMIT {
        return nanos as usize;
    }
    let exponent = 63 - nanos.leading_zeros();
    let sub = (nanos >> (exponent - SUB_BITS)) as usize & (SUB_BUCKETS - 1);
    LINEAR_LIMIT as usize + (exponent as usize - SUB_BITS as usize - 1) * SUB_BUCKETS + sub
}

/// The largest value that lands in `bucket`.
fn bucket_upper(bucket: usize) -> u64 {
    if bucket < LINEAR_LIMIT as usize {
        return bucket as u64;
    }
    let rel = bucket - LINEAR_LIMIT as usize;
    let exponent = (rel / SUB_BUCKETS) as u32 + SUB_BITS + 1;
    let sub = (rel % SUB_BUCKETS) as u64;
    let base = 1u64 << exponent;
    let width = base >> SUB_BITS;
    (base + sub * width).saturating_add(width - 1)
}

/// Percentiles read from a histogram, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    pub count: u64,
    pub mean: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}

impl Histogram {
    pub fn new() -> Self {
        Histogram {
            buckets: [const { AtomicU64::new(0) }; BUCKETS],
            count: AtomicU64::new(0),
            sum: AtomicU64::new(0),
            max: AtomicU64::new(0),
        }
    }

    pub fn record(&self, nanos: u64) {
        self.buckets[bucket_of(nanos)].fetch_add(1, Relaxed);
        self.count.fetch_add(1, Relaxed);
        self.sum.fetch_add(nanos, Relaxed);
        self.max.fetch_max(nanos, Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.count.load(Relaxed)
    }

    /// The value at quantile `q` (0.0..=1.0), as the upper bound of its bucket, capped at
    /// the exact maximum.
    pub fn quantile(&self, q: f64) -> u64 {
        let count = self.count();
        if count == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (index, bucket) in self.buckets.iter().enumerate() {
            seen += bucket.load(Relaxed);
            if seen >= rank {
                return bucket_upper(index).min(self.max.load(Relaxed));
            }
        }
        self.max.load(Relaxed)
    }

    pub fn summary(&self) -> Summary {
        let count = self.count();
        Summary {
            count,
            mean: self.sum.load(Relaxed).checked_div(count).unwrap_or(0),
            p50: self.quantile(0.50),
            p90: self.quantile(0.90),
            p99: self.quantile(0.99),
            p999: self.quantile(0.999),
            max: self.max.load(Relaxed),
        }
    }

    /// Counts per bucket, for drawing; pairs of (upper bound ns, count), empty ones skipped.
    pub fn nonzero_buckets(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.buckets.iter().enumerate().filter_map(|(i, b)| {
            let n = b.load(Relaxed);
            (n > 0).then(|| (bucket_upper(i), n))
        })
    }

    pub fn reset(&self) {
        for bucket in &self.buckets {
            bucket.store(0, Relaxed);
        }
        self.count.store(0, Relaxed);
        self.sum.store(0, Relaxed);
        self.max.store(0, Relaxed);
    }
}

/// A monotonically increasing event counter.
#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub const fn new() -> Self {
        Counter(AtomicU64::new(0))
    }

    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// Engine-wide metrics shared by the frame owner and the workers.
pub struct EngineMetrics {
    pub frame: Histogram,
    pub widgets: Box<[Histogram]>,
    pub frames: Counter,
    pub late_widgets: Counter,
    pub widget_errors: Counter,
    /// Widget jobs handed to the pool.
    pub jobs_submitted: Counter,
    /// Widget jobs a worker started.
    pub jobs_run: Counter,
    /// Pool widgets not submitted because a straggler of an older frame still held their
    /// slot (they show their last value, or nothing).
    pub jobs_dropped: Counter,
    /// Wake-ups a worker sent to the frame owner waiting for its pool widgets.
    pub worker_wakes: Counter,
    /// Frames whose wait for pool widgets ended at the deadline.
    pub pool_deadlines: Counter,
}

impl EngineMetrics {
    pub fn new(widget_count: usize) -> Self {
        EngineMetrics {
            frame: Histogram::new(),
            widgets: (0..widget_count).map(|_| Histogram::new()).collect(),
            frames: Counter::default(),
            late_widgets: Counter::default(),
            widget_errors: Counter::default(),
            jobs_submitted: Counter::default(),
            jobs_run: Counter::default(),
            jobs_dropped: Counter::default(),
            worker_wakes: Counter::default(),
            pool_deadlines: Counter::default(),
        }
    }
}

#[cfg(all(test, not(crossbeam_loom)))]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_cover_their_values() {
        let mut last = 0;
        for v in (0..20_000u64).chain([1 << 20, 1 << 40, u64::MAX]) {
            let b = bucket_of(v);
            assert!(b >= last || v < 20_000, "bucket order");
            assert!(bucket_upper(b) >= v, "value {v} above its bucket's bound");
            if v > 0 && b > 0 {
                assert!(
                    bucket_upper(b - 1) < v,
                    "value {v} belongs to an earlier bucket"
                );
            }
            last = b;
        }
        assert!(bucket_of(u64::MAX) < BUCKETS);
    }

    #[test]
    fn percentiles_are_within_an_eighth() {
        let h = Histogram::new();
        for v in 1..=1000u64 {
            h.record(v * 1000);
        }
        let s = h.summary();
        assert_eq!(s.count, 1000);
        assert_eq!(s.max, 1_000_000);
        for (got, want) in [(s.p50, 500_000.0), (s.p90, 900_000.0), (s.p99, 990_000.0)] {
            let err = (got as f64 - want).abs() / want;
            assert!(err <= 0.125, "got {got}, want about {want}");
        }
    }

    #[test]
    fn empty_histogram_reports_zeroes() {
        assert_eq!(Histogram::new().summary(), Summary::default());
    }

    #[test]
    fn concurrent_records_are_all_counted() {
        let h = Histogram::new();
        std::thread::scope(|s| {
            for t in 0..4u64 {
                let h = &h;
                s.spawn(move || (0..10_000u64).for_each(|i| h.record(i * (t + 1))));
            }
        });
        assert_eq!(h.count(), 40_000);
        assert_eq!(h.nonzero_buckets().map(|(_, n)| n).sum::<u64>(), 40_000);
    }
}
