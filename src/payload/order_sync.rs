//! Sync Order Information body (spec tiktok-api.md 4.2, CA's "Resolved absolute
//! paths"). TikTok has not published this API: the field names are CA's, the
//! place of `ttoclid` (a sibling of `order_info`) is the spec's best reading.

use super::write::{field, Fields, WriteJson};
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

// The JSON text of each struct, as its derived `Serialize` writes it (write.rs says why).

impl WriteJson for OrderSyncBody<'_> {
    fn write_json(&self, out: &mut String) {
        let OrderSyncBody { ttoclid, order_info } = self;
        let mut f = Fields::open(out);
        f.text(field!("ttoclid"), ttoclid);
        f.object(field!("order_info"), order_info);
        f.close();
    }
}

impl WriteJson for OrderInfo<'_> {
    fn write_json(&self, out: &mut String) {
        let OrderInfo {
            order_id,
            third_merchant_id,
            third_shop_id,
            third_shop_name,
            order_status,
            order_country,
            create_time,
            update_time,
            initiator,
            value,
            extra,
            spu_list,
            order_url,
            promotion_info,
        } = self;
        let mut f = Fields::open(out);
        f.text(field!("order_id"), order_id);
        f.text(field!("third_merchant_id"), third_merchant_id);
        f.text(field!("third_shop_id"), third_shop_id);
        f.text(field!("third_shop_name"), third_shop_name);
        f.text(field!("order_status"), order_status);
        f.text(field!("order_country"), order_country);
        f.int(field!("create_time"), *create_time);
        f.int(field!("update_time"), *update_time);
        f.opt_text(field!("initiator"), initiator);
        f.object(field!("value"), value);
        f.object(field!("extra"), extra);
        f.items(field!("spu_list"), spu_list);
        f.opt_text(field!("order_url"), order_url);
        if !promotion_info.is_empty() {
            f.object(field!("promotion_info"), promotion_info);
        }
        f.close();
    }
}

impl WriteJson for OrderValue<'_> {
    fn write_json(&self, out: &mut String) {
        let OrderValue {
            currency,
            payment_value,
            total_value,
            total_room_fee,
            total_tax,
            total_service_fee,
            discounts,
            fulfillment_value,
            fulfillment_tax,
            fulfillment_service_fee,
            commission_value,
        } = self;
        let mut f = Fields::open(out);
        f.text(field!("currency"), currency);
        f.number(field!("payment_value"), payment_value);
        f.number(field!("total_value"), total_value);
        f.opt_number(field!("total_room_fee"), total_room_fee);
        f.opt_number(field!("total_tax"), total_tax);
        f.opt_number(field!("total_service_fee"), total_service_fee);
        f.opt_number(field!("discounts"), discounts);
        f.opt_number(field!("fulfillment_value"), fulfillment_value);
        f.opt_number(field!("fulfillment_tax"), fulfillment_tax);
        f.opt_number(field!("fulfillment_service_fee"), fulfillment_service_fee);
        if !commission_value.is_empty() {
            f.items(field!("commission_value"), commission_value);
        }
        f.close();
    }
}

impl WriteJson for Commission<'_> {
    fn write_json(&self, out: &mut String) {
        let Commission { currency, commission_base_amount } = self;
        let mut f = Fields::open(out);
        f.text(field!("currency"), currency);
        f.number(field!("commission_base_amount"), commission_base_amount);
        f.close();
    }
}

impl WriteJson for OrderExtra<'_> {
    fn write_json(&self, out: &mut String) {
        let OrderExtra {
            length_of_stay,
            amount_of_room,
            check_in_date,
            check_out_date,
            actual_occupancy,
            no_show,
            cancel_reason,
        } = self;
        let mut f = Fields::open(out);
        f.int(field!("length_of_stay"), *length_of_stay);
        f.int(field!("amount_of_room"), *amount_of_room);
        f.text(field!("check_in_date"), check_in_date);
        f.text(field!("check_out_date"), check_out_date);
        f.opt_int(field!("actual_occupancy"), *actual_occupancy);
        f.opt_bool(field!("no_show"), *no_show);
        f.opt_text(field!("cancel_reason"), cancel_reason);
        f.close();
    }
}

impl WriteJson for Spu<'_> {
    fn write_json(&self, out: &mut String) {
        let Spu { third_spu_id, third_spu_name, sku_list } = self;
        let mut f = Fields::open(out);
        f.opt_text(field!("third_spu_id"), third_spu_id);
        f.opt_text(field!("third_spu_name"), third_spu_name);
        f.items(field!("sku_list"), sku_list);
        f.close();
    }
}

impl WriteJson for Sku<'_> {
    fn write_json(&self, out: &mut String) {
        let Sku { third_sku_id, third_sku_name } = self;
        let mut f = Fields::open(out);
        f.text(field!("third_sku_id"), third_sku_id);
        f.text(field!("third_sku_name"), third_sku_name);
        f.close();
    }
}

impl WriteJson for Promotion<'_> {
    fn write_json(&self, out: &mut String) {
        let Promotion { promotion_id, description, saved_amount } = self;
        let mut f = Fields::open(out);
        f.opt_text(field!("promotion_id"), promotion_id);
        f.opt_text(field!("description"), description);
        f.opt_number(field!("saved_amount"), saved_amount);
        f.close();
    }
}
