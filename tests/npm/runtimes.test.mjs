// The installed package outside plain Node: bundled by esbuild (the `default`
// export, wasm inline), and the JS Worker example in `wrangler dev` (the `workerd`
// export, bundled by wrangler) sending to the local TikTok sandbox.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { startSandbox, startWranglerDev, TOKEN } from "../e2e/harness.mjs";
import { project, root } from "./install.mjs";

const bin = (name) => join(root, "node_modules/.bin", name);
const EMAIL_HASH = "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"; // spec 2.8 vector
const cleanup = [];
after(() => cleanup.forEach((f) => f()));

test("esbuild bundles the package for any platform and the bundle runs without the .wasm file", () => {
  const p = project({
    "entry.mjs":
      'import { hashIdentifier, buildRequests } from "tiktok-edge";\n' +
      'const config = { destinations: [{ id: "t", type: "events_api", pixel_id: "CABCDEF1234567890" }] };\n' +
      'const r = buildRequests(config, { event_name: "purchase", id: "O_1" }, { secrets: { TIKTOK_ACCESS_TOKEN: "x" } });\n' +
      'console.log(JSON.stringify([hashIdentifier("email", " John.Doe@Example.COM "), r.results[0].event]));\n',
  });
  cleanup.push(p.remove);
  for (const platform of ["neutral", "browser"]) {
    const out = join(p.dir, `bundle-${platform}.mjs`);
    execFileSync(bin("esbuild"), ["entry.mjs", "--bundle", "--format=esm", `--platform=${platform}`, `--outfile=${out}`], {
      cwd: p.dir,
      stdio: "pipe",
    });
    assert.ok(!readFileSync(out, "utf8").includes("node:fs"), "the bundle must not need node:fs");
    const printed = execFileSync(process.execPath, [out], { encoding: "utf8" });
    assert.deepEqual(JSON.parse(printed), [EMAIL_HASH, "CompletePayment"]);
  }
});

test("the JS Worker example runs in wrangler dev and delivers to the sandbox", { timeout: 120_000 }, async () => {
  const sandbox = await startSandbox();
  cleanup.push(() => sandbox.stop());
  const p = project();
  cleanup.push(p.remove);
  cpSync(join(root, "examples/js-worker/src"), join(p.dir, "src"), { recursive: true });
  cpSync(join(root, "examples/js-worker/wrangler.toml"), join(p.dir, "wrangler.toml"));
  const dev = await startWranglerDev(p.dir, ["--var", `TIKTOK_API_BASE:${sandbox.url}`, "--var", `TIKTOK_ACCESS_TOKEN:${TOKEN}`]);
  cleanup.push(dev.stop);
  const base = dev.url;
  const event = JSON.parse(readFileSync(join(root, "examples/purchase.json"), "utf8"));
  const res = await fetch(`${base}/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Cookie: "_ttp=cookie-ttp; ttclid=cookie-click" },
    body: JSON.stringify([event, { event_name: "not_mapped" }]),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const body = await res.json();
  assert.deepEqual(body.sent.map((s) => [s.indexes, s.verdict, s.code]), [[[0], "ok", 0]]);
  assert.deepEqual(body.notSent, [{ destination: "tiktok", index: 1, status: "skipped", reason: "unmapped_event" }]);
  const { events } = await sandbox.received();
  assert.equal(events.length, 1);
  const { data } = events[0];
  assert.equal(data.event_id, "O_12345");
  assert.equal(data.user.ttp, "2Xy9kQ3abcDEFghiJKL", "the event's own cookie wins over the request's");
  assert.match(data.user.email, /^[0-9a-f]{64}$/);
});
