//! Settings of destination type `events_api` (TikTok Events API 2.0, web + app):
//! the seed's settings in snake_case plus the post-seed ones (spec b.1).

use super::reader::Section;
use super::settings::{flag_default, keys, Kind, MapKind, Setting};
use super::COMMON_KEYS;
use crate::error::Error;
use crate::hashing::calling_codes::Country;
use crate::path::{Parents, Path};
use crate::payload::{PROPERTY_FIELDS, USER_FIELDS};
use crate::tables::event_names::EventNames;
use crate::tables::slots::{Slot, SLOTS, SLOT_KEYS};
use crate::template::Template;
use serde_json::Value;

/// Every `events_api` setting besides the common ones.
pub const SETTINGS: &[Setting] = &[
    Setting::new("pixel_id", Kind::Template, "TikTok pixel code: the `event_source_id` of `web`, `offline` and `crm` events. Required unless `app_id` is set (an app-only destination)."),
    Setting::new("app_id", Kind::Template, "TikTok App ID: the `event_source_id` of `app` events (an app event on a destination without it is an error)."),
    Setting::new("test_event_code", Kind::Template, "Sent as `test_event_code` for `web` events when `environment` is not `production` (TikTok's Test Events tool)."),
    Setting::new("environment", Kind::OneOf { values: ENVIRONMENTS, any_case: true }, "`production` never sends `test_event_code`; `staging` and `development` do (any letter case).").default("\"production\""),
    Setting::new("event_mapping", Kind::Map(MapKind::EventNames), "CA event name -> TikTok event name: overrides the standard table and adds custom events; `\"\"` never sends that event.").default("{}"),
    Setting::new("view_content_mapping", Kind::ListOf(VIEW_CONTENT), "Which of `page_view` and `view_item` are sent as `ViewContent` (neither by default: CA asks you to choose).").default("[]"),
    Setting::flag("autodiscovery_event_source", false, "Derive `event_source` = `app` when `context.app` has a property or the `experience_type` slot reads `native app`."),
    Setting::flag("do_not_lowercase_user_id", false, "Hash `user.id` as given instead of lowercased."),
    Setting::new("smart_mapping", Kind::Slots, "Repoint a TikTok field to another event path, or `\"\"` to not send it (the Smart Mapping slots)."),
    Setting::new("custom_event_properties", Kind::Map(MapKind::Templates { reserved: PROPERTY_FIELDS }), "TikTok property name -> template (`{{path}}` or text), added to `properties`. Names the mapping fills are refused.").default("{}"),
    Setting::new("custom_user_properties", Kind::Map(MapKind::Templates { reserved: USER_FIELDS }), "TikTok user field name -> template (`{{path}}` or text), added to `user`; `first_name`, `last_name`, `zip_code` are hashed. Names the mapping fills are refused.").default("{}"),
    Setting::flag("send_unmapped_events", false, "Send events no table maps under their CA name (custom events) instead of skipping them."),
    Setting::flag("derive_event_id", true, "Give events without `id` a stable `event_id` derived from their content (TikTok deduplicates on it)."),
    Setting::new("event_names", Kind::OneOf { values: EventNames::KEYS, any_case: false }, "Standard event-name table: `seed` (CA, Nov-Dec 2025: `purchase` -> `CompletePayment` on web) or `2026` (CA, June 2026: `purchase` -> `Purchase`).").default("\"seed\""),
    Setting::flag("extended_match_keys", true, "Send the name and address match keys (`first_name`, `last_name`, `zip_code` hashed; `city`, `state`, `country` normalised); `false` leaves all six out."),
    Setting::new("phone_default_country", Kind::Text, "ISO 3166 alpha-2 country (`FR`, `US`) whose calling code turns national phone numbers (`06 12 34 56 78`) into E.164; without it they are dropped (`invalid_phone`)."),
];
/// At least one of these is required (an app-only destination has no pixel).
pub const REQUIRES_ANY: &[&str] = &["pixel_id", "app_id"];
const KEYS: &[&str] = &keys::<{ SETTINGS.len() }>(SETTINGS);
const ENVIRONMENTS: &[&str] = &["production", "staging", "development"];
const VIEW_CONTENT: &[&str] = &["page_view", "view_item"];

