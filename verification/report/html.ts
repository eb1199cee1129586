/**
 * A self-contained HTML page (no external assets): verdict, architecture diagram, spec
 * items, rule results, cost chart and lines, latency, capacity, availability, DR, retention.
 */
import type { VerificationReport } from '../engine/types';
import { architectureSvg, costSvg } from './diagram';
import { drFigure, ms, num, percent, scenarioLabel, usd, specStatement, retention } from './format';
import { xml as esc } from './junit';
import { renderAdviceHtml } from '../advice/render';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{margin:0 0 4px}h2{margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;white-space:nowrap}code{font-size:12px}
.pass{color:#1f7a35;font-weight:bold}.fail{color:#b0302a;font-weight:bold}.unknown{color:#a06a00;font-weight:bold}.waived{color:#1b6e8a;font-weight:bold}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff}.verdict.pass{background:#1f7a35}.verdict.fail{background:#b0302a}
svg{max-width:100%;height:auto}.muted{color:#666}
`;

export function renderHtml(report: VerificationReport): string {
  const rows = (cells: string[][]) => cells.map((r) => `<tr>${r.join('')}</tr>`).join('\n');
  const td = (s: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${s}</td>`;
  const status = (s: string) => td(esc(s), s);
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  parts.push(`<title>Verification ${esc(report.verdict.toUpperCase())}: ${esc(report.spec.environment)}</title><style>${STYLE}</style></head><body>`);
  parts.push(`<h1>Verification <span class="verdict ${report.verdict}">${esc(report.verdict.toUpperCase())}</span></h1>`);
  parts.push(`<p class="muted">environment <b>${esc(report.spec.environment)}</b>, ${esc(report.input.kind)} <code>${esc(report.input.path)}</code>, ${report.input.resources} resources</p>`);

  parts.push('<h2>Spec: what must hold</h2>');
  for (const section of specStatement(report.spec)) parts.push(`<h3>${esc(section.title)}</h3><ul>${section.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`);

  parts.push('<h2>Architecture</h2>');
  parts.push(architectureSvg(report));
  parts.push('<table><tr><th>flow</th><th>hops</th><th>missing</th></tr>');
  parts.push(rows(report.flows.map((f) => [td(esc(f.name)), td(f.hops.map((h) => `<code>${esc(h)}</code>`).join(' → ')), td(esc(f.missing.join(', ')), f.missing.length ? 'unknown' : '')])));
  parts.push('</table>');

  parts.push('<h2>Verdict per spec item</h2><table><tr><th>item</th><th>status</th><th>computed</th></tr>');
  parts.push(rows(report.specItems.map((i) => [td(`<code>${esc(i.item)}</code>`), status(i.status), td(esc(i.summary))])));
  parts.push('</table>');

  parts.push('<h2>Rule results</h2><table><tr><th>status</th><th>rule</th><th>resource</th><th>finding</th><th>fix</th></tr>');
  parts.push(
    rows(
      report.results.map((r) => [
        status(r.status),
        td(`<code>${esc(r.rule)}</code>`),
        td(r.address ? `<code>${esc(r.address)}</code>` : '<span class="muted">(design)</span>'),
        td(esc(r.message) + (r.waiver ? `<br><span class="muted">waived until ${esc(r.waiver.expires)}: ${esc(r.waiver.reason)}</span>` : '')),
        td(esc(r.fix ?? '')),
      ]),
    ),
  );
  parts.push('</table>');

  parts.push(`<h2>Cost: ${esc(usd(report.cost.monthlyUsd.expected))}/month expected (${esc(usd(report.cost.monthlyUsd.min))}..${esc(usd(report.cost.monthlyUsd.max))})</h2>`);
  parts.push(costSvg(report));
  parts.push('<table><tr><th>resource</th><th>region</th><th>item</th><th>expected</th><th>range</th><th>formula</th><th>conf.</th></tr>');
  parts.push(
    rows(
      [...report.cost.lines]
        .sort((a, b) => b.monthlyUsd.expected - a.monthlyUsd.expected)
        .map((l) => [td(`<code>${esc(l.address)}</code>`), td(esc(l.region)), td(esc(l.item)), td(esc(usd(l.monthlyUsd.expected, 2)), 'n'), td(`${esc(usd(l.monthlyUsd.min))}..${esc(usd(l.monthlyUsd.max))}`, 'n'), td(esc(l.formula)), td(esc(l.confidence))]),
    ),
  );
  parts.push('</table>');
  if (report.cost.unpriced.length > 0) {
    parts.push(`<p class="unknown">Unpriced (blocks a pass): ${report.cost.unpriced.map((u) => `<code>${esc(u.address)}</code> (${esc(u.reason)})`).join(', ')}</p>`);
  }

  parts.push(`<h2>Latency: p50 ${esc(ms(report.latency.p50Ms))}, p99 ${esc(ms(report.latency.p99Ms))}</h2>`);
  for (const path of [report.latency.processing, report.latency.dashboardFreshness]) {
    parts.push(`<p><b>${esc(path.name)}</b>: p50 ${esc(ms(path.p50Ms))}, p99 ${esc(ms(path.p99Ms))} <span class="muted">(${esc(path.method)})</span></p>`);
    parts.push('<table><tr><th>hop</th><th>region</th><th>p50</th><th>p99</th><th>source</th></tr>');
    parts.push(rows(path.hops.map((h) => [td(esc(h.name)), td(esc(h.region ?? '')), td(esc(ms(h.p50Ms)), 'n'), td(esc(ms(h.p99Ms)), 'n'), td(`${esc(h.source)} [${esc(h.confidence)}]`)])));
    parts.push('</table>');
  }

  parts.push(`<h2>Capacity: ${esc(num(report.capacity.sustainedEventsPerSecond))} sustained, ${esc(num(report.capacity.burstEventsPerSecond))} burst events/s</h2>`);
  parts.push('<table><tr><th>component</th><th>sustained</th><th>burst</th><th>basis</th></tr>');
  parts.push(rows(report.capacity.components.map((c) => [td(esc(c.component)), td(esc(num(c.sustainedEventsPerSecond)), 'n'), td(esc(num(c.burstEventsPerSecond)), 'n'), td(esc(c.basis))])));
  parts.push(`</table><p>bottleneck: ${esc(report.capacity.bottleneck ?? 'unknown')}; ${esc(report.capacity.burstAbsorbed.explanation)}</p>`);

  parts.push('<h2>Availability</h2><table><tr><th>plane</th><th>availability</th><th>capped by</th><th>composition</th></tr>');
  parts.push(rows(report.availability.planes.map((p) => [td(esc(p.plane)), td(esc(percent(p.availability)), 'n'), td(esc(p.cappedBy ?? '')), td(esc(p.composition))])));
  parts.push(`</table><p class="muted">${esc(report.availability.note)}</p>`);

  parts.push('<h2>Disaster recovery</h2><table><tr><th>scenario</th><th>target</th><th>RPO min</th><th>RTO min</th><th>basis</th></tr>');
  parts.push(rows(report.dr.scenarios.map((s) => [td(esc(scenarioLabel(report.spec, s.scenario))), td(esc(s.target)), td(esc(drFigure(s, 'rpo')), 'n'), td(esc(drFigure(s, 'rto')), 'n'), td(esc(s.basis))])));
  parts.push('</table>');

  parts.push('<h2>Retention</h2><table><tr><th>store</th><th>kind</th><th>days</th><th>role</th><th>basis</th></tr>');
  parts.push(rows(report.retention.entries.map((e) => [td(`<code>${esc(e.address)}</code>`), td(esc(e.kind)), td(esc(retention(e)), 'n'), td(esc(e.role)), td(esc(e.basis))])));
  parts.push('</table>');

  parts.push(renderAdviceHtml(report, esc));
  if (report.warnings.length > 0) {
    parts.push(`<h2>Warnings</h2><ul>${report.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  }
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}
