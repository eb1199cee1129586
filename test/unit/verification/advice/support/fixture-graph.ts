/**
 * Loads the advice fixtures (Terraform JSON) into a Graph for the unit tests. `loadedFixture`
 * and `loadedVariant` use the verifier's real loader; `graphFromDoc` is a simplified loader
 * the older advice tests still use.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AttrValue, Edge, Graph, Resource } from '../../../../../verification/graph/types';
import { loadTerraformJson } from '../../../../../verification/graph/load';

export const FIXTURES = path.resolve(__dirname, '../../../../fixtures/verification/advice');

function convert(value: unknown): AttrValue {
  if (typeof value === 'string') {
    const refs = [...value.matchAll(/\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)(?:\.[A-Za-z0-9_.]+)?\}/g)].map((m) => m[1]);
    return refs.length > 0 ? { $pending: true, reason: 'expression', expression: value, references: refs } : value;
  }
  if (Array.isArray(value)) return value.map(convert);
  if (value && typeof value === 'object') {
    const out: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(value)) if (k !== '//') out[k] = convert(v);
    return out;
  }
  return value as AttrValue;
}

export function graphFromDoc(doc: { resource?: Record<string, Record<string, Record<string, unknown>>> }, source = 'fixture'): Graph {
  const resources: Resource[] = [];
  for (const [type, byName] of Object.entries(doc.resource ?? {})) {
    for (const [name, values] of Object.entries(byName)) {
      resources.push({
        address: `${type}.${name}`, mode: 'managed', type, name, modulePath: [],
        provider: { key: 'google', name: 'google', region: 'us-central1' },
        values: convert(values) as Record<string, AttrValue>, sensitivePaths: [],
      });
    }
  }
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const edges: Edge[] = [];
  const walk = (from: string, v: AttrValue, p: string): void => {
    if (v && typeof v === 'object' && !Array.isArray(v) && (v as { $pending?: boolean }).$pending) {
      for (const ref of (v as { references: string[] }).references) if (byAddress.has(ref)) edges.push({ from, to: ref, attribute: p });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(from, x, `${p}.${i}`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(from, x, p ? `${p}.${k}` : k);
  };
  for (const r of resources) walk(r.address, r.values as AttrValue, '');
  return { source: { kind: 'cdk-tf-json', path: source }, resources, removed: [], byAddress, edges, providers: [], warnings: [] };
}

export function fixtureDoc(name: string): { resource: Record<string, Record<string, Record<string, unknown>>> } {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}

export function fixtureGraph(name: string): Graph {
  return graphFromDoc(fixtureDoc(name), path.join(FIXTURES, name));
}

type ResourceEdit = (resource: Record<string, Record<string, Record<string, unknown>>>) => void;

function editedDoc(name: string, edit: ResourceEdit) {
  const doc = fixtureDoc(name);
  edit(doc.resource);
  return doc;
}

/** The base fixture with resources edited, removed or added (the failing variants). */
export function variant(name: string, edit: ResourceEdit): Graph {
  return graphFromDoc(editedDoc(name, edit), `${name} (variant)`);
}

/**
 * The fixture through the verifier's own loader (`loadTerraformJson`): normalised values,
 * single blocks as objects, reference edges with their attribute paths, as for any input.
 */
export function loadedFixture(name: string): Graph {
  return loadTerraformJson(fixtureDoc(name), path.join(FIXTURES, name));
}

/** `variant` through the real loader. */
export function loadedVariant(name: string, edit: ResourceEdit): Graph {
  return loadTerraformJson(editedDoc(name, edit), `${path.join(FIXTURES, name)} (variant)`);
}
