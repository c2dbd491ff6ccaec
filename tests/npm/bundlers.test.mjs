// The installed package bundled by webpack 5, Vite, Rollup 4 and esbuild, each
// building a tiny app (everywhere/check.mjs behind `import * as api from "tiktok-edge"`)
// that then runs in Chromium and, where the output runs there, in Node. No bundler
// needs a wasm plugin: the `default` export carries the wasm inline. Rollup alone
// needs @rollup/plugin-node-resolve, as for any package in node_modules.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { bin, checkProject, chromium, link, serve, size } from "./everywhere.mjs";
import { root } from "./install.mjs";

const APP = `import * as api from "tiktok-edge";
import { check } from "./check.mjs";
import { report } from "./report.mjs";

report(check(api));
`;
const PAGE = (script) => `<!doctype html>
<meta charset="utf-8">
<title>tiktok-edge bundle</title>
<script type="module" src="${script}"></script>
`;
const OK = { ok: true, event: "CompletePayment", batched: 2 };

const cleanup = [];
let p;
let server;
let browser;
before(async () => {
  p = checkProject({ "app.mjs": APP, "index.html": PAGE("./app.mjs") });
  cleanup.push(p.remove);
  link(p.dir, "webpack", "webpack-cli", "vite", "rollup", "@rollup/plugin-node-resolve", "esbuild");
  server = await serve(p.dir);
  cleanup.push(server.close);
  browser = await chromium();
  cleanup.push(browser.close);
});
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

const build = (name, args) => {
  try {
    return execFileSync(bin(name), args, { cwd: p.dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    throw new Error(`${name} failed:\n${e.stdout}${e.stderr}`);
  }
};

/** Runs the built page in Chromium and, when `node` is set, that file in Node too. */
async function runs(t, name, page, files, node) {
  const { result } = await browser.open(`${server.url}/${page}`);
  assert.deepEqual(result, OK, `${name} in Chromium: ${result.error}`);
  if (node) {
    const out = execFileSync(process.execPath, [node], { cwd: p.dir, encoding: "utf8" });
    assert.deepEqual(JSON.parse(out.trim()), OK, `${name} in Node`);
  }
  for (const f of files) assert.ok(!readFileSync(f, "utf8").includes("node:fs"), `${f} must not need node:fs`);
  t.diagnostic(`${name}: ${files.length} file(s), ${size(...files).text}`);
}

const version = (name) => JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
const js = (dir) => readdirSync(join(p.dir, dir), { recursive: true }).filter((f) => /\.m?js$/.test(f)).map((f) => join(p.dir, dir, f));

test("webpack 5: no plugin; `performance` raised over the inline wasm; runs in Chromium and Node", async (t) => {
  writeFileSync(
    join(p.dir, "webpack.config.mjs"),
    "export default {\n" +
      '  mode: "production",\n' +
      '  entry: "./app.mjs",\n' +
      '  output: { path: import.meta.dirname + "/dist-webpack" },\n' +
      "  performance: { maxAssetSize: 1_048_576, maxEntrypointSize: 1_048_576 },\n" +
      "};\n",
  );
  const out = build("webpack", ["--config", "webpack.config.mjs"]);
  assert.doesNotMatch(out, /WARNING|ERROR/, out);
  writeFileSync(join(p.dir, "dist-webpack/index.html"), PAGE("./main.js"));
  await runs(t, `webpack ${version("webpack")}`, "dist-webpack/index.html", js("dist-webpack"), "dist-webpack/main.js");
});

test("Vite: `vite build` of an index.html, no plugin; runs in Chromium (an app build for browsers)", async (t) => {
  // --base ./: the test serves the build under /dist-vite/.
  const out = build("vite", ["build", "--base", "./", "--outDir", "dist-vite", "--emptyOutDir", "--logLevel", "warn"]);
  assert.doesNotMatch(out, /warn|error/i, out);
  const files = js("dist-vite");
  assert.equal(files.length, 1, "one chunk, no .wasm asset");
  await runs(t, `Vite ${version("vite")}`, "dist-vite/index.html", files);
});

test("Rollup 4: with @rollup/plugin-node-resolve (for node_modules), no wasm plugin; runs in Chromium and Node", async (t) => {
  writeFileSync(
    join(p.dir, "rollup.config.mjs"),
    'import { nodeResolve } from "@rollup/plugin-node-resolve";\n' +
      'export default { input: "app.mjs", output: { file: "dist-rollup/app.js", format: "es" }, plugins: [nodeResolve()] };\n',
  );
  build("rollup", ["-c", "--silent"]);
  writeFileSync(join(p.dir, "dist-rollup/index.html"), PAGE("./app.js"));
  await runs(t, `Rollup ${version("rollup")}`, "dist-rollup/index.html", js("dist-rollup"), "dist-rollup/app.js");
});

test("esbuild: platforms browser and neutral, no plugin; runs in Chromium and Node", async (t) => {
  for (const platform of ["browser", "neutral"]) {
    const dir = `dist-esbuild-${platform}`;
    build("esbuild", ["app.mjs", "--bundle", "--minify", "--format=esm", `--platform=${platform}`, `--outfile=${dir}/app.js`]);
    writeFileSync(join(p.dir, dir, "index.html"), PAGE("./app.js"));
    await runs(t, `esbuild ${version("esbuild")} --platform=${platform}`, `${dir}/index.html`, js(dir), `${dir}/app.js`);
  }
});
