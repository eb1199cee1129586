/**
 * Inline SVG pictures for the HTML report: the seven components with the data flows
 * between them (coloured by the worst status of their resources), and the cost per
 * component as horizontal bars with min..max whiskers.
 */
import type { ComponentId, Status, VerificationReport } from '../engine/types';
import { COMPONENT_IDS } from '../engine/types';
import { componentIndex, costByComponent, usd } from './format';
import { xml } from './junit';

const POSITION: Record<ComponentId, [number, number]> = {
  ingestion: [0, 1],
  'stream-processing': [1, 1],
  'hot-storage': [2, 0],
  'cold-storage': [2, 2],
  analytics: [3, 1],
  dashboard: [4, 1],
  monitoring: [2, 3],
};
const BOX_W = 150;
const BOX_H = 56;
const GAP_X = 90;
const GAP_Y = 34;
const FILL: Record<Status | 'empty', string> = { pass: '#d9f2dd', fail: '#f8d3d0', unknown: '#fbecc2', waived: '#d6ecf3', empty: '#eeeeee' };
const FLOW_COLOR: Record<string, string> = {
  speed: '#1b6ec2',
  archive: '#7b4fb0',
  serving: '#2a8a4a',
  'serving-history': '#2a8a4a',
  dashboard: '#c2761b',
  monitoring: '#888888',
  'dead-letter': '#b0302a',
};

function worst(statuses: Status[]): Status | 'empty' {
  if (statuses.length === 0) return 'empty';
  for (const s of ['fail', 'unknown', 'waived'] as const) if (statuses.includes(s)) return s;
  return 'pass';
}

