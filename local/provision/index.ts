/**
 * Provision the local cloud from the synthesized Terraform graph of an environment: what the
 * stacks declare for Pub/Sub, Bigtable and BigQuery is created on the emulators and the local
 * BigQuery server, and the report lists, without pretending, what they cannot honour.
 * Idempotent: a second run finds everything `existing`.
 */
import { loadInput, type Graph } from '../../verification/graph';
import { readDeclarations, type DeclaredLocalCloud } from './declared';
import { provisionPubSub } from './pubsub';
import { provisionBigtable } from './bigtable';
import { provisionBigQuery } from './bigquery';
import type { NotHonoured, ProvisionReport, ProvisionedItem } from './report';

export type { ProvisionReport, ProvisionedItem, NotHonoured, SkippedResource } from './report';
export { formatReport } from './report';
export { readDeclarations } from './declared';

export interface LocalEndpoints {
  /** host:port of the Pub/Sub emulator (default: PUBSUB_EMULATOR_HOST). */
  pubsub?: string;
  /** host:port of the Bigtable emulator (default: BIGTABLE_EMULATOR_HOST). */
  bigtable?: string;
  /** The BigQuery emulator's base URL, http://host:port[/path] (default: BIGQUERY_EMULATOR_HOST). */
  bigquery?: string;
}

export interface ProvisionOptions {
  /** A synth folder, a cdk.tf.json, a plan JSON, or an already loaded graph. */
  input: string | Graph;
  endpoints?: LocalEndpoints;
}

/** Behaviours no local service provides, whatever the graph says; they stay the verifier's job. */
const ALWAYS_NOT_HONOURED: NotHonoured[] = [
  { address: '(all)', feature: 'IAM', reason: 'the emulators and the local BigQuery server accept every caller; least-privilege bindings are checked by the verifier' },
];

export async function provisionLocalCloud(options: ProvisionOptions): Promise<ProvisionReport> {
  const graph = typeof options.input === 'string' ? loadInput(options.input) : options.input;
  const decl: DeclaredLocalCloud = readDeclarations(graph);
  const endpoints = {
    pubsub: options.endpoints?.pubsub ?? process.env.PUBSUB_EMULATOR_HOST,
    bigtable: options.endpoints?.bigtable ?? process.env.BIGTABLE_EMULATOR_HOST,
    bigquery: options.endpoints?.bigquery ?? process.env.BIGQUERY_EMULATOR_HOST,
  };
  const need = (what: string, endpoint: string | undefined, count: number) => {
    if (count > 0 && !endpoint) throw new Error(`the graph declares ${count} ${what} resource(s) but no ${what} endpoint was given (set endpoints.${what} or its *_EMULATOR_HOST variable)`);
  };
  need('pubsub', endpoints.pubsub, decl.topics.length + decl.subscriptions.length + decl.schemas.length);
  need('bigtable', endpoints.bigtable, decl.bigtableTables.length);
  need('bigquery', endpoints.bigquery, decl.datasets.length + decl.bigqueryTables.length);

  const items: ProvisionedItem[] = [];
  const notHonoured: NotHonoured[] = [...ALWAYS_NOT_HONOURED, ...decl.notHonoured];
  // BigQuery first: nothing else depends on it, and a bad schema should fail before the emulators change.
  if (endpoints.bigquery && (decl.datasets.length || decl.bigqueryTables.length)) await provisionBigQuery(decl, endpoints.bigquery, items);
  if (endpoints.pubsub && (decl.topics.length || decl.subscriptions.length || decl.schemas.length)) await provisionPubSub(decl, endpoints.pubsub, items, notHonoured);
  if (endpoints.bigtable && decl.bigtableTables.length) await provisionBigtable(decl, endpoints.bigtable, items, notHonoured);
  return { projectId: decl.projectId, items, notHonoured, skipped: decl.skipped };
}
