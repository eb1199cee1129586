/**
 * The BigQuery API v2 operations the local server implements, independent of HTTP: each
 * method takes the path parameters, query string and body of one REST call and returns the
 * response body BigQuery would, or throws a BigQueryError.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { BigQueryError, duplicate, invalid, notFound } from './errors';
import { Engine } from './store/engine';
import { Catalog, type Json, type TableRecord } from './store/catalog';
import { InsertIdWindow, insertAll, type InsertAllRequest } from './store/insert-all';
import { checkDatasetId, checkJobId, checkProjectId, checkTableId, duckTableSql, tableKey, type DatasetRef, type TableRef } from './store/names';
import { encodeRow, timestampFormatFrom, type TimestampFormat, type RestRow } from './types/row-output';
import { quoteIdent, findField, type BqField } from './types/schema';
import { QueryRunner, type QueryOutcome } from './jobs/query-runner';
import { MAX_PAGE_BYTES, MAX_PAGE_ROWS, encodePageToken, maxResults, startRow } from './paging';
import { RESULTS_SCHEMA } from './store/names';

type Query = Record<string, unknown>;

interface JobRecord {
  projectId: string;
  jobId: string;
  location: string;
  resource: Json;
  outcome?: QueryOutcome;
  error?: BigQueryError;
}

export interface ServiceOptions {
  dbPath?: string;
  /** How long an insertId is remembered for de-duplication (BigQuery: at least one minute). */
  insertIdWindowMs?: number;
  /** Jobs (and their result tables) kept; older ones are forgotten. */
  maxJobs?: number;
  logger: Logger;
}

export class BigQueryService {
  private readonly jobs = new Map<string, JobRecord>();
  private resultCounter = 0;

  private constructor(
    private readonly engine: Engine,
    private readonly catalog: Catalog,
    private readonly dedup: InsertIdWindow,
    private readonly maxJobs: number,
    private readonly log: Logger,
  ) {}

  static async open(options: ServiceOptions): Promise<BigQueryService> {
    const engine = await Engine.open(options.dbPath);
    const catalog = await engine.exclusive((conn) => Catalog.load(conn));
    // Result tables of a previous run belong to jobs this process does not know.
    await engine.exclusive(async (conn) => {
      await conn.run(`DROP SCHEMA IF EXISTS ${quoteIdent(RESULTS_SCHEMA)} CASCADE`);
      await conn.run(`CREATE SCHEMA ${quoteIdent(RESULTS_SCHEMA)}`);
    });
    return new BigQueryService(engine, catalog, new InsertIdWindow(options.insertIdWindowMs ?? 60_000), options.maxJobs ?? 1000, options.logger);
  }

  close(): Promise<void> {
    return this.engine.close();
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.engine.exclusive(() => fn());
  }

  // ---------------- datasets ----------------

  insertDataset(projectId: string, body: Json): Promise<Json> {
    return this.locked(async () => {
      const ref = (body.datasetReference ?? {}) as Json;
      const datasetId = checkDatasetId(ref.datasetId);
      const record = await this.catalog.createDataset({ projectId: checkProjectId(projectId), datasetId }, body);
      return record.resource;
    });
  }

  getDataset(ref: DatasetRef): Promise<Json> {
    return this.locked(async () => this.catalog.getDataset(ref).resource);
  }

  listDatasets(projectId: string, query: Query): Promise<Json> {
    return this.locked(async () => {
      const all = this.catalog.listDatasets(projectId).filter((d) => labelFilter(query.filter, d.resource.labels as Json | undefined));
      const { items, nextPageToken } = pageOf(all, query);
      return {
        kind: 'bigquery#datasetList',
        etag: randomUUID(),
        datasets: items.map((d) => ({
          kind: 'bigquery#dataset',
          id: d.resource.id,
          datasetReference: d.resource.datasetReference,
          location: d.resource.location,
          ...(d.resource.labels ? { labels: d.resource.labels } : {}),
          ...(d.resource.friendlyName ? { friendlyName: d.resource.friendlyName } : {}),
        })),
        ...(nextPageToken ? { nextPageToken } : {}),
      };
    });
  }

  patchDataset(ref: DatasetRef, body: Json, replace: boolean): Promise<Json> {
    return this.locked(async () => (await this.catalog.patchDataset(ref, body, replace)).resource);
  }

