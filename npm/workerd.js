// Cloudflare Workers (the `workerd` export condition wrangler bundles with): the
// runtime forbids compiling wasm from bytes, so the module is imported as a
// WebAssembly.Module (wrangler's default rule for *.wasm) and instantiated once.
import module from "./dist/tiktok_edge_bg.wasm";
import { initSync } from "./dist/tiktok_edge.js";

initSync({ module });

/** Resolves at once: this entry instantiated the wasm at import. (Code written for
 * `tiktok-edge/async`, `await init()` first, runs unchanged on every entry.) */
export const init = () => Promise.resolve();

export * from "./api.js";
