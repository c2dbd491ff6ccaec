// A Cloudflare Worker in plain JavaScript using the tiktok-edge npm package:
// POST a Commanders Act event (or an array) to /events; it is mapped, batched and
// sent to TikTok, and each TikTok answer is classified.
import { batchRequests, buildRequests, classifyResponse } from "tiktok-edge";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/events") return new Response("not found", { status: 404 });
    const config = JSON.parse(env.DESTINATIONS);
    if (env.TIKTOK_API_BASE) config.api_base = env.TIKTOK_API_BASE;
    const { results } = buildRequests(config, await request.json(), {
      now: Date.now(),
      cookie: request.headers.get("Cookie"),
      ip: request.headers.get("CF-Connecting-IP"),
      userAgent: request.headers.get("User-Agent"),
      secrets: { TIKTOK_ACCESS_TOKEN: env.TIKTOK_ACCESS_TOKEN },
      revealTokens: true, // this Worker sends the requests itself; never log them
    });
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
