/**
 * Cross-region dataset replicas declared in plain Terraform. The Google provider's
 * `google_bigquery_dataset` has no replica field; a replica is declared with the DDL
 * `ALTER SCHEMA <dataset> ADD REPLICA `<name>` OPTIONS(location = '<location>')` run by a
 * `google_bigquery_job` (https://docs.cloud.google.com/bigquery/docs/data-replication).
 * The secondary replica is read-only and replicated asynchronously.
 */
import type { Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { blocks, fieldStr, str } from './attributes';
import { oncePerResource, type AnalysisContext } from './context';

export interface DatasetReplica {
  /** The resource that declares the replica (a query job running the DDL). */
  job: Resource;
  dataset: Resource;
  /** Location of the secondary replica; undefined when the DDL names none we can read. */
  location?: string;
  /** Location of the dataset (primary replica). */
  primaryLocation?: string;
}

const ADD_REPLICA = /ALTER\s+SCHEMA\s+(?:IF\s+EXISTS\s+)?`?([\w.:-]+)`?\s+ADD\s+REPLICA\s+`?([\w-]+)`?(?:\s+OPTIONS\s*\(([^)]*)\))?/gi;
/** ADD_REPLICA for a single test (no global lastIndex to carry between statements). */
const IS_ADD_REPLICA = new RegExp(ADD_REPLICA.source, 'i');
const LOCATION_OPTION = /location\s*=\s*['"]([\w-]+)['"]/i;

/** The DDL text of a query job, if any. */
function jobQuery(job: Resource): string | undefined {
  const block = blocks(job, 'query')[0];
  const q = block ? fieldStr(block, 'query') : str(job, 'query.query');
  return typeof q === 'string' && !isPending(q) ? q : undefined;
}

function datasetId(dataset: Resource): string | undefined {
  const id = dataset.values.dataset_id;
  return typeof id === 'string' ? id : undefined;
}

/** Replicas of `dataset` declared anywhere in the graph (read by cost, availability and DR: computed once). */
export const datasetReplicas = oncePerResource(function datasetReplicas(ctx: AnalysisContext, dataset: Resource): DatasetReplica[] {
  const id = datasetId(dataset);
  const primaryLocation = typeof dataset.values.location === 'string' ? dataset.values.location : dataset.region;
  const out: DatasetReplica[] = [];
  for (const job of ctx.topology.ofType('google_bigquery_job')) {
    const query = jobQuery(job);
    if (!query) continue;
    const refersByEdge = ctx.topology.edgesFrom(job).some((e) => e.to === dataset.address);
    for (const m of query.matchAll(ADD_REPLICA)) {
      const schema = m[1].split(/[.:]/).pop();
      if (!refersByEdge && schema !== id) continue;
      const location = (m[3] ? LOCATION_OPTION.exec(m[3])?.[1] : undefined) ?? m[2];
      out.push({ job, dataset, location, ...(primaryLocation ? { primaryLocation } : {}) });
    }
  }
  return out;
});

/** True for a job whose every statement is replica DDL (metadata only, no scan). */
export function isReplicaDdlJob(job: Resource): boolean {
  const query = jobQuery(job);
  if (!query) return false;
  const statements = query.split(';').map((s) => s.replace(/--.*$/gm, '').trim()).filter((s) => s !== '');
  return statements.length > 0 && statements.every((s) => IS_ADD_REPLICA.test(s));
}
