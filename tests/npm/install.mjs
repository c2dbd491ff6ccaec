// Installs the packed npm package (target/npm/tiktok-edge-*.tgz, made by
// scripts/build-npm.sh) into a fresh temporary project, as a user would, and
// imports it from there through the package's exports map.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

export function tarball() {
  const dir = join(root, "target/npm");
  const file = readdirSync(dir).find((f) => /^tiktok-edge-.*\.tgz$/.test(f));
  if (!file) throw new Error("no package tarball: run scripts/build-npm.sh");
  return join(dir, file);
}

/** A temporary project with the tarball installed; `remove()` deletes it. */
export function project(files = {}) {
  const dir = mkdtempSync(join(tmpdir(), "tiktok-edge-npm-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", tarball()], {
    cwd: dir,
    stdio: "pipe",
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The package as `import * as t from "tiktok-edge"` sees it in a user's Node project. */
export async function installed() {
  const p = project({ "probe.mjs": 'export * from "tiktok-edge";\n' });
  const api = await import(join(p.dir, "probe.mjs"));
  return { api, project: p };
}

export const DEFAULT_NOW_MS = 1767225600000; // the golden harness's clock

/** The same inputs the Rust golden harness (tests/golden.rs) builds from a fixture of `group`. */
export function inputs(group, fixture) {
  const base = JSON.parse(readFileSync(join(root, "tests/fixtures", group, "_base_destination.json"), "utf8"));
  const config = fixture.config ?? { destinations: [{ ...base, ...fixture.settings }] };
  const c = fixture.context ?? {};
  const context = {
    now: c.now ?? DEFAULT_NOW_MS,
    cookie: c.cookie ?? null,
    ip: c.ip ?? null,
    userAgent: c.user_agent ?? null,
    secrets: fixture.secrets ?? { TIKTOK_ACCESS_TOKEN: "test-token" },
  };
  return { config, event: fixture.event, context };
}
