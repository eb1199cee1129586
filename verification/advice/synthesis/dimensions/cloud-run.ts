/**
 * The four Cloud Run entries (`ingestion.gateway`, `processing.processor`, `analytics`,
 * `dashboard`: cpu, maxInstances, minInstances) and the second region (`secondary`: its region,
 * or none, and `secondary.minInstances`), built as the constructs build them
 * (cloud-run-sizing.ts): each entry sizes the copy in the environment's region, a second
 * region's copy has the same CPU and ceiling and min(secondary.minInstances, max) warm instances.
 * Adding the second region copies every service and the grants of its callers (the dashboard's
 * viewers, the dashboard's account on the analytics API), each copy referring to its region's
 * copies; the monitoring agent's grants stay with the primary copies' uptime checks.
 *
 * Request-serving services keep at least one warm instance, and so does the standby region:
 * the latency model does not price a cold start, so scaling them to zero would look free.
 */
import type { AttrValue, Graph, Resource } from '../../../graph/types';
import type { Spec, SpecItemId } from '../../../spec/spec';
import type { ConfigDiffEntry, GraphChange } from '../../types';
import { boundsOf, groupSizingChanges, secondaryMinInstances, type CloudRunBounds, type CloudRunGroup } from '../../cloud-run-sizing';
import { configTargets } from '../../config-targets';
import { rewriteReferences, setAttr } from '../../graph-edit';
import { cloudRunView, ofType, referrers, regionOf } from '../../graph-query';
import { candidateRegions } from '../../regions';
import type { Assignment, Dimension } from '../search';
import { numberOf, PERFORMANCE, plainDiff, RESILIENCE, sortedUnique, stringOf, type Part } from './part';

const INSTANCE_STEPS = [0, 1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32];
/** CPU sizes Cloud Run offers per instance (https://cloud.google.com/run/docs/configuring/services/cpu). */
const CPU_STEPS = [1, 2, 4];
const STANDBY_STEPS = [1, 2, 3, 4];
/** Config sections whose service answers requests: a cold start is in their callers' latency. */
export const REQUEST_SERVING = ['ingestion.gateway', 'analytics', 'dashboard'];
const NO_SECOND_REGION = 'none';
const SERVICE_AGENT = /@gcp-sa-[a-z-]+\.iam\.gserviceaccount\.com/;
const MEMBER_TYPES = ['google_cloud_run_v2_service_iam_member', 'google_cloud_run_v2_service_iam_binding'];

const SECTION_AFFECTS: Record<string, readonly SpecItemId[]> = {
  'ingestion.gateway': [...PERFORMANCE, ...RESILIENCE],
  'processing.processor': [...PERFORMANCE, ...RESILIENCE, 'no_data_loss'],
  analytics: [...PERFORMANCE, ...RESILIENCE],
  dashboard: [...PERFORMANCE, ...RESILIENCE],
};

/** Address of a copy in `region`: the construct id gets `-<region>` (the synth hash is dropped). */
function copyAddress(address: string, region: string): string {
  const dot = address.lastIndexOf('.');
  return `${address.slice(0, dot)}.${address.slice(dot + 1).replace(/_[0-9A-F]{8}$/, '')}-${region}`;
}

function memberText(v: AttrValue | undefined): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && !Array.isArray(v) && '$pending' in v) return String((v as { expression?: string }).expression ?? '');
  return '';
}

