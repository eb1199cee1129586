/**
 * Where BigQuery objects live in DuckDB: dataset `p.d` is the schema named "p.d" (one
 * database holds every project), table `t` is the table "t" in it.
 */
import { quoteIdent } from '../types/schema';
import { invalid } from '../errors';

export interface DatasetRef {
  projectId: string;
  datasetId: string;
}
export interface TableRef extends DatasetRef {
  tableId: string;
}

/** Internal schemas: metadata and materialised query results. */
export const META_SCHEMA = '__bq_meta';
export const RESULTS_SCHEMA = '__bq_results';

export const duckSchemaName = (ref: DatasetRef) => `${ref.projectId}.${ref.datasetId}`;
export const duckSchemaSql = (ref: DatasetRef) => quoteIdent(duckSchemaName(ref));
export const duckTableSql = (ref: TableRef) => `${duckSchemaSql(ref)}.${quoteIdent(ref.tableId)}`;

/** `p:d` and `p:d.t`, the ids BigQuery gives resources (and uses in messages). */
export const datasetKey = (ref: DatasetRef) => `${ref.projectId}:${ref.datasetId}`;
export const tableKey = (ref: TableRef) => `${ref.projectId}:${ref.datasetId}.${ref.tableId}`;

const PROJECT_RE = /^[a-z][a-z0-9.:-]{0,127}$/i;
const DATASET_RE = /^[A-Za-z0-9_]{1,1024}$/;
const TABLE_RE = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}\p{Zs}$]{1,1024}$/u;
const JOB_RE = /^[A-Za-z0-9_-]{1,1024}$/;

export function checkProjectId(id: string): string {
  if (!PROJECT_RE.test(id)) throw invalid(`Invalid project ID '${id}'.`);
  return id;
}
export function checkDatasetId(id: unknown): string {
  if (typeof id !== 'string' || !DATASET_RE.test(id)) {
    throw invalid(`Invalid dataset ID "${String(id)}". Dataset IDs must be alphanumeric (plus underscores) and must be at most 1024 characters long.`);
  }
  return id;
}
export function checkTableId(id: unknown): string {
  if (typeof id !== 'string' || !TABLE_RE.test(id)) {
    throw invalid(`Invalid table ID "${String(id)}". Table IDs must contain only letters, marks, numbers, connectors, dashes or spaces, at most 1024 characters.`);
  }
  return id;
}
export function checkJobId(id: unknown): string {
  if (typeof id !== 'string' || !JOB_RE.test(id)) {
    throw invalid(`Invalid job ID "${String(id)}". Job IDs must be alphanumeric (plus underscores and dashes) and at most 1024 characters long.`);
  }
  return id;
}
