// The public API: the wasm-bindgen exports, without the loader functions, and the two
// planning calls through a faster way in: their texts are written into wasm memory with
// one `TextEncoder.encodeInto` (wasm-bindgen's own string passing copies text char by
// char in JavaScript: most of a call's cost for a 2 KB event). Anything unusual (a
// non-string, a value JSON cannot hold) takes the bindings' path, for their errors.
import * as glue from "./dist/tiktok_edge.js";

export {
  validateConfig,
  batchRequests,
  classifyResponse,
  hashIdentifier,
  normalizeEmail,
  normalizePhone,
  parseCookies,
} from "./dist/tiktok_edge.js";

const encoder = new TextEncoder();
let memory;

export function buildRequestsJson(config, events, context) {
  if (typeof config !== "string" || typeof events !== "string") {
    return glue.buildRequestsJson(config, events, context);
  }
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  const room = 3 * (config.length + events.length);
  const at = glue.__inputBuffer(room);
  memory ??= glue.__memory();
  const view = new Uint8Array(memory.buffer, at, room);
  const configBytes = encoder.encodeInto(config, view).written;
  const eventBytes = encoder.encodeInto(events, view.subarray(configBytes)).written;
  return glue.__buildRequestsFromInput(configBytes, eventBytes, context);
}

export function buildRequests(config, events, context) {
  let configText, eventsText;
  try {
    configText = JSON.stringify(config);
    eventsText = JSON.stringify(events);
  } catch {
    return glue.buildRequests(config, events, context);
  }
  if (typeof configText !== "string" || typeof eventsText !== "string") {
    return glue.buildRequests(config, events, context);
  }
  return JSON.parse(buildRequestsJson(configText, eventsText, context));
}
