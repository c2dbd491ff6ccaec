// The TypeScript declarations, checked by tsc as a user's project sees them
// (strict, NodeNext resolution through the exports map): a usage file, and a file
// generated from the core's own data: the settings of every destination type and the
// Smart Mapping slots equal schema.json's (generated from the core's tables), and
// every fixture config and event the core accepts without a warning type-checks.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { inputs, project, root } from "./install.mjs";

const usage = `
import {
  batchRequests, buildRequests, buildRequestsJson, classifyResponse, hashIdentifier,
  normalizeEmail, normalizePhone, parseCookies, validateConfig,
  init, type CaEvent, type Config, type DestinationResult, type TikTokEdgeError,
} from "tiktok-edge";
import * as later from "tiktok-edge/async";
await later.init();
later.hashIdentifier("email", "a@b.c");

const config: Config = { destinations: [{ id: "tiktok", type: "events_api", pixel_id: "C1" }] };
const { results } = buildRequests(config, { event_name: "purchase", value: 10 }, { now: 0, secrets: { TIKTOK_ACCESS_TOKEN: "t" } });
const first: DestinationResult | undefined = results[0];
const numeric: CaEvent = { event_name: "purchase", id: 42, value: "9.99", user: { id: 7, consent_categories: "1,3" },
  items: [{ id: 1, quantity: "2", price: "4.50", product: { price: "4.50" } }] };
const listed: CaEvent = { event_name: "x", user: { consent_categories: [1, "3"] } };
await init();
if (first?.status === "ready") first.request.headers["Access-Token"].toUpperCase();
if (first?.status === "skipped") first.reason satisfies "unmapped_event" | "no_consent" | "no_user_identifier";
for (const b of batchRequests(results)) b.indexes.map((i) => i + 1);
const verdict: "ok" | "partial" | "retry" | "drop" = classifyResponse(200, "{}").verdict;
const h: string | null = hashIdentifier("email", "a@b.c");
const texts: Array<string | null> = [normalizeEmail("x"), normalizePhone("+33612345678"), buildRequestsJson("{}", "{}")];
const cookies: Record<string, string> = parseCookies("a=b");
const codes = validateConfig(config).map((e) => e.code);
try { buildRequests(config, { event_name: "x" }); } catch (e) { (e as TikTokEdgeError).path.length; }
// @ts-expect-error: not an identifier kind
hashIdentifier("ssn", "1");
// @ts-expect-error: not a destination type
const bad: Config = { destinations: [{ id: "x", type: "nope" }] };
export { verdict, h, texts, cookies, codes, bad, numeric, listed };
`;

const schema = JSON.parse(readFileSync(join(root, "schema.json"), "utf8"));
const union = (keys) => keys.map((k) => JSON.stringify(k)).join(" | ");
const read = (path) => JSON.parse(readFileSync(path, "utf8"));
const fixtures = (group) => readdirSync(join(root, "tests/fixtures", group)).filter((f) => f.endsWith(".json") && !f.startsWith("_")).sort();
const clean = (expected) => expected.every((r) => r.status !== "error" && !r.warnings);

/** tsc checks that the declarations say what the core accepts (names from schema.json and the fixtures). */
function generated() {
  const lines = [
    'import type { CaEvent, Config, EventsApiDestination, OfflineEventsDestination, OrderSyncDestination, SlotName } from "tiktok-edge";',
    "type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;",
  ];
  const types = { events_api: "EventsApiDestination", offline_events: "OfflineEventsDestination", order_sync: "OrderSyncDestination" };
  for (const [name, type] of Object.entries(types)) {
    lines.push(`export const ${name}_settings: Equal<keyof ${type}, ${union(Object.keys(schema.$defs[name].properties))}> = true;`);
  }
  lines.push(`export const top: Equal<keyof Config, ${union(Object.keys(schema.properties))}> = true;`);
  lines.push(`export const slots: Equal<SlotName, ${union(Object.keys(schema.$defs.events_api.properties.smart_mapping.properties))}> = true;`);
  let n = 0;
  for (const f of fixtures("config").map((f) => read(join(root, "tests/fixtures/config", f))).filter((f) => f.expected_errors.length === 0)) {
    lines.push(`export const config_${n++}: Config = ${JSON.stringify(f.config)};`);
  }
  for (const group of ["events_api", "offline_events", "order_sync"]) {
    for (const file of fixtures(group)) {
      const fixture = read(join(root, "tests/fixtures", group, file));
      if (!clean(fixture.expected)) continue;
      const { config, event } = inputs(group, fixture);
      lines.push(`// ${group}/${file}`, `export const config_${n}: Config = ${JSON.stringify(config)};`);
      for (const e of Array.isArray(event) ? event : [event]) lines.push(`export const event_${n++}: CaEvent = ${JSON.stringify(e)};`);
    }
  }
  return lines.join("\n") + "\n";
}

test("the declarations type-check a user's strict TypeScript project, and match the core's tables and fixtures", () => {
  const p = project({
    "usage.ts": usage,
    "generated.ts": generated(),
    "tsconfig.json": JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022" },
      files: ["usage.ts", "generated.ts"],
    }),
  });
  try {
    execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", "."], { cwd: p.dir, stdio: "pipe" });
  } catch (e) {
    throw new Error(`tsc failed:\n${e.stdout}${e.stderr}`);
  } finally {
    p.remove();
  }
});