export function cloudRunPart(graph: Graph, _spec: Spec): Part | undefined {
  const entries = configTargets(graph).cloudRun;
  if (entries.length === 0) return undefined;
  const secondaryRegions = [...new Set(entries.flatMap((e) => e.group.secondaries.map((s) => regionOf(s))))];
  // the stacks' shape: every secondary copy in one region (or none)
  const regular = secondaryRegions.length <= 1 && secondaryRegions.every((r) => r !== undefined);
  const currentSecondary = regular ? (secondaryRegions[0] ?? NO_SECOND_REGION) : undefined;
  const primaryRegion = regionOf(entries[0].group.primary);
  const candidate = currentSecondary !== NO_SECOND_REGION ? currentSecondary : primaryRegion ? candidateRegions([primaryRegion])[0] : undefined;
  const standbyNow = secondaryMinInstances(graph) ?? 1;

  const ids = (section: string) => ({ cpu: `${section}.cpu`, max: `${section}.maxInstances`, min: `${section}.minInstances` });
  const dims: Dimension[] = [];
  for (const { section, group } of entries) {
    const now = boundsOf(group.primary);
    const id = ids(section);
    const floor = REQUEST_SERVING.includes(section) ? Math.min(1, now.minInstances) : 0;
    const affects = SECTION_AFFECTS[section] ?? [...PERFORMANCE, ...RESILIENCE];
    dims.push(
      { id: id.cpu, label: `vCPU per instance of ${group.name}`, monotone: true, affects, current: now.cpu, domain: () => sortedUnique([...CPU_STEPS, now.cpu]) },
      { id: id.max, label: `max instances of ${group.name}`, monotone: true, affects, current: now.maxInstances, domain: () => sortedUnique([...INSTANCE_STEPS.filter((x) => x >= 1), now.maxInstances]) },
      {
        id: id.min,
        label: `min instances of ${group.name}`,
        monotone: true,
        affects,
        current: now.minInstances,
        dependsOn: id.max,
        domain: (p) => sortedUnique([...INSTANCE_STEPS, now.minInstances]).filter((n) => n >= floor && n <= numberOf(p, id.max, now.maxInstances)),
      },
    );
  }
  const regionKey = 'secondary';
  const standbyKey = 'secondary.minInstances';
  if (currentSecondary !== undefined && candidate !== undefined) {
    // another region adds cost and availability, and cross-region hops: not monotone
    dims.push({ id: regionKey, label: 'second region of the Cloud Run services', monotone: false, affects: [...RESILIENCE, ...PERFORMANCE], current: currentSecondary, domain: () => [NO_SECOND_REGION, candidate] });
  }
  if (currentSecondary !== undefined) {
    dims.push({ id: standbyKey, label: 'warm instances per service in the second region', monotone: true, affects: [...RESILIENCE, ...PERFORMANCE], current: standbyNow, domain: () => sortedUnique([...STANDBY_STEPS, standbyNow]) });
  }

  const boundsFor = (a: Assignment, section: string, group: CloudRunGroup): CloudRunBounds => {
    const now = boundsOf(group.primary);
    const id = ids(section);
    const max = numberOf(a, id.max, now.maxInstances);
    return { cpu: numberOf(a, id.cpu, now.cpu), maxInstances: max, minInstances: Math.min(numberOf(a, id.min, now.minInstances), max) };
  };

  /** Copies of every primary service and of its callers' grants in `region`, sized by `a`. */
  const addRegion = (a: Assignment, g: Graph, region: string, standby: number): GraphChange[] => {
    const primaries = entries.map((e) => ({ ...e, primary: g.byAddress.get(e.group.primary.address) as Resource }));
    const renames = new Map(primaries.map((e) => [e.primary.address, copyAddress(e.primary.address, region)]));
    const members = ofType(g, ...MEMBER_TYPES).filter(
      (m) => !SERVICE_AGENT.test(memberText(m.values.member)) && primaries.some((e) => referrers(g, e.primary, ...MEMBER_TYPES).includes(m)),
    );
    for (const m of members) renames.set(m.address, copyAddress(m.address, region));
    const copy = (r: Resource, values: Record<string, AttrValue>): GraphChange => ({
      kind: 'add',
      address: renames.get(r.address) as string,
      type: r.type,
      values: rewriteReferences(values, renames) as Record<string, AttrValue>,
      ...(r.provider?.key ? { providerKey: r.provider.key } : {}),
      ...(r.meta ? { meta: { ...r.meta, ...(r.meta.dependsOn ? { dependsOn: r.meta.dependsOn.map((d) => renames.get(d) ?? d) } : {}) } } : {}),
    });
    const out: GraphChange[] = [];
    for (const { section, group, primary } of primaries) {
      const b = boundsFor(a, section, group);
      const paths = cloudRunView(primary).paths;
      let values: Record<string, AttrValue> = { ...primary.values, location: region };
      values = setAttr(values, paths.cpu, String(b.cpu));
      values = setAttr(values, paths.max, b.maxInstances);
      values = setAttr(values, paths.min, Math.min(standby, b.maxInstances));
      out.push(copy(primary, values));
    }
    for (const m of members) out.push(copy(m, m.values));
    return out;
  };

  const dropRegion = (g: Graph): GraphChange[] => {
    const copies = entries.flatMap((e) => e.group.secondaries.map((s) => g.byAddress.get(s.address) as Resource));
    const members = ofType(g, ...MEMBER_TYPES).filter((m) => copies.some((c) => referrers(g, c, ...MEMBER_TYPES).includes(m)));
    return [...members, ...copies].map((r): GraphChange => ({ kind: 'remove', address: r.address }));
  };

  return {
    dims,
    build(a, g) {
      const region = currentSecondary === undefined ? undefined : stringOf(a, regionKey, currentSecondary);
      const standby = numberOf(a, standbyKey, standbyNow);
      const out: GraphChange[] = [];
      const moving = region !== undefined && region !== currentSecondary;
      for (const { section, group } of entries) {
        const live: CloudRunGroup = { name: group.name, primary: g.byAddress.get(group.primary.address) as Resource, secondaries: moving ? [] : group.secondaries.map((s) => g.byAddress.get(s.address) as Resource) };
        out.push(...groupSizingChanges(live, boundsFor(a, section, group), standby));
      }
      if (moving && currentSecondary !== NO_SECOND_REGION) out.push(...dropRegion(g));
      if (moving && region !== NO_SECOND_REGION) out.push(...addRegion(a, g, region, standby));
      return out;
    },
    diff(a) {
      const sizing = dims.filter((d) => d.id !== regionKey && d.id !== standbyKey);
      const out: ConfigDiffEntry[] = plainDiff(sizing, a);
      if (currentSecondary === undefined) return out;
      const region = stringOf(a, regionKey, currentSecondary);
      const standby = numberOf(a, standbyKey, standbyNow);
      const was = currentSecondary === NO_SECOND_REGION ? null : { region: currentSecondary, minInstances: standbyNow };
      if (region !== currentSecondary) out.push({ configKey: regionKey, from: was, to: region === NO_SECOND_REGION ? null : { region, minInstances: standby } });
      else if (region !== NO_SECOND_REGION && standby !== standbyNow) out.push({ configKey: standbyKey, from: standbyNow, to: standby });
      return out;
    },
  };
}

