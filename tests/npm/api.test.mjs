// The npm package, installed from its tarball into a temporary project and used
// from there: every public function, the Rust golden fixtures with the same
// expected output, error cases (and the instance still working after each one).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DEFAULT_NOW_MS, inputs, installed, root } from "./install.mjs";

let t;
let project;
before(async () => ({ api: t, project } = await installed()));
after(() => project?.remove());

const fixtures = join(root, "tests/fixtures");
const read = (path) => JSON.parse(readFileSync(path, "utf8"));
const files = (group) =>
  readdirSync(join(fixtures, group))
    .filter((f) => f.endsWith(".json") && !f.startsWith("_"))
    .sort();

const hasUndefined = (v) =>
  v === undefined || (typeof v === "object" && v !== null && Object.values(v).some(hasUndefined));
const purchase = () => read(join(root, "examples/purchase.json"));
const exampleConfig = () => read(join(root, "examples/config.json"));
const secrets = { TIKTOK_ACCESS_TOKEN: "tok-123", TIKTOK_OFFLINE_TOKEN: "tok-456", TIKTOK_ORDERS_TOKEN: "tok-789" };

test("exports exactly the documented functions", () => {
  const names = [
    "batchRequests",
    "buildRequests",
    "buildRequestsJson",
    "classifyResponse",
    "hashIdentifier",
    "init",
    "normalizeEmail",
    "normalizePhone",
    "parseCookies",
    "validateConfig",
  ];
  assert.deepEqual(Object.keys(t).sort(), names);
});

for (const group of ["events_api", "offline_events", "order_sync"]) {
  describe(`golden fixtures: ${group}`, () => {
    for (const file of files(group)) {
      test(file.replace(/\.json$/, ""), () => {
        const fixture = read(join(fixtures, group, file));
        const { config, event, context } = inputs(group, fixture);
        // The Rust harness plans `event` as one event; here an array is a list of events.
        const input = Array.isArray(event) ? [event] : event;
        const unindexed = (results) => results.map(({ index, ...r }) => (Array.isArray(event) ? r : { index, ...r }));
        const { results } = t.buildRequests(config, input, context);
        assert.ok(!hasUndefined(results), "undefined in the output");
        assert.deepStrictEqual(JSON.parse(JSON.stringify(unindexed(results))), fixture.expected);
        const text = t.buildRequestsJson(JSON.stringify(config), JSON.stringify(input), context);
        assert.deepStrictEqual(JSON.parse(JSON.stringify(unindexed(JSON.parse(text).results))), fixture.expected);
        assert.ok(!text.includes("test-token"), "a token leaked");
      });
    }
  });
}

describe("golden fixtures: config", () => {
  for (const file of files("config")) {
    test(file.replace(/\.json$/, ""), () => {
      const fixture = read(join(fixtures, "config", file));
      assert.deepStrictEqual(t.validateConfig(fixture.config), fixture.expected_errors);
    });
  }
});

test("an array of events gives every result its event's index, in order", () => {
  const config = { destinations: [{ id: "tiktok", type: "events_api", pixel_id: "CABCDEF1234567890" }] };
  const events = [{ event_name: "purchase", id: "A" }, { event_name: "nope" }, { event_name: "add_to_cart", id: "C" }];
  const { results } = t.buildRequests(config, events, { now: DEFAULT_NOW_MS, secrets });
  assert.deepEqual(
    results.map((r) => [r.index, r.status, r.event ?? r.reason]),
    [
      [0, "ready", "CompletePayment"],
      [1, "skipped", "unmapped_event"],
      [2, "ready", "AddToCart"],
    ],
  );
});

