//! CA event -> TikTok Sync Order Information (spec b.3 field table, rules 1-7).
//! Every mandatory field that cannot be filled is named in one error: TikTok
//! would reject the order anyway, and the integrator fixes them all at once.

use super::values::{At, Reader};
use super::{Endpoint, Mapped};
use crate::config::OrderSync;
use crate::context::RequestContext;
use crate::delivery::report::SkipReason;
use crate::error::{Error, Warning};
use crate::node::Node;
use crate::path::{self, Lookup};
use crate::payload::order_sync::{Commission, OrderExtra, OrderInfo, OrderSyncBody, OrderValue, Promotion, Sku, Spu};
use crate::payload::Text;
use crate::request::Body;
use crate::{time, url};
use serde_json::Number;
use std::borrow::Cow;

const CANCEL_ORDER: &str = "CANCEL_ORDER";
const COMPLETE_ORDER: &str = "COMPLETE_ORDER";
const INITIATORS: &[&str] = &["MERCHANT", "CUSTOMER"];
/// Required for COMPLETE_ORDER: (CA path, TikTok field).
const FULFILLMENT: [(&str, &str); 3] = [
    ("partners.tiktok.fulfillment_value", "order_info.value.fulfillment_value"),
    ("partners.tiktok.fulfillment_tax", "order_info.value.fulfillment_tax"),
    ("partners.tiktok.fulfillment_service_fee", "order_info.value.fulfillment_service_fee"),
];
const COMMISSION_CURRENCY: (&str, &str) =
    ("partners.tiktok.commission_currency", "order_info.value.commission_value.0.currency");
const COMMISSION_BASE: (&str, &str) =
    ("partners.tiktok.commission_base_amount", "order_info.value.commission_value.0.commission_base_amount");

/// Mandatory fields that could not be filled: (TikTok field, where it comes from, why).
#[derive(Default)]
struct Missing(Vec<(&'static str, String, &'static str)>);

impl Missing {
    fn need<T>(&mut self, value: Option<T>, field: &'static str, source: impl Into<String>) -> Option<T> {
        if value.is_none() {
            self.0.push((field, source.into(), "missing"));
        }
        value
    }

    fn into_error(self) -> Option<Error> {
        let (_, first_source, _) = self.0.first()?;
        let list: Vec<String> =
            self.0.iter().map(|(field, source, why)| format!("{field} ({why}, from {source})")).collect();
        let message = format!("cannot build order_info: {}", list.join("; "));
        Some(Error::MissingField { path: first_source.clone(), message })
    }
}

