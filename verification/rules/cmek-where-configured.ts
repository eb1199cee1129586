/**
 * CMEK where configured: once any store or pipeline resource uses a customer-managed key,
 * every store and pipeline resource must, so no copy of the data falls back to
 * Google-managed keys. With no key anywhere the rule passes (Google-managed encryption).
 */
import type { Finding, Rule } from '../engine/types';
import type { Resource } from '../graph/types';
import { asList, asRecord, readAttr } from '../graph/values';

const KEY_PATHS: Record<string, (r: Resource) => boolean> = {
  google_pubsub_topic: (r) => readAttr(r, 'kms_key_name') !== undefined,
  google_bigtable_instance: (r) => {
    const clusters = asList(readAttr(r, 'cluster'));
    return clusters.length > 0 && clusters.every((c) => asRecord(c)?.kms_key_name !== undefined);
  },
  google_bigquery_dataset: (r) => readAttr(r, 'default_encryption_configuration') !== undefined,
  google_bigquery_table: (r) => readAttr(r, 'encryption_configuration') !== undefined,
  google_dataflow_job: (r) => readAttr(r, 'kms_key_name') !== undefined,
  google_storage_bucket: (r) => readAttr(r, 'encryption') !== undefined,
};

/** Its own key, or a table in a dataset with a default key. */
function keyed(r: Resource, inKeyedDataset: ReadonlySet<string>): boolean {
  return KEY_PATHS[r.type](r) || (r.type === 'google_bigquery_table' && inKeyedDataset.has(r.address));
}

export const rule: Rule = {
  id: 'cmek-where-configured',
  title: 'Customer-managed keys, once used, cover every store and pipeline resource',
  severity: 'error',
  specItem: 'security',
  reads: Object.keys(KEY_PATHS),
  rationale:
    'A design that adopts CMEK does so to control every copy of the data; one store or worker disk on Google-managed keys defeats it. Tables inherit their dataset\'s default key.',
  check(ctx) {
    const resources = ctx.graph.resources.filter((r) => r.mode === 'managed' && r.type in KEY_PATHS);
    const datasetsWithKey = new Set(resources.filter((r) => r.type === 'google_bigquery_dataset' && KEY_PATHS[r.type](r)).map((r) => r.address));
    // Tables referring to a keyed dataset, from one pass over the edges.
    const inKeyedDataset = new Set(datasetsWithKey.size === 0 ? [] : ctx.graph.edges.filter((e) => datasetsWithKey.has(e.to)).map((e) => e.from));
    const users = resources.filter((r) => keyed(r, inKeyedDataset));
    if (users.length === 0) return [{ status: 'pass', observed: 'no customer-managed key configured', expected: 'consistent encryption', message: `CMEK not configured: all ${resources.length} stores use Google-managed encryption` }];
    const expected = `a customer-managed key (used by ${users.length} resource(s), e.g. ${users[0].address})`;
    return resources.map((r): Finding => {
      const ok = keyed(r, inKeyedDataset);
      const finding: Finding = {
        status: ok ? 'pass' : 'fail',
        address: r.address,
        observed: ok ? 'customer-managed key' : 'Google-managed key',
        expected,
        message: ok ? `${r.address} is encrypted with a customer-managed key` : `${r.address} falls back to Google-managed encryption while ${users[0].address} uses CMEK`,
      };
      if (!ok) finding.fix = 'set its KMS key (kms_key_name / encryption configuration) to the design\'s key in the same location';
      return finding;
    });
  },
};