test("texts of any size and script cross whole into the core (the wrapper's shared buffer)", () => {
  const config = JSON.stringify(exampleConfig());
  const context = { now: DEFAULT_NOW_MS, secrets };
  // Growing, then shrinking: bytes left from a longer call must never be read.
  for (const filler of ["", "é".repeat(5000), "😀".repeat(7000), "x"]) {
    const event = { ...purchase(), user: { ...purchase().user, email: " Zoë.😀@Example.com" }, note: filler };
    const [result] = JSON.parse(t.buildRequestsJson(config, JSON.stringify(event), context)).results;
    assert.equal(result.status, "ready");
    // printf %s 'zoë.😀@example.com' | sha256sum
    assert.equal(result.request.body.data[0].user.email, "6b8ccf84c91fbae5ca32db2cec0cd02c67251b3de97f92df905aa3578f2f9d90");
    assert.deepStrictEqual(t.buildRequests(exampleConfig(), event, context).results[0], result);
  }
  // A lone surrogate in a raw text becomes U+FFFD, as wasm-bindgen's own passing makes it.
  const raw = JSON.stringify({ ...purchase(), id: "X" }).replace('"X"', '"A\ud800"');
  const [odd] = JSON.parse(t.buildRequestsJson(config, raw, context)).results;
  assert.equal(odd.request.body.data[0].event_id, "A\ufffd");
});

test("tokens are redacted unless revealTokens is set by the sender", () => {
  const redacted = JSON.stringify(t.buildRequests(exampleConfig(), purchase(), { secrets }));
  assert.ok(!redacted.includes("tok-123") && redacted.includes("<redacted>"));
  const { results } = t.buildRequests(exampleConfig(), purchase(), { secrets, revealTokens: true });
  assert.equal(results[0].request.headers["Access-Token"], "tok-123");
  const text = t.buildRequestsJson(JSON.stringify(exampleConfig()), JSON.stringify(purchase()), { secrets, revealTokens: true });
  assert.equal(JSON.parse(text).results[0].request.headers["Access-Token"], "tok-123");
});

test("without context.now the event's own timestamp is used and the clock only fills a gap", () => {
  const config = { destinations: [{ id: "tiktok", type: "events_api", pixel_id: "CABCDEF1234567890" }] };
  const withTime = t.buildRequests(config, purchase(), { secrets }).results[0];
  assert.equal(withTime.request.body.data[0].event_time, 1765290725);
  const before = Math.floor(Date.now() / 1000);
  const noTime = t.buildRequests(config, { event_name: "purchase", id: "X" }, { secrets }).results[0];
  assert.ok(noTime.request.body.data[0].event_time >= before);
});

test("hashIdentifier matches the independent vectors of spec 2.8", () => {
  const vectors = [
    ["email", " ALICE_abc@gmail.com ", "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f"],
    ["email", " John.Doe@Example.COM ", "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"],
    ["email", "bugsbunny@warnerbros.com", "67e28cdcc3e845d3a4da05ca9fe5ddb7320a83b4cc2167f0555a3b04f63511e3"],
    ["phone", "(+1)2133734253", "9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd"],
    ["phone", "+1555-555-5555", "910a625c4ba147b544e6bd2f267e130ae14c591b6ba9c25cb8573322dedbebd0"],
    ["phone", "+44 20 7183 8750", "e631c2534428c6c9b48c2167604a8983046085e43a2c00ed748733c544c0bb4d"],
    ["external_id", "user_123", "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b"],
    ["external_id", "User-123", "fcdec6df4d44dbc637c7c5b58efface52a7f8a88535423430255be0bb89bedd8"],
    ["external_id_case_sensitive", "User-123", "9fd04ee71c44e21cddbd6c9eab81e2d21324f0ace8ec10cbb929b3390625fc9e"],
    ["external_id", "testId123", "481f202262e9c5ccc48d24e60798fadaa5f6ff1f8369f7ab927c04c3aa682a7f"],
    ["first_name", "John", "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a"],
    ["last_name", "Doe", "799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f"],
    ["zip_code", "94043", "1b10e5e0b47cefad5c4f6c1d10b8b6fbbd5af9756eb01ed5c8ee1f588b65947b"],
  ];
  for (const [kind, input, expected] of vectors) assert.equal(t.hashIdentifier(kind, input), expected, `${kind} ${input}`);
  const hashed = "848A771458438FC2EC420560D769FB9B9B86851EE338EC56517BAABD79D3BB4F";
  assert.equal(t.hashIdentifier("email", hashed), hashed.toLowerCase(), "a hash is never hashed twice");
  assert.equal(t.hashIdentifier("email", "   "), null, "empty is omitted, never sha256('')");
});

