//! Sync Order Information body (spec tiktok-api.md 4.2, CA's "Resolved absolute
//! paths"). TikTok has not published this API: the field names are CA's, the
//! place of `ttoclid` (a sibling of `order_info`) is the spec's best reading.

use super::Text;
use serde::Serialize;
use serde_json::Number;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderSyncBody<'a> {
    pub ttoclid: Text<'a>,
    pub order_info: OrderInfo<'a>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderInfo<'a> {
    pub order_id: Text<'a>,
    pub third_merchant_id: Text<'a>,
    pub third_shop_id: Text<'a>,
    pub third_shop_name: Text<'a>,
    pub order_status: Text<'a>,
    pub order_country: Text<'a>,
    /// Unix seconds.
    pub create_time: i64,
    /// Unix seconds.
    pub update_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiator: Option<Text<'a>>,
    pub value: OrderValue<'a>,
    pub extra: OrderExtra<'a>,
    pub spu_list: Vec<Spu<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_url: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Promotion::is_empty")]
    pub promotion_info: Promotion<'a>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderValue<'a> {
    pub currency: Text<'a>,
    pub payment_value: Number,
    pub total_value: Number,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_room_fee: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_tax: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_service_fee: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discounts: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fulfillment_value: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fulfillment_tax: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fulfillment_service_fee: Option<Number>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commission_value: Vec<Commission<'a>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commission<'a> {
    pub currency: Text<'a>,
    pub commission_base_amount: Number,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderExtra<'a> {
    pub length_of_stay: i64,
    pub amount_of_room: i64,
    pub check_in_date: Text<'a>,
    pub check_out_date: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_occupancy: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_show: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<Text<'a>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spu<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub third_spu_id: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub third_spu_name: Option<Text<'a>>,
    pub sku_list: Vec<Sku<'a>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sku<'a> {
    pub third_sku_id: Text<'a>,
    pub third_sku_name: Text<'a>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Promotion<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_id: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved_amount: Option<Number>,
}

impl Promotion<'_> {
    pub fn is_empty(&self) -> bool {
        *self == Promotion::default()
    }
}
