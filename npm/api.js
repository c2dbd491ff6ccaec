// The public API: the wasm-bindgen exports, without the loader functions.
export {
  buildRequests,
  buildRequestsJson,
  validateConfig,
  batchRequests,
  classifyResponse,
  hashIdentifier,
  normalizeEmail,
  normalizePhone,
  parseCookies,
} from "./dist/tiktok_edge.js";
