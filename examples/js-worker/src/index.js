// A Cloudflare Worker in plain JavaScript using the tiktok-edge npm package:
// POST a Commanders Act event (or an array) to /events; it is mapped, batched and
// sent to TikTok, and each TikTok answer is classified.
//
// Callers send `Authorization: Bearer <INGEST_TOKEN>` (`wrangler secret put INGEST_TOKEN`).
// Without INGEST_TOKEN only local calls are answered (`wrangler dev`: Cloudflare sets
// CF-Connecting-IP to the real client, so no caller on the internet is loopback).
// Bodies are limited to MAX_BODY_BYTES (default 1 MiB, counted while reading) and 1,000 events.
import { batchRequests, buildRequests, classifyResponse } from "tiktok-edge";

const MAX_EVENTS = 1000;

function error(status, code, message) {
  return Response.json({ error: { code, message, path: "" } }, { status, headers: { "Cache-Control": "no-store" } });
}

// Same time whatever the position of the first difference.
function sameSecret(a, b) {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length === y.length ? 0 : 1;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ (y[i] ?? 0);
  return diff === 0;
}

function authorized(request, env) {
  const header = request.headers.get("Authorization") ?? "";
  const [scheme, token = ""] = header.trim().split(/\s+/, 2);
  if (env.INGEST_TOKEN) return scheme.toLowerCase() === "bearer" && sameSecret(token, env.INGEST_TOKEN);
  const ip = request.headers.get("CF-Connecting-IP") ?? "";
  return header === "" && (ip === "127.0.0.1" || ip === "::1");
}

// The body as text, or an error response: counted while it streams in, refused past `max`.
async function readBody(request, max) {
  if (Number(request.headers.get("Content-Length") ?? 0) > max) return error(413, "payload_too_large", `the body is larger than ${max} bytes`);
  const chunks = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body) {
      size += chunk.byteLength;
      if (size > max) return error(413, "payload_too_large", `the body is larger than ${max} bytes`);
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { bytes.set(c, at); at += c.byteLength; }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return error(400, "bad_json", "the body is not valid UTF-8");
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/events") return error(404, "not_found", "POST /events");
    if (!authorized(request, env)) return error(401, "unauthorized", "send Authorization: Bearer <INGEST_TOKEN>");
    const text = await readBody(request, Number(env.MAX_BODY_BYTES ?? 1048576));
    if (text instanceof Response) return text;
    let input;
    try {
      input = JSON.parse(text);
    } catch {
      return error(400, "bad_json", "the body is not valid JSON");
    }
    if (Array.isArray(input) && input.length > MAX_EVENTS) return error(400, "too_many_events", `at most ${MAX_EVENTS} events`);
    const config = JSON.parse(env.DESTINATIONS);
    if (env.TIKTOK_API_BASE) config.api_base = env.TIKTOK_API_BASE;
    let results;
    try {
      ({ results } = buildRequests(config, input, {
        now: Date.now(),
        cookie: request.headers.get("Cookie"),
        ip: request.headers.get("CF-Connecting-IP"),
        userAgent: request.headers.get("User-Agent"),
        secrets: { TIKTOK_ACCESS_TOKEN: env.TIKTOK_ACCESS_TOKEN },
        revealTokens: true, // this Worker sends the requests itself; never log them
      }));
    } catch (e) {
      // The package's errors name a code and a path, never input values.
      return Response.json({ error: { code: e.code ?? "invalid_event", message: e.message, path: e.path ?? "" } }, { status: 400 });
    }
    const sent = await Promise.all(
      batchRequests(results).map(async ({ request: r, indexes }) => {
        const answer = await fetch(r.url, { method: r.method, headers: r.headers, body: JSON.stringify(r.body) });
        return { indexes, ...classifyResponse(answer.status, await answer.text()) };
      }),
    );
    const notSent = results.filter((r) => r.status !== "ready").map(({ request, ...r }) => r);
    return Response.json({ sent, notSent });
  },
};