/// Resolved settings of one `events_api` destination.
#[derive(Debug, Clone, PartialEq)]
pub struct EventsApi {
    pub pixel_id: Option<Template>,
    pub app_id: Option<Template>,
    pub test_event_code: Option<Template>,
    pub environment: Environment,
    /// User overrides: CA event name -> TikTok event name (None: never send this event).
    pub event_mapping: Vec<(String, Option<String>)>,
    pub view_content: ViewContent,
    pub autodiscovery_event_source: bool,
    pub lowercase_user_id: bool,
    /// Send events that no table maps, under their CA name (custom TikTok events).
    pub send_unmapped_events: bool,
    /// Give events without `id` a stable id derived from their content (TikTok dedup).
    pub derive_event_id: bool,
    pub event_names: EventNames,
    /// Country whose national phone numbers (`06 12 34 56 78`) are made E.164.
    pub phone_default_country: Option<&'static Country>,
    slots: Vec<Option<ResolvedSlot>>,
    /// The array the item slots iterate over (`items` by default).
    pub items_array: Option<Path>,
    /// Parents of the slot paths, so one event walks each once.
    pub parents: Parents,
    /// Parents of the item slot paths (`product` of `product.price`), walked once per item.
    pub item_parents: Parents,
    pub custom_event_properties: Vec<(String, Template)>,
    pub custom_user_properties: Vec<(String, Template)>,
}

/// `production` never sends `test_event_code` (TikTok would not record the events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Production,
    Staging,
    Development,
}

/// Which of `page_view` / `view_item` become `ViewContent`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewContent {
    pub page_view: bool,
    pub view_item: bool,
}

/// Where a slot reads from: event paths, or paths relative to each item; the
/// first one holding a value wins. Never empty (a slot turned off is `None`).
#[derive(Debug, Clone, PartialEq)]
pub enum ResolvedSlot {
    Event(Vec<Path>),
    Item(Vec<Path>),
}

impl EventsApi {
    /// The event paths of a scalar slot, empty when turned off.
    pub fn paths(&self, slot: Slot) -> &[Path] {
        match self.slots.get(slot as usize) {
            Some(Some(ResolvedSlot::Event(p))) => p,
            _ => &[],
        }
    }

    /// The item-relative paths of an item slot, empty when turned off.
    pub fn item_paths(&self, slot: Slot) -> &[Path] {
        match self.slots.get(slot as usize) {
            Some(Some(ResolvedSlot::Item(p))) => p,
            _ => &[],
        }
    }
}

pub(super) fn parse(s: &mut Section<'_>) -> EventsApi {
    s.deny_unknown(&[COMMON_KEYS, KEYS]);
    let pixel_id = s.template("pixel_id");
    let app_id = s.template("app_id");
    if REQUIRES_ANY.iter().all(|key| s.is_blank(key)) {
        s.missing("pixel_id", "required for web events (or set app_id for an app-only destination)");
    }
    let environment = match s.string("environment").map(str::to_ascii_lowercase).as_deref() {
        None | Some("production") => Environment::Production,
        Some("staging") => Environment::Staging,
        Some("development") => Environment::Development,
        Some(_) => {
            s.invalid("environment", format!("must be one of: {}", ENVIRONMENTS.join(", ")));
            Environment::Production
        }
    };
    let event_mapping = s
        .string_map("event_mapping")
        .into_iter()
        .map(|(ca, tt)| (ca.trim().to_owned(), Some(tt.trim().to_owned()).filter(|t| !t.is_empty())))
        .collect();
    let mut view_content = ViewContent::default();
    for (i, name) in s.string_list("view_content_mapping").unwrap_or_default().into_iter().enumerate() {
        match name {
            "page_view" => view_content.page_view = true,
            "view_item" => view_content.view_item = true,
            _ => {
                let path = format!("{}[{i}]", s.at("view_content_mapping"));
                s.errors.push(Error::InvalidSetting { path, message: "must be page_view or view_item".into() });
            }
        }
    }
    let event_names = match s.string("event_names") {
        None => EventNames::Seed,
        Some(v) => EventNames::parse(v).unwrap_or_else(|| {
            s.invalid("event_names", format!("must be one of: {}", EventNames::KEYS.join(", ")));
            EventNames::Seed
        }),
    };
    let phone_default_country = super::phone_default_country(s);
    let extended_match_keys = s.bool("extended_match_keys", const { flag("extended_match_keys") });
    let (mut slots, items_array, parents, item_parents) = smart_mapping(s);
    if !extended_match_keys {
        for def in SLOTS.iter().filter(|d| d.slot.is_extended_match_key()) {
            if let Some(slot) = slots.get_mut(def.slot as usize) {
                *slot = None;
            }
        }
    }
    EventsApi {
        test_event_code: s.template("test_event_code"),
        autodiscovery_event_source: s.bool("autodiscovery_event_source", const { flag("autodiscovery_event_source") }),
        lowercase_user_id: !s.bool("do_not_lowercase_user_id", const { flag("do_not_lowercase_user_id") }),
        send_unmapped_events: s.bool("send_unmapped_events", const { flag("send_unmapped_events") }),
        derive_event_id: s.bool("derive_event_id", const { flag("derive_event_id") }),
        custom_event_properties: custom(s, "custom_event_properties", PROPERTY_FIELDS),
        custom_user_properties: custom(s, "custom_user_properties", USER_FIELDS),
        pixel_id,
        app_id,
        environment,
        event_mapping,
        view_content,
        event_names,
        phone_default_country,
        slots,
        items_array,
        parents,
        item_parents,
    }
}

