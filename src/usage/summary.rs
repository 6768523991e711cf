//! What the usage widgets read on a render: a record of a few hundred bytes, written by
//! whoever updates the index, with the last [`DAYS`] local days' totals and the latest
//! 5-hour block. A render reads it into fixed buffers (no directory scan, no allocation
//! once warm) and decides from it whether to start a refresher.
//!
//! Costs here are `auto` mode with the built-in price table (a line's own `costUSD`,
//! else computed).

use arrayvec::ArrayVec;

use crate::transcript::prices::Prices;
use crate::usage::index::Index;
use crate::usage::report::{self, Mode, Period, Query};

/// Local days kept: enough for a week that started 7 days ago, and some spare.
pub const DAYS: usize = 10;
const VERSION: u8 = 1;

/// Tokens, cost and calls of a period.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figures {
    pub tokens: u64,
    pub cost: f64,
    pub calls: u64,
}

/// The latest 5-hour block.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BlockFigures {
    pub start_ms: i64,
    pub first_ms: i64,
    pub last_ms: i64,
    pub figures: Figures,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// When it was computed, ms since the epoch.
    pub computed_ms: i64,
    /// The local time zone's offset then (a render in another zone refreshes it).
    pub utc_offset_s: i64,
    /// The newest transcript modification time it covers, ns since the epoch.
    pub newest_mtime_ns: i64,
    /// `(local day, figures)`, oldest first.
    pub days: ArrayVec<(i64, Figures), DAYS>,
    pub block: Option<BlockFigures>,
}

impl Summary {
    pub fn compute(index: &Index, now_ms: i64) -> Summary {
        let prices = Prices::builtin();
        let today = report::local_day(now_ms);
        let q = Query {
            period: Period::Daily,
            since: Some(today - DAYS as i64 + 1),
            until: Some(today),
            project: None,
            mode: Mode::Auto,
            prices: &prices,
            week_start: 0,
            now_ms,
        };
        let mut s = Summary {
            computed_ms: now_ms,
            utc_offset_s: crate::sys::time::utc_offset(now_ms / 1000),
            newest_mtime_ns: index.files.iter().map(|f| f.id.mtime_ns).max().unwrap_or(0),
            ..Summary::default()
        };
        for row in report::rows(index, &q) {
            let Some(day) = report::parse_date(&row.label) else {
                continue;
            };
            let _ = s.days.try_push((day, figures(&row)));
        }
        let q = Query {
            period: Period::Blocks,
            since: None,
            until: None,
            ..q
        };
        s.block = report::blocks(index, &q).last().map(|row| BlockFigures {
            start_ms: row.block.map_or(0, |b| b.start_ms),
            first_ms: row.total.first_ms,
            last_ms: row.total.last_ms,
            figures: figures(row),
        });
        s
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![VERSION];
        let mut put = |v: i64| out.extend_from_slice(&v.to_le_bytes());
        put(self.computed_ms);
        put(self.utc_offset_s);
        put(self.newest_mtime_ns);
        put(self.days.len() as i64);
        for (day, f) in &self.days {
            put(*day);
            put(f.tokens as i64);
            put(f.cost.to_bits() as i64);
            put(f.calls as i64);
        }
        match &self.block {
            Some(b) => {
                put(1);
                for v in [b.start_ms, b.first_ms, b.last_ms, b.figures.tokens as i64] {
                    put(v);
                }
                put(b.figures.cost.to_bits() as i64);
                put(b.figures.calls as i64);
            }
            None => put(0),
        }
        out
    }

    /// The figures of local day `day` (zero when nothing was used).
    pub fn day(&self, day: i64) -> Figures {
        self.days
            .iter()
            .find(|(d, _)| *d == day)
            .map_or(Figures::default(), |(_, f)| *f)
    }

    /// The sum of local days `from..=to`.
    pub fn days_between(&self, from: i64, to: i64) -> Figures {
        let mut f = Figures::default();
        for (_, d) in self.days.iter().filter(|(d, _)| (from..=to).contains(d)) {
            f.tokens += d.tokens;
            f.cost += d.cost;
            f.calls += d.calls;
        }
        f
    }

    /// Decodes into `self` without allocating; false (and `self` unspecified) when the
    /// bytes are not a summary of this version.
    pub fn decode_into(&mut self, bytes: &[u8]) -> bool {
        let Some((&VERSION, mut rest)) = bytes.split_first() else {
            return false;
        };
        let mut get = || -> Option<i64> {
            let (v, r) = rest.split_first_chunk::<8>()?;
            rest = r;
            Some(i64::from_le_bytes(*v))
        };
        let mut read = || -> Option<()> {
            self.computed_ms = get()?;
            self.utc_offset_s = get()?;
            self.newest_mtime_ns = get()?;
            let n = usize::try_from(get()?).ok().filter(|&n| n <= DAYS)?;
            self.days.clear();
            for _ in 0..n {
                let day = get()?;
                let f = Figures {
                    tokens: get()? as u64,
                    cost: f64::from_bits(get()? as u64),
                    calls: get()? as u64,
                };
                self.days.push((day, f));
            }
            self.block = match get()? {
                0 => None,
                _ => Some(BlockFigures {
                    start_ms: get()?,
                    first_ms: get()?,
                    last_ms: get()?,
                    figures: Figures {
                        tokens: get()? as u64,
                        cost: f64::from_bits(get()? as u64),
                        calls: get()? as u64,
                    },
                }),
            };
            Some(())
        };
        read().is_some() && rest.is_empty()
    }
}

fn figures(row: &report::Row) -> Figures {
    Figures {
        tokens: row.total.tokens.total(),
        cost: row.cost,
        calls: row.total.calls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_round_trips_and_garbage_does_not_decode() {
        let mut s = Summary {
            computed_ms: 1_795_165_200_000,
            utc_offset_s: 19_800,
            newest_mtime_ns: 7,
            block: Some(BlockFigures {
                start_ms: 1,
                first_ms: 2,
                last_ms: 3,
                figures: Figures {
                    tokens: 4,
                    cost: 5.5,
                    calls: 6,
                },
            }),
            ..Summary::default()
        };
        s.days.push((
            20_000,
            Figures {
                tokens: 10,
                cost: 0.25,
                calls: 1,
            },
        ));
        s.days.push((
            20_001,
            Figures {
                tokens: 20,
                cost: 0.5,
                calls: 2,
            },
        ));
        let bytes = s.encode();
        let mut back = Summary::default();
        assert!(back.decode_into(&bytes));
        assert_eq!(back, s);
        assert_eq!(back.days_between(20_000, 20_001).tokens, 30);
        assert_eq!(back.day(19_999), Figures::default());
        for cut in 0..bytes.len() {
            assert!(!Summary::default().decode_into(&bytes[..cut]), "{cut}");
        }
    }
}
