/**
 * The four Cloud Run entries (`ingestion.gateway`, `processing.processor`, `analytics`,
 * `dashboard`: cpu, maxInstances, minInstances) and the second region (`secondary`: its region,
 * or none, and `secondary.minInstances`), built as the constructs build them
 * (cloud-run-sizing.ts): each entry sizes the copy in the environment's region, a second
 * region's copy has the same CPU and ceiling and min(secondary.minInstances, max) warm instances.
 * Adding the second region copies every service and the grants of its callers (the dashboard's
 * viewers, the dashboard's account on the analytics API), each copy referring to its region's
 * copies; the monitoring agent's grants stay with the primary copies' uptime checks. As the
 * constructs do for a second region: each processor copy names its region (SERVICE_REGION), the
 * second region's processor is a gated warm standby (`processing.secondaryStandby`, STANDBY_*
 * env, STANDBY_DEFAULT unless the config says otherwise) whose account reads Cloud Monitoring
 * (`processor-reads-monitoring`, roles/monitoring.viewer on the project, in the processors'
 * depends_on), and the secrets replicated to the environment's regions gain (or lose) a replica.
 *
 * Request-serving services keep at least one warm instance, and so does the standby region:
 * the latency model does not price a cold start, so scaling them to zero would look free.
 */
import type { AttrValue, Graph, Resource } from '../../../graph/types';
import type { Spec, SpecItemId } from '../../../spec/spec';
import type { ConfigDiffEntry, GraphChange } from '../../types';
import { boundsOf, groupSizingChanges, secondaryMinInstances, type CloudRunBounds, type CloudRunGroup } from '../../cloud-run-sizing';
import { configTargets } from '../../config-targets';
import { getAttr, rewriteReferences, setAttr } from '../../graph-edit';
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
const PROCESSOR_SECTION = 'processing.processor';
const SERVICE_REGION_ENV = 'SERVICE_REGION';
const ENV_PATH = 'template.containers.0.env';
/** The standby gate a second region's processor gets when this dimension adds the region (prod's values, stacks/config/prod.ts). */
export const STANDBY_DEFAULT = { backlogAgeSeconds: 300, pollSeconds: 30, cooldownSeconds: 300 } as const;
const STANDBY_ENV: Record<keyof typeof STANDBY_DEFAULT, string> = {
  backlogAgeSeconds: 'STANDBY_BACKLOG_AGE_SECONDS',
  pollSeconds: 'STANDBY_POLL_SECONDS',
  cooldownSeconds: 'STANDBY_COOLDOWN_SECONDS',
};
const STANDBY_GRANT = 'processor-reads-monitoring';
const STANDBY_ROLE = 'roles/monitoring.viewer';
const standbyConfigKey = 'processing.secondaryStandby';

const withoutHash = (name: string) => name.replace(/_[0-9A-F]{8}$/, '');

/** Replicas of a user-managed secret replication, in the loader's shape (one block: an object). */
function replicaLocations(r: Resource): string[] | undefined {
  const list = getAttr(r.values, 'replication.user_managed.replicas');
  if (list === undefined || list === null) return undefined;
  const items = Array.isArray(list) ? list : [list];
  const out = items.map((x) => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, AttrValue>).location : undefined));
  return out.every((x): x is string => typeof x === 'string') ? out : undefined;
}

function withReplicas(r: Resource, locations: readonly string[]): GraphChange {
  const blocks = locations.map((location) => ({ location }));
  return { kind: 'set', address: r.address, attribute: 'replication.user_managed.replicas', from: getAttr(r.values, 'replication.user_managed.replicas') ?? null, to: blocks.length === 1 ? blocks[0] : blocks };
}

