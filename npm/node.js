// Node >= 20 (and runtimes with node:fs): the wasm file is read and compiled
// synchronously at import, once; every function is synchronous afterwards.
import { readFileSync } from "node:fs";
import { initSync } from "./dist/tiktok_edge.js";

initSync({ module: readFileSync(new URL("./dist/tiktok_edge_bg.wasm", import.meta.url)) });

/** Resolves at once: this entry instantiated the wasm at import. (Code written for
 * `tiktok-edge/async`, `await init()` first, runs unchanged on every entry.) */
export const init = () => Promise.resolve();

export * from "./api.js";
