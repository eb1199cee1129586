// The live dashboard page: polls the dashboard service (same origin) and draws with inline
// SVG. No libraries, no external requests.
(function () {
  'use strict';
  var FRESH_BOUND_MS = 5000;
  var HISTORY = 60;
  var state = { intervalMs: 2000, asOfMs: null, selected: null, epsHistory: [], timer: null, inFlight: false };
  var $ = function (id) { return document.getElementById(id); };
  var SVG_NS = 'http://www.w3.org/2000/svg';

  function fmt(n, digits) {
    if (n === null || n === undefined || !isFinite(n)) return '—';
    return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits === undefined ? 0 : digits });
  }

  function text(id, value) { var el = $(id); if (el.textContent !== value) el.textContent = value; }

  function svg(tag, attrs, content) {
    var el = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, String(attrs[k])); });
    if (content !== undefined) el.textContent = content;
    return el;
  }

  function getJson(url) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, 4000);
    return fetch(url, { cache: 'no-store', signal: controller.signal }).then(function (res) {
      clearTimeout(timer);
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body && body.error ? body.error : 'HTTP ' + res.status);
        return body;
      });
    }, function (err) { clearTimeout(timer); throw err; });
  }

  function renderFreshness() {
    var box = $('freshness');
    if (state.asOfMs === null) return;
    var lag = Date.now() - state.asOfMs;
    text('as-of', new Date(state.asOfMs).toLocaleTimeString('en-GB', { hour12: false }));
    text('lag', '(' + (Math.max(0, lag) / 1000).toFixed(1) + ' s ago)');
    box.className = 'freshness ' + (lag <= FRESH_BOUND_MS ? 'fresh' : 'stale');
    box.setAttribute('data-lag-ms', String(Math.round(lag)));
  }

  function renderSpark() {
    var el = $('eps-spark');
    while (el.firstChild) el.removeChild(el.firstChild);
    var h = state.epsHistory;
    if (h.length < 2) return;
    var max = Math.max.apply(null, h.concat([1]));
    var pts = h.map(function (v, i) { return (i * 200 / (HISTORY - 1)).toFixed(1) + ',' + (38 - (v / max) * 36).toFixed(1); });
    el.appendChild(svg('polyline', { points: pts.join(' ') }));
  }

  function renderTop(devices) {
    var body = $('top-devices').tBodies[0];
    while (body.firstChild) body.removeChild(body.firstChild);
    devices.forEach(function (d) {
      var tr = document.createElement('tr');
      if (d.deviceId === state.selected) tr.className = 'selected';
      var a = document.createElement('td'); a.textContent = d.deviceId;
      var b = document.createElement('td'); b.className = 'num'; b.textContent = fmt(d.events);
      tr.appendChild(a); tr.appendChild(b);
      tr.addEventListener('click', function () { state.selected = d.deviceId; refreshDevice(); renderTop(devices); });
      body.appendChild(tr);
    });
  }

  function renderLive(live) {
    state.asOfMs = Date.parse(live.asOf);
    text('events-per-second', fmt(live.eventsPerSecond));
    text('p50', fmt(live.latencyMs.p50, 1));
    text('p99', fmt(live.latencyMs.p99, 1));
    var known = live.backlog.messages !== null;
    text('backlog', fmt(known ? live.backlog.messages : live.backlog.inFlightMessages));
    text('backlog-age', (known ? 'undelivered messages' : 'messages in flight in the processor') +
      (live.backlog.oldestAgeSeconds === null ? '' : ', oldest ' + fmt(live.backlog.oldestAgeSeconds, 1) + ' s'));
    text('dead-letters', fmt(live.deadLetters));
    text('processed', fmt(live.eventsProcessed));
    text('warnings', live.warnings && live.warnings.length ? live.warnings.join(' · ') : '');
    state.epsHistory.push(live.eventsPerSecond || 0);
    if (state.epsHistory.length > HISTORY) state.epsHistory.shift();
    renderSpark();
    if (!state.selected && live.topDevices.length > 0) state.selected = live.topDevices[0].deviceId;
    renderTop(live.topDevices);
    renderFreshness();
  }

  function renderChart(series) {
    var el = $('device-chart');
    while (el.firstChild) el.removeChild(el.firstChild);
    text('chart-device', series.deviceId);
    text('chart-caption', 'events per window' + (series.metric ? ' · mean ' + series.metric : ''));
    var pts = series.points;
    var W = 600, H = 240, L = 44, R = 44, T = 10, B = 24;
    el.appendChild(svg('line', { 'class': 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
    if (pts.length === 0) { el.appendChild(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no finalized windows yet')); return; }
    var maxEvents = Math.max.apply(null, pts.map(function (p) { return p.events; }).concat([1]));
    var means = pts.filter(function (p) { return p.mean !== null; }).map(function (p) { return p.mean; });
    var lo = means.length ? Math.min.apply(null, means) : 0, hi = means.length ? Math.max.apply(null, means) : 1;
    if (hi === lo) { hi += 1; lo -= 1; }
    // At most 40 px per window, so a single window is a bar, not a wall.
    var slot = Math.min(40, (W - L - R) / pts.length);
    var line = [];
    pts.forEach(function (p, i) {
      var h = (p.events / maxEvents) * (H - T - B);
      el.appendChild(svg('rect', { 'class': 'bar', x: (L + i * slot + slot * 0.1).toFixed(1), y: (H - B - h).toFixed(1), width: Math.max(1, slot * 0.8).toFixed(1), height: h.toFixed(1) }));
      if (p.mean !== null) line.push((L + i * slot + slot / 2).toFixed(1) + ',' + (H - B - ((p.mean - lo) / (hi - lo)) * (H - T - B)).toFixed(1));
    });
    if (line.length > 1) el.appendChild(svg('polyline', { 'class': 'line', points: line.join(' ') }));
    el.appendChild(svg('text', { x: L - 6, y: T + 10, 'text-anchor': 'end' }, fmt(maxEvents)));
    el.appendChild(svg('text', { x: L - 6, y: H - B, 'text-anchor': 'end' }, '0'));
    if (means.length) {
      el.appendChild(svg('text', { x: W - R + 6, y: T + 10 }, fmt(hi, 1)));
      el.appendChild(svg('text', { x: W - R + 6, y: H - B }, fmt(lo, 1)));
    }
    var first = new Date(pts[0].t), last = new Date(pts[pts.length - 1].t);
    var hm = function (d) { return d.toLocaleTimeString('en-GB', { hour12: false }); };
    el.appendChild(svg('text', { x: L, y: H - 6 }, hm(first)));
    el.appendChild(svg('text', { x: W - R, y: H - 6, 'text-anchor': 'end' }, hm(last)));
  }

  function refreshDevice() {
    if (!state.selected) return Promise.resolve();
    return getJson('/api/devices/' + encodeURIComponent(state.selected) + '/series').then(renderChart, function () { /* keep the last chart */ });
  }

  function tick() {
    if (state.inFlight) return;
    state.inFlight = true;
    getJson('/api/live').then(function (live) {
      renderLive(live);
      return refreshDevice();
    }, function (err) {
      text('warnings', 'analytics unavailable: ' + err.message);
    }).then(function () { state.inFlight = false; }, function () { state.inFlight = false; });
  }

  getJson('/api/config').then(function (cfg) { if (cfg && cfg.refreshIntervalMs) state.intervalMs = cfg.refreshIntervalMs; }, function () {}).then(function () {
    text('interval', String(state.intervalMs / 1000));
    tick();
    state.timer = setInterval(tick, state.intervalMs);
    setInterval(renderFreshness, 250);
  });
})();
