// The package README's snippets, run exactly as printed: each `<!-- file: NAME -->`
// block is written to NAME in a project with the tarball installed, each
// `<!-- run: NAME -->` block is run there by bash (`npx X` runs the repository's pinned
// X). Node, Deno and Bun send to the local TikTok sandbox; the browser page and every
// bundler's output open in Chromium; the Worker is bundled by wrangler and run by
// Miniflare against the sandbox.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { Miniflare } from "miniflare";
import { startSandbox, TOKEN } from "../e2e/harness.mjs";
import { bin, chromium, link, serve } from "./everywhere.mjs";
import { project, root } from "./install.mjs";

const README = readFileSync(join(root, "npm/README.md"), "utf8");
/** `{file: {NAME: text}, run: {NAME: text}}` from the marked code blocks. */
const snippets = { file: {}, run: {} };
for (const [, kind, name, text] of README.matchAll(/<!-- (file|run): (\S+) -->\n```\w*\n([\s\S]*?)```\n/g)) {
  assert.ok(!(name in snippets[kind]), `README: two ${kind} snippets named ${name}`);
  snippets[kind][name] = text;
}
/** The repository README's snippet of the package, the same way. */
const MAIN = [...readFileSync(join(root, "README.md"), "utf8").matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)```\n/g)];
const PRINTED_TOKEN = "your-token"; // the token the printed commands use

const cleanup = [];
let p;
let sandbox;
let browser;
before(async () => {
  p = project();
  cleanup.push(p.remove);
  for (const [name, text] of Object.entries(snippets.file)) {
    mkdirSync(dirname(join(p.dir, name)), { recursive: true });
    writeFileSync(join(p.dir, name), text);
  }
  link(p.dir, "webpack", "webpack-cli", "vite", "rollup", "@rollup/plugin-node-resolve", "esbuild");
  sandbox = await startSandbox(["--token", PRINTED_TOKEN]);
  cleanup.push(() => sandbox.stop());
  browser = await chromium();
  cleanup.push(browser.close);
});
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

/** Runs a printed `run` block with bash in the project. */
function run(name, env = {}) {
  const script = snippets.run[name];
  assert.ok(script, `README: no run snippet ${name}`);
  const shim = 'npx() { "$@"; }\n'; // the pinned tools are on PATH
  try {
    return execFileSync("bash", ["-euo", "pipefail", "-c", shim + script], {
      cwd: p.dir,
      encoding: "utf8",
      env: { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}`, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    throw new Error(`${name}: ${e.message}\n${e.stdout}${e.stderr}`);
  }
}

test("the repository README's snippet runs as printed", () => {
  assert.deepEqual(MAIN.map(([, name]) => name), ["main-readme.mjs"]);
  writeFileSync(join(p.dir, "main-readme.mjs"), MAIN[0][2]);
  const out = execFileSync(process.execPath, ["main-readme.mjs"], { cwd: p.dir, encoding: "utf8" });
  // sha256("a@b.example"), computed with `printf %s a@b.example | sha256sum`
  assert.equal(out.trim(), "CompletePayment ebb18a030bf15174f5714e24d63af1a81355c951ea7389bd2a9bd18e3d0c2477");
});

test("the README names a snippet for every runtime and bundler", () => {
  assert.deepEqual(Object.keys(snippets.run).sort(), ["bun", "deno", "esbuild", "node", "rollup", "vite", "webpack"]);
  for (const f of ["index.mjs", "index.html", "app.mjs", "webpack.config.mjs", "rollup.config.mjs", "src/index.js", "wrangler.toml"]) {
    assert.ok(f in snippets.file, f);
  }
});

for (const runtime of ["node", "deno", "bun"]) {
  test(`${runtime}: index.mjs sends to the sandbox (TIKTOK_API_BASE) and prints the verdict`, async () => {
    await sandbox.reset();
    const out = run(runtime, { TIKTOK_API_BASE: sandbox.url });
    assert.match(out, /sent: \[ 0 \] ok ok/, out);
    assert.equal((await sandbox.received()).events.length, 1);
    // Without the token nothing is sent, and the result says why.
    const env = { ...process.env, TIKTOK_API_BASE: sandbox.url, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}` };
    delete env.TIKTOK_ACCESS_TOKEN;
    const command = { node: [process.execPath, ["index.mjs"]], deno: [bin("deno"), ["run", "--allow-env", "--allow-net", "index.mjs"]], bun: [bin("bun"), ["index.mjs"]] }[runtime];
    const missing = execFileSync(command[0], command[1], { cwd: p.dir, encoding: "utf8", env });
    assert.match(missing, /not sent: tiktok missing_secret/, missing);
  });
}

const PAGE_SHOWS = () => /^CompletePayment \{.*"email":"[0-9a-f]{64}"/.test(document.querySelector("#out")?.textContent ?? "");

test("browser: index.html with its import map and app.mjs (tiktok-edge/async) show the mapped event", async () => {
  const server = await serve(p.dir);
  try {
    assert.ok(await browser.open(`${server.url}/index.html`, PAGE_SHOWS));
  } finally {
    await server.close();
  }
});

/** Builds with a printed command; the output, served as the site's root, shows the event. */
async function bundles(name, script) {
  rmSync(join(p.dir, "dist"), { recursive: true, force: true });
  const out = run(name);
  assert.doesNotMatch(out, /warn|error/i, out);
  if (script) writeFileSync(join(p.dir, "dist/index.html"), `<!doctype html>\n<pre id="out"></pre>\n<script type="module" src="./${script}"></script>\n`);
  const server = await serve(join(p.dir, "dist"));
  try {
    assert.ok(await browser.open(`${server.url}/index.html`, PAGE_SHOWS), name);
  } finally {
    await server.close();
  }
}

test("webpack: the printed config and command bundle app.mjs, without a warning", () => bundles("webpack", "main.js"));
test("Vite: `vite build` bundles index.html and app.mjs", () => bundles("vite"));
test("Rollup: the printed config with @rollup/plugin-node-resolve", () => bundles("rollup", "app.js"));
test("esbuild: the printed command", () => bundles("esbuild", "app.js"));

test("Cloudflare Worker: src/index.js bundled by wrangler, run by Miniflare, sends to the sandbox", { timeout: 60_000 }, async () => {
  execFileSync(bin("wrangler"), ["deploy", "--dry-run", "--outdir", "out"], { cwd: p.dir, stdio: "pipe" });
  const printed = JSON.parse(snippets.file["wrangler.toml"].match(/^DESTINATIONS = '(.*)'$/m)[1]);
  const mf = new Miniflare({
    modules: true,
    modulesRoot: join(p.dir, "out"),
    scriptPath: join(p.dir, "out/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    bindings: { DESTINATIONS: JSON.stringify({ ...printed, api_base: sandbox.url }), TIKTOK_ACCESS_TOKEN: TOKEN },
  });
  try {
    await sandbox.reset();
    const event = JSON.parse(readFileSync(join(root, "examples/purchase.json"), "utf8"));
    const res = await mf.dispatchFetch("http://localhost/", { method: "POST", body: JSON.stringify([event, { event_name: "not_mapped" }]) });
    const body = await res.json();
    assert.deepEqual(body.sent.map((s) => [s.indexes, s.verdict]), [[[0], "ok"]], JSON.stringify(body));
    assert.deepEqual(body.notSent.map((r) => [r.index, r.reason]), [[1, "unmapped_event"]]);
    assert.equal((await sandbox.received()).events.length, 1);
  } finally {
    await mf.dispose();
  }
});
