//! What the inspector and the fleet-wide delivery report decide, pure: which events
//! are sampled ([`sample`]), how PII is masked before anything is stored ([`mask`]),
//! which match keys a request carries and the match-quality score ([`keys`]), the
//! per-minute counts built from the typed delivery reports and consumer settlements
//! ([`counts`]), the inspector log entry ([`entry`]) and the report `/v1/stats` and the
//! inspector page show ([`report`]). The Worker buffers, flushes to its Durable Object
//! and queries it; every rule lives here.

pub mod auth;
pub mod counts;
pub mod entry;
pub mod keys;
pub mod mask;
pub mod report;
pub mod sample;

pub use counts::{CountRow, Counts, CoverageRow, Flush, FlushEntry, Tally};
pub use entry::Entry;
pub use keys::{MatchKey, MatchKeys};
pub use report::{Report, Window};
pub use sample::{Sampler, SamplingLimits};

/// Counts are kept this long (30 days), in minutes.
pub const COUNTS_RETENTION_MINUTES: i64 = 30 * 24 * 60;
/// Inspector entries are kept this long (48 hours), in milliseconds.
pub const ENTRIES_RETENTION_MS: i64 = 48 * 3600 * 1000;
/// At most this many inspector entries are kept (the oldest go first).
pub const MAX_ENTRIES: u32 = 20_000;

/// The minute (since the Unix epoch) of a time in milliseconds.
pub fn minute_of(ms: i64) -> i64 {
    ms.div_euclid(60_000)
}