test("normalizeEmail and normalizePhone give the clear form that is hashed, or null", () => {
  assert.equal(t.normalizeEmail(" John.Doe@Example.COM "), "john.doe@example.com");
  assert.equal(t.normalizeEmail(""), null);
  assert.equal(t.normalizePhone("(+1)2133734253"), "+12133734253");
  assert.equal(t.normalizePhone("0044 20 7183 8750"), "+442071838750");
  assert.equal(t.normalizePhone("06 12 34 56 78"), null, "no country code is ever invented");
});

test("parseCookies decodes values, first of a name wins, empty values left out", () => {
  assert.deepEqual(t.parseCookies('_ttp=2Xy9; ttclid=E.C.P%2Fab; _ttp=other; empty=; q="quoted"'), {
    _ttp: "2Xy9",
    ttclid: "E.C.P/ab",
    q: "quoted",
  });
  assert.deepEqual(t.parseCookies(""), {});
});

test("classifyResponse: HTTP 200 alone is not success; codes decide ok, partial, retry or drop", () => {
  const rows = [
    [200, '{"code":0,"message":"OK","request_id":"r1"}', "ok", "ok"],
    [200, '{"code":20001,"message":"partial"}', "partial", "partial_ok"],
    [200, '{"code":40100,"message":"too many"}', "retry", "rate_limited"],
    [200, '{"code":40002,"message":"bad"}', "drop", "invalid_params"],
    [200, '{"code":40105,"message":"token"}', "drop", "invalid_access_token"],
    [500, "", "retry", "server_error"],
    [502, "<html>Bad gateway</html>", "retry", "server_error"],
    [0, null, "retry", "timeout"],
  ];
  for (const [status, body, verdict, reason] of rows) {
    const c = t.classifyResponse(status, body);
    assert.deepEqual([c.verdict, c.reason], [verdict, reason], `${status} ${body}`);
  }
  const c = t.classifyResponse(200, { code: 0, message: "OK", request_id: "r2" });
  assert.deepEqual(c, { verdict: "ok", reason: "ok", split: false, code: 0, message: "OK", request_id: "r2" });
  // One bad row fails a whole batch: split it to find the row.
  assert.equal(t.classifyResponse(200, '{"code":40002,"message":"bad"}').split, true);
  assert.equal(t.classifyResponse(200, '{"code":40001,"message":"no permission"}').split, false);
  const listed = t.classifyResponse(200, '{"code":20001,"data":{"failed_events":[{"index":2,"code":40002}]}}');
  assert.deepEqual(listed.failed, [{ index: 2, code: 40002 }]);
});

test("batchRequests merges up to 1,000 events per request and keeps every event's index", () => {
  const config = { destinations: [{ id: "tiktok", type: "events_api", pixel_id: "CABCDEF1234567890" }] };
  const events = Array.from({ length: 1001 }, (_, i) => ({ event_name: "purchase", id: `O_${i}` }));
  events.splice(10, 0, { event_name: "not_mapped" });
  const { results } = t.buildRequests(config, events, { now: DEFAULT_NOW_MS, secrets, revealTokens: true });
  const batches = t.batchRequests(results);
  assert.deepEqual(batches.map((b) => b.request.body.data.length), [1000, 1]);
  assert.deepEqual(batches.map((b) => b.indexes.length), [1000, 1]);
  assert.ok(!batches.flatMap((b) => b.indexes).includes(10), "the skipped result carries no request");
  assert.deepEqual(batches[0].request.body.data.slice(0, 11).map((d) => d.event_id).at(-1), "O_10");
  assert.equal(batches[0].request.headers["Access-Token"], "tok-123");
  const other = { ...results[0].request, body: { ...results[0].request.body, event_source_id: "COTHERPIXEL" } };
  assert.equal(t.batchRequests([results[0].request, other]).length, 2, "another pixel is another request");
});

