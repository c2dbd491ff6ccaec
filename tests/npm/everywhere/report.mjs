// How a bundled app reports the check's outcome: `globalThis.result` (read by the
// browser harness) and one JSON line on the console (read from Node's stdout).
export function report(promise) {
  return promise.then(
    (r) => done(r),
    (e) => done({ ok: false, error: String((e && e.stack) || e) }),
  );
}

function done(result) {
  globalThis.result = result;
  console.log(JSON.stringify(result));
}