  deleteDataset(ref: DatasetRef, query: Query): Promise<void> {
    return this.locked(async () => {
      for (const t of this.catalog.listTables(ref)) this.dedup.forget(tableKey(t.ref));
      await this.catalog.deleteDataset(ref, query.deleteContents === true || query.deleteContents === 'true');
    });
  }

  // ---------------- tables ----------------

  insertTable(ref: DatasetRef, body: Json): Promise<Json> {
    return this.locked(async () => {
      const tableRef = (body.tableReference ?? {}) as Json;
      const target: TableRef = { ...ref, tableId: checkTableId(tableRef.tableId) };
      if (body.view) return (await this.createView(target, body)).resource;
      if (body.materializedView || body.externalDataConfiguration) throw invalid('Materialized views and external tables are not supported by the local server.');
      const record = await this.catalog.createTable(target, body);
      return this.tableResource(record);
    });
  }

  /** tables.insert with `view.query`: the view is created with the translated query. */
  private async createView(target: TableRef, body: Json): Promise<TableRecord> {
    const view = body.view as Json;
    if (view.useLegacySql === true) throw invalid('Legacy SQL views are not supported by the local server.');
    this.catalog.getDataset(target);
    if (await this.catalog.findTable(target)) throw duplicate(`Table ${tableKey(target)}`);
    const outcome = await new QueryRunner(this.engine.connection, this.catalog).run({
      query: `CREATE VIEW \`${target.projectId}.${target.datasetId}.${target.tableId}\` AS ${String(view.query)}`,
      projectId: target.projectId,
      resultTable: '',
    });
    await this.catalog.getTable(outcome.ddlTargetTable!);
    return this.catalog.patchTable(target, { friendlyName: body.friendlyName, description: body.description, labels: body.labels, expirationTime: body.expirationTime }, false);
  }

  getTable(ref: TableRef): Promise<Json> {
    return this.locked(async () => this.tableResource(await this.catalog.getTable(ref)));
  }

  private async tableResource(record: TableRecord): Promise<Json> {
    if (record.kind === 'VIEW') return { ...record.resource };
    const reader = await this.engine.connection.runAndReadAll(`SELECT count(*) FROM ${duckTableSql(record.ref)}`);
    return { ...record.resource, numRows: String(reader.getRows()[0][0]) };
  }

  listTables(ref: DatasetRef, query: Query): Promise<Json> {
    return this.locked(async () => {
      this.catalog.getDataset(ref);
      const all: TableRecord[] = [];
      for (const t of this.catalog.listTables(ref)) {
        const live = await this.catalog.findTable(t.ref);
        if (live) all.push(live);
      }
      const { items, nextPageToken } = pageOf(all, query);
      return {
        kind: 'bigquery#tableList',
        etag: randomUUID(),
        tables: items.map((t) => {
          const r = t.resource;
          const pick = (k: string) => (r[k] !== undefined ? { [k]: r[k] } : {});
          return {
            kind: 'bigquery#table',
            id: r.id,
            tableReference: r.tableReference,
            type: r.type,
            creationTime: r.creationTime,
            ...pick('friendlyName'),
            ...pick('labels'),
            ...pick('timePartitioning'),
            ...pick('rangePartitioning'),
            ...pick('clustering'),
            ...pick('expirationTime'),
            ...(t.kind === 'VIEW' ? { view: { useLegacySql: false } } : {}),
          };
        }),
        totalItems: all.length,
        ...(nextPageToken ? { nextPageToken } : {}),
      };
    });
  }

  patchTable(ref: TableRef, body: Json, replace: boolean): Promise<Json> {
    return this.locked(async () => {
      if (body.view !== undefined) throw invalid('Changing a view query by patch is not supported by the local server; drop and re-create the view.');
      return this.tableResource(await this.catalog.patchTable(ref, body, replace));
    });
  }

  deleteTable(ref: TableRef): Promise<void> {
    return this.locked(async () => {
      await this.catalog.deleteTable(ref);
      this.dedup.forget(tableKey(ref));
    });
  }

  // ---------------- tabledata ----------------

  insertAll(ref: TableRef, body: Json): Promise<Json> {
    return this.locked(async () => {
      const table = await this.catalog.getTable(ref);
      const response = await insertAll(this.engine.connection, table, body as InsertAllRequest, this.dedup);
      this.log.debug({ table: tableKey(ref), rows: (body.rows as unknown[] | undefined)?.length, errors: response.insertErrors?.length ?? 0 }, 'insertAll');
      return response as unknown as Json;
    });
  }