test("bad input throws an Error with a stable code and path, and the instance keeps working", () => {
  const cyclic = {};
  cyclic.self = cyclic;
  let deep = {};
  for (let i = 0; i < 5000; i++) deep = { a: deep };
  const config = exampleConfig();
  const cases = [
    [() => t.buildRequests({ destinations: 3 }, purchase()), "invalid_setting", "destinations"],
    [() => t.buildRequests(undefined, purchase()), "invalid_argument", "config"],
    [() => t.buildRequests(config, cyclic), "invalid_argument", "event"],
    [() => t.buildRequests(config, { event_name: "purchase", value: 10n }), "invalid_argument", "event"],
    [() => t.buildRequests(config, () => 1), "invalid_argument", "event"],
    [() => t.buildRequests(config, deep), "invalid_argument", "event"],
    [() => t.buildRequests(config, purchase(), { nope: 1 }), "invalid_argument", "context"],
    [() => t.buildRequests(config, purchase(), { now: "soon" }), "invalid_argument", "context"],
    [() => t.buildRequests(config, purchase(), { secrets: { A: 1 } }), "invalid_argument", "context"],
    [() => t.buildRequestsJson("{", "{}"), "invalid_setting", ""],
    [() => t.buildRequestsJson(JSON.stringify(config), "{not json"), "invalid_argument", "event"],
    [() => t.validateConfig(cyclic), "invalid_argument", "config"],
    [() => t.batchRequests({}), "invalid_argument", "requests"],
    [() => t.classifyResponse("200", ""), "invalid_argument", "status"],
    [() => t.classifyResponse(200.5, ""), "invalid_argument", "status"],
    [() => t.hashIdentifier("ssn", "x"), "invalid_argument", "kind"],
    [() => t.hashIdentifier("email", 42), "invalid_argument", "value"],
    [() => t.hashIdentifier("phone", "12345"), "invalid_field", "value"],
    [() => t.normalizeEmail(null), "invalid_argument", "value"],
    [() => t.normalizePhone({}), "invalid_argument", "value"],
    [() => t.parseCookies(undefined), "invalid_argument", "header"],
  ];
  for (const [call, code, path] of cases) {
    assert.throws(call, (e) => {
      assert.ok(e instanceof Error, `${call}: not an Error`);
      assert.deepEqual([e.code, e.path], [code, path], `${call}: ${e.message}`);
      assert.ok(e.message.length > 0);
      return true;
    });
    // A trap would poison the instance: the next call must still work.
    assert.equal(t.buildRequests(config, purchase(), { secrets }).results[0].status, "ready");
  }
});

test("an invalid config lists every error with its path", () => {
  const config = { destinations: [{ id: "a", type: "events_api" }, { id: "b", type: "nope", x: 1 }] };
  assert.throws(
    () => t.buildRequests(config, purchase()),
    (e) => e.code === "missing_setting" && e.errors.length === t.validateConfig(config).length && e.errors.length >= 2,
  );
});

test("events beyond the core's input limits are results with an error naming the path, not crashes", () => {
  const config = exampleConfig();
  let nested = "x";
  for (let i = 0; i < 40; i++) nested = { n: nested };
  const huge = { event_name: "purchase", id: "O", items: Array.from({ length: 1001 }, () => ({ id: "i" })) };
  const cases = [
    [{ event_name: "purchase", deep: nested }, `deep${".n".repeat(32)}`],
    [huge, "items"],
    ["a string", ""],
    [42, ""],
    [null, ""],
  ];
  for (const [event, path] of cases) {
    const { results } = t.buildRequests(config, event, { secrets });
    assert.equal(results.length, config.destinations.length);
    for (const r of results) assert.deepEqual([r.status, r.error.code, r.error.path], ["error", "invalid_event", path]);
  }
  assert.deepEqual(t.buildRequests(config, [], { secrets }).results, [], "an empty array is no event");
});

test("the Worker build never carries the npm exports (feature `js` is built in its own cargo invocation)", (t) => {
  const glue = join(root, "worker/build/index.js");
  let text;
  try {
    text = readFileSync(glue, "utf8");
  } catch {
    return t.skip("worker/build is not built (scripts/build-worker.sh)");
  }
  for (const name of ["buildRequests", "hashIdentifier", "classifyResponse", "parseCookies"]) {
    assert.ok(!text.includes(name), `${name} is exported by the Worker`);
  }
});
