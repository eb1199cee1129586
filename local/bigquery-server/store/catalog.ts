/**
 * Datasets and tables: their BigQuery resources (kept in memory, written through to a
 * metadata table so a file-backed server keeps them across restarts) and the DuckDB schemas
 * and tables that hold the rows. Callers hold the engine lock.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duplicate, invalid, notFound, BigQueryError } from '../errors';
import { duckTypeSql, findField, normalizeSchema, quoteIdent, type BqField } from '../types/schema';
import {
  META_SCHEMA,
  RESULTS_SCHEMA,
  datasetKey,
  duckSchemaSql,
  duckTableSql,
  tableKey,
  type DatasetRef,
  type TableRef,
} from './names';

export type Json = Record<string, unknown>;

export interface DatasetRecord {
  ref: DatasetRef;
  /** The dataset resource as datasets.get answers it. */
  resource: Json;
}

export interface TableRecord {
  ref: TableRef;
  resource: Json;
  fields: BqField[];
  kind: 'TABLE' | 'VIEW';
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const etagOf = (body: unknown) => createHash('md5').update(JSON.stringify(body)).digest('base64');
const nowMs = () => String(Date.now());

const PARTITION_TYPES = new Set(['DAY', 'HOUR', 'MONTH', 'YEAR']);
const PARTITION_FIELD_TYPES = new Set(['TIMESTAMP', 'DATE', 'DATETIME']);
const CLUSTER_FIELD_TYPES = new Set(['DATE', 'BOOLEAN', 'GEOGRAPHY', 'INTEGER', 'NUMERIC', 'BIGNUMERIC', 'STRING', 'TIMESTAMP', 'DATETIME']);

export class Catalog {
  private readonly datasets = new Map<string, DatasetRecord>();
  private readonly tables = new Map<string, TableRecord>();

  private constructor(private readonly conn: DuckDBConnection) {}

