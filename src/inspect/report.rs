//! The fleet-wide delivery report (`GET /v1/stats?window=...` and the inspector page),
//! built from the counts the store returns for a window, already summed per bucket.

use super::counts::{CountRow, CoverageRow, Sum, Tally};
use super::keys::{quality, MatchKey, Quality};
use super::{minute_of, COUNTS_RETENTION_MINUTES};
use serde::Serialize;
use std::collections::BTreeMap;

/// How far back a report looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Hour,
    Day,
    Month,
}

impl Window {
    /// `1h`, `24h` or `30d`; absent: `24h`.
    pub fn parse(v: Option<&str>) -> Result<Window, String> {
        match v.unwrap_or("24h") {
            "1h" => Ok(Window::Hour),
            "24h" => Ok(Window::Day),
            "30d" => Ok(Window::Month),
            _ => Err("window must be one of 1h, 24h, 30d".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Window::Hour => "1h",
            Window::Day => "24h",
            Window::Month => "30d",
        }
    }

    pub fn minutes(self) -> i64 {
        match self {
            Window::Hour => 60,
            Window::Day => 24 * 60,
            Window::Month => COUNTS_RETENTION_MINUTES,
        }
    }

    /// Width of one point of the series: 5 minutes, an hour, a day.
    pub fn bucket_minutes(self) -> i64 {
        match self {
            Window::Hour => 5,
            Window::Day => 60,
            Window::Month => 24 * 60,
        }
    }

    /// The first minute (since the epoch) of the window ending at `now_ms`, on a bucket edge.
    pub fn since_minute(self, now_ms: i64) -> i64 {
        let b = self.bucket_minutes();
        (minute_of(now_ms) - self.minutes() + b).div_euclid(b) * b
    }
}

/// Counts of every outcome (all listed, zeros included).
pub type Totals = BTreeMap<&'static str, u64>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonCount {
    pub destination: String,
    pub outcome: &'static str,
    pub reason: String,
    pub n: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventCount {
    pub destination: String,
    /// The TikTok event name; empty for counts without one (see README).
    pub event: String,
    pub outcome: &'static str,
    pub n: u64,
}

/// One bucket of the series, per destination.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub at_ms: i64,
    pub destination: String,
    pub counts: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Always `fleet`: every isolate and the queue consumer, through the Durable Object.
    pub scope: &'static str,
    pub window: &'static str,
    pub since_ms: i64,
    pub bucket_minutes: i64,
    pub destinations: BTreeMap<String, Totals>,
    /// Failed, skipped, error and dead-lettered counts by reason, largest first.
    pub reasons: Vec<ReasonCount>,
    pub events: Vec<EventCount>,
    pub series: Vec<Point>,
    pub match_quality: BTreeMap<String, Quality>,
}

fn zeros() -> Totals {
    Tally::ALL.iter().map(|t| (t.as_str(), 0)).collect()
}