export function architectureSvg(report: VerificationReport): string {
  const index = componentIndex(report);
  const statusOf = new Map<string, Status[]>();
  for (const r of report.results) {
    const c = r.address ? index.get(r.address) : undefined;
    if (!c) continue;
    const list = statusOf.get(c) ?? [];
    list.push(r.status);
    statusOf.set(c, list);
  }
  const centre = (c: ComponentId): [number, number] => {
    const [col, row] = POSITION[c];
    return [20 + col * (BOX_W + GAP_X) + BOX_W / 2, 20 + row * (BOX_H + GAP_Y) + BOX_H / 2];
  };
  const width = 20 * 2 + 5 * BOX_W + 4 * GAP_X;
  const height = 20 * 2 + 4 * BOX_H + 3 * GAP_Y + 24;

  // Arrows between the components of consecutive hops of each flow.
  const arrows = new Map<string, { from: ComponentId; to: ComponentId; flows: string[] }>();
  for (const f of report.flows) {
    const comps = f.hops.map((h) => index.get(h)).filter((c): c is ComponentId => !!c && c !== 'shared');
    for (let i = 1; i < comps.length; i++) {
      if (comps[i] === comps[i - 1]) continue;
      const key = `${comps[i - 1]}>${comps[i]}`;
      const a = arrows.get(key) ?? { from: comps[i - 1], to: comps[i], flows: [] };
      if (!a.flows.includes(f.name)) a.flows.push(f.name);
      arrows.set(key, a);
    }
  }
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Architecture: the seven components and their data flows">`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>');
  for (const a of arrows.values()) {
    const [x1, y1] = centre(a.from);
    const [x2, y2] = centre(a.to);
    const [sx, sy] = edgePoint(x1, y1, x2, y2);
    const [ex, ey] = edgePoint(x2, y2, x1, y1);
    const colour = FLOW_COLOR[a.flows[0]] ?? '#444';
    parts.push(
      `<line x1="${sx.toFixed(1)}" y1="${sy.toFixed(1)}" x2="${ex.toFixed(1)}" y2="${ey.toFixed(1)}" stroke="${colour}" stroke-width="2" marker-end="url(#arrow)"><title>${xml(a.flows.join(', '))} flow</title></line>`,
    );
    parts.push(`<text x="${((sx + ex) / 2).toFixed(1)}" y="${((sy + ey) / 2 - 4).toFixed(1)}" font-size="10" fill="${colour}" text-anchor="middle" stroke="#fff" stroke-width="3" paint-order="stroke">${xml(a.flows.join(', '))}</text>`);
  }
  // Monitoring watches every other component that exists.
  const monitoringCount = report.components.find((x) => x.id === 'monitoring')?.resources.length ?? 0;
  if (monitoringCount > 0) {
    for (const c of COMPONENT_IDS) {
      if (c === 'monitoring' || (report.components.find((x) => x.id === c)?.resources.length ?? 0) === 0) continue;
      const [x1, y1] = centre('monitoring');
      const [x2, y2] = centre(c);
      const [sx, sy] = edgePoint(x1, y1, x2, y2);
      const [ex, ey] = edgePoint(x2, y2, x1, y1);
      parts.push(`<line x1="${sx.toFixed(1)}" y1="${sy.toFixed(1)}" x2="${ex.toFixed(1)}" y2="${ey.toFixed(1)}" stroke="#aaa" stroke-width="1" stroke-dasharray="3 4"><title>monitoring watches ${xml(c)}</title></line>`);
    }
  }
  for (const c of COMPONENT_IDS) {
    const [col, row] = POSITION[c];
    const x = 20 + col * (BOX_W + GAP_X);
    const y = 20 + row * (BOX_H + GAP_Y);
    const count = report.components.find((x2) => x2.id === c)?.resources.length ?? 0;
    const status = count === 0 ? 'unknown' : worst(statusOf.get(c) ?? []);
    parts.push(
      `<g><rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="8" fill="${FILL[status]}" stroke="#555"/>` +
        `<text x="${x + BOX_W / 2}" y="${y + 23}" font-size="13" font-weight="bold" text-anchor="middle">${xml(c)}</text>` +
        `<text x="${x + BOX_W / 2}" y="${y + 41}" font-size="11" text-anchor="middle">${count} resource${count === 1 ? '' : 's'}${status === 'empty' ? '' : `, ${status}`}</text>` +
        `<title>${xml(report.components.find((x2) => x2.id === c)?.resources.join('\n') || 'no resources found')}</title></g>`,
    );
  }
  const missing = report.flows.filter((f) => f.missing.length > 0).map((f) => `${f.name}: ${f.missing.join(', ')}`);
  parts.push(`<text x="20" y="${height - 8}" font-size="11" fill="${missing.length > 0 ? '#b0302a' : '#1f7a35'}">${xml(missing.length > 0 ? `missing hops: ${missing.join('; ')}` : 'every flow is complete')}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** Where the line from a box centre towards another point leaves the box. */
function edgePoint(cx: number, cy: number, tx: number, ty: number): [number, number] {
  const dx = tx - cx;
  const dy = ty - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const sx = dx === 0 ? Infinity : BOX_W / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : BOX_H / 2 / Math.abs(dy);
  const s = Math.min(sx, sy);
  return [cx + dx * s, cy + dy * s];
}

export function costSvg(report: VerificationReport): string {
  const rows = costByComponent(report);
  const budget = report.spec.constraints.monthlyBudgetUsd;
  const maxValue = Math.max(budget, ...rows.map((r) => r.max), 1);
  const total = report.cost.monthlyUsd;
  const bars = [...rows, { component: 'total', ...total }];
  const labelW = 140;
  const chartW = 520;
  const rowH = 26;
  const height = bars.length * rowH + 40;
  const x = (v: number) => labelW + (v / maxValue) * chartW;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${labelW + chartW + 120} ${height}" width="${labelW + chartW + 120}" height="${height}" role="img" aria-label="Monthly cost per component">`);
  bars.forEach((b, i) => {
    const y = 10 + i * rowH;
    const isTotal = b.component === 'total';
    parts.push(`<text x="${labelW - 8}" y="${y + 15}" font-size="12" text-anchor="end"${isTotal ? ' font-weight="bold"' : ''}>${xml(b.component)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 3}" width="${Math.max(0, x(b.expected) - labelW).toFixed(1)}" height="16" fill="${isTotal ? '#555' : '#1b6ec2'}"><title>${xml(`${b.component}: ${usd(b.expected)} expected (${usd(b.min)}..${usd(b.max)})`)}</title></rect>`);
    parts.push(`<line x1="${x(b.min).toFixed(1)}" y1="${y + 11}" x2="${x(b.max).toFixed(1)}" y2="${y + 11}" stroke="#222" stroke-width="1.5"/>`);
    parts.push(`<text x="${(x(b.max) + 6).toFixed(1)}" y="${y + 15}" font-size="11">${xml(usd(b.expected))}</text>`);
  });
  const bx = x(budget);
  parts.push(`<line x1="${bx.toFixed(1)}" y1="4" x2="${bx.toFixed(1)}" y2="${height - 22}" stroke="#b0302a" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${bx.toFixed(1)}" y="${height - 8}" font-size="11" fill="#b0302a" text-anchor="middle">budget ${xml(usd(budget))}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
