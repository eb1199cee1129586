/**
 * Bigtable tables, column families and GC rules on the emulator. The emulator has no
 * instance admin: tables are created directly under the instance id the graph declares.
 */
import { Bigtable } from '@google-cloud/bigtable';
import type { DeclaredLocalCloud, GcRule } from './declared';
import type { NotHonoured, ProvisionedItem } from './report';
import { stable } from './drift';

/** The node client's GC rule shape. */
function clientRule(rule: GcRule | undefined): Record<string, unknown> | undefined {
  if (!rule || (rule.maxAgeSeconds === undefined && rule.maxVersions === undefined)) return undefined;
  return {
    ...(rule.maxAgeSeconds !== undefined ? { age: { seconds: rule.maxAgeSeconds, nanos: 0 } } : {}),
    ...(rule.maxVersions !== undefined ? { versions: rule.maxVersions } : {}),
    ...(rule.maxAgeSeconds !== undefined && rule.maxVersions !== undefined ? { union: rule.mode === 'UNION' } : {}),
  };
}

/** A GC rule as the admin API returns it, flattened for comparison. */
export function describeGcRule(gcRule: unknown): GcRule {
  const r = (gcRule ?? {}) as {
    maxAge?: { seconds?: string | number };
    maxNumVersions?: number;
    union?: { rules?: unknown[] };
    intersection?: { rules?: unknown[] };
  };
  if (r.union?.rules) return { ...merge(r.union.rules), mode: 'UNION' };
  if (r.intersection?.rules) return { ...merge(r.intersection.rules), mode: 'INTERSECTION' };
  return {
    ...(r.maxAge?.seconds !== undefined ? { maxAgeSeconds: Number(r.maxAge.seconds) } : {}),
    ...(r.maxNumVersions !== undefined && r.maxNumVersions !== 0 ? { maxVersions: r.maxNumVersions } : {}),
  };
}

function merge(rules: unknown[]): GcRule {
  return rules.map(describeGcRule).reduce((a, b) => ({ ...a, ...b }), {});
}

/** Same limits and, when both limits are set, the same way of combining them (intersection unless declared UNION). */
function sameRule(declared: GcRule | undefined, actual: GcRule): boolean {
  if ((declared?.maxAgeSeconds ?? undefined) !== actual.maxAgeSeconds || (declared?.maxVersions ?? undefined) !== actual.maxVersions) return false;
  if (actual.maxAgeSeconds === undefined || actual.maxVersions === undefined) return true;
  return (declared?.mode ?? 'INTERSECTION') === (actual.mode ?? 'INTERSECTION');
}

export async function provisionBigtable(decl: DeclaredLocalCloud, endpoint: string, items: ProvisionedItem[], notHonoured: NotHonoured[]): Promise<void> {
  const bigtable = new Bigtable({ projectId: decl.projectId, apiEndpoint: endpoint, metricsEnabled: false } as ConstructorParameters<typeof Bigtable>[0]);
  try {
    for (const declared of decl.bigtableTables) {
      const full = `projects/${decl.projectId}/instances/${declared.instance}/tables/${declared.name}`;
      const table = bigtable.instance(declared.instance).table(declared.name);
      const [exists] = await table.exists();
      let outcome: ProvisionedItem['outcome'] = 'existing';
      if (!exists) {
        await bigtable.instance(declared.instance).createTable(declared.name, {
          families: declared.families.map((f) => ({ name: f.name, ...(clientRule(f.gcRule) ? { rule: clientRule(f.gcRule) } : {}) })) as never,
        });
        outcome = 'created';
      }
      const [families] = await table.getFamilies();
      const changed = new Map<string, GcRule>();
      for (const family of declared.families) {
        const existing = families.find((f) => f.id === family.name);
        if (!existing) {
          await table.createFamily(family.name, clientRule(family.gcRule) ? { rule: clientRule(family.gcRule) } : {});
          if (outcome === 'existing') outcome = 'updated';
          continue;
        }
        const before = describeGcRule(existing.metadata?.gcRule);
        if (!sameRule(family.gcRule, before)) {
          await existing.setMetadata({ rule: clientRule(family.gcRule) ?? {} } as never);
          changed.set(family.name, before);
        }
      }
      // Read the families back and report what the emulator holds.
      const [after] = await table.getFamilies();
      // Updated only where the emulator took the change (one it cannot keep is reported below instead).
      for (const [name, before] of changed) {
        if (stable(describeGcRule(after.find((x) => x.id === name)?.metadata?.gcRule)) !== stable(before) && outcome === 'existing') outcome = 'updated';
      }
      const detail = declared.families
        .map((f) => {
          const actual = describeGcRule(after.find((x) => x.id === f.name)?.metadata?.gcRule);
          if (!sameRule(f.gcRule, actual)) {
            notHonoured.push({ address: f.gcAddress ?? declared.address, feature: `gc rule of family ${f.name}`, reason: `the emulator kept ${JSON.stringify(actual)} instead of ${JSON.stringify(f.gcRule ?? {})}` });
          }
          const both = actual.maxAgeSeconds !== undefined && actual.maxVersions !== undefined;
          return `family ${f.name}${actual.maxAgeSeconds !== undefined ? ` max age ${actual.maxAgeSeconds}s` : ''}${both ? ` ${(actual.mode ?? 'INTERSECTION').toLowerCase()}` : ''}${actual.maxVersions !== undefined ? ` max versions ${actual.maxVersions}` : ''}`;
        })
        .join(', ');
      items.push({ service: 'bigtable', kind: 'table', name: full, address: declared.address, outcome, detail });
    }
  } finally {
    await bigtable.close();
  }
}