  listTableData(ref: TableRef, query: Query): Promise<Json> {
    return this.locked(async () => {
      const table = await this.catalog.getTable(ref);
      if (table.kind === 'VIEW') throw invalid(`Cannot list a table of type VIEW: ${tableKey(ref)}`);
      let fields = table.fields;
      if (typeof query.selectedFields === 'string' && query.selectedFields !== '') {
        fields = query.selectedFields.split(',').map((name) => {
          const top = name.trim().split('.')[0];
          const field = findField(table.fields, top);
          if (!field) throw invalid(`Invalid field selection ${name}`);
          return field;
        });
        fields = fields.filter((f, i) => fields.indexOf(f) === i);
      }
      const page = await this.readPage(duckTableSql(ref), fields, query, timestampFormatFrom(query));
      return { kind: 'bigquery#tableDataList', etag: randomUUID(), totalRows: String(page.totalRows), ...(page.pageToken ? { pageToken: page.pageToken } : {}), ...(page.rows.length ? { rows: page.rows } : {}) };
    });
  }

  /** One page of rows from a DuckDB table, at most 10 MB when the client gave no maxResults. */
  private async readPage(duckTable: string, fields: BqField[], query: Query, format: TimestampFormat, allColumns = false): Promise<{ rows: RestRow[]; pageToken?: string; totalRows: number }> {
    const conn = this.engine.connection;
    const count = await conn.runAndReadAll(`SELECT count(*) FROM ${duckTable}`);
    const totalRows = Number(count.getRows()[0][0]);
    const offset = startRow(query);
    const limit = maxResults(query.maxResults);
    const want = Math.min(limit ?? MAX_PAGE_ROWS, MAX_PAGE_ROWS, Math.max(totalRows - offset, 0));
    const rows: RestRow[] = [];
    if (want > 0 && fields.length > 0) {
      // Result tables keep DuckDB's column names (e.g. "count_star()" for BigQuery's f0_).
      const columns = allColumns ? '*' : fields.map((f) => quoteIdent(f.name)).join(', ');
      const reader = await conn.runAndReadAll(`SELECT ${columns} FROM ${duckTable} LIMIT ${want} OFFSET ${offset}`);
      let bytes = 0;
      for (const values of reader.getRows()) {
        const row = encodeRow(fields, values, format);
        if (limit === undefined) {
          bytes += JSON.stringify(row).length;
          if (bytes > MAX_PAGE_BYTES && rows.length > 0) break;
        }
        rows.push(row);
      }
    }
    const next = offset + rows.length;
    return { rows, totalRows, pageToken: next < totalRows && rows.length > 0 ? encodePageToken(next) : undefined };
  }

  // ---------------- jobs ----------------

  insertJob(projectId: string, body: Json): Promise<Json> {
    return this.locked(async () => {
      const configuration = (body.configuration ?? {}) as Json;
      const reference = (body.jobReference ?? {}) as Json;
      const jobId = reference.jobId === undefined ? randomUUID() : checkJobId(reference.jobId);
      const location = typeof reference.location === 'string' ? reference.location : 'US';
      if (this.jobs.has(jobKey(projectId, jobId))) throw duplicate(`Job ${projectId}:${location}.${jobId}`);
      const query = configuration.query as Json | undefined;
      if (!query) {
        const kind = Object.keys(configuration).find((k) => ['load', 'extract', 'copy'].includes(k));
        throw invalid(`${kind ? kind + ' jobs are' : 'Jobs other than query jobs are'} not supported by the local server; only query jobs.`);
      }
      const job = await this.runQueryJob(projectId, jobId, location, configuration, query, configuration.dryRun === true);
      return job.resource;
    });
  }

