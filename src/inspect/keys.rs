//! Match keys: which identifiers a TikTok request carries, read from the typed request
//! body, and a match-quality score in the spirit of TikTok's Event Match Quality (EMQ).
//! TikTok does not publish EMQ's formula; our score is a weighted coverage, 0 to 10,
//! with the weights of [`MatchKey::weight`] (stated in the README): the keys TikTok names
//! as the strongest (email, phone, then external_id and ttclid) weigh most.

use crate::request::Body;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One match key TikTok uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKey {
    Email,
    Phone,
    ExternalId,
    Ttclid,
    Ttp,
    Ip,
    UserAgent,
    FirstName,
    LastName,
    ZipCode,
    City,
    State,
    Country,
}

impl MatchKey {
    pub const ALL: [MatchKey; 13] = [
        MatchKey::Email,
        MatchKey::Phone,
        MatchKey::ExternalId,
        MatchKey::Ttclid,
        MatchKey::Ttp,
        MatchKey::Ip,
        MatchKey::UserAgent,
        MatchKey::FirstName,
        MatchKey::LastName,
        MatchKey::ZipCode,
        MatchKey::City,
        MatchKey::State,
        MatchKey::Country,
    ];

    /// TikTok's field name.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKey::Email => "email",
            MatchKey::Phone => "phone",
            MatchKey::ExternalId => "external_id",
            MatchKey::Ttclid => "ttclid",
            MatchKey::Ttp => "ttp",
            MatchKey::Ip => "ip",
            MatchKey::UserAgent => "user_agent",
            MatchKey::FirstName => "first_name",
            MatchKey::LastName => "last_name",
            MatchKey::ZipCode => "zip_code",
            MatchKey::City => "city",
            MatchKey::State => "state",
            MatchKey::Country => "country",
        }
    }

    pub fn from_name(name: &str) -> Option<MatchKey> {
        MatchKey::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Weight in the score (of a total of 16): email 3, phone 3, external_id 2,
    /// ttclid 2, ttp 1, ip 1, user_agent 1, each name/address key 0.5.
    pub fn weight(self) -> f64 {
        match self {
            MatchKey::Email | MatchKey::Phone => 3.0,
            MatchKey::ExternalId | MatchKey::Ttclid => 2.0,
            MatchKey::Ttp | MatchKey::Ip | MatchKey::UserAgent => 1.0,
            MatchKey::FirstName
            | MatchKey::LastName
            | MatchKey::ZipCode
            | MatchKey::City
            | MatchKey::State
            | MatchKey::Country => 0.5,
        }
    }
}

/// The match keys of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MatchKeys(pub Vec<MatchKey>);

impl MatchKeys {
    /// The keys a planned request's body carries (non-empty values only).
    pub fn of(body: &Body<'_>) -> MatchKeys {
        let mut keys = Vec::new();
        let mut add = |key: MatchKey, present: bool| {
            if present && !keys.contains(&key) {
                keys.push(key);
            }
        };
        match body {
            Body::Track(track) => {
                for e in &track.data {
                    let u = &e.user;
                    let set = |v: &Option<crate::payload::Text<'_>>| v.as_ref().is_some_and(|s| !s.is_empty());
                    add(MatchKey::Email, set(&u.email));
                    add(MatchKey::Phone, set(&u.phone));
                    add(MatchKey::ExternalId, set(&u.external_id));
                    add(MatchKey::Ttclid, set(&u.ttclid));
                    add(MatchKey::Ttp, set(&u.ttp));
                    add(MatchKey::Ip, set(&u.ip));
                    add(MatchKey::UserAgent, set(&u.user_agent));
                    add(MatchKey::FirstName, set(&u.first_name));
                    add(MatchKey::LastName, set(&u.last_name));
                    add(MatchKey::ZipCode, set(&u.zip_code));
                    add(MatchKey::City, set(&u.city));
                    add(MatchKey::State, set(&u.state));
                    add(MatchKey::Country, set(&u.country));
                }
            }
            Body::OfflineTrack(offline) => {
                add(MatchKey::Email, !offline.context.user.emails.is_empty());
                add(MatchKey::Phone, !offline.context.user.phone_numbers.is_empty());
            }
            // Order sync matches on its click id alone.
            Body::OrderSync(order) => add(MatchKey::Ttclid, !order.ttoclid.is_empty()),
        }
        keys.sort();
        MatchKeys(keys)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|k| k.as_str()).collect()
    }
}

