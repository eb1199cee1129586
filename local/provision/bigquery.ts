/**
 * BigQuery datasets and tables on the local BigQuery-compatible server (or any emulator at
 * the endpoint), created when missing and brought up to date where BigQuery allows.
 */
import { BigQuery } from '@google-cloud/bigquery';
import { bigQueryBaseUrl } from '../bigquery-server/base-url';
import type { DeclaredLocalCloud } from './declared';
import type { ProvisionedItem } from './report';

/**
 * A client for exactly this endpoint, taken as BIGQUERY_EMULATOR_HOST is: the base URL
 * verbatim (local/bigquery-server/base-url.ts). Set on the client, because the variable would
 * otherwise override an apiEndpoint, and apiEndpoint would append /bigquery/v2 again.
 */
export function bigQueryAt(endpoint: string, projectId: string): BigQuery {
  const client = new BigQuery({ projectId, apiEndpoint: endpoint });
  (client as unknown as { baseUrl: string }).baseUrl = bigQueryBaseUrl(endpoint);
  return client;
}

type Field = { name: string; type?: string; mode?: string; fields?: Field[] };

export async function provisionBigQuery(decl: DeclaredLocalCloud, endpoint: string, items: ProvisionedItem[]): Promise<void> {
  const bq = bigQueryAt(endpoint, decl.projectId);
  for (const declared of decl.datasets) {
    const dataset = bq.dataset(declared.datasetId);
    const [exists] = await dataset.exists();
    const name = `${decl.projectId}:${declared.datasetId}`;
    if (!exists) {
      await bq.createDataset(declared.datasetId, declared.body);
      items.push({ service: 'bigquery', kind: 'dataset', name, address: declared.address, outcome: 'created' });
      continue;
    }
    const [meta] = await dataset.getMetadata();
    const changed = ['description', 'friendlyName', 'labels', 'defaultTableExpirationMs', 'defaultPartitionExpirationMs'].filter(
      (k) => declared.body[k] !== undefined && JSON.stringify(meta[k]) !== JSON.stringify(declared.body[k]),
    );
    if (changed.length) await dataset.setMetadata(Object.fromEntries(changed.map((k) => [k, declared.body[k]])));
    items.push({ service: 'bigquery', kind: 'dataset', name, address: declared.address, outcome: changed.length ? 'updated' : 'existing', ...(changed.length ? { detail: `updated ${changed.join(', ')}` } : {}) });
  }

  for (const declared of decl.bigqueryTables) {
    const table = bq.dataset(declared.datasetId).table(declared.tableId);
    const name = `${decl.projectId}:${declared.datasetId}.${declared.tableId}`;
    const [exists] = await table.exists();
    const { tableReference: _ref, ...options } = declared.body;
    const describe = (body: Record<string, unknown>) => {
      const fields = ((body.schema as { fields?: Field[] } | undefined)?.fields ?? []).length;
      const tp = body.timePartitioning as { type?: string; field?: string } | undefined;
      const cl = body.clustering as { fields?: string[] } | undefined;
      return [`${fields} columns`, tp ? `partitioned by ${tp.field ?? '_PARTITIONTIME'} (${tp.type})` : undefined, cl ? `clustered by ${cl.fields?.join(', ')}` : undefined].filter(Boolean).join(', ');
    };
    if (!exists) {
      await bq.dataset(declared.datasetId).createTable(declared.tableId, options);
      items.push({ service: 'bigquery', kind: 'table', name, address: declared.address, outcome: 'created', detail: describe(declared.body) });
      continue;
    }
    // Existing table: add declared columns it lacks (the only schema change BigQuery allows
    // without re-creating), and bring descriptions/labels/expiration/clustering up to date.
    const [meta] = await table.getMetadata();
    const current: Field[] = meta.schema?.fields ?? [];
    const wanted: Field[] = ((declared.body.schema as { fields?: Field[] } | undefined)?.fields ?? []);
    const missing = wanted.filter((w) => !current.some((c) => c.name.toLowerCase() === w.name.toLowerCase()));
    const patch: Record<string, unknown> = {};
    if (missing.length) patch.schema = { fields: [...current, ...missing] };
    for (const k of ['description', 'labels', 'expirationTime', 'clustering']) {
      if (declared.body[k] !== undefined && JSON.stringify(meta[k]) !== JSON.stringify(declared.body[k])) patch[k] = declared.body[k];
    }
    if (Object.keys(patch).length) await table.setMetadata(patch);
    items.push({
      service: 'bigquery',
      kind: 'table',
      name,
      address: declared.address,
      outcome: Object.keys(patch).length ? 'updated' : 'existing',
      detail: Object.keys(patch).length ? `updated ${Object.keys(patch).join(', ')}${missing.length ? ` (+${missing.map((m) => m.name).join(', ')})` : ''}` : describe(declared.body),
    });
  }
}
