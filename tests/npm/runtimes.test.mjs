// The installed package in every runtime, each running the same check
// (everywhere/check.mjs: the spec's example purchase against its golden result, a
// batch, TikTok answers classified) through the entry that runtime picks: Node 20,
// Deno 2, Bun, Chromium (main thread and a Web Worker, sync and async entries, no
// bundler), workerd (bundled by wrangler, run by Miniflare); then the JS Worker
// example in `wrangler dev` sending to the local TikTok sandbox.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Miniflare } from "miniflare";
import { startSandbox, startWranglerDev, TOKEN } from "../e2e/harness.mjs";
import { bin, checkProject, chromium, serve, size } from "./everywhere.mjs";
import { project, root } from "./install.mjs";

const cleanup = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

const runner = (entry) =>
  `import * as api from "${entry}";\nimport { check } from "./check.mjs";\nimport { report } from "./report.mjs";\nawait report(check(api));\n`;
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>tiktok-edge check</title>
<script type="module">
  // ?entry=inline|async, ?where=main|worker: the package as plain ES modules, no bundler.
  const params = new URLSearchParams(location.search);
  const entry = \`/node_modules/tiktok-edge/\${params.get("entry")}.js\`;
  if (params.get("where") === "worker") {
    const worker = new Worker(\`/browser-worker.mjs?entry=\${encodeURIComponent(entry)}\`, { type: "module" });
    worker.onmessage = (e) => (globalThis.result = e.data);
    worker.onerror = (e) => (globalThis.result = { ok: false, error: \`worker: \${e.message}\` });
  } else {
    const [api, { check }, { report }] = await Promise.all([import(entry), import("/check.mjs"), import("/report.mjs")]);
    await report(check(api));
  }
</script>
`;
const BROWSER_WORKER = `// A module Web Worker running the check, reporting to the page.
const entry = new URLSearchParams(self.location.search).get("entry");
const [api, { check }] = await Promise.all([import(entry), import("/check.mjs")]);
check(api).then((r) => postMessage(r), (e) => postMessage({ ok: false, error: String(e.stack || e) }));
`;
const WORKER = `// The check in workerd: wrangler bundles the package's \`workerd\` export.
import * as api from "tiktok-edge";
import { check } from "./check.mjs";
export default {
  async fetch() {
    try {
      return Response.json(await check(api));
    } catch (e) {
      return Response.json({ ok: false, error: String(e.stack || e) });
    }
  },
};
`;

let p;
before(() => {
  p = checkProject({
    "run.mjs": runner("tiktok-edge"),
    "run-async.mjs": runner("tiktok-edge/async"),
    "page.html": PAGE,
    "browser-worker.mjs": BROWSER_WORKER,
    "worker.mjs": WORKER,
    "wrangler.toml": 'name = "check"\nmain = "worker.mjs"\ncompatibility_date = "2026-04-01"\n',
  });
  cleanup.push(p.remove);
});

const pkg = (...files) => files.map((f) => join(p.dir, "node_modules/tiktok-edge", f));
const passed = (stdout) => {
  const result = JSON.parse(stdout.trim().split("\n").at(-1));
  assert.deepEqual(result, { ok: true, event: "CompletePayment", batched: 2 }, result.error);
};
const run = (command, args) => execFileSync(command, args, { cwd: p.dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

test("Node 20: the node export (wasm file read at import) and tiktok-edge/async", (t) => {
  passed(run(process.execPath, ["run.mjs"]));
  passed(run(process.execPath, ["run-async.mjs"]));
  t.diagnostic(`node ${process.version}: ships ${size(...pkg("node.js", "api.js", "dist/tiktok_edge.js", "dist/tiktok_edge_bg.wasm")).text}`);
});

test("Deno 2: the deno export (wasm inline), no permission flags", (t) => {
  passed(run(bin("deno"), ["run", "--no-prompt", "run.mjs"]));
  passed(run(bin("deno"), ["run", "--no-prompt", "run-async.mjs"]));
  const version = run(bin("deno"), ["--version"]).split("\n")[0];
  t.diagnostic(`${version}: ships ${size(...pkg("inline.js", "api.js", "dist/tiktok_edge.js", "dist/wasm-inline.js")).text}`);
});

test("Bun: the node export and tiktok-edge/async", (t) => {
  passed(run(bin("bun"), ["run.mjs"]));
  passed(run(bin("bun"), ["run-async.mjs"]));
  t.diagnostic(`bun ${run(bin("bun"), ["--version"]).trim()}: ships ${size(...pkg("node.js", "api.js", "dist/tiktok_edge.js", "dist/tiktok_edge_bg.wasm")).text}`);
});

test("Chromium: main thread and Web Worker, the inline (sync) and async entries, unbundled", { timeout: 120_000 }, async (t) => {
  const server = await serve(p.dir);
  cleanup.push(server.close);
  const browser = await chromium();
  cleanup.push(browser.close);
  for (const entry of ["inline", "async"]) {
    for (const where of ["main", "worker"]) {
      const { result } = await browser.open(`${server.url}/page.html?entry=${entry}&where=${where}`);
      assert.deepEqual(result, { ok: true, event: "CompletePayment", batched: 2 }, `${entry} ${where}: ${result.error}`);
    }
  }
  t.diagnostic(`Chromium ${browser.version}: ships ${size(...pkg("inline.js", "api.js", "dist/tiktok_edge.js", "dist/wasm-inline.js")).text}`);
});

test("workerd: wrangler bundles the workerd export (.wasm as a module), Miniflare runs it", { timeout: 60_000 }, async (t) => {
  run(bin("wrangler"), ["deploy", "--dry-run", "--outdir", "out"]);
  const mf = new Miniflare({
    modules: true,
    modulesRoot: join(p.dir, "out"),
    scriptPath: join(p.dir, "out/worker.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
  });
  cleanup.push(() => mf.dispose());
  const res = await mf.dispatchFetch("http://localhost/");
  passed(await res.text());
  const wasm = readdirSync(join(p.dir, "out")).filter((f) => f.endsWith(".wasm"));
  t.diagnostic(`workerd (wrangler 4.86): ships ${size(join(p.dir, "out/worker.js"), ...wasm.map((f) => join(p.dir, "out", f))).text}`);
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
