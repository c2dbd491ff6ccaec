// The JSON Schema the package ships (`tiktok-edge/schema.json`, generated from the
// core's settings tables; tests/schema.rs keeps it equal to the generator) against
// the fixtures, with Ajv (draft 2020-12, strict): every config the core accepts
// validates, and every config it refuses fails, except the problems a schema cannot
// express (listed below).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import Ajv2020 from "ajv/dist/2020.js";
import { inputs, project, root } from "./install.mjs";

/** Refused by the core for reasons that need more than a schema: each must stay refused by the core. */
const BEYOND_A_SCHEMA = {
  "duplicate_destination_ids_are_an_error.json": "ids unique across destinations",
  "invalid_template_is_reported.json": "`{{path}}` syntax inside a string",
  "item_slots_must_share_one_array.json": "item slots compared with each other",
};

let validate;
let p;
before(async () => {
  p = project({ "schema.mjs": 'export { default } from "tiktok-edge/schema.json" with { type: "json" };\n' });
  const { default: schema } = await import(join(p.dir, "schema.mjs"));
  assert.deepEqual(schema, JSON.parse(readFileSync(join(root, "schema.json"), "utf8")), "the package ships schema.json");
  validate = new Ajv2020.default({ allErrors: true, strict: true }).compile(schema);
});
after(() => p?.remove());

const read = (path) => JSON.parse(readFileSync(path, "utf8"));
const dir = (group) => join(root, "tests/fixtures", group);
const fixtures = (group) => readdirSync(dir(group)).filter((f) => f.endsWith(".json") && !f.startsWith("_")).sort();
const why = () => (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");

test("every config fixture the core accepts validates; every one it refuses fails", () => {
  for (const f of fixtures("config")) {
    const { config, expected_errors } = read(join(dir("config"), f));
    const valid = validate(config);
    if (expected_errors.length === 0) assert.ok(valid, `${f}: ${why()}`);
    else if (f in BEYOND_A_SCHEMA) assert.ok(valid, `${f} now fails the schema: remove it from BEYOND_A_SCHEMA`);
    else assert.ok(!valid, `${f}: the core refuses it (${expected_errors.map((e) => e.code).join(", ")}), the schema accepts it`);
  }
});

test("unknown keys and wrong types fail with the path at fault", () => {
  const base = { id: "t", type: "events_api", pixel_id: "C1" };
  const cases = [
    [{ destinations: [{ ...base, pixel: "C1" }] }, "/destinations/0"],
    [{ destinations: [{ ...base, type: "nope" }] }, "/destinations/0/type"],
    [{ destinations: [{ ...base, smart_mapping: { user_mail: "x" } }] }, "/destinations/0/smart_mapping"],
    [{ destinations: [{ ...base, derive_event_id: "yes" }] }, "/destinations/0/derive_event_id"],
    [{ destinations: [{ ...base, view_content_mapping: ["page_view", "home"] }] }, "/destinations/0/view_content_mapping/1"],
    [{ destinations: [{ ...base, environment: "prod" }] }, "/destinations/0/environment"],
    [{ destinations: [{ ...base, event_mapping: { purchase: 3 } }] }, "/destinations/0/event_mapping/purchase"],
    [{ destinations: [{ id: "o", type: "offline_events", event_set_id: "1", mapping: { a: "Contact" }, pixel_id: "x" }] }, "/destinations/0"],
    [{ destinations: [{ id: "s", type: "order_sync", endpoint: "https://x", event_mapping: { a: "B" }, total_value: 12 }] }, "/destinations/0/total_value"],
    [{ destinations: [], apibase: "https://x" }, ""],
  ];
  for (const [config, path] of cases) {
    assert.ok(!validate(config), JSON.stringify(config));
    assert.ok(validate.errors.some((e) => e.instancePath === path), `${JSON.stringify(config)}: ${why()}`);
  }
});

test("the config of every golden fixture validates, and the examples too", () => {
  for (const group of ["events_api", "offline_events", "order_sync"]) {
    for (const f of fixtures(group)) {
      const { config } = inputs(group, read(join(dir(group), f)));
      assert.ok(validate(config), `${group}/${f}: ${why()}`);
    }
  }
  assert.ok(validate(read(join(root, "examples/config.json"))), `examples/config.json: ${why()}`);
  assert.ok(validate({ destinations: [{ id: "t", type: "events_api", pixel_id: "C1", environment: "STAGING" }] }), "any case");
});