/// Coverage of a destination's events over a window: how many events, and how many
/// carried each key.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Quality {
    pub events: u64,
    /// Every key, heaviest first: its weight and the share (0 to 1) of events with it.
    pub coverage: Vec<KeyShare>,
    /// Weighted coverage, 0 to 10, one decimal.
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyShare {
    pub key: MatchKey,
    pub weight: f64,
    pub share: f64,
}

/// The quality of `events` events of which `with_key[k]` carried key `k`.
pub fn quality(events: u64, with_key: &BTreeMap<MatchKey, u64>) -> Quality {
    let total_weight: f64 = MatchKey::ALL.iter().map(|k| k.weight()).sum();
    let mut coverage = Vec::with_capacity(MatchKey::ALL.len());
    let mut weighted = 0.0;
    for key in MatchKey::ALL {
        let n = with_key.get(&key).copied().unwrap_or(0);
        let share = match events {
            0 => 0.0,
            e => (n.min(e) as f64) / (e as f64),
        };
        weighted += share * key.weight();
        coverage.push(KeyShare { key, weight: key.weight(), share: (share * 1000.0).round() / 1000.0 });
    }
    let score = (weighted / total_weight * 100.0).round() / 10.0;
    Quality { events, coverage, score }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::{plan, Config, Outcome, RequestContext, Secrets};
    use serde_json::json;

    fn keys_of(event: serde_json::Value) -> Vec<&'static str> {
        let config = Config::from_json(
            r#"{"destinations": [{"id": "tiktok", "type": "events_api", "pixel_id": "CABCDEF1234567890"}]}"#,
        )
        .unwrap();
        let secrets = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "t");
        let event = crate::node::Node::from_value(&event);
        let results = plan(&config, &event, &RequestContext::at(1_765_290_725_123), &secrets);
        match &results[0].outcome {
            Outcome::Ready { request, .. } => MatchKeys::of(&request.body).names(),
            other => panic!("not ready: {other:?}"),
        }
    }

    #[test]
    fn the_keys_are_read_from_the_request_sent() {
        let event = json!({"event_name": "purchase", "id": "O_1", "value": 1, "currency": "EUR",
            "user": {"id": "845454", "email": "a@b.c", "phone": "+33612345678"},
            "context": {"device": {"ip": "203.0.113.10", "user_agent": "UA", "cookie": "_ttp=abc"}}});
        assert_eq!(keys_of(event), ["email", "phone", "external_id", "ttp", "ip", "user_agent"]);
        assert!(keys_of(json!({"event_name": "purchase", "id": "O_2"})).is_empty());
    }

    #[test]
    fn the_score_is_the_weighted_coverage_out_of_ten() {
        let all: BTreeMap<MatchKey, u64> = MatchKey::ALL.iter().map(|k| (*k, 4)).collect();
        assert_eq!(quality(4, &all).score, 10.0);
        assert_eq!(quality(0, &BTreeMap::new()).score, 0.0);
        // Half the events with email (3 of 16), all with ip and user agent (2 of 16): 3.5/16.
        let some = BTreeMap::from([(MatchKey::Email, 2), (MatchKey::Ip, 4), (MatchKey::UserAgent, 4)]);
        let q = quality(4, &some);
        assert_eq!(q.score, 2.2);
        assert_eq!(q.coverage[0], KeyShare { key: MatchKey::Email, weight: 3.0, share: 0.5 });
        assert_eq!((q.coverage[1].key, q.coverage[1].share), (MatchKey::Phone, 0.0));
        assert_eq!(q.coverage.len(), 13);
        let total: f64 = MatchKey::ALL.iter().map(|k| k.weight()).sum();
        assert_eq!(total, 16.0);
    }
}
