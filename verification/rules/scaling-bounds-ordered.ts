/**
 * Autoscaling floors never exceed their ceilings: Cloud Run min <= max instances (v2 services
 * and worker pools, v1 services' minScale/maxScale annotations) and Bigtable autoscaling
 * min <= max nodes per cluster. The APIs reject such a resource at apply, and the cost and
 * capacity models would otherwise price a range whose minimum lies above its expectation.
 */
import type { Finding, Rule } from '../engine/types';
import type { AttrValue, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { asList, asNumber, asRecord, readAttr } from '../graph/values';

const CLOUD_RUN_TYPES = ['google_cloud_run_v2_service', 'google_cloud_run_v2_worker_pool', 'google_cloud_run_service'];
const V1_MIN = 'autoscaling.knative.dev/minScale';
const V1_MAX = 'autoscaling.knative.dev/maxScale';
const V1_MIN_PATH = `template.metadata.annotations.${V1_MIN}`;
const V1_MAX_PATH = `template.metadata.annotations.${V1_MAX}`;

interface Bounds {
  address: string;
  /** What the bounds belong to, e.g. "cluster iot-hot-us-central1-b". */
  what: string;
  minPath: string;
  maxPath: string;
  min: AttrValue | undefined;
  max: AttrValue | undefined;
  unit: 'instances' | 'nodes';
}

function cloudRunBounds(r: Resource): Bounds {
  if (r.type === 'google_cloud_run_v2_service') {
    return { address: r.address, what: 'the service', minPath: 'template.scaling.min_instance_count', maxPath: 'template.scaling.max_instance_count', min: readAttr(r, 'template.scaling.min_instance_count'), max: readAttr(r, 'template.scaling.max_instance_count'), unit: 'instances' };
  }
  if (r.type === 'google_cloud_run_v2_worker_pool') {
    return { address: r.address, what: 'the worker pool', minPath: 'scaling.min_instance_count', maxPath: 'scaling.max_instance_count', min: readAttr(r, 'scaling.min_instance_count'), max: readAttr(r, 'scaling.max_instance_count'), unit: 'instances' };
  }
  // v1: the bounds are revision template annotations
  const annotations = asRecord(readAttr(r, 'template.metadata.annotations'));
  return { address: r.address, what: 'the service', minPath: V1_MIN_PATH, maxPath: V1_MAX_PATH, min: annotations?.[V1_MIN], max: annotations?.[V1_MAX], unit: 'instances' };
}

function bigtableBounds(r: Resource): Bounds[] {
  return asList(readAttr(r, 'cluster')).flatMap((c, i): Bounds[] => {
    const cluster = asRecord(c);
    const auto = asRecord(asList(cluster?.autoscaling_config)[0]);
    if (!auto) return [];
    const id = typeof cluster?.cluster_id === 'string' ? cluster.cluster_id : `#${i}`;
    return [{ address: r.address, what: `cluster ${id}`, minPath: `cluster.${i}.autoscaling_config.min_nodes`, maxPath: `cluster.${i}.autoscaling_config.max_nodes`, min: auto.min_nodes, max: auto.max_nodes, unit: 'nodes' }];
  });
}

const EXPECTED: Record<Bounds['unit'], string> = { instances: 'min instances <= max instances', nodes: 'min nodes <= max nodes' };

function judge(b: Bounds): Finding {
  const expected = EXPECTED[b.unit];
  if ((b.min !== undefined && isPending(b.min)) || (b.max !== undefined && isPending(b.max))) {
    return { status: 'unknown', address: b.address, observed: 'bounds known only after apply', expected, message: `${b.address}: the scaling bounds of ${b.what} are known only after apply`, fix: `write ${b.minPath} and ${b.maxPath} as literals` };
  }
  const min = asNumber(b.min);
  const max = asNumber(b.max);
  if (min === undefined || max === undefined) {
    return { status: 'pass', address: b.address, observed: `${min === undefined ? 'no minimum' : `min ${min}`}, ${max === undefined ? 'no maximum' : `max ${max}`}`, expected, message: `${b.address}: ${b.what} sets at most one bound, so they cannot cross` };
  }
  const ok = min <= max;
  const finding: Finding = {
    status: ok ? 'pass' : 'fail',
    address: b.address,
    observed: `min ${min}, max ${max} ${b.unit}`,
    expected,
    message: ok
      ? `${b.address}: ${b.what} scales ${min}..${max} ${b.unit}`
      : `${b.address}: ${b.what} has min ${min} above max ${max} ${b.unit}; the API rejects it at apply, and no cost or capacity figure for it means anything`,
  };
  if (!ok) finding.fix = `lower ${b.minPath} to at most ${max}, or raise ${b.maxPath} to at least ${min}`;
  return finding;
}

export const rule: Rule = {
  id: 'scaling-bounds-ordered',
  title: 'Autoscaling minimums do not exceed their maximums',
  severity: 'error',
  specItem: 'monthly_cost',
  reads: [...CLOUD_RUN_TYPES, 'google_bigtable_instance'],
  rationale:
    'Cloud Run refuses min instances above max instances and Bigtable refuses autoscaling min nodes above max nodes, so such a plan fails at apply; the cost and capacity models would price and size a range whose floor is above its ceiling.',
  check(ctx) {
    const bounds: Bounds[] = [];
    for (const r of ctx.graph.resources.filter((x) => x.type === 'google_bigtable_instance' || CLOUD_RUN_TYPES.includes(x.type))) {
      if (r.type === 'google_bigtable_instance') bounds.push(...bigtableBounds(r));
      else bounds.push(cloudRunBounds(r));
    }
    if (bounds.length === 0) return [{ status: 'pass', observed: 'no autoscaled resource', expected: 'min <= max', message: 'no Cloud Run service or autoscaled Bigtable cluster in the graph' }];
    return bounds.map(judge);
  },
};
