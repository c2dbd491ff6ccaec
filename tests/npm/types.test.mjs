// The TypeScript declarations, checked by tsc as a user's project sees them
// (strict, NodeNext resolution through the exports map).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { project, root } from "./install.mjs";

const usage = `
import {
  batchRequests, buildRequests, buildRequestsJson, classifyResponse, hashIdentifier,
  normalizeEmail, normalizePhone, parseCookies, validateConfig,
  type Config, type DestinationResult, type TikTokEdgeError,
} from "tiktok-edge";

const config: Config = { destinations: [{ id: "tiktok", type: "events_api", pixel_id: "C1" }] };
const { results } = buildRequests(config, { event_name: "purchase", value: 10 }, { now: 0, secrets: { TIKTOK_ACCESS_TOKEN: "t" } });
const first: DestinationResult | undefined = results[0];
if (first?.status === "ready") first.request.headers["Access-Token"].toUpperCase();
if (first?.status === "skipped") first.reason satisfies "unmapped_event" | "no_consent" | "no_user_identifier";
for (const b of batchRequests(results)) b.indexes.map((i) => i + 1);
const verdict: "ok" | "retry" | "drop" = classifyResponse(200, "{}").verdict;
const h: string | null = hashIdentifier("email", "a@b.c");
const texts: Array<string | null> = [normalizeEmail("x"), normalizePhone("+33612345678"), buildRequestsJson("{}", "{}")];
const cookies: Record<string, string> = parseCookies("a=b");
const codes = validateConfig(config).map((e) => e.code);
try { buildRequests(config, { event_name: "x" }); } catch (e) { (e as TikTokEdgeError).path.length; }
// @ts-expect-error: not an identifier kind
hashIdentifier("ssn", "1");
// @ts-expect-error: not a destination type
const bad: Config = { destinations: [{ id: "x", type: "nope" }] };
export { verdict, h, texts, cookies, codes, bad };
`;

test("the declarations type-check a user's strict TypeScript project", () => {
  const p = project({
    "usage.ts": usage,
    "tsconfig.json": JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022" },
      files: ["usage.ts"],
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
