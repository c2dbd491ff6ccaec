// The baseline for the load test: a Worker that forwards the request body
// unchanged to the same upstream, with no parsing, mapping or hashing.
export default {
  async fetch(request, env) {
    const body = await request.text();
    const upstream = await fetch(`${env.TIKTOK_API_BASE}/open_api/v1.3/event/track/`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', 'Access-Token': env.TIKTOK_ACCESS_TOKEN },
    });
    return new Response(await upstream.text(), { status: 202, headers: { 'Content-Type': 'application/json' } });
  },
};
