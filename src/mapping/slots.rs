//! Smart Mapping slots of the TikTok Events API destination (spec b.1 field
//! table, names from CA revision 6d54c18a in snake_case) and their default
//! CA paths. In config, `smart_mapping.<slot>` repoints a slot to another path;
//! `""` turns it off (the TikTok field is not sent).
//!
//! Item slots use `X` for "every element": `items.X.product.price`.

/// A Smart Mapping slot. The discriminant indexes `SLOTS` and resolved slot arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    EventSource,
    ExperienceType,
    DevicePlatform,
    EventTimestamp,
    EventId,
    ClickId,
    UserId,
    CookieId,
    PageUrl,
    PageReferrer,
    DeviceIdfa,
    DeviceIdfv,
    DeviceAttStatus,
    DeviceGaid,
    AppId,
    AppName,
    AppVersion,
    UserEmail,
    UserPhone,
    DeviceIp,
    DeviceUserAgent,
    DeviceLanguage,
    LimitedDataUse,
    ItemContentType,
    ItemId,
    ItemPrice,
    ItemQuantity,
    ItemName,
    ItemCategory,
    ItemBrand,
    SearchTerm,
    TransactionId,
    ShopIdentifier,
    TransactionStatus,
    ContentType,
    Currency,
    Description,
    TransactionValue,
    ItemList,
}

/// One row: the slot, its config key, its default CA path (None: no default).
pub struct SlotDef {
    pub slot: Slot,
    pub key: &'static str,
    pub default: Option<&'static str>,
}

const fn row(slot: Slot, key: &'static str, default: Option<&'static str>) -> SlotDef {
    SlotDef { slot, key, default }
}

/// Every slot, in `Slot` order. `experience_type` and `device_platform` have no
/// documented default (spec d-4, d-5); `device_platform` falls back to `context.device.type`.
pub const SLOTS: &[SlotDef] = &[
    row(Slot::EventSource, "event_source", Some("partners.tiktok.event_source")),
    row(Slot::ExperienceType, "experience_type", None),
    row(Slot::DevicePlatform, "device_platform", None),
    row(Slot::EventTimestamp, "event_timestamp", Some("context.event_timestamp")),
    row(Slot::EventId, "event_id", Some("id")),
    row(Slot::ClickId, "click_id", Some("partners.tiktok.ttclid")),
    row(Slot::UserId, "user_id", Some("user.id")),
    row(Slot::CookieId, "cookie_id", Some("partners.tiktok.ttp")),
    row(Slot::PageUrl, "page_url", Some("context.page.url")),
    row(Slot::PageReferrer, "page_referrer", Some("context.page.referrer")),
    row(Slot::DeviceIdfa, "device_idfa", Some("context.device.advertising_id")),
    row(Slot::DeviceIdfv, "device_idfv", Some("context.device.idfv")),
    row(Slot::DeviceAttStatus, "device_attr_status", Some("context.device.att_status")),
    row(Slot::DeviceGaid, "device_gaid", Some("context.device.advertising_id")),
    row(Slot::AppId, "app_id", Some("context.app.namespace")),
    row(Slot::AppName, "app_name", Some("context.app.name")),
    row(Slot::AppVersion, "app_version", Some("context.app.version")),
    row(Slot::UserEmail, "user_email", Some("user.email")),
    row(Slot::UserPhone, "user_phone", Some("user.phone")),
    row(Slot::DeviceIp, "device_ip", Some("context.device.ip")),
    row(Slot::DeviceUserAgent, "device_user_agent", Some("context.device.user_agent")),
    row(Slot::DeviceLanguage, "device_language", Some("context.device.language")),
    row(Slot::LimitedDataUse, "limited_data_use", Some("partners.tiktok.ldu")),
    row(Slot::ItemContentType, "item_content_type", Some("items.X.content_type")),
    row(Slot::ItemId, "item_id", Some("items.X.id")),
    row(Slot::ItemPrice, "item_price", Some("items.X.product.price")),
    row(Slot::ItemQuantity, "item_quantity", Some("items.X.quantity")),
    row(Slot::ItemName, "item_name", Some("items.X.product.name")),
    row(Slot::ItemCategory, "item_category", Some("items.X.product.category_1")),
    row(Slot::ItemBrand, "item_brand", Some("items.X.product.brand")),
    row(Slot::SearchTerm, "search_term", Some("search_term")),
    row(Slot::TransactionId, "transaction_id", Some("id")),
    row(Slot::ShopIdentifier, "shop_identifier", Some("partners.tiktok.shop_id")),
    row(Slot::TransactionStatus, "transaction_status", Some("status")),
    row(Slot::ContentType, "content_type", Some("content_type")),
    row(Slot::Currency, "currency", Some("currency")),
    row(Slot::Description, "description", Some("event_name")),
    row(Slot::TransactionValue, "transaction_value", Some("value")),
    row(Slot::ItemList, "item_list", Some("items.length")),
];

