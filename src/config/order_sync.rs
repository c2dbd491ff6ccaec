//! Settings of destination type `order_sync` (TikTok Sync Order Information,
//! spec b.3). Every value setting is a template: per-order data comes from the
//! event (`{{booking.hotel_id}}`), constants are plain text.

use super::reader::Section;
use super::COMMON_KEYS;
use crate::template::Template;

/// Value settings, in the order of the seed, with the `order_info` field each fills.
pub const VALUE_SETTINGS: &[&str] = &[
    "ttoclid",
    "third_merchant_id",
    "third_shop_id",
    "third_shop_name",
    "payment_value",
    "total_value",
    "order_country",
    "create_time",
    "length_of_stay",
    "amount_of_room",
    "check_in_date",
    "check_out_date",
];
const KEYS: &[&str] = &["endpoint", "event_mapping"];

/// Resolved settings of one `order_sync` destination.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderSync {
    /// Full URL TikTok gave the merchant (not public; no default).
    pub endpoint: String,
    /// CA event name -> TikTok order status (`CREATE_ORDER`, `CANCEL_ORDER`, ...).
    pub event_mapping: Vec<(String, String)>,
    /// Templates by setting name, in `VALUE_SETTINGS` order (None: not set).
    values: Vec<Option<Template>>,
}

impl OrderSync {
    /// The template of a value setting.
    pub fn value(&self, name: &str) -> Option<&Template> {
        let i = VALUE_SETTINGS.iter().position(|n| *n == name)?;
        self.values.get(i)?.as_ref()
    }
}

pub(super) fn parse(s: &mut Section<'_>) -> Option<OrderSync> {
    s.deny_unknown(&[COMMON_KEYS, KEYS, VALUE_SETTINGS]);
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
    let values = VALUE_SETTINGS.iter().map(|name| s.template(name)).collect();
    Some(OrderSync { endpoint: endpoint?, event_mapping, values })
}
