// Bundlers and other runtimes: the wasm travels inside the JavaScript (base64),
// so no loader plugin or asset URL is needed and instantiation stays synchronous.
// Browsers limit synchronous compilation on the main thread (Chrome: 4 KB):
// there, use it from a Web Worker.
import { initSync } from "./dist/tiktok_edge.js";
import { bytes } from "./dist/wasm-inline.js";

initSync({ module: bytes() });

export * from "./api.js";
