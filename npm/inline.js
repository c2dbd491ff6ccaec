// Bundlers and other runtimes: the wasm travels inside the JavaScript (base64),
// so no loader plugin or asset URL is needed and instantiation stays synchronous.
// Where synchronous compilation is refused, import `tiktok-edge/async` instead.
import { initSync } from "./dist/tiktok_edge.js";
import { bytes } from "./dist/wasm-inline.js";

initSync({ module: bytes() });

/** Resolves at once: this entry instantiated the wasm at import. (Code written for
 * `tiktok-edge/async`, `await init()` first, runs unchanged on every entry.) */
export const init = () => Promise.resolve();

export * from "./api.js";