impl Report {
    /// The report of `window` ending at `now_ms` from rows whose minute is their bucket's first.
    pub fn build(window: Window, now_ms: i64, counts: &[CountRow], coverage: &[CoverageRow]) -> Report {
        let since = window.since_minute(now_ms);
        let mut sums: BTreeMap<Sum, u64> = BTreeMap::new();
        let mut add = |key: Sum, n: u64| *sums.entry(key).or_default() += n;
        for c in counts.iter().filter(|c| c.minute >= since) {
            add(Sum::Destination(c.destination.clone(), c.outcome), c.n);
            if !c.reason.is_empty() {
                add(Sum::Reason(c.destination.clone(), c.outcome, c.reason.clone()), c.n);
            }
            add(Sum::Event(c.destination.clone(), c.event.clone(), c.outcome), c.n);
            let bucket = c.minute.div_euclid(window.bucket_minutes()) * window.bucket_minutes();
            add(Sum::Bucket(bucket, c.destination.clone(), c.outcome), c.n);
        }
        for c in coverage.iter().filter(|c| c.minute >= since) {
            add(Sum::Keys(c.destination.clone(), c.key), c.n);
        }
        let mut destinations: BTreeMap<String, Totals> = BTreeMap::new();
        let mut reasons = Vec::new();
        let mut events = Vec::new();
        let mut series: Vec<Point> = Vec::new();
        let mut keys: Vec<(String, u64, BTreeMap<MatchKey, u64>)> = Vec::new();
        for (sum, n) in sums {
            match sum {
                Sum::Destination(d, t) => {
                    destinations.entry(d).or_insert_with(zeros).insert(t.as_str(), n);
                }
                Sum::Reason(destination, t, reason) => {
                    reasons.push(ReasonCount { destination, outcome: t.as_str(), reason, n })
                }
                Sum::Event(destination, event, t) => {
                    events.push(EventCount { destination, event, outcome: t.as_str(), n })
                }
                Sum::Bucket(minute, destination, t) => {
                    let at_ms = minute * 60_000;
                    match series.last_mut() {
                        Some(p) if p.at_ms == at_ms && p.destination == destination => {
                            p.counts.insert(t.as_str(), n);
                        }
                        _ => {
                            let mut counts = zeros();
                            counts.insert(t.as_str(), n);
                            series.push(Point { at_ms, destination, counts });
                        }
                    }
                }
                Sum::Keys(destination, key) => {
                    if keys.last().is_none_or(|(d, _, _)| *d != destination) {
                        keys.push((destination, 0, BTreeMap::new()));
                    }
                    if let Some((_, events, with)) = keys.last_mut() {
                        match key {
                            None => *events = n,
                            Some(k) => {
                                with.insert(k, n);
                            }
                        }
                    }
                }
                // The buffer's sums: never in a report.
                Sum::Count(..) | Sum::Coverage(..) => {}
            }
        }
        reasons.sort_by_key(|r| std::cmp::Reverse(r.n));
        Report {
            scope: "fleet",
            window: window.as_str(),
            since_ms: since * 60_000,
            bucket_minutes: window.bucket_minutes(),
            destinations,
            reasons,
            events,
            series,
            match_quality: keys.into_iter().map(|(d, events, with)| (d, quality(events, &with))).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use proptest::prelude::*;

    /// The first implementation (one B-tree per kind of sum): the oracle of the single-map one.
    #[allow(clippy::type_complexity)]
    fn build_before(window: Window, now_ms: i64, counts: &[CountRow], coverage: &[CoverageRow]) -> Report {
        let since = window.since_minute(now_ms);
        let mut destinations: BTreeMap<String, Totals> = BTreeMap::new();
        let mut reasons: BTreeMap<(String, Tally, String), u64> = BTreeMap::new();
        let mut events: BTreeMap<(String, String, Tally), u64> = BTreeMap::new();
        let mut series: BTreeMap<(i64, String), Totals> = BTreeMap::new();
        for c in counts.iter().filter(|c| c.minute >= since) {
            *destinations.entry(c.destination.clone()).or_insert_with(zeros).entry(c.outcome.as_str()).or_default() +=
                c.n;
            if !c.reason.is_empty() {
                *reasons.entry((c.destination.clone(), c.outcome, c.reason.clone())).or_default() += c.n;
            }
            *events.entry((c.destination.clone(), c.event.clone(), c.outcome)).or_default() += c.n;
            let bucket = c.minute.div_euclid(window.bucket_minutes()) * window.bucket_minutes();
            *series
                .entry((bucket, c.destination.clone()))
                .or_insert_with(zeros)
                .entry(c.outcome.as_str())
                .or_default() += c.n;
        }
        let mut reasons: Vec<ReasonCount> = reasons
            .into_iter()
            .map(|((destination, outcome, reason), n)| ReasonCount {
                destination,
                outcome: outcome.as_str(),
                reason,
                n,
            })
            .collect();
        reasons.sort_by_key(|r| std::cmp::Reverse(r.n));
        let mut keys: BTreeMap<String, (u64, BTreeMap<_, u64>)> = BTreeMap::new();
        for c in coverage.iter().filter(|c| c.minute >= since) {
            let (events, with) = keys.entry(c.destination.clone()).or_default();
            match c.key {
                None => *events += c.n,
                Some(k) => *with.entry(k).or_default() += c.n,
            }
        }
        Report {
            scope: "fleet",
            window: window.as_str(),
            since_ms: since * 60_000,
            bucket_minutes: window.bucket_minutes(),
            destinations,
            reasons,
            events: events
                .into_iter()
                .map(|((destination, event, outcome), n)| EventCount {
                    destination,
                    event,
                    outcome: outcome.as_str(),
                    n,
                })
                .collect(),
            series: series
                .into_iter()
                .map(|((minute, destination), counts)| Point { at_ms: minute * 60_000, destination, counts })
                .collect(),
            match_quality: keys.into_iter().map(|(d, (events, with))| (d, quality(events, &with))).collect(),
        }
    }

    fn tally() -> impl Strategy<Value = Tally> {
        prop::sample::select(Tally::ALL.to_vec())
    }

    /// Minutes from 35 days before now: over the whole retention, or within two hours of now.
    fn minute() -> impl Strategy<Value = i64> {
        prop_oneof![0i64..40 * 24 * 60, 35i64 * 24 * 60 - 120..35 * 24 * 60 + 5]
    }

    fn name() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["", "a", "b", "tiktok", "tiktok-offline"]).prop_map(String::from)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn the_report_equals_the_one_built_with_a_map_per_sum(
            window in prop::sample::select(vec![Window::Hour, Window::Day, Window::Month]),
            now in 0i64..4_000_000_000_000,
            counts in prop::collection::vec((minute(), name(), name(), tally(), name(), 0u64..1000), 0..40),
            coverage in prop::collection::vec(
                (minute(), name(), prop::option::of(prop::sample::select(MatchKey::ALL.to_vec())), 0u64..1000),
                0..30,
            ),
        ) {
            let base = minute_of(now) - 35 * 24 * 60;
            let counts: Vec<CountRow> = counts
                .into_iter()
                .map(|(m, destination, event, outcome, reason, n)| CountRow { minute: base + m, destination, event, outcome, reason, n })
                .collect();
            let coverage: Vec<CoverageRow> = coverage
                .into_iter()
                .map(|(m, destination, key, n)| CoverageRow { minute: base + m, destination, key, n })
                .collect();
            prop_assert_eq!(Report::build(window, now, &counts, &coverage), build_before(window, now, &counts, &coverage));
        }
    }