/// The TikTok field each slot fills, by slot key (for the schema and the README).
pub const SLOT_FIELDS: &[(&str, &str)] = &[
    ("event_source", "`event_source` (`web`, `app`, `offline`, `crm`, any case)"),
    ("experience_type", "autodiscovery: `native app` means app"),
    ("device_platform", "`ios` / `android` (any case) gate the device ids"),
    ("event_timestamp", "`data[0].event_time`"),
    ("event_id", "`data[0].event_id`"),
    ("click_id", "`user.ttclid`"),
    ("user_id", "`user.external_id` (hashed)"),
    ("cookie_id", "`user.ttp`"),
    ("page_url", "`page.url`"),
    ("page_referrer", "`page.referrer`"),
    ("device_idfa", "`user.idfa` (iOS only)"),
    ("device_idfv", "`user.idfv` (iOS only)"),
    ("device_attr_status", "`user.att_status` (iOS only)"),
    ("device_gaid", "`user.gaid` (Android only)"),
    ("app_id", "`app.app_id` (required for app events)"),
    ("app_name", "`app.app_name`"),
    ("app_version", "`app.app_version`"),
    ("user_email", "`user.email` (hashed)"),
    ("user_phone", "`user.phone` (hashed)"),
    ("device_ip", "`user.ip`"),
    ("device_user_agent", "`user.user_agent`"),
    ("device_language", "`user.locale`"),
    ("limited_data_use", "`limited_data_use`"),
    ("item_content_type", "`properties.contents[].content_type`"),
    ("item_id", "`properties.contents[].content_id` and `properties.content_ids`"),
    ("item_price", "`properties.contents[].price`"),
    ("item_quantity", "`properties.contents[].quantity`"),
    ("item_name", "`properties.contents[].content_name`"),
    ("item_category", "`properties.contents[].content_category`"),
    ("item_brand", "`properties.contents[].brand`"),
    ("search_term", "`properties.search_string` (web only)"),
    ("transaction_id", "`properties.order_id` (web only)"),
    ("shop_identifier", "`properties.shop_id` (web only)"),
    ("transaction_status", "`properties.status` (web only)"),
    ("content_type", "`properties.content_type` (web only)"),
    ("currency", "`properties.currency`"),
    ("description", "`properties.description`"),
    ("transaction_value", "`properties.value`"),
    ("item_list", "`properties.num_items`"),
];

/// The TikTok field a slot fills ("" when the table lacks it: a test fails).
pub fn field(key: &str) -> &'static str {
    SLOT_FIELDS.iter().find(|(k, _)| *k == key).map_or("", |(_, f)| f)
}

/// Config keys of `smart_mapping` (for "unknown key" messages), derived from `SLOTS`.
pub const SLOT_KEYS: &[&str] = &slot_keys();

const fn slot_keys() -> [&'static str; SLOTS.len()] {
    let mut keys = [""; SLOTS.len()];
    let mut i = 0;
    while i < SLOTS.len() {
        // In bounds: both arrays have SLOTS.len() elements (a const fn cannot use iterators).
        #[allow(clippy::indexing_slicing)]
        {
            keys[i] = SLOTS[i].key;
        }
        i += 1;
    }
    keys
}

impl Slot {
    /// True for slots read once per element of the items array.
    pub fn is_per_item(self) -> bool {
        matches!(
            self,
            Slot::ItemContentType
                | Slot::ItemId
                | Slot::ItemPrice
                | Slot::ItemQuantity
                | Slot::ItemName
                | Slot::ItemCategory
                | Slot::ItemBrand
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_slot_order_and_keys_match() {
        for (i, def) in SLOTS.iter().enumerate() {
            assert_eq!(def.slot as usize, i, "{}", def.key);
            assert_eq!(SLOT_KEYS[i], def.key);
        }
        assert_eq!(SLOTS.len(), SLOT_KEYS.len());
        let keys: Vec<&str> = SLOT_FIELDS.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, SLOT_KEYS, "SLOT_FIELDS: one row per slot, in SLOTS order");
        assert_eq!(SLOTS.len(), 39, "every slot of the field table, plus experience_type and device_platform");
    }
}
