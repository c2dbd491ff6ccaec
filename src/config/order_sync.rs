//! Settings of destination type `order_sync` (TikTok Sync Order Information,
//! spec b.3). Every value setting is a template: per-order data comes from the
//! event (`{{booking.hotel_id}}`), constants are plain text.

use super::reader::Section;
use super::settings::{keys, Kind, MapKind, Setting};
use super::COMMON_KEYS;
use crate::template::Template;

/// Value settings, in the order of the seed: templates that fill `order_info`.
pub const VALUE_SETTINGS: &[Setting] = &[
    Setting::new("ttoclid", Kind::Template, "TikTok Organic Tracking Id. Absent: `partners.tiktok.ttoclid`, then cookie `ttoclid`, then the `ttoclid` query parameter of `context.page.url`."),
    Setting::new("third_merchant_id", Kind::Template, "Your merchant id at TikTok (mandatory field of `order_info`)."),
    Setting::new("third_shop_id", Kind::Template, "The shop (hotel) id, usually a template such as `{{booking.hotel_id}}` (mandatory)."),
    Setting::new("third_shop_name", Kind::Template, "The shop (hotel) name (mandatory)."),
    Setting::new("payment_value", Kind::Template, "What the customer paid: a number (numeric strings accepted; mandatory)."),
    Setting::new("total_value", Kind::Template, "The order total: a number (numeric strings accepted; mandatory)."),
    Setting::new("order_country", Kind::Template, "The order's country code (mandatory)."),
    Setting::new("create_time", Kind::Template, "When the order was created: seconds, milliseconds or ISO-8601 in, Unix seconds out (mandatory)."),
    Setting::new("length_of_stay", Kind::Template, "Nights: a whole number (mandatory)."),
    Setting::new("amount_of_room", Kind::Template, "Rooms: a whole number (mandatory)."),
    Setting::new("check_in_date", Kind::Template, "Check-in date, sent as given (mandatory)."),
    Setting::new("check_out_date", Kind::Template, "Check-out date, sent as given (mandatory)."),
];
/// Every `order_sync` setting besides the common ones.
pub const SETTINGS: &[Setting] = &[
    Setting::new("endpoint", Kind::Url, "The full Sync Order URL TikTok gave you (it is not public; no default).").required(),
    Setting::new("event_mapping", Kind::Map(MapKind::Text), "CA event name -> TikTok order status (`CREATE_ORDER`, `CANCEL_ORDER`, `COMPLETE_ORDER`, ...; sent as written). At least one.").required(),
];
const KEYS: &[&str] = &keys::<{ SETTINGS.len() }>(SETTINGS);
const VALUE_KEYS: &[&str] = &keys::<{ VALUE_SETTINGS.len() }>(VALUE_SETTINGS);

/// Resolved settings of one `order_sync` destination.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderSync {
    /// Full URL TikTok gave the merchant (not public; no default).
    pub endpoint: String,
    /// CA event name -> TikTok order status (`CREATE_ORDER`, `CANCEL_ORDER`, ...).
    pub event_mapping: Vec<(String, String)>,
    /// Templates by setting name, in `VALUE_KEYS` order (None: not set).
    values: Vec<Option<Template>>,
}

impl OrderSync {
    /// The template of a value setting.
    pub fn value(&self, name: &str) -> Option<&Template> {
        let i = VALUE_KEYS.iter().position(|key| *key == name)?;
        self.values.get(i)?.as_ref()
    }
}

pub(super) fn parse(s: &mut Section<'_>) -> Option<OrderSync> {
    s.deny_unknown(&[COMMON_KEYS, KEYS, VALUE_KEYS]);
    let endpoint = match s.string("endpoint") {
        Some(e) if e.starts_with("https://") || e.starts_with("http://") => Some(e.trim().to_owned()),
        Some(_) => {
            s.invalid("endpoint", "must be an http:// or https:// URL");
            None
        }
        None => {
            s.missing("endpoint", "required: the Sync Order URL TikTok gave you (it is not public)");
            None
        }
    };
    let event_mapping: Vec<(String, String)> = s
        .string_map("event_mapping")
        .into_iter()
        .filter(|(_, status)| !status.trim().is_empty())
        .map(|(ca, status)| (ca.trim().to_owned(), status.trim().to_owned()))
        .collect();
    if event_mapping.is_empty() {
        s.missing("event_mapping", "required: at least one CA event name -> TikTok order status");
    }
    let values = VALUE_KEYS.iter().map(|key| s.template(key)).collect();
    Some(OrderSync { endpoint: endpoint?, event_mapping, values })
}
