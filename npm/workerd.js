// Cloudflare Workers (the `workerd` export condition wrangler bundles with): the
// runtime forbids compiling wasm from bytes, so the module is imported as a
// WebAssembly.Module (wrangler's default rule for *.wasm) and instantiated once.
import module from "./dist/tiktok_edge_bg.wasm";
import { initSync } from "./dist/tiktok_edge.js";

initSync({ module });

export * from "./api.js";
