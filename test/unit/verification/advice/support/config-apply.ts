/**
 * Applying advice the way a person would: as edits of the environment config, re-synthesized by
 * the stacks and verified from scratch. The config keys are the report's ("hotStorage.clusters[1].maxNodes",
 * "secondary.minInstances"); a value of null or undefined removes an optional field.
 */
import type { EnvironmentConfig } from '../../../../../stacks/config/types';
import { synthesizeConfig } from '../../../stacks/synth-helpers';
import { loadTerraformJson } from '../../../../../verification/graph/load';
import { verifyGraph } from '../../../../../verification/engine/verify';
import type { VerificationReport } from '../../../../../verification/engine/types';
import type { Graph } from '../../../../../verification/graph/types';

export const TODAY = '2026-12-03';

export interface ConfigEntry {
  configKey: string;
  to: unknown;
}

function segmentsOf(key: string): (string | number)[] {
  return key
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** A copy of `config` with every entry applied, in order. */
export function applyConfigEntries(config: EnvironmentConfig, entries: readonly ConfigEntry[]): EnvironmentConfig {
  const copy = structuredClone(config) as unknown as Record<string | number, unknown>;
  for (const e of entries) {
    const path = segmentsOf(e.configKey);
    let cursor = copy as Record<string | number, unknown>;
    for (let i = 0; i < path.length - 1; i++) {
      const next = cursor[path[i]];
      if (next === undefined || next === null) cursor[path[i]] = typeof path[i + 1] === 'number' ? [] : {};
      cursor = cursor[path[i]] as Record<string | number, unknown>;
    }
    const last = path[path.length - 1];
    if (e.to === undefined || e.to === null) {
      if (Array.isArray(cursor) && typeof last === 'number') cursor.splice(last, 1);
      else delete cursor[last];
    } else cursor[last] = structuredClone(e.to);
  }
  return copy as unknown as EnvironmentConfig;
}

/**
 * Synthesized graphs by config (a synth is the slow part of these tests, and the same config is
 * synthesized by several tests of a file). Graphs are never mutated: the advice edits copies.
 */
const synthesized = new Map<string, Graph>();

export function graphOfConfig(config: EnvironmentConfig): Graph {
  const key = JSON.stringify(config);
  let graph = synthesized.get(key);
  if (!graph) {
    graph = loadTerraformJson(synthesizeConfig(config).json, `in-memory ${config.name}`);
    synthesized.set(key, graph);
  }
  return graph;
}

export function verifyConfig(config: EnvironmentConfig): VerificationReport {
  return verifyGraph(graphOfConfig(config), config.spec, { today: TODAY });
}

/** The figures two verifications must share to be the same design: verdict, item statuses, cost, failing rules. */
export function verdictOf(r: VerificationReport) {
  return {
    verdict: r.verdict,
    items: Object.fromEntries(r.specItems.map((i) => [i.item, i.status])),
    cost: r.cost.monthlyUsd,
    failing: r.results.filter((x) => x.status === 'fail' || x.status === 'unknown').map((x) => `${x.rule}@${x.address ?? ''}`).sort(),
  };
}

/** Addresses and references without the synth's 8-hex-digit construct hash (a copied resource cannot know it). */
const withoutHash = (s: string) => s.replace(/_[0-9A-F]{8}\b/g, '');

function canonicalValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalValue).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.$pending === true) return `pending(${withoutHash(String(o.expression ?? ''))})`;
    return `{${Object.keys(o).sort().map((k) => `${k}:${canonicalValue(o[k])}`).join(',')}}`;
  }
  return typeof v === 'string' ? JSON.stringify(withoutHash(v)) : JSON.stringify(v);
}

/** Every difference between two graphs' resources (addresses, attribute values, depends_on), hashes aside. */
export function graphDifferences(edited: Graph, synthesized: Graph): string[] {
  const shot = (g: Graph) => new Map(g.resources.map((r) => [withoutHash(r.address), `${canonicalValue(r.values)} depends_on=${canonicalValue(r.meta?.dependsOn ?? [])}`]));
  const a = shot(edited);
  const b = shot(synthesized);
  const out: string[] = [];
  for (const [k, v] of a) {
    if (!b.has(k)) out.push(`only in the edited graph: ${k}`);
    else if (b.get(k) !== v) out.push(`${k} differs:\n  edited:      ${v}\n  synthesized: ${b.get(k)}`);
  }
  for (const k of b.keys()) if (!a.has(k)) out.push(`only in the synthesized graph: ${k}`);
  return out;
}
