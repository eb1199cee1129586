/**
 * Stateful stores carry deletion protection: Bigtable instances and tables, BigQuery tables
 * and datasets, and the Cloud Storage buckets that hold events (the ingest gateway's spill:
 * events already acknowledged to devices). Other buckets (templates, UDFs) can be rebuilt.
 */
import type { Finding, Rule } from '../engine/types';
import type { Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { readAttr, describeValue } from '../graph/values';
import { buildTopology } from '../analyses/topology';
import { eventBuckets } from './support/event-buckets';

interface Check {
  attribute: string;
  /** Is the value (undefined = provider default) protective? */
  protects: (v: unknown) => boolean;
  want: string;
}

const CHECKS: Record<string, Check> = {
  // Provider default true.
  google_bigtable_instance: { attribute: 'deletion_protection', protects: (v) => v !== false, want: 'deletion_protection = true' },
  // Unset means unprotected.
  google_bigtable_table: { attribute: 'deletion_protection', protects: (v) => v === 'PROTECTED', want: 'deletion_protection = "PROTECTED"' },
  // Provider default true.
  google_bigquery_table: { attribute: 'deletion_protection', protects: (v) => v !== false, want: 'deletion_protection = true' },
  // Deleting a dataset that still holds tables fails unless this is true.
  google_bigquery_dataset: { attribute: 'delete_contents_on_destroy', protects: (v) => v !== true, want: 'delete_contents_on_destroy = false' },
  // Buckets that hold events (the gateway's spill): deleting a non-empty bucket fails unless this is true.
  google_storage_bucket: { attribute: 'force_destroy', protects: (v) => v !== true, want: 'force_destroy = false' },
};

export const rule: Rule = {
  id: 'deletion-protection-on-stores',
  title: 'Stateful stores have deletion protection',
  severity: 'error',
  specItem: 'security',
  reads: Object.keys(CHECKS),
  rationale:
    'A single destroy (a renamed construct, a mistaken plan) must not delete the data. Protection turns it into an error that needs a deliberate change. A spill bucket holds events already acknowledged to devices, so force_destroy would delete them with the bucket.',
  check(ctx) {
    const holdsEvents = new Set(eventBuckets(buildTopology(ctx.graph, ctx.model)));
    const stores = ctx.graph.resources.filter((r): r is Resource => r.mode === 'managed' && r.type in CHECKS && (r.type !== 'google_storage_bucket' || holdsEvents.has(r)));
    if (stores.length === 0) return [{ status: 'pass', observed: 'no store', expected: 'protected stores', message: 'no stateful store in the graph' }];
    return stores.map((r): Finding => {
      const c = CHECKS[r.type];
      const v = readAttr(r, c.attribute);
      if (v !== undefined && isPending(v)) return { status: 'unknown', address: r.address, observed: 'pending', expected: c.want, message: `${r.address}: ${c.attribute} known only after apply`, fix: `write ${c.want}` };
      const ok = c.protects(v);
      const finding: Finding = {
        status: ok ? 'pass' : 'fail',
        address: r.address,
        observed: `${c.attribute} = ${describeValue(v)}`,
        expected: c.want,
        message: ok ? `${r.address} is protected from deletion` : `${r.address} can be deleted with its data`,
      };
      if (!ok) finding.fix = `set ${c.want}`;
      return finding;
    });
  },
};