  query(projectId: string, body: Json): Promise<Json> {
    return this.locked(async () => {
      const location = typeof body.location === 'string' ? body.location : 'US';
      const query: Json = {
        query: body.query,
        useLegacySql: body.useLegacySql,
        defaultDataset: body.defaultDataset,
        parameterMode: body.parameterMode,
        queryParameters: body.queryParameters,
      };
      const configuration: Json = { query, ...(body.labels ? { labels: body.labels } : {}) };
      const jobId = `job_${randomUUID().replace(/-/g, '')}`;
      const job = await this.runQueryJob(projectId, jobId, location, configuration, query, body.dryRun === true);
      if (job.error) throw job.error;
      const formatOptions = (body.formatOptions ?? {}) as Json;
      const format = timestampFormatFrom({ 'formatOptions.useInt64Timestamp': formatOptions.useInt64Timestamp, 'formatOptions.timestampOutputFormat': formatOptions.timestampOutputFormat });
      return this.queryResults(job, { maxResults: body.maxResults }, format, 'bigquery#queryResponse');
    });
  }

  getJob(projectId: string, jobId: string): Promise<Json> {
    return this.locked(async () => this.findJob(projectId, jobId).resource);
  }

  listJobs(projectId: string, query: Query): Promise<Json> {
    return this.locked(async () => {
      const all = [...this.jobs.values()].filter((j) => j.projectId === projectId).reverse();
      const { items, nextPageToken } = pageOf(all, query);
      return {
        kind: 'bigquery#jobList',
        etag: randomUUID(),
        jobs: items.map((j) => ({ kind: 'bigquery#job', id: j.resource.id, jobReference: j.resource.jobReference, state: 'DONE', configuration: j.resource.configuration, status: j.resource.status, statistics: j.resource.statistics, ...(j.error ? { errorResult: j.error.toErrorProto() } : {}) })),
        ...(nextPageToken ? { nextPageToken } : {}),
      };
    });
  }

  cancelJob(projectId: string, jobId: string): Promise<Json> {
    // Every job here finishes inside its insert call, so cancel finds it done (as BigQuery would).
    return this.locked(async () => ({ kind: 'bigquery#jobCancelResponse', job: this.findJob(projectId, jobId).resource }));
  }

  deleteJob(projectId: string, jobId: string): Promise<void> {
    return this.locked(async () => {
      const job = this.findJob(projectId, jobId);
      await this.forgetJob(job);
    });
  }

  getQueryResults(projectId: string, jobId: string, query: Query): Promise<Json> {
    return this.locked(async () => {
      const job = this.findJob(projectId, jobId);
      if (job.error) throw job.error;
      return this.queryResults(job, query, timestampFormatFrom(query), 'bigquery#getQueryResultsResponse');
    });
  }

  private findJob(projectId: string, jobId: string): JobRecord {
    const job = this.jobs.get(jobKey(projectId, jobId));
    if (!job) throw notFound(`Job ${projectId}:${jobId}`);
    return job;
  }

  private async forgetJob(job: JobRecord): Promise<void> {
    this.jobs.delete(jobKey(job.projectId, job.jobId));
    const duckTable = job.outcome?.result?.duckTable;
    if (duckTable?.startsWith(quoteIdent(RESULTS_SCHEMA))) await this.engine.connection.run(`DROP TABLE IF EXISTS ${duckTable}`);
  }

  private async queryResults(job: JobRecord, query: Query, format: TimestampFormat, kind: string): Promise<Json> {
    const outcome = job.outcome!;
    const base: Json = {
      kind,
      etag: randomUUID(),
      jobReference: job.resource.jobReference,
      jobComplete: true,
      cacheHit: false,
      totalBytesProcessed: '0',
    };
    if (outcome.numDmlAffectedRows !== undefined) base.numDmlAffectedRows = String(outcome.numDmlAffectedRows);
    if (!outcome.result) return { ...base, totalRows: String(outcome.numDmlAffectedRows ?? 0), schema: { fields: [] } };
    const { result } = outcome;
    base.schema = { fields: result.fields };
    if (!result.duckTable) return { ...base, totalRows: '0' };
    const page = await this.readPage(result.duckTable, result.fields, query, format, result.duckTable.startsWith(quoteIdent(RESULTS_SCHEMA)));
    return { ...base, totalRows: String(page.totalRows), ...(page.pageToken ? { pageToken: page.pageToken } : {}), rows: page.rows };
  }