/// The default of a boolean setting, from `SETTINGS` at compile time.
const fn flag(key: &str) -> bool {
    flag_default(SETTINGS, key)
}

/// Resolves every slot: the user's path, `""` (off), or the documented default.
type SmartMapping = (Vec<Option<ResolvedSlot>>, Option<Path>, Parents, Parents);

fn smart_mapping(s: &mut Section<'_>) -> SmartMapping {
    let user = s.object("smart_mapping");
    let base = s.at("smart_mapping");
    if let Some(map) = user {
        let mut sub = Section { map, path: base.clone(), errors: &mut *s.errors };
        sub.deny_unknown(&[SLOT_KEYS]);
    }
    let mut items_array: Option<Path> = None;
    let (mut parents, mut item_parents) = (Parents::default(), Parents::default());
    let mut slots = Vec::with_capacity(SLOTS.len());
    for def in SLOTS {
        let path = format!("{base}.{}", def.key);
        let texts: Vec<&str> = match user.and_then(|m| m.get(def.key)) {
            None | Some(Value::Null) => def.default.to_vec(),
            Some(Value::String(t)) if t.trim().is_empty() => Vec::new(),
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(list)) if list.iter().all(Value::is_string) => {
                list.iter().filter_map(Value::as_str).filter(|t| !t.trim().is_empty()).collect()
            }
            Some(_) => {
                s.errors.push(Error::InvalidSetting {
                    path: path.clone(),
                    message: "must be a path string, a list of paths (the first present wins), or \"\" to not send"
                        .into(),
                });
                Vec::new()
            }
        };
        let mut resolved: Vec<Path> = Vec::with_capacity(texts.len());
        for t in texts {
            match Path::parse(t) {
                Err(e) => s.errors.push(Error::InvalidSetting { path: path.clone(), message: e }),
                Ok(p) if def.slot.is_per_item() => match p.split_item() {
                    None => {
                        let message = format!("`{t}` must name every item with X, like items.X.id");
                        s.errors.push(Error::InvalidSetting { path: path.clone(), message });
                    }
                    Some((array, rel)) => match &items_array {
                        Some(seen) if *seen != array => {
                            let message = format!("every item slot must read the same array ({})", seen.as_str());
                            s.errors.push(Error::InvalidSetting { path: path.clone(), message });
                        }
                        _ => {
                            items_array = Some(array);
                            resolved.push(item_parents.intern(rel));
                        }
                    },
                },
                Ok(p) => resolved.push(parents.intern(p)),
            }
        }
        slots.push(match resolved.is_empty() {
            true => None,
            false if def.slot.is_per_item() => Some(ResolvedSlot::Item(resolved)),
            false => Some(ResolvedSlot::Event(resolved)),
        });
    }
    (slots, items_array, parents, item_parents)
}

/// Custom event/user properties: TikTok field name -> template. Names TikTok's
/// mapped fields already use are refused (repoint the Smart Mapping slot instead).
fn custom(s: &mut Section<'_>, key: &str, reserved: &[&str]) -> Vec<(String, Template)> {
    let mut out = Vec::new();
    for (name, text) in s.string_map(key) {
        let path = format!("{}.{name}", s.at(key));
        if reserved.contains(&name) {
            let message = format!("`{name}` is a mapped TikTok field; change it with smart_mapping instead");
            s.errors.push(Error::InvalidSetting { path, message });
            continue;
        }
        match Template::parse(text) {
            Ok(t) => out.push((name.to_owned(), t)),
            Err(message) => s.errors.push(Error::InvalidSetting { path, message }),
        }
    }
    out
}