pub fn map<'a>(
    d: &'a OrderSync,
    event: &'a Node<'a>,
    ctx: &RequestContext,
    r: &mut Reader<'a, 'a>,
) -> Result<Mapped<'a>, Error> {
    // Rule 1: order_status from event_mapping; unmapped events are not sent.
    let name = super::event_name(event)?;
    let Some(status) = d.event_mapping.iter().find(|(ca, _)| ca == name).map(|(_, s)| s.as_str()) else {
        return Ok(Mapped::Skip(SkipReason::UnmappedEvent));
    };
    let mut m = Missing::default();

    let ttoclid = ttoclid(d, event, ctx);
    let ttoclid = m.need(ttoclid, "ttoclid", source(d, "ttoclid"));
    let order_id = fixed_text(r, "id");
    let order_id = m.need(order_id, "order_info.order_id", "id");
    let merchant = required_text(d, event, ("third_merchant_id", "order_info.third_merchant_id"), &mut m);
    let shop_id = required_text(d, event, ("third_shop_id", "order_info.third_shop_id"), &mut m);
    let shop_name = required_text(d, event, ("third_shop_name", "order_info.third_shop_name"), &mut m);
    let country = required_text(d, event, ("order_country", "order_info.order_country"), &mut m);
    let create_time = setting_seconds(d, event, "create_time", &mut m);
    let (found, at) = r.fixed_first(super::EVENT_TIMESTAMP);
    let update_time = r.time_ms(found, at, ctx).div_euclid(1000);

    // Rule 2: initiator is required for CANCEL_ORDER, and is MERCHANT or CUSTOMER.
    let initiator = match fixed_text(r, "partners.tiktok.initiator") {
        Some(i) => match INITIATORS.iter().find(|v| v.eq_ignore_ascii_case(&i)) {
            Some(v) => Some(Text::Borrowed(*v)),
            None if status == CANCEL_ORDER => {
                let message = format!("must be one of: {}", INITIATORS.join(", "));
                return Err(Error::InvalidField { path: "partners.tiktok.initiator".into(), message });
            }
            None => {
                r.push(Warning::new("invalid_initiator", "partners.tiktok.initiator"));
                None
            }
        },
        None => None,
    };
    if status == CANCEL_ORDER {
        m.need(initiator.as_ref(), "order_info.initiator", "partners.tiktok.initiator");
    }

    let value = order_value(d, event, status, r, &mut m);
    let extra = OrderExtra {
        length_of_stay: setting_typed(
            d,
            event,
            ("length_of_stay", "order_info.extra.length_of_stay"),
            &mut m,
            |v, at| r.integer(v, at),
        )
        .unwrap_or_default(),
        amount_of_room: setting_typed(
            d,
            event,
            ("amount_of_room", "order_info.extra.amount_of_room"),
            &mut m,
            |v, at| r.integer(v, at),
        )
        .unwrap_or_default(),
        check_in_date: required_text(d, event, ("check_in_date", "order_info.extra.check_in_date"), &mut m)
            .unwrap_or_default(),
        check_out_date: required_text(d, event, ("check_out_date", "order_info.extra.check_out_date"), &mut m)
            .unwrap_or_default(),
        actual_occupancy: fixed_integer(r, "partners.tiktok.actual_occupancy"),
        no_show: {
            let (found, at) = r.fixed("partners.tiktok.no_show");
            r.boolean(found, at)
        },
        cancel_reason: fixed_text(r, "partners.tiktok.cancel_reason"),
    };
    // Rule 4: only the first item is used (the target is a single slot).
    let spu = Spu {
        third_spu_id: fixed_text(r, "items.0.third_spu_id"),
        third_spu_name: fixed_text(r, "items.0.third_spu_name"),
        sku_list: vec![Sku {
            third_sku_id: m
                .need(fixed_text(r, "items.0.id"), "order_info.spu_list.0.sku_list.0.third_sku_id", "items.0.id")
                .unwrap_or_default(),
            third_sku_name: m
                .need(
                    fixed_text(r, "items.0.product.name"),
                    "order_info.spu_list.0.sku_list.0.third_sku_name",
                    "items.0.product.name",
                )
                .unwrap_or_default(),
        }],
    };
    let promotion_info = Promotion {
        promotion_id: fixed_text(r, "partners.tiktok.promotion_id"),
        description: fixed_text(r, "partners.tiktok.promotion_description"),
        saved_amount: fixed_number(r, "partners.tiktok.promotion_saved_amount"),
    };
    let order_url = fixed_text(r, "context.page.url");

    if let Some(error) = m.into_error() {
        return Err(error);
    }
    let (
        Some(ttoclid),
        Some(order_id),
        Some(merchant),
        Some(shop_id),
        Some(shop_name),
        Some(country),
        Some(create_time),
        Some(value),
    ) = (ttoclid, order_id, merchant, shop_id, shop_name, country, create_time, value)
    else {
        // Every None above was recorded in `m`, which returned first.
        return Err(Error::MissingField { path: "order_info".into(), message: "incomplete order".into() });
    };
    let order_status = Text::Borrowed(status);
    let body = OrderSyncBody {
        ttoclid,
        order_info: OrderInfo {
            order_id,
            third_merchant_id: merchant,
            third_shop_id: shop_id,
            third_shop_name: shop_name,
            order_status: order_status.clone(),
            order_country: country,
            create_time,
            update_time,
            initiator,
            value,
            extra,
            spu_list: vec![spu],
            order_url,
            promotion_info,
        },
    };
    Ok(Mapped::Send {
        event: order_status,
        endpoint: Endpoint::Url(&d.endpoint),
        body: Body::OrderSync(Box::new(body)),
    })
}