  private async runQueryJob(projectId: string, jobId: string, location: string, configuration: Json, query: Json, dryRun: boolean): Promise<JobRecord> {
    checkProjectId(projectId);
    const created = Date.now();
    const job: JobRecord = { projectId, jobId, location, resource: {} };
    if (query.useLegacySql === true) {
      job.error = invalid('Legacy SQL is not supported by the local server; set useLegacySql: false.');
    } else {
      try {
        job.outcome = await new QueryRunner(this.engine.connection, this.catalog).run({
          query: query.query as string,
          projectId,
          defaultDataset: query.defaultDataset as QueryOutcomeDefaultDataset,
          parameterMode: query.parameterMode,
          queryParameters: query.queryParameters,
          dryRun,
          destinationTable: query.destinationTable as Json | undefined,
          writeDisposition: query.writeDisposition as string | undefined,
          createDisposition: query.createDisposition as string | undefined,
          resultTable: `job_${++this.resultCounter}`,
        });
      } catch (err) {
        if (!(err instanceof BigQueryError)) throw err;
        job.error = err;
      }
    }
    const ended = Date.now();
    const outcome = job.outcome;
    const queryStats: Json = { totalBytesProcessed: '0', totalBytesBilled: '0', cacheHit: false, billingTier: 1 };
    if (outcome) {
      queryStats.statementType = outcome.statementType;
      if (outcome.result) queryStats.schema = { fields: outcome.result.fields };
      if (outcome.numDmlAffectedRows !== undefined) {
        queryStats.numDmlAffectedRows = String(outcome.numDmlAffectedRows);
        queryStats.dmlStats = { [`${outcome.statementType === 'DELETE' ? 'deleted' : outcome.statementType === 'UPDATE' ? 'updated' : 'inserted'}RowCount`]: String(outcome.numDmlAffectedRows) };
      }
      if (outcome.ddlOperationPerformed) queryStats.ddlOperationPerformed = outcome.ddlOperationPerformed;
      if (outcome.ddlTargetTable) queryStats.ddlTargetTable = outcome.ddlTargetTable;
      if (outcome.ddlTargetDataset) queryStats.ddlTargetDataset = outcome.ddlTargetDataset;
      if (outcome.referencedTables.length) queryStats.referencedTables = dedupRefs(outcome.referencedTables);
    }
    job.resource = {
      kind: 'bigquery#job',
      etag: randomUUID(),
      id: `${projectId}:${location}.${jobId}`,
      selfLink: `/bigquery/v2/projects/${projectId}/jobs/${jobId}?location=${location}`,
      user_email: 'local@localhost',
      jobReference: { projectId, jobId, location },
      configuration: { ...configuration, jobType: 'QUERY', ...(dryRun ? { dryRun: true } : {}) },
      status: job.error ? { state: 'DONE', errorResult: job.error.toErrorProto(), errors: [job.error.toErrorProto()] } : { state: 'DONE' },
      statistics: {
        creationTime: String(created),
        startTime: String(created),
        endTime: String(ended),
        totalBytesProcessed: '0',
        query: queryStats,
      },
    };
    if (dryRun) return job;
    this.jobs.set(jobKey(projectId, jobId), job);
    this.log.debug({ jobId, statementType: outcome?.statementType, error: job.error?.message }, 'query job');
    while (this.jobs.size > this.maxJobs) await this.forgetJob(this.jobs.values().next().value as JobRecord);
    return job;
  }
}

type QueryOutcomeDefaultDataset = { projectId?: string; datasetId?: string } | undefined;

const jobKey = (projectId: string, jobId: string) => `${projectId}:${jobId}`;

function dedupRefs(refs: TableRef[]): TableRef[] {
  const seen = new Map<string, TableRef>();
  for (const r of refs) seen.set(tableKey(r), r);
  return [...seen.values()];
}

/** datasets.list `filter=labels.key:value` (space-separated terms, all must match). */
function labelFilter(filter: unknown, labels: Json | undefined): boolean {
  if (typeof filter !== 'string' || filter.trim() === '') return true;
  return filter
    .trim()
    .split(/\s+/)
    .every((term) => {
      const m = /^labels\.([^:]+)(?::(.*))?$/.exec(term);
      if (!m) throw invalid(`Invalid filter: ${term}`);
      const value = labels?.[m[1]];
      return value !== undefined && (m[2] === undefined || value === m[2]);
    });
}

function pageOf<T>(all: T[], query: Query): { items: T[]; nextPageToken?: string } {
  const offset = startRow(query);
  const limit = maxResults(query.maxResults) ?? 50;
  const items = all.slice(offset, offset + (limit || 50));
  const next = offset + items.length;
  return { items, nextPageToken: next < all.length ? encodePageToken(next) : undefined };
}
