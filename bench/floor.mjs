// The JS floor of the npm and workerd benchmarks (ours: no peer code): the output the core
// gives for bench/purchase.json with the config of the benchmarks, built field by field with
// no rules. The three SHA-256 digests are the caller's (node:crypto in Node, WebCrypto in
// workerd), so both floors build the identical object the same way.

/** The config both benchmarks plan with (the core side), and the context of each call. */
export const config = {
  destinations: [
    { id: "tiktok", type: "events_api", pixel_id: "CABCDEF1234567890", app_id: "7312345678901234567", consent_category: "3" },
  ],
};
export const context = { now: 1767225600000, secrets: { TIKTOK_ACCESS_TOKEN: "tok" } };

/** The normalised texts to hash, in order: email, external_id, phone. */
export const hashInputs = (e) => [e.user.email.trim().toLowerCase(), e.user.id.toLowerCase(), e.user.phone.replace(/\s/g, "")];

/** The result list of `buildRequests` for event `e`, given the hex digests of `hashInputs(e)`. */
export function floorOutput(e, [email, externalId, phone]) {
  const c = e.context;
  const cookie = Object.fromEntries(c.device.cookie.split("; ").map((p) => p.split("=")));
  return {
    results: [
      {
        destination: "tiktok",
        event: "CompletePayment",
        request: {
          body: {
            data: [
              {
                event: "CompletePayment",
                event_id: e.id,
                event_time: Math.floor(c.event_timestamp / 1000),
                page: { referrer: c.page.referrer, url: c.page.url },
                properties: {
                  content_ids: e.items.map((i) => i.id),
                  contents: e.items.map((i) => ({
                    brand: i.product.brand,
                    content_category: i.product.category_1,
                    content_id: i.id,
                    content_name: i.product.name,
                    content_type: "product",
                    price: i.price,
                    quantity: i.quantity,
                  })),
                  currency: e.currency,
                  description: e.event_name,
                  num_items: e.items.length,
                  order_id: e.id,
                  shop_id: e.partners.tiktok.shop_id,
                  status: e.status,
                  value: e.value,
                },
                user: {
                  email,
                  external_id: externalId,
                  ip: c.device.ip,
                  phone,
                  ttclid: new URL(c.page.url).searchParams.get("ttclid"),
                  ttp: cookie._ttp,
                  user_agent: c.device.user_agent,
                },
              },
            ],
            event_source: "web",
            event_source_id: "CABCDEF1234567890",
          },
          headers: { "Access-Token": "<redacted>", "Content-Type": "application/json" },
          method: "POST",
          url: "https://business-api.tiktok.com/open_api/v1.3/event/track/",
        },
        status: "ready",
      },
    ],
  };
}

/** Calls per second of `fn` over about `ms` milliseconds (batches of 20 between clock reads). */
export function rate(fn, ms = 400) {
  const start = performance.now();
  let n = 0;
  let now;
  do {
    for (let i = 0; i < 20; i++, n++) fn();
    now = performance.now();
  } while (now - start < ms);
  return n / ((now - start) / 1000);
}
