// Shared by runtimes.test.mjs, bundlers.test.mjs and readme.test.mjs: a temporary
// project holding the installed package and the one check script (everywhere/check.mjs),
// a static server on 127.0.0.1, and headless Chromium (Debian's, driven by playwright-core).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize } from "node:path";
import { gzipSync } from "node:zlib";
import { inputs, project, root } from "./install.mjs";

export const CHROMIUM = "/usr/bin/chromium";
export const bin = (name) => join(root, "node_modules/.bin", name);
const SPEC_EXAMPLE = "tests/fixtures/events_api/spec_example_1_web_purchase_maps_to_complete_payment_with_hashed_user_and_contents.json";

/** A project with the tarball installed, check.mjs, report.mjs and fixture.js (the spec example and its golden result). */
export function checkProject(files = {}) {
  const fixture = JSON.parse(readFileSync(join(root, SPEC_EXAMPLE), "utf8"));
  const { config, event, context } = inputs("events_api", fixture);
  const data = { config, event, context, expected: fixture.expected };
  const here = join(root, "tests/npm/everywhere");
  return project({
    "check.mjs": readFileSync(join(here, "check.mjs"), "utf8"),
    "report.mjs": readFileSync(join(here, "report.mjs"), "utf8"),
    "fixture.js": `export const fixture = ${JSON.stringify(data)};\n`,
    ...files,
  });
}

/** Makes root devDependencies (bundlers, plugins) resolvable from the project, as if installed there. */
export function link(dir, ...packages) {
  for (const name of packages) {
    const target = join(dir, "node_modules", name);
    mkdirSync(dirname(target), { recursive: true });
    if (!existsSync(target)) symlinkSync(join(root, "node_modules", name), target, "dir");
  }
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm", ".css": "text/css" };

/** Serves `dir` on 127.0.0.1 (an ephemeral port); `url`, `close()`. */
export async function serve(dir) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = join(dir, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Cache-Control": "no-store" });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  // closeAllConnections: the browser keeps connections alive, and close() alone waits for them.
  const close = () => new Promise((r) => server.close(r) && server.closeAllConnections());
  return { url: `http://127.0.0.1:${server.address().port}`, close };
}

/** Headless Chromium with a fresh profile; `open(url)` gives the page's `result` and console lines. */
export async function chromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run scripts/setup-browser.sh (as root it installs Debian's chromium)`);
  }
  const { chromium } = await import(join(root, "node_modules/playwright-core/index.mjs"));
  const profile = mkdtempSync(join(tmpdir(), "tiktok-edge-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    version: context.browser()?.version() ?? "",
    /** Opens `url`, waits until `ready` (run in the page; default: `globalThis.result`, set
     * by the page or its worker) gives a truthy value, and returns it. */
    async open(url, ready = () => globalThis.result, timeout = 30_000) {
      const page = await context.newPage();
      const lines = [];
      page.on("console", (m) => lines.push(m.text()));
      page.on("pageerror", (e) => lines.push(`pageerror: ${e.message}`));
      try {
        await page.goto(url);
        const handle = await page.waitForFunction(ready, null, { timeout });
        return { result: await handle.jsonValue(), lines };
      } catch (e) {
        throw new Error(`${url}: ${e.message}\nconsole:\n${lines.join("\n")}`);
      } finally {
        await page.close();
      }
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Raw and gzip -9 bytes of files. */
export function size(...files) {
  const bytes = files.map((f) => readFileSync(f));
  const raw = bytes.reduce((n, b) => n + b.length, 0);
  const gz = bytes.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
  return { raw, gz, text: `${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzip` };
}

