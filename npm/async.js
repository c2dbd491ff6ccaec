// Browsers, and any runtime that refuses (or should not block on) synchronous wasm
// compilation: nothing is compiled at import. `await init()` once; every function is
// synchronous afterwards. The wasm travels inline (base64): no asset URL, no bundler
// plugin. `init(source)` takes a URL, Response, bytes or WebAssembly.Module instead.
import load from "./dist/tiktok_edge.js";
import { bytes } from "./dist/wasm-inline.js";

let ready;

export function init(source) {
  ready ??= load({ module_or_path: source ?? bytes() }).then(
    () => undefined,
    (error) => {
      ready = undefined; // let a later call try again
      throw error;
    },
  );
  return ready;
}

export * from "./api.js";
