// The inspector page: reads the JSON API next to it (relative URLs, so any API_PREFIX
// works; the browser resends the Basic credentials). Data is only ever set as text,
// never as HTML: events carry text from anywhere.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    for (const c of children) e.append(c);
    return e;
  };
  const svg = (tag, attrs) => {
    const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  const api = (path, init) => fetch(path, { credentials: 'same-origin', ...init }).then(async (r) => {
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${r.status}`);
    return body;
  });
  const pretty = (v) => (v === undefined || v === null ? '(none)' : JSON.stringify(v, null, 2));
  const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const SERIES = [['sent', 'var(--ok)'], ['failed', 'var(--bad)'], ['skipped', 'var(--skip)'], ['dead_lettered', 'var(--dead)']];

  let events = [];
  const destinations = new Set();

  function chart(points, bucketMs, sinceMs, untilMs) {
    const n = Math.max(1, Math.round((untilMs - sinceMs) / bucketMs));
    const w = 600, h = 90, bw = w / n;
    const max = Math.max(1, ...points.map((p) => SERIES.reduce((s, [k]) => s + (p.counts[k] || 0), 0)));
    const box = svg('svg', { viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': `events per bucket, highest ${max}` });
    for (const p of points) {
      const i = Math.floor((p.at_ms - sinceMs) / bucketMs);
      let y = h;
      for (const [k, color] of SERIES) {
        const v = p.counts[k] || 0;
        if (!v) continue;
        const bh = (v / max) * (h - 4);
        y -= bh;
        const r = svg('rect', { x: i * bw + 1, y, width: Math.max(1, bw - 2), height: bh, fill: color });
        r.append(svg('title', {}));
        r.firstChild.textContent = `${time(p.at_ms)} ${k}: ${v}`;
        box.append(r);
      }
    }
    return box;
  }

  function summary(report) {
    const totals = $('totals');
    const charts = $('charts');
    totals.replaceChildren();
    charts.replaceChildren();
    $('summary-note').textContent = `Fleet-wide counts since ${new Date(report.since_ms).toLocaleString()} (every isolate and the queue consumer).`;
    const names = Object.keys(report.destinations);
    if (!names.length) totals.append(el('p', { class: 'note' }, 'Nothing delivered in this window yet.'));
    for (const d of names) {
      destinations.add(d);
      const t = report.destinations[d];
      const pills = el('div', { class: 'totals' }, el('strong', {}, d));
      for (const k of ['queued', 'sent', 'failed', 'skipped', 'error', 'dead_lettered', 'retried']) {
        if (t[k]) pills.append(el('span', { class: `pill s-${k}` }, `${k} ${t[k]}`));
      }
      totals.append(pills);
      const bucketMs = report.bucket_minutes * 60000;
      const now = Date.now();
      const points = report.series.filter((p) => p.destination === d);
      const legend = el('div', { class: 'legend' }, ...SERIES.map(([k]) => el('span', { class: `l-${k}` }, k)));
      charts.append(el('div', { class: 'chart', 'data-destination': d }, el('div', {}, `${d}: events per ${report.bucket_minutes >= 60 ? (report.bucket_minutes === 60 ? 'hour' : 'day') : report.bucket_minutes + ' min'} (highest bar: ${Math.max(0, ...points.map((p) => SERIES.reduce((s, [k]) => s + (p.counts[k] || 0), 0)))})`), chart(points, bucketMs, report.since_ms, now), legend));
    }
    const body = $('reasons').tBodies[0];
    body.replaceChildren(...report.reasons.map((r) => el('tr', {}, el('td', {}, r.destination), el('td', { class: `s-${r.outcome}` }, r.outcome), el('td', {}, r.reason), el('td', {}, String(r.n)))));
    if (!report.reasons.length) body.append(el('tr', {}, el('td', { colspan: '4', class: 'note' }, 'No failures, skips or dead letters.')));
    const list = $('quality-list');
    list.replaceChildren();
    for (const [d, q] of Object.entries(report.match_quality)) {
      const block = el('div', { class: 'quality', 'data-destination': d }, el('h3', {}, `${d}: `, el('span', { class: 'score' }, `${q.score.toFixed(1)} / 10`), ` over ${q.events} events`));
      for (const { key, weight, share } of q.coverage) {
        const fill = el('i');
        fill.style.width = `${Math.round(share * 100)}%`; // CSSOM: the page's CSP forbids style attributes
        block.append(el('div', { class: 'bar' }, el('span', {}, `${key} (${weight})`), el('div', {}, fill), el('span', {}, `${Math.round(share * 100)}%`)));
      }
      list.append(block);
    }
    if (!list.children.length) list.append(el('p', { class: 'note' }, 'No requests planned in this window yet.'));
    refreshDestinations();
  }

  function refreshDestinations() {
    const select = $('f-destination');
    const known = new Set([...select.options].map((o) => o.value));
    for (const d of destinations) if (!known.has(d)) select.append(el('option', { value: d }, d));
  }

  function list() {
    const body = $('events').tBodies[0];
    body.replaceChildren(...events.map((e, i) => {
      const row = el('tr', { tabindex: '0', 'data-index': String(i) },
        el('td', {}, time(e.at_ms)), el('td', {}, e.destination),
        el('td', {}, e.event || e.ca_event, e.debug ? ' (debug)' : ''),
        el('td', { class: `status s-${e.status}` }, e.status, e.reason ? ` (${e.reason})` : ''),
        el('td', {}, e.match_keys.join(', ')));
      row.addEventListener('click', () => detail(e));
      row.addEventListener('keydown', (k) => { if (k.key === 'Enter') detail(e); });
      return row;
    }));
    $('events-empty').hidden = events.length > 0;
    for (const e of events) destinations.add(e.destination);
    refreshDestinations();
  }

  function detail(e) {
    const facts = $('detail-facts');
    facts.replaceChildren();
    const rows = [['time', new Date(e.at_ms).toLocaleString()], ['destination', e.destination], ['Commanders Act event', e.ca_event],
      ['TikTok event', e.event || '(none)'], ['event_id', e.event_id || '(none)'], ['status', e.status + (e.reason ? ` (${e.reason})` : '')],
      ['attempts', String(e.attempts)], ['match keys', e.match_keys.join(', ') || '(none)'], ['debug', e.debug ? 'yes' : 'no']];
    for (const [k, v] of rows) facts.append(el('dt', {}, k), el('dd', {}, v));
    $('detail-input').textContent = pretty(e.input);
    $('detail-request').textContent = pretty(e.request);
    $('detail-answer').textContent = pretty(e.tiktok);
    $('detail-warnings').textContent = e.warnings.length ? pretty(e.warnings) : '(none)';
    $('detail').hidden = false;
    $('detail').scrollIntoView({ block: 'start' });
  }

  async function loadEvents() {
    const q = new URLSearchParams({ limit: '100' });
    for (const [k, id] of [['destination', 'f-destination'], ['status', 'f-status'], ['event', 'f-event']]) {
      const v = $(id).value.trim();
      if (v) q.set(k, v);
    }
    try {
      events = (await api(`v1/inspector/events?${q}`)).events;
      list();
    } catch (err) {
      $('events-empty').hidden = false;
      $('events-empty').textContent = `Could not load events: ${err.message}`;
    }
  }

  async function loadStats() {
    try {
      summary(await api(`v1/inspector/stats?window=${encodeURIComponent($('window').value)}`));
    } catch (err) {
      $('totals').replaceChildren(el('p', { class: 'note' }, `Could not load the report: ${err.message}`));
    }
  }

  $('window').addEventListener('change', loadStats);
  $('filters').addEventListener('change', loadEvents);
  $('filters').addEventListener('submit', (e) => { e.preventDefault(); loadEvents(); });
  $('detail-close').addEventListener('click', () => { $('detail').hidden = true; });
  $('try-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = $('try-output');
    out.textContent = 'Planning...';
    try {
      const result = await api('v1/inspector/preview', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: $('try-input').value });
      out.textContent = pretty(result.results);
    } catch (err) {
      out.textContent = err.message;
    }
  });
  setInterval(() => { if ($('f-live').checked) { loadEvents(); loadStats(); } }, 5000);
  loadStats();
  loadEvents();
})();
