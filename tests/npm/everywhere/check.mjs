// The one check every runtime and bundle runs (tests/npm/runtimes.test.mjs and
// bundlers.test.mjs): map the spec's example purchase (spec c.5 example 1) and compare
// the whole result with the golden fixture's, batch two events into one request, and
// classify TikTok answers. Plain ES2022, no runtime API: `api` is the imported package.
import { fixture } from "./fixture.js";

export async function check(api) {
  await api.init();
  const { config, event, context, expected } = fixture;
  const { results } = api.buildRequests(config, event, context);
  same(results, expected, "buildRequests");
  const two = api.buildRequests(config, [event, { ...event, id: "O_12346" }], { ...context, revealTokens: true });
  const batches = api.batchRequests(two.results);
  const shape = batches.map((b) => [b.indexes, b.request.body.data.map((d) => d.event_id), b.request.headers["Access-Token"]]);
  same(shape, [[[0, 1], ["O_12345", "O_12346"], context.secrets.TIKTOK_ACCESS_TOKEN]], "batchRequests");
  const answers = [
    [200, '{"code":0,"message":"OK","request_id":"r1"}'],
    [200, '{"code":40100,"message":"Too many requests"}'],
    [200, '{"code":40002,"message":"Invalid params"}'],
    [0, null],
  ];
  const verdicts = answers.map(([status, body]) => api.classifyResponse(status, body)).map((c) => [c.verdict, c.reason]);
  const want = [["ok", "ok"], ["retry", "rate_limited"], ["drop", "invalid_params"], ["retry", "timeout"]];
  same(verdicts, want, "classifyResponse");
  return { ok: true, event: results[0].event, batched: batches[0].request.body.data.length };
}

function same(actual, expected, what) {
  const [a, e] = [canonical(actual), canonical(expected)];
  if (a !== e) throw new Error(`${what}: got ${a}, expected ${e}`);
}

/** JSON with object keys sorted: equal values give equal text. */
function canonical(value) {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}