/// `order_info.value`: settings, root fields and `partners.tiktok.*`; the
/// fulfillment and commission fields are required for COMPLETE_ORDER.
fn order_value<'a>(
    d: &'a OrderSync,
    event: &'a Node<'a>,
    status: &str,
    r: &mut Reader<'a, 'a>,
    m: &mut Missing,
) -> Option<OrderValue<'a>> {
    let currency = m.need(fixed_text(r, "currency"), "order_info.value.currency", "currency");
    let payment_value =
        setting_typed(d, event, ("payment_value", "order_info.value.payment_value"), m, |v, at| r.number(v, at));
    let total_value =
        setting_typed(d, event, ("total_value", "order_info.value.total_value"), m, |v, at| r.number(v, at));
    let total_room_fee = fixed_number(r, "partners.tiktok.total_room_fee");
    let total_tax = fixed_number(r, "tax_amount");
    let total_service_fee = fixed_number(r, "partners.tiktok.total_service_fee");
    let discounts = fixed_number(r, "partners.tiktok.discounts");
    let complete = status == COMPLETE_ORDER;
    let [fulfillment_value, fulfillment_tax, fulfillment_service_fee] = FULFILLMENT.map(|(source, target)| {
        let v = fixed_number(r, source);
        if complete {
            m.need(v.as_ref(), target, source);
        }
        v
    });
    let commission_currency = fixed_text(r, COMMISSION_CURRENCY.0);
    let commission_base = fixed_number(r, COMMISSION_BASE.0);
    if complete {
        m.need(commission_currency.as_ref(), COMMISSION_CURRENCY.1, COMMISSION_CURRENCY.0);
        m.need(commission_base.as_ref(), COMMISSION_BASE.1, COMMISSION_BASE.0);
    }
    // Money beyond any real order (and beyond exact cents in an f64) is refused by name.
    let money = [
        (&payment_value, "order_info.value.payment_value", source(d, "payment_value")),
        (&total_value, "order_info.value.total_value", source(d, "total_value")),
        (&total_room_fee, "order_info.value.total_room_fee", "partners.tiktok.total_room_fee".to_owned()),
        (&total_tax, "order_info.value.total_tax", "tax_amount".to_owned()),
        (&total_service_fee, "order_info.value.total_service_fee", "partners.tiktok.total_service_fee".to_owned()),
        (&discounts, "order_info.value.discounts", "partners.tiktok.discounts".to_owned()),
    ];
    for (value, target, from) in money {
        if value.as_ref().is_some_and(|n| cents(n).is_none()) {
            m.0.push((target, from, "not a money amount: at most 10^13 in absolute value"));
        }
    }
    // The documented formulas, checked to the cent when every part is present.
    let sum = |parts: &[&Option<Number>]| -> Option<i64> {
        parts.iter().try_fold(0_i64, |acc, p| acc.checked_add(p.as_ref().and_then(cents)?))
    };
    if let (Some(pay), Some(total), Some(disc)) = (
        payment_value.as_ref().and_then(cents),
        total_value.as_ref().and_then(cents),
        discounts.as_ref().and_then(cents),
    ) {
        if total.checked_sub(disc) != Some(pay) {
            r.push(Warning::new("value_mismatch", "order_info.value.payment_value"));
        }
    }
    if let (Some(total), Some(parts)) =
        (total_value.as_ref().and_then(cents), sum(&[&total_room_fee, &total_tax, &total_service_fee]))
    {
        if total != parts {
            r.push(Warning::new("value_mismatch", "order_info.value.total_value"));
        }
    }
    let commission_value = match (commission_currency, commission_base) {
        (Some(currency), Some(commission_base_amount)) => vec![Commission { currency, commission_base_amount }],
        _ => Vec::new(),
    };
    Some(OrderValue {
        currency: currency?,
        payment_value: payment_value?,
        total_value: total_value?,
        total_room_fee,
        total_tax,
        total_service_fee,
        discounts,
        fulfillment_value,
        fulfillment_tax,
        fulfillment_service_fee,
        commission_value,
    })
}