    fn row(minute: i64, d: &str, e: &str, o: Tally, r: &str, n: u64) -> CountRow {
        CountRow { minute, destination: d.into(), event: e.into(), outcome: o, reason: r.into(), n }
    }

    #[test]
    fn windows_parse_and_start_on_a_bucket_edge() {
        assert_eq!(Window::parse(None), Ok(Window::Day));
        assert_eq!(Window::parse(Some("1h")), Ok(Window::Hour));
        assert_eq!(Window::parse(Some("30d")), Ok(Window::Month));
        assert!(Window::parse(Some("7d")).unwrap_err().contains("1h, 24h, 30d"));
        // 10:17 on day 0: the 24 h window starts at 11:00 the day before (24 hourly buckets).
        let now = (10 * 60 + 17) * 60_000;
        assert_eq!(Window::Day.since_minute(now), 11 * 60 - 24 * 60);
        assert_eq!(Window::Hour.since_minute(now), 10 * 60 + 17 - 60 + 3);
    }

    #[test]
    fn the_report_sums_the_window_by_destination_reason_event_and_bucket() {
        let now = 100 * 60 * 60_000; // hour 100
        let counts = [
            row(99 * 60, "tiktok", "Purchase", Tally::Sent, "", 4),
            row(98 * 60, "tiktok", "Purchase", Tally::Failed, "invalid_params", 1),
            row(99 * 60, "tiktok", "", Tally::DeadLettered, "server_error", 3),
            row(99 * 60, "tiktok-offline", "", Tally::Skipped, "unmapped_event", 2),
            row(50 * 60, "tiktok", "Purchase", Tally::Sent, "", 1000),
        ];
        let coverage = [
            CoverageRow { minute: 99 * 60, destination: "tiktok".into(), key: None, n: 4 },
            CoverageRow { minute: 99 * 60, destination: "tiktok".into(), key: Some(MatchKey::Email), n: 4 },
        ];
        let r = Report::build(Window::Day, now, &counts, &coverage);
        assert_eq!(r.scope, "fleet");
        assert_eq!(r.destinations["tiktok"]["sent"], 4, "counts older than the window are left out");
        assert_eq!(r.destinations["tiktok"]["dead_lettered"], 3);
        assert_eq!(r.destinations["tiktok"]["queued"], 0);
        assert_eq!(r.destinations["tiktok-offline"]["skipped"], 2);
        assert_eq!(r.reasons[0].reason, "server_error");
        assert_eq!(r.reasons.len(), 3);
        assert_eq!(r.series.len(), 3);
        assert_eq!(r.series[0].at_ms, 98 * 3600 * 1000);
        assert_eq!(r.match_quality["tiktok"].coverage[0].share, 1.0);
        assert_eq!(r.match_quality["tiktok"].score, 1.9);
        let month = Report::build(Window::Month, now, &counts, &coverage);
        assert_eq!(month.destinations["tiktok"]["sent"], 1004);
    }
}
