//! Sampling of the inspector log, as Commanders Act's Live Event Inspector does it: a
//! fixed number of events per minute per destination and event name (default 6), and
//! debug events (sent with a TikTok `test_event_code`, or carrying `inspector_debug:
//! true`) bypass that up to a higher limit per minute (default 100). Isolates sample
//! before they buffer; the Durable Object samples again, so the limits hold fleet-wide.

use std::collections::BTreeMap;

/// Events kept per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SamplingLimits {
    /// Per destination and event name (`INSPECTOR_SAMPLE_PER_MINUTE`; 0 keeps none).
    pub per_event: u32,
    /// Debug events, all names together (`INSPECTOR_DEBUG_PER_MINUTE`).
    pub debug: u32,
}

impl Default for SamplingLimits {
    fn default() -> Self {
        SamplingLimits { per_event: 6, debug: 100 }
    }
}

/// The counts of the current minute.
#[derive(Debug, Clone, Default)]
pub struct Sampler {
    limits: SamplingLimits,
    minute: i64,
    taken: BTreeMap<(String, String), u32>,
    debug_taken: u32,
}

impl Sampler {
    pub fn new(limits: SamplingLimits) -> Sampler {
        Sampler { limits, ..Sampler::default() }
    }

    /// Whether to keep an event of `destination` named `event` seen in `minute`.
    pub fn admit(&mut self, minute: i64, destination: &str, event: &str, debug: bool) -> bool {
        if minute != self.minute {
            self.minute = minute;
            self.taken.clear();
            self.debug_taken = 0;
        }
        if debug {
            let keep = self.debug_taken < self.limits.debug;
            self.debug_taken += u32::from(keep);
            return keep;
        }
        let n = self.taken.entry((destination.to_owned(), event.to_owned())).or_default();
        let keep = *n < self.limits.per_event;
        *n += u32::from(keep);
        keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(s: &mut Sampler, minute: i64, dest: &str, event: &str, debug: bool, n: usize) -> usize {
        (0..n).filter(|_| s.admit(minute, dest, event, debug)).count()
    }

    #[test]
    fn six_per_minute_per_destination_and_event_name_by_default() {
        let mut s = Sampler::new(SamplingLimits::default());
        assert_eq!(kept(&mut s, 10, "tiktok", "purchase", false, 20), 6);
        assert_eq!(kept(&mut s, 10, "tiktok", "add_to_cart", false, 20), 6, "another name has its own six");
        assert_eq!(kept(&mut s, 10, "tiktok-offline", "purchase", false, 20), 6, "another destination too");
        assert_eq!(kept(&mut s, 11, "tiktok", "purchase", false, 20), 6, "a new minute starts again");
    }

    #[test]
    fn debug_events_bypass_sampling_up_to_their_own_limit() {
        let mut s = Sampler::new(SamplingLimits { per_event: 1, debug: 100 });
        assert_eq!(kept(&mut s, 5, "tiktok", "purchase", false, 3), 1);
        assert_eq!(kept(&mut s, 5, "tiktok", "purchase", true, 150), 100);
        assert_eq!(kept(&mut s, 5, "tiktok", "other", true, 5), 0, "the debug limit covers every name");
        assert_eq!(kept(&mut s, 6, "tiktok", "other", true, 5), 5);
    }

    #[test]
    fn a_zero_limit_keeps_nothing() {
        let mut s = Sampler::new(SamplingLimits { per_event: 0, debug: 0 });
        assert_eq!(kept(&mut s, 1, "tiktok", "purchase", false, 5), 0);
        assert_eq!(kept(&mut s, 1, "tiktok", "purchase", true, 5), 0);
    }
}