/** A copy of a container env list with `name` set to `value` (added after `after`, or last, when absent). */
function withEnv(env: AttrValue | undefined, name: string, value: string, after?: string): AttrValue | undefined {
  if (env === undefined || env === null) return env;
  const list = (Array.isArray(env) ? env : [env]) as Record<string, AttrValue>[];
  const i = list.findIndex((e) => e && e.name === name);
  if (i >= 0) return list.map((e, j) => (j === i ? { ...e, value } : e));
  const at = after === undefined ? -1 : list.findIndex((e) => e && e.name === after);
  const next = [...list];
  next.splice(at < 0 ? next.length : at + 1, 0, { name, value });
  return next;
}

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
    // the standby's grant first: the processor copies list it in their depends_on
    const processor = primaries.find((e) => e.section === PROCESSOR_SECTION)?.primary;
    const grant = processor ? standbyGrant(g, processor) : undefined;
    if (grant && !g.byAddress.has(grant.address)) out.push(grant);
    for (const { section, group, primary } of primaries) {
      const b = boundsFor(a, section, group);
      const paths = cloudRunView(primary).paths;
      let values: Record<string, AttrValue> = { ...primary.values, location: region };
      values = setAttr(values, paths.cpu, String(b.cpu));
      values = setAttr(values, paths.max, b.maxInstances);
      values = setAttr(values, paths.min, Math.min(standby, b.maxInstances));
      if (primary === processor) {
        let env = withEnv(getAttr(values, ENV_PATH), SERVICE_REGION_ENV, region);
        let after = SERVICE_REGION_ENV;
        for (const [k, name] of Object.entries(STANDBY_ENV)) {
          env = withEnv(env, name, String(STANDBY_DEFAULT[k as keyof typeof STANDBY_DEFAULT]), after);
          after = name;
        }
        if (env !== undefined) values = setAttr(values, ENV_PATH, env);
      }
      const c = copy(primary, values);
      if (primary === processor && grant && c.kind === 'add') {
        const dependsOn = [...(c.meta?.dependsOn ?? []).filter((x) => x !== grant.address), grant.address];
        c.meta = { ...c.meta, dependsOn };
      }
      out.push(c);
    }
    for (const m of members) out.push(copy(m, m.values));
    for (const s of ofType(g, 'google_secret_manager_secret')) {
      const locations = replicaLocations(s);
      if (locations && primaryRegion && locations.includes(primaryRegion) && !locations.includes(region)) out.push(withReplicas(s, [...locations, region]));
    }
    return out;
  };

  /** roles/monitoring.viewer for the processor's account, as stream-processing.ts grants it to a gated standby (in the primary's depends_on). */
  const standbyGrant = (g: Graph, processor: Resource): (GraphChange & { kind: 'add' }) | undefined => {
    const sa = getAttr(processor.values, 'template.service_account');
    if (!sa || typeof sa !== 'object' || Array.isArray(sa) || !('$pending' in sa)) return undefined;
    const pending = sa as { expression?: string; references?: string[] };
    const project = ofType(g, 'google_project_iam_member').map((m) => m.values.project).find((p): p is string => typeof p === 'string');
    if (project === undefined || pending.expression === undefined) return undefined;
    // beside the processor in its construct: `<construct>_processor` -> `<construct>_processor-reads-monitoring`
    const name = withoutHash(processor.name);
    const address = `google_project_iam_member.${name.slice(0, name.lastIndexOf('_') + 1)}${STANDBY_GRANT}`;
    return {
      kind: 'add',
      address,
      type: 'google_project_iam_member',
      values: { member: { ...(sa as object), expression: `serviceAccount:${pending.expression}` } as AttrValue, project, role: STANDBY_ROLE },
      ...(processor.provider?.key ? { providerKey: processor.provider.key } : {}),
      requiredBy: [processor.address],
    };
  };

  const dropRegion = (g: Graph, region: string): GraphChange[] => {
    const copies = entries.flatMap((e) => e.group.secondaries.map((s) => g.byAddress.get(s.address) as Resource));
    const members = ofType(g, ...MEMBER_TYPES).filter((m) => copies.some((c) => referrers(g, c, ...MEMBER_TYPES).includes(m)));
    // without a second region there is no standby, and the constructs grant it nothing
    const grants = ofType(g, 'google_project_iam_member').filter((m) => m.values.role === STANDBY_ROLE && withoutHash(m.name).endsWith(`_${STANDBY_GRANT}`));
    const out = [...members, ...copies, ...grants].map((r): GraphChange => ({ kind: 'remove', address: r.address }));
    for (const s of ofType(g, 'google_secret_manager_secret')) {
      const locations = replicaLocations(s);
      if (locations && locations.includes(region) && locations.length > 1) out.push(withReplicas(s, locations.filter((l) => l !== region)));
    }
    return out;
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
      if (moving && currentSecondary !== undefined && currentSecondary !== NO_SECOND_REGION) out.push(...dropRegion(g, currentSecondary));
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
      if (region !== currentSecondary) {
        out.push({ configKey: regionKey, from: was, to: region === NO_SECOND_REGION ? null : { region, minInstances: standby } });
        // a region this edit adds gets a gated standby processor (the graph cannot show a gate the config holds without one)
        if (currentSecondary === NO_SECOND_REGION && region !== NO_SECOND_REGION) out.push({ configKey: standbyConfigKey, from: null, to: { ...STANDBY_DEFAULT } });
      }
      else if (region !== NO_SECOND_REGION && standby !== standbyNow) out.push({ configKey: standbyKey, from: standbyNow, to: standby });
      return out;
    },
  };
}

