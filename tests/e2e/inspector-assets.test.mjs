// The inspector's page, script and style ship in the Worker's JS bundle from
// worker/src/inspector_assets.js, generated from worker/static/ (scripts/inspector-assets.mjs,
// run by scripts/build-worker.sh): the checked-in module must match the static files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const root = new URL("../../", import.meta.url);

test("the inspector assets module matches worker/static/", async () => {
  execFileSync("node", ["scripts/inspector-assets.mjs", "--check"], { cwd: root });
  const assets = await import(new URL("worker/src/inspector_assets.js", root));
  for (const [name, file] of [
    ["inspector_page", "inspector.html"],
    ["inspector_script", "inspector.js"],
    ["inspector_style", "inspector.css"],
  ]) {
    assert.equal(assets[name](), readFileSync(new URL(`worker/static/${file}`, root), "utf8"), file);
  }
});

test("the built Worker serves the assets from its JS bundle, not from the wasm", () => {
  const wasm = readFileSync(new URL("worker/build/index_bg.wasm", root));
  assert.equal(wasm.includes("<!doctype html>"), false, "the page is not in the wasm");
  assert.match(readFileSync(new URL("worker/build/index.js", root), "utf8"), /<!doctype html>/);
});
