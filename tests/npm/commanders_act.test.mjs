// Issue 14 through the npm package: Commanders Act's own documented events (the
// `commanders_act` golden fixtures, with the same expected output as the Rust
// harness) and the intake shapes (an event, an array, CA's `{"batch": [...]}`).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { installed, root } from "./install.mjs";

let t;
let project;
before(async () => ({ api: t, project } = await installed()));
after(() => project?.remove());

const group = join(root, "tests/fixtures/commanders_act");
const read = (path) => JSON.parse(readFileSync(path, "utf8"));
const context = { now: 1767225600000, secrets: { TIKTOK_ACCESS_TOKEN: "test-token" } };

describe("golden fixtures: commanders_act", () => {
  const base = read(join(group, "_base_destination.json"));
  for (const file of readdirSync(group).filter((f) => f.endsWith(".json") && !f.startsWith("_")).sort()) {
    test(file.replace(/\.json$/, ""), () => {
      const fixture = read(join(group, file));
      const config = { destinations: [{ ...base, ...fixture.settings }] };
      const { results } = t.buildRequests(config, fixture.input ?? fixture.event, context);
      // A single event's results carry no index (JSON drops the undefined key).
      assert.deepStrictEqual(JSON.parse(JSON.stringify(results)), fixture.expected);
    });
  }
});

describe("intake shapes", () => {
  const config = { destinations: [{ id: "tiktok", type: "events_api", pixel_id: "CABCDEF1234567890" }] };
  const event = (id) => ({ event_name: "purchase", id, context: { event_timestamp: 1765290725123 } });
  const ids = (results) => results.map((r) => [r.index ?? null, r.request.body.data[0].event_id]);

  test("an array and the batch envelope give the same indexed results", () => {
    const array = t.buildRequests(config, [event("A"), event("B")], context).results;
    const batch = t.buildRequests(config, { batch: [event("A"), event("B")] }, context).results;
    assert.deepStrictEqual(ids(array), [[0, "A"], [1, "B"]]);
    assert.deepStrictEqual(batch, array);
  });

  test("an event with a custom batch property is one event", () => {
    const { results } = t.buildRequests(config, { ...event("A"), batch: "B-12" }, context);
    assert.deepStrictEqual(ids(results), [[null, "A"]]);
  });

  test("a bad envelope throws invalid_event naming the path", () => {
    assert.throws(() => t.buildRequests(config, { batch: { event_name: "purchase" } }, context), {
      name: "TikTokEdgeError",
      code: "invalid_event",
      path: "batch",
    });
    // Any count is read (batchRequests splits them); a non-object is one event in error.
    const many = { batch: Array.from({ length: 1001 }, (_, i) => event(`E${i}`)) };
    assert.equal(t.buildRequests(config, many, context).results.at(-1).index, 1000);
    assert.equal(t.buildRequests(config, "purchase", context).results[0].error.code, "invalid_event");
    // The instance still works after an error.
    assert.equal(t.buildRequests(config, event("C"), context).results[0].status, "ready");
  });
});
