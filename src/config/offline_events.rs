//! Settings of destination type `offline_events` (TikTok Offline Events, spec b.2).

use super::reader::Section;
use super::settings::{flag_default, keys, Kind, MapKind, Setting};
use super::COMMON_KEYS;
use crate::error::Error;
use crate::hashing::calling_codes::Country;
use crate::template::Template;

/// Every `offline_events` setting besides the common ones.
pub const SETTINGS: &[Setting] = &[
    Setting::new("event_set_id", Kind::Template, "TikTok Offline Event Set id; usually a template such as `{{partners.tiktok.event_set_id}}`.").required(),
    Setting::new("mapping", Kind::Map(MapKind::OneOf(OFFLINE_EVENTS)), "CA event name -> TikTok offline event type (at least one); other events are skipped as unmapped.").required(),
    Setting::new("api", Kind::OneOf { values: APIS, any_case: false }, "Wire shape: `events_api` (Events API 2.0 with `event_source: \"offline\"`, TikTok's current path) or `offline_track` (the legacy `/offline/track/` body of CA's field table).").default("\"events_api\""),
    Setting::flag("derive_event_id", true, "Give events without `id` a stable `event_id` derived from their content (TikTok deduplicates on it)."),
    Setting::new("phone_default_country", Kind::Text, "ISO 3166 alpha-2 country (`FR`, `US`) whose calling code turns national phone numbers (`06 12 34 56 78`) into E.164; without it they are dropped (`invalid_phone`)."),
];
const KEYS: &[&str] = &keys::<{ SETTINGS.len() }>(SETTINGS);
/// The TikTok event types the seed allows for offline events.
pub const OFFLINE_EVENTS: &[&str] = &["CompletePayment", "Contact", "Subscribe", "SubmitForm"];
const APIS: &[&str] = &["events_api", "offline_track"];

/// Resolved settings of one `offline_events` destination.
#[derive(Debug, Clone, PartialEq)]
pub struct OfflineEvents {
    /// TikTok's Offline Event Set id (often a `{{path}}`).
    pub event_set_id: Template,
    /// CA event name -> one of `OFFLINE_EVENTS`.
    pub mapping: Vec<(String, &'static str)>,
    pub api: OfflineApi,
    /// Give events without `id` a stable id derived from their content (TikTok dedup).
    pub derive_event_id: bool,
    /// Country whose national phone numbers are made E.164.
    pub phone_default_country: Option<&'static Country>,
}

/// Which wire shape to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineApi {
    /// Events API 2.0 with `event_source: "offline"` (TikTok's current path).
    EventsApi,
    /// Legacy `POST /open_api/v1.3/offline/track/`, the shape of the seed's field table.
    OfflineTrack,
}

pub(super) fn parse(s: &mut Section<'_>) -> Option<OfflineEvents> {
    s.deny_unknown(&[COMMON_KEYS, KEYS]);
    let event_set_id = s.required_template("event_set_id", "required: your TikTok Offline Event Set id");
    let mut mapping = Vec::new();
    for (ca, tiktok) in s.string_map("mapping") {
        match OFFLINE_EVENTS.iter().find(|t| **t == tiktok.trim()) {
            Some(t) => mapping.push((ca.trim().to_owned(), *t)),
            None => {
                let path = format!("{}.{ca}", s.at("mapping"));
                let message = format!("must be one of: {}", OFFLINE_EVENTS.join(", "));
                s.errors.push(Error::InvalidSetting { path, message });
            }
        }
    }
    if s.is_blank("mapping") {
        s.missing("mapping", "required: at least one CA event name -> TikTok event type");
    }
    let api = match s.string("api") {
        None | Some("events_api") => OfflineApi::EventsApi,
        Some("offline_track") => OfflineApi::OfflineTrack,
        Some(_) => {
            s.invalid("api", format!("must be one of: {}", APIS.join(", ")));
            OfflineApi::EventsApi
        }
    };
    let derive_event_id = s.bool("derive_event_id", const { flag_default(SETTINGS, "derive_event_id") });
    let phone_default_country = super::phone_default_country(s);
    Some(OfflineEvents { event_set_id: event_set_id?, mapping, api, derive_event_id, phone_default_country })
}