  static async load(conn: DuckDBConnection): Promise<Catalog> {
    await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(META_SCHEMA)}`);
    await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(RESULTS_SCHEMA)}`);
    await conn.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(META_SCHEMA)}.resources (key VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, body VARCHAR NOT NULL)`);
    const catalog = new Catalog(conn);
    const reader = await conn.runAndReadAll(`SELECT kind, body FROM ${quoteIdent(META_SCHEMA)}.resources ORDER BY kind`);
    for (const [kind, body] of reader.getRows() as [string, string][]) {
      const record = JSON.parse(body);
      if (kind === 'dataset') catalog.datasets.set(datasetKey(record.ref), record);
      else catalog.tables.set(tableKey(record.ref), record);
    }
    return catalog;
  }

  private async persist(key: string, kind: 'dataset' | 'table', record: DatasetRecord | TableRecord): Promise<void> {
    await this.conn.run(
      `INSERT OR REPLACE INTO ${quoteIdent(META_SCHEMA)}.resources VALUES (${sqlString(key)}, ${sqlString(kind)}, ${sqlString(JSON.stringify(record))})`,
    );
  }
  private async unpersist(key: string): Promise<void> {
    await this.conn.run(`DELETE FROM ${quoteIdent(META_SCHEMA)}.resources WHERE key = ${sqlString(key)}`);
  }

  // ---- datasets ----

  findDataset(ref: DatasetRef): DatasetRecord | undefined {
    return this.datasets.get(datasetKey(ref));
  }

  getDataset(ref: DatasetRef): DatasetRecord {
    const record = this.findDataset(ref);
    if (!record) throw notFound(`Dataset ${datasetKey(ref)}`);
    return record;
  }

  listDatasets(projectId: string): DatasetRecord[] {
    return [...this.datasets.values()].filter((d) => d.ref.projectId === projectId).sort((a, b) => a.ref.datasetId.localeCompare(b.ref.datasetId));
  }

  async createDataset(ref: DatasetRef, body: Json): Promise<DatasetRecord> {
    if (this.findDataset(ref)) throw duplicate(`Dataset ${datasetKey(ref)}`);
    const created = nowMs();
    const resource: Json = {
      kind: 'bigquery#dataset',
      id: datasetKey(ref),
      datasetReference: { projectId: ref.projectId, datasetId: ref.datasetId },
      location: typeof body.location === 'string' ? body.location : 'US',
      creationTime: created,
      lastModifiedTime: created,
      type: 'DEFAULT',
    };
    copyMutableDatasetFields(body, resource);
    resource.etag = etagOf(resource);
    const record: DatasetRecord = { ref, resource };
    await this.conn.run(`CREATE SCHEMA ${duckSchemaSql(ref)}`);
    this.datasets.set(datasetKey(ref), record);
    await this.persist(datasetKey(ref), 'dataset', record);
    return record;
  }

  async patchDataset(ref: DatasetRef, body: Json, replace: boolean): Promise<DatasetRecord> {
    const record = this.getDataset(ref);
    if (replace) for (const key of MUTABLE_DATASET_FIELDS) delete record.resource[key];
    copyMutableDatasetFields(body, record.resource);
    record.resource.lastModifiedTime = nowMs();
    record.resource.etag = etagOf({ ...record.resource, etag: undefined });
    await this.persist(datasetKey(ref), 'dataset', record);
    return record;
  }

  async deleteDataset(ref: DatasetRef, deleteContents: boolean): Promise<void> {
    this.getDataset(ref);
    const contained = this.listTables(ref);
    if (contained.length > 0 && !deleteContents) {
      throw new BigQueryError(400, 'resourceInUse', `Dataset ${datasetKey(ref)} is still in use`);
    }
    await this.conn.run(`DROP SCHEMA ${duckSchemaSql(ref)} CASCADE`);
    for (const t of contained) {
      this.tables.delete(tableKey(t.ref));
      await this.unpersist(tableKey(t.ref));
    }
    this.datasets.delete(datasetKey(ref));
    await this.unpersist(datasetKey(ref));
  }

  // ---- tables ----

  /** The table, or undefined when missing or past its expiration time (then it is dropped). */
  async findTable(ref: TableRef): Promise<TableRecord | undefined> {
    const record = this.tables.get(tableKey(ref));
    if (!record) return undefined;
    const expiration = record.resource.expirationTime;
    if (expiration !== undefined && Number(expiration) <= Date.now()) {
      await this.dropTable(record);
      return undefined;
    }
    return record;
  }

  async getTable(ref: TableRef): Promise<TableRecord> {
    this.getDataset(ref);
    const record = await this.findTable(ref);
    if (!record) throw notFound(`Table ${tableKey(ref)}`);
    return record;
  }

  listTables(ref: DatasetRef): TableRecord[] {
    return [...this.tables.values()]
      .filter((t) => t.ref.projectId === ref.projectId && t.ref.datasetId === ref.datasetId)
      .sort((a, b) => a.ref.tableId.localeCompare(b.ref.tableId));
  }

  /** Create a base table from a tables.insert body (views go through `registerView`). */
  async createTable(ref: TableRef, body: Json): Promise<TableRecord> {
    const dataset = this.getDataset(ref);
    if (await this.findTable(ref)) throw duplicate(`Table ${tableKey(ref)}`);
    const schemaBody = body.schema as Json | undefined;
    const fields = normalizeSchema(schemaBody?.fields);
    const resource = this.baseTableResource(ref, 'TABLE', fields);
    applyTableOptions(body, resource, fields, true);
    applyDefaultExpiration(dataset, resource);
    const columns = fields.map((f) => `${quoteIdent(f.name)} ${duckTypeSql(f)}`).join(', ');
    // A table without columns is legal in BigQuery (schema added later by patch).
    await this.conn.run(`CREATE TABLE ${duckTableSql(ref)} (${columns || '"__bq_no_columns" BOOLEAN'})`);
    return this.store({ ref, resource, fields, kind: 'TABLE' });
  }

  /**
   * Record a table that SQL (CREATE TABLE ... AS, CREATE VIEW) already made in DuckDB, with
   * the schema read back from DuckDB and the options the statement gave.
   */
  async registerCreated(ref: TableRef, kind: 'TABLE' | 'VIEW', fields: BqField[], options: Json): Promise<TableRecord> {
    const dataset = this.getDataset(ref);
    const previous = this.tables.get(tableKey(ref));
    const resource = this.baseTableResource(ref, kind, fields);
    if (previous) resource.creationTime = previous.resource.creationTime;
    applyTableOptions(options, resource, fields, true);
    if (!previous) applyDefaultExpiration(dataset, resource);
    return this.store({ ref, resource, fields, kind });
  }

  async patchTable(ref: TableRef, body: Json, replace: boolean): Promise<TableRecord> {
    const record = await this.getTable(ref);
    const schemaBody = body.schema as Json | undefined;
    if (schemaBody?.fields !== undefined) {
      const next = normalizeSchema(schemaBody.fields);
      await this.evolveSchema(record, next);
      record.fields = next;
      record.resource.schema = { fields: next };
    }
    if (replace) for (const key of MUTABLE_TABLE_FIELDS) delete record.resource[key];
    applyTableOptions(body, record.resource, record.fields, false);
    record.resource.lastModifiedTime = nowMs();
    return this.store(record);
  }

  async deleteTable(ref: TableRef): Promise<void> {
    const record = await this.getTable(ref);
    await this.dropTable(record);
  }

  /** Forget a table whose DuckDB object was already dropped by SQL. */
  async forgetTable(ref: TableRef): Promise<void> {
    this.tables.delete(tableKey(ref));
    await this.unpersist(tableKey(ref));
  }

  private async dropTable(record: TableRecord): Promise<void> {
    await this.conn.run(`DROP ${record.kind === 'VIEW' ? 'VIEW' : 'TABLE'} IF EXISTS ${duckTableSql(record.ref)}`);
    await this.forgetTable(record.ref);
  }

  /** BigQuery allows adding NULLABLE/REPEATED columns and relaxing REQUIRED; nothing else. */
  private async evolveSchema(record: TableRecord, next: BqField[]): Promise<void> {
    if (record.kind === 'VIEW') throw invalid('Cannot change the schema of a view; change its query instead.');
    for (const old of record.fields) {
      const now = findField(next, old.name);
      if (!now) throw invalid(`Provided Schema does not match Table ${tableKey(record.ref)}. Field ${old.name} is missing in new schema`, old.name);
      if (now.type !== old.type) throw invalid(`Provided Schema does not match Table ${tableKey(record.ref)}. Field ${old.name} has changed type from ${old.type} to ${now.type}`, old.name);
      if (now.mode !== old.mode && !(old.mode === 'REQUIRED' && now.mode === 'NULLABLE')) {
        throw invalid(`Provided Schema does not match Table ${tableKey(record.ref)}. Field ${old.name} has changed mode from ${old.mode} to ${now.mode}`, old.name);
      }
      if (old.type === 'RECORD' && JSON.stringify(stripDescriptions(old.fields)) !== JSON.stringify(stripDescriptions(now.fields))) {
        throw invalid(`Changing the subfields of RECORD field ${old.name} is not supported by the local server.`, old.name);
      }
    }
    for (const added of next.filter((f) => !findField(record.fields, f.name))) {
      if (added.mode === 'REQUIRED') throw invalid(`Provided Schema does not match Table ${tableKey(record.ref)}. Cannot add required field ${added.name}`, added.name);
      await this.conn.run(`ALTER TABLE ${duckTableSql(record.ref)} ADD COLUMN ${quoteIdent(added.name)} ${duckTypeSql(added)}`);
    }
    if (record.fields.length === 0 && next.length > 0) {
      await this.conn.run(`ALTER TABLE ${duckTableSql(record.ref)} DROP COLUMN IF EXISTS "__bq_no_columns"`);
    }
  }

  private baseTableResource(ref: TableRef, type: 'TABLE' | 'VIEW', fields: BqField[]): Json {
    const created = nowMs();
    return {
      kind: 'bigquery#table',
      id: tableKey(ref),
      tableReference: { projectId: ref.projectId, datasetId: ref.datasetId, tableId: ref.tableId },
      schema: { fields },
      type,
      location: this.getDataset(ref).resource.location,
      creationTime: created,
      lastModifiedTime: created,
    };
  }

  private async store(record: TableRecord): Promise<TableRecord> {
    record.resource.etag = etagOf({ ...record.resource, etag: undefined });
    this.tables.set(tableKey(record.ref), record);
    await this.persist(tableKey(record.ref), 'table', record);
    return record;
  }
}

const MUTABLE_DATASET_FIELDS = ['friendlyName', 'description', 'labels', 'defaultTableExpirationMs', 'defaultPartitionExpirationMs', 'access', 'maxTimeTravelHours', 'storageBillingModel'];
const MUTABLE_TABLE_FIELDS = ['friendlyName', 'description', 'labels', 'expirationTime', 'clustering', 'requirePartitionFilter'];

function copyMutableDatasetFields(body: Json, resource: Json): void {
  for (const key of MUTABLE_DATASET_FIELDS) {
    if (body[key] === undefined) continue;
    if (body[key] === null) delete resource[key];
    else resource[key] = body[key];
  }
  for (const key of ['defaultTableExpirationMs', 'defaultPartitionExpirationMs']) {
    if (resource[key] !== undefined && !/^\d+$/.test(String(resource[key]))) throw invalid(`Invalid ${key}: ${String(resource[key])}`);
    if (resource[key] !== undefined) resource[key] = String(resource[key]);
  }
}

function applyDefaultExpiration(dataset: DatasetRecord, resource: Json): void {
  const ms = dataset.resource.defaultTableExpirationMs;
  if (ms !== undefined && resource.expirationTime === undefined) {
    resource.expirationTime = String(Number(resource.creationTime) + Number(ms));
  }
  const partitionMs = dataset.resource.defaultPartitionExpirationMs;
  const partitioning = resource.timePartitioning as Json | undefined;
  if (partitionMs !== undefined && partitioning && partitioning.expirationMs === undefined) partitioning.expirationMs = String(partitionMs);
}

/** Validate and copy the table options of an insert/patch body (partitioning only at creation). */
function applyTableOptions(body: Json, resource: Json, fields: BqField[], creating: boolean): void {
  for (const key of ['friendlyName', 'description', 'labels'] as const) {
    if (body[key] === null) delete resource[key];
    else if (body[key] !== undefined) resource[key] = body[key];
  }
  if (body.expirationTime === null) delete resource.expirationTime;
  else if (body.expirationTime !== undefined) {
    if (!/^\d+$/.test(String(body.expirationTime))) throw invalid(`Invalid expirationTime: ${String(body.expirationTime)}`);
    resource.expirationTime = String(body.expirationTime);
  }
  if (body.timePartitioning !== undefined && body.timePartitioning !== null) {
    const tp = body.timePartitioning as Json;
    const type = String(tp.type ?? 'DAY').toUpperCase();
    if (!PARTITION_TYPES.has(type)) throw invalid(`Invalid time partitioning type ${String(tp.type)}; expected DAY, HOUR, MONTH or YEAR.`);
    const out: Json = { type };
    if (tp.field !== undefined) {
      const field = findField(fields, String(tp.field));
      if (!field || field.mode === 'REPEATED' || !PARTITION_FIELD_TYPES.has(field.type)) {
        throw invalid(`The field specified for time partitioning can only be of type TIMESTAMP, DATE or DATETIME. The type found is: ${field ? field.type : 'none (no such field: ' + String(tp.field) + ')'}.`);
      }
      out.field = field.name;
    }
    if (tp.expirationMs !== undefined && tp.expirationMs !== null) {
      if (!/^\d+$/.test(String(tp.expirationMs))) throw invalid(`Invalid timePartitioning.expirationMs: ${String(tp.expirationMs)}`);
      out.expirationMs = String(tp.expirationMs);
    }
    if (tp.requirePartitionFilter !== undefined) out.requirePartitionFilter = Boolean(tp.requirePartitionFilter);
    const existing = resource.timePartitioning as Json | undefined;
    if (!creating && existing && (existing.type !== out.type || existing.field !== out.field)) {
      throw invalid('Cannot change partitioning spec of an existing table.');
    }
    if (!creating && !existing) throw invalid('Cannot add time partitioning to an existing table.');
    resource.timePartitioning = out;
  }
  if (body.rangePartitioning !== undefined && body.rangePartitioning !== null) {
    if (!creating) throw invalid('Cannot change partitioning spec of an existing table.');
    resource.rangePartitioning = body.rangePartitioning;
  }
  if (body.requirePartitionFilter !== undefined) resource.requirePartitionFilter = Boolean(body.requirePartitionFilter);
  if (body.clustering === null) delete resource.clustering;
  else if (body.clustering !== undefined) {
    const names = ((body.clustering as Json).fields ?? []) as unknown[];
    if (!Array.isArray(names) || names.length === 0 || names.length > 4) throw invalid('Clustering requires between 1 and 4 fields.');
    resource.clustering = {
      fields: names.map((n) => {
        const field = findField(fields, String(n));
        if (!field) throw invalid(`The field specified for clustering cannot be found in the schema. Invalid field: ${String(n)}.`);
        if (field.mode === 'REPEATED' || !CLUSTER_FIELD_TYPES.has(field.type)) throw invalid(`Field ${field.name} is of type ${field.mode === 'REPEATED' ? 'ARRAY' : field.type} which is not supported for clustering.`);
        return field.name;
      }),
    };
  }
}

function stripDescriptions(fields: BqField[] | undefined): unknown {
  return (fields ?? []).map(({ description: _d, ...rest }) => ({ ...rest, fields: rest.fields ? stripDescriptions(rest.fields) : undefined }));
}
