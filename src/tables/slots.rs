//! Smart Mapping slots of the TikTok Events API destination (spec b.1 field
//! table, names from CA revision 6d54c18a in snake_case) and their default
//! CA paths. In config, `smart_mapping.<slot>` repoints a slot to another path
//! or to a list of paths (the first one present wins); `""` turns it off (the
//! TikTok field is not sent).
//!
//! A default may be such a list: CA's own events carry some values in more than
//! one place (`context.event_timestamp` or a root `event_timestamp`, a price at
//! `items.X.product.price` or `items.X.price`, `user.email` or only its hash).
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
    UserFirstName,
    UserLastName,
    UserCity,
    UserState,
    UserCountry,
    UserZipCode,
    Cookies,
}

/// One row: the slot, its config key, its default CA paths (first present wins;
/// empty: no default).
pub struct SlotDef {
    pub slot: Slot,
    pub key: &'static str,
    pub default: &'static [&'static str],
}

const fn row(slot: Slot, key: &'static str, default: &'static [&'static str]) -> SlotDef {
    SlotDef { slot, key, default }
}

/// Every slot, in `Slot` order. `experience_type` and `device_platform` have no
/// documented default (spec d-4, d-5); `device_platform` falls back to `context.device.type`.
/// Second paths are CA's other documented places for the same value (issue 14).
pub const SLOTS: &[SlotDef] = &[
    row(Slot::EventSource, "event_source", &["partners.tiktok.event_source"]),
    row(Slot::ExperienceType, "experience_type", &[]),
    row(Slot::DevicePlatform, "device_platform", &[]),
    row(Slot::EventTimestamp, "event_timestamp", &["context.event_timestamp", "event_timestamp"]),
    row(Slot::EventId, "event_id", &["id", "context.event_id"]),
    row(Slot::ClickId, "click_id", &["partners.tiktok.ttclid"]),
    row(Slot::UserId, "user_id", &["user.id", "user.id_sha256"]),
    row(Slot::CookieId, "cookie_id", &["partners.tiktok.ttp"]),
    row(Slot::PageUrl, "page_url", &["context.page.url"]),
    row(Slot::PageReferrer, "page_referrer", &["context.page.referrer"]),
    row(Slot::DeviceIdfa, "device_idfa", &["context.device.advertising_id"]),
    row(Slot::DeviceIdfv, "device_idfv", &["context.device.idfv"]),
    row(Slot::DeviceAttStatus, "device_attr_status", &["context.device.att_status"]),
    row(Slot::DeviceGaid, "device_gaid", &["context.device.advertising_id"]),
    row(Slot::AppId, "app_id", &["context.app.namespace"]),
    row(Slot::AppName, "app_name", &["context.app.name"]),
    row(Slot::AppVersion, "app_version", &["context.app.version"]),
    row(Slot::UserEmail, "user_email", &["user.email", "user.email_sha256"]),
    row(Slot::UserPhone, "user_phone", &["user.phone", "user.phone_sha256"]),
    row(Slot::DeviceIp, "device_ip", &["context.device.ip"]),
    row(Slot::DeviceUserAgent, "device_user_agent", &["context.device.user_agent"]),
    row(Slot::DeviceLanguage, "device_language", &["context.device.language"]),
    row(Slot::LimitedDataUse, "limited_data_use", &["partners.tiktok.ldu"]),
    row(Slot::ItemContentType, "item_content_type", &["items.X.content_type"]),
    row(Slot::ItemId, "item_id", &["items.X.id"]),
    row(Slot::ItemPrice, "item_price", &["items.X.product.price", "items.X.price"]),
    row(Slot::ItemQuantity, "item_quantity", &["items.X.quantity"]),
    row(Slot::ItemName, "item_name", &["items.X.product.name"]),
    row(Slot::ItemCategory, "item_category", &["items.X.product.category_1"]),
    row(Slot::ItemBrand, "item_brand", &["items.X.product.brand"]),
    row(Slot::SearchTerm, "search_term", &["search_term"]),
    row(Slot::TransactionId, "transaction_id", &["id"]),
    row(Slot::ShopIdentifier, "shop_identifier", &["partners.tiktok.shop_id"]),
    row(Slot::TransactionStatus, "transaction_status", &["status"]),
    row(Slot::ContentType, "content_type", &["content_type"]),
    row(Slot::Currency, "currency", &["currency"]),
    row(Slot::Description, "description", &["event_name"]),
    row(Slot::TransactionValue, "transaction_value", &["value"]),
    row(Slot::ItemList, "item_list", &["items.length"]),
    // Match keys beyond the seed (TikTok's current `user` parameters), CA user fields.
    row(Slot::UserFirstName, "user_first_name", &["user.firstname", "user.firstname_sha256"]),
    row(Slot::UserLastName, "user_last_name", &["user.lastname", "user.lastname_sha256"]),
    row(Slot::UserCity, "user_city", &["user.city"]),
    row(Slot::UserState, "user_state", &["user.state"]),
    row(Slot::UserCountry, "user_country", &["user.country"]),
    row(Slot::UserZipCode, "user_zip_code", &["user.zipcode", "user.zipcode_sha256"]),
    // The Cookie header string the `_ttp` and `ttclid` cookies are read from.
    row(Slot::Cookies, "cookies", &["context.device.cookie", "context.cookie"]),
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
    ("user_first_name", "`user.first_name` (hashed; off with `extended_match_keys: false`)"),
    ("user_last_name", "`user.last_name` (hashed; off with `extended_match_keys: false`)"),
    ("user_city", "`user.city` (normalised; off with `extended_match_keys: false`)"),
    ("user_state", "`user.state` (normalised; off with `extended_match_keys: false`)"),
    ("user_country", "`user.country` (normalised; off with `extended_match_keys: false`)"),
    ("user_zip_code", "`user.zip_code` (hashed; off with `extended_match_keys: false`)"),
    ("cookies", "the cookie string `user.ttp` and `user.ttclid` are read from (`_ttp`, `ttclid`)"),
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
    /// The match keys beyond the seed, turned off by `extended_match_keys: false`.
    pub fn is_extended_match_key(self) -> bool {
        matches!(
            self,
            Slot::UserFirstName
                | Slot::UserLastName
                | Slot::UserCity
                | Slot::UserState
                | Slot::UserCountry
                | Slot::UserZipCode
        )
    }

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
        assert_eq!(SLOTS.len(), 46, "the field table, experience_type, device_platform, 6 match keys, cookies");
    }
}