/// Rule 6 / d-22: the setting, else `partners.tiktok.ttoclid`, else cookie
/// `ttoclid`, else the `ttoclid` query parameter of `context.page.url`.
fn ttoclid<'a>(d: &'a OrderSync, event: &'a Node<'a>, ctx: &RequestContext) -> Option<Text<'a>> {
    d.value("ttoclid")
        .and_then(|t| t.render_text(event))
        .or_else(|| match path::get(event, "partners.tiktok.ttoclid") {
            Some(Node::String(s)) if !s.trim().is_empty() => Some(Cow::Borrowed(s.trim())),
            _ => None,
        })
        .or_else(|| super::cookie(super::event_cookie_header(event), ctx, "ttoclid"))
        .or_else(|| match path::get(event, "context.page.url") {
            Some(Node::String(u)) => url::query_param(u, "ttoclid"),
            _ => None,
        })
}

/// Where a setting's value comes from, for messages: its template's path, or the setting.
fn source(d: &OrderSync, setting: &'static str) -> String {
    match d.value(setting).and_then(|t| t.first_path()) {
        Some(p) => p.to_owned(),
        None if setting == "ttoclid" => "partners.tiktok.ttoclid".to_owned(),
        None => format!("setting {setting}"),
    }
}

fn required_text<'a>(
    d: &'a OrderSync,
    event: &'a Node<'a>,
    (setting, target): (&'static str, &'static str),
    m: &mut Missing,
) -> Option<Text<'a>> {
    m.need(d.value(setting).and_then(|t| t.render_text(event)), target, source(d, setting))
}

/// A typed value setting: `read` is `Reader::number` or `Reader::integer`.
fn setting_typed<'a, T>(
    d: &'a OrderSync,
    event: &'a Node<'a>,
    (setting, target): (&'static str, &'static str),
    m: &mut Missing,
    read: impl FnOnce(Option<Lookup<'_>>, At<'_>) -> Option<T>,
) -> Option<T> {
    let value = d.value(setting).and_then(|t| t.render(event));
    let typed = value.as_ref().and_then(|v| read(Some(Lookup::Value(v.as_ref())), At::Text(setting)));
    m.need(typed, target, source(d, setting))
}

/// `create_time` in Unix seconds; accepts seconds, milliseconds and ISO-8601.
fn setting_seconds(d: &OrderSync, event: &Node<'_>, setting: &'static str, m: &mut Missing) -> Option<i64> {
    let value = d.value(setting).and_then(|t| t.render(event));
    let Some(value) = value else {
        return m.need(None, "order_info.create_time", source(d, setting));
    };
    match time::parse(&value) {
        Some(t) => Some(t.ms.div_euclid(1000)),
        None => {
            m.0.push(("order_info.create_time", source(d, setting), "not a timestamp"));
            None
        }
    }
}

/// Largest money amount accepted, in cents: 10^13 units, far above any order and well
/// inside the integers an f64 holds exactly, so the formulas' arithmetic cannot overflow.
const MAX_CENTS: f64 = 1e15;

/// An amount in whole cents, or None when it is not a finite amount within [`MAX_CENTS`].
fn cents(n: &Number) -> Option<i64> {
    let c = (n.as_f64()? * 100.0).round();
    // In range, the cast is exact (|c| <= 10^15 < 2^53).
    (c.is_finite() && c.abs() <= MAX_CENTS).then_some(c as i64)
}

fn fixed_text<'a>(r: &mut Reader<'a, '_>, dotted: &'static str) -> Option<Text<'a>> {
    let (found, at) = r.fixed(dotted);
    r.text(found, at)
}

fn fixed_number(r: &mut Reader<'_, '_>, dotted: &'static str) -> Option<Number> {
    let (found, at) = r.fixed(dotted);
    r.number(found, at)
}

fn fixed_integer(r: &mut Reader<'_, '_>, dotted: &'static str) -> Option<i64> {
    let (found, at) = r.fixed(dotted);
    r.integer(found, at)
}
