/**
 * Runs one GoogleSQL statement on DuckDB: SELECTs are materialised into a result table
 * (so getQueryResults can page through them, as BigQuery pages an anonymous table), DML
 * reports affected rows, DDL goes through the catalog so table metadata stays right.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { BigQueryError, duplicate, invalid, invalidQuery, notFound } from '../errors';
import type { Catalog, Json } from '../store/catalog';
import { RESULTS_SCHEMA, datasetKey, duckSchemaSql, duckTableSql, tableKey, type TableRef } from '../store/names';
import { resultSchema, resultFieldNames } from '../types/row-output';
import { duckTypeSql, quoteIdent, type BqField } from '../types/schema';
import { bindParameters } from '../sql/parameters';
import { parseCreate, parseCreateSchema, parseDrop, parseStatement, refFromParts, type StatementKind } from '../sql/statements';
import { Translator, type Node } from '../sql/translate';
import { textStoredColumn } from '../types/schema';
import { RUNTIME_NAMES } from '../store/google-sql-runtime';
import { refuseTextStoredTable } from '../sql/type-names';

export interface QueryRequest {
  query: string;
  projectId: string;
  defaultDataset?: { projectId?: string; datasetId?: string };
  parameterMode?: unknown;
  queryParameters?: unknown;
  dryRun?: boolean;
  destinationTable?: { projectId?: string; datasetId?: string; tableId?: string };
  writeDisposition?: string;
  createDisposition?: string;
  /** Name of the result table to create for SELECT results. */
  resultTable: string;
}

export interface QueryOutcome {
  statementType: string;
  /** Where the rows are (result table or destination), with the schema; absent for DDL/DML. */
  result?: { duckTable: string; fields: BqField[]; totalRows: number };
  numDmlAffectedRows?: number;
  ddlOperationPerformed?: 'CREATE' | 'REPLACE' | 'DROP' | 'SKIP';
  ddlTargetTable?: TableRef;
  ddlTargetDataset?: { projectId: string; datasetId: string };
  referencedTables: TableRef[];
}

const STATEMENT_TYPES: Record<StatementKind, string> = {
  SELECT: 'SELECT',
  INSERT: 'INSERT',
  UPDATE: 'UPDATE',
  DELETE: 'DELETE',
  MERGE: 'MERGE',
  CREATE_TABLE: 'CREATE_TABLE',
  CREATE_VIEW: 'CREATE_VIEW',
  CREATE_SCHEMA: 'CREATE_SCHEMA',
  DROP_TABLE: 'DROP_TABLE',
  DROP_VIEW: 'DROP_VIEW',
  DROP_SCHEMA: 'DROP_SCHEMA',
  TRUNCATE_TABLE: 'TRUNCATE_TABLE',
};

/** DuckDB's messages start with the error class ("Binder Error: ..."); keep the first line. */
export function duckErrorToBigQuery(err: unknown): BigQueryError {
  if (err instanceof BigQueryError) return err;
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  const cleaned = message
    .replace(/^(Parser|Binder|Catalog|Conversion|Invalid Input|Out of Range|Constraint|Not implemented|Dependency|Serialization|TransactionContext) Error: /, '')
    // The GoogleSQL helpers' names mean nothing to the caller: name what the query said.
    .replace(/\b(?:Macro|Scalar Function) (bq_[a-z_]+)\(\) (?:has multiple overloads that match the supplied arguments|does not support the supplied arguments)[^]*/, (_, fn: string) => `No matching signature for ${RUNTIME_NAMES[fn] ?? fn} for the argument types given${/unbound|avg|intdiv/.test(fn) ? ' (the local server needs operands whose type it can tell before aggregating)' : ''}`);
  if (/^Constraint Error: .*NOT NULL/.test(message)) return invalidQuery(`Required field cannot be null: ${cleaned}`);
  if (/^Not implemented Error/.test(message)) return invalidQuery(`Not supported by the local server's engine: ${cleaned}`);
  return invalidQuery(cleaned);
}

export class QueryRunner {
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly catalog: Catalog,
  ) {}

  private translator(req: QueryRequest): Translator {
    const defaultProject = req.defaultDataset?.projectId ?? req.projectId;
    const params = bindParameters(req.parameterMode, req.queryParameters);
    return new Translator({
      defaultProject,
      defaultDataset: req.defaultDataset?.datasetId,
      params,
      sql: req.query,
      lookup: (ref) => {
        if (!this.catalog.findDataset(ref)) return 'no-dataset';
        // Synchronous view of the catalog; expiry is enforced when the statement touches the table.
        const key = tableKey(ref);
        const record = this.catalog.listTables(ref).find((t) => tableKey(t.ref) === key);
        return record ? (record.kind === 'VIEW' ? 'view' : 'table') : 'missing';
      },
    });
  }

  async run(req: QueryRequest): Promise<QueryOutcome> {
    if (typeof req.query !== 'string' || req.query.trim() === '') throw invalid('Query text is required.');
    const statement = parseStatement(req.query);
    const translator = this.translator(req);
    const defaultProject = req.defaultDataset?.projectId ?? req.projectId;
    const refOf = (parts: string[]) => refFromParts(parts, defaultProject, req.defaultDataset?.datasetId);
    const statementType = STATEMENT_TYPES[statement.kind];

    switch (statement.kind) {
      case 'SELECT': {
        const sql = this.translated(translator, statement.nodes);
        if (req.dryRun) {
          const reader = await this.execute(`SELECT * FROM (${sql}) AS q LIMIT 0`);
          return { statementType, result: { duckTable: '', fields: resultSchema(reader.columnNames(), reader.columnTypes()), totalRows: 0 }, referencedTables: translator.tables };
        }
        if (req.destinationTable) return this.selectInto(req, sql, translator.tables, statementType);
        const duckTable = `${quoteIdent(RESULTS_SCHEMA)}.${quoteIdent(req.resultTable)}`;
        await this.execute(`CREATE TABLE ${duckTable} AS ${sql}`);
        const shape = await this.execute(`SELECT * FROM ${duckTable} LIMIT 0`);
        const fields = resultSchema(shape.columnNames(), shape.columnTypes());
        const count = await this.execute(`SELECT count(*) FROM ${duckTable}`);
        return { statementType, result: { duckTable, fields, totalRows: Number(count.getRows()[0][0]) }, referencedTables: translator.tables };
      }
      case 'INSERT':
      case 'UPDATE':
      case 'DELETE':
      case 'MERGE': {
        const sql = this.translated(translator, statement.nodes);
        const target = translator.tables[0];
        if (target && (await this.catalog.getTable(target)).kind === 'VIEW') throw invalidQuery(`Cannot modify view ${tableKey(target)}`);
        if (req.dryRun) return { statementType, referencedTables: translator.tables };
        const reader = await this.execute(sql);
        return { statementType, numDmlAffectedRows: reader.rowsChanged, referencedTables: translator.tables };
      }
      case 'TRUNCATE_TABLE': {
        const target = refOf(parseDrop(statement.nodes).target);
        await this.catalog.getTable(target);
        if (req.dryRun) return { statementType, referencedTables: [target] };
        const reader = await this.execute(`DELETE FROM ${duckTableSql(target)}`);
        return { statementType, numDmlAffectedRows: reader.rowsChanged, referencedTables: [target] };
      }
      case 'CREATE_TABLE':
      case 'CREATE_VIEW':
        return this.createTableOrView(statement.kind, statement.nodes, req, refOf, translator, statementType);
      case 'DROP_TABLE':
      case 'DROP_VIEW': {
        const drop = parseDrop(statement.nodes);
        const target = refOf(drop.target);
        this.catalog.getDataset(target);
        const existing = await this.catalog.findTable(target);
        if (!existing) {
          if (drop.ifExists) return { statementType, ddlOperationPerformed: 'SKIP', ddlTargetTable: target, referencedTables: [] };
          throw notFound(`Table ${tableKey(target)}`);
        }
        if ((existing.kind === 'VIEW') !== (statement.kind === 'DROP_VIEW')) {
          throw invalidQuery(`${tableKey(target)} is a ${existing.kind === 'VIEW' ? 'view' : 'table'}; use DROP ${existing.kind}`);
        }
        if (!req.dryRun) await this.catalog.deleteTable(target);
        return { statementType, ddlOperationPerformed: 'DROP', ddlTargetTable: target, referencedTables: [] };
      }
      case 'CREATE_SCHEMA': {
        const create = parseCreateSchema(statement.nodes);
        const ref = create.target.length === 2 ? { projectId: create.target[0], datasetId: create.target[1] } : { projectId: defaultProject, datasetId: create.target[0] };
        if (this.catalog.findDataset(ref)) {
          if (create.ifNotExists) return { statementType, ddlOperationPerformed: 'SKIP', ddlTargetDataset: ref, referencedTables: [] };
          throw duplicate(`Dataset ${datasetKey(ref)}`);
        }
        if (!req.dryRun) await this.catalog.createDataset(ref, create.options);
        return { statementType, ddlOperationPerformed: 'CREATE', ddlTargetDataset: ref, referencedTables: [] };
      }
      case 'DROP_SCHEMA': {
        const drop = parseDrop(statement.nodes);
        const ref = drop.target.length === 2 ? { projectId: drop.target[0], datasetId: drop.target[1] } : { projectId: defaultProject, datasetId: drop.target[0] };
        if (!this.catalog.findDataset(ref)) {
          if (drop.ifExists) return { statementType, ddlOperationPerformed: 'SKIP', ddlTargetDataset: ref, referencedTables: [] };
          throw notFound(`Dataset ${datasetKey(ref)}`);
        }
        if (!req.dryRun) await this.catalog.deleteDataset(ref, drop.cascade);
        return { statementType, ddlOperationPerformed: 'DROP', ddlTargetDataset: ref, referencedTables: [] };
      }
    }
  }

  private async createTableOrView(
    kind: 'CREATE_TABLE' | 'CREATE_VIEW',
    nodes: Node[],
    req: QueryRequest,
    refOf: (parts: string[]) => TableRef,
    translator: Translator,
    statementType: string,
  ): Promise<QueryOutcome> {
    const create = parseCreate(nodes, req.query);
    const target = refOf(create.target);
    this.catalog.getDataset(target);
    const existing = await this.catalog.findTable(target);
    if (existing && create.ifNotExists) return { statementType, ddlOperationPerformed: 'SKIP', ddlTargetTable: target, referencedTables: [] };
    if (existing && !create.orReplace) throw duplicate(`${existing.kind === 'VIEW' ? 'View' : 'Table'} ${tableKey(target)}`);
    if (existing && (existing.kind === 'VIEW') !== (kind === 'CREATE_VIEW')) {
      throw invalidQuery(`${tableKey(target)} is a ${existing.kind === 'VIEW' ? 'view' : 'table'}; it cannot be replaced by a ${kind === 'CREATE_VIEW' ? 'view' : 'table'}`);
    }
    const operation = existing ? 'REPLACE' : 'CREATE';
    const querySql = create.query ? this.translated(translator, create.query) : undefined;
    if (kind === 'CREATE_VIEW' && !querySql) throw invalidQuery('CREATE VIEW needs AS <query>');
    if (create.fields && querySql) throw invalidQuery('A column list together with AS <query> is not supported by the local server; cast in the query instead.');
    if (!create.fields && !querySql) throw invalidQuery('CREATE TABLE needs a column list or AS <query>');
    if (req.dryRun) return { statementType, ddlOperationPerformed: operation, ddlTargetTable: target, referencedTables: translator.tables };

    if (create.fields) {
      if (existing) await this.catalog.deleteTable(target);
      await this.catalog.createTable(target, { ...create.options, schema: { fields: create.fields } });
      return { statementType, ddlOperationPerformed: operation, ddlTargetTable: target, referencedTables: [] };
    }
    // AS <query>: let DuckDB build the table or view, then read its schema back.
    const shape = await this.execute(`SELECT * FROM (${querySql}) AS q LIMIT 0`);
    const names = shape.columnNames();
    const bqNames = resultFieldNames(names);
    const unnamed = names.filter((n, i) => n !== bqNames[i]);
    if (unnamed.length > 0) throw invalidQuery(`${kind === 'CREATE_VIEW' ? 'CREATE VIEW' : 'CREATE TABLE'} columns must be named; give these an alias: ${unnamed.join(', ')}`);
    const lower = names.map((n) => n.toLowerCase());
    const dup = lower.find((n, i) => lower.indexOf(n) !== i);
    if (dup) throw invalidQuery(`Duplicate column name ${dup} in the result of the query`);
    const objectKind = kind === 'CREATE_VIEW' ? 'VIEW' : 'TABLE';
    await this.execute(`CREATE OR REPLACE ${objectKind} ${duckTableSql(target)} AS ${querySql}`);
    const fields = resultSchema(names, shape.columnTypes());
    const options: Json = { ...create.options };
    const record = await this.catalog.registerCreated(target, objectKind, fields, options);
    if (objectKind === 'VIEW') {
      record.resource.view = { query: create.queryText, useLegacySql: false };
      await this.catalog.patchTable(target, {}, false);
    }
    return { statementType, ddlOperationPerformed: operation, ddlTargetTable: target, referencedTables: translator.tables };
  }

  /** jobs.insert with a destination table: write the result there as the dispositions say. */
  private async selectInto(req: QueryRequest, sql: string, referenced: TableRef[], statementType: string): Promise<QueryOutcome> {
    const dest = req.destinationTable!;
    if (!dest.datasetId || !dest.tableId) throw invalid('destinationTable needs datasetId and tableId');
    const target: TableRef = { projectId: dest.projectId ?? req.projectId, datasetId: dest.datasetId, tableId: dest.tableId };
    this.catalog.getDataset(target);
    const existing = await this.catalog.findTable(target);
    const write = req.writeDisposition ?? 'WRITE_EMPTY';
    const createDisposition = req.createDisposition ?? 'CREATE_IF_NEEDED';
    const shape = await this.execute(`SELECT * FROM (${sql}) AS q LIMIT 0`);
    const fields = resultSchema(shape.columnNames(), shape.columnTypes());
    if (!existing) {
      if (createDisposition === 'CREATE_NEVER') throw notFound(`Table ${tableKey(target)}`);
      const created = await this.catalog.createTable(target, { schema: { fields } });
      await this.execute(`INSERT INTO ${duckTableSql(target)} ${sql}`);
      return this.destinationOutcome(created.ref, created.fields, statementType, referenced);
    }
    if (existing.kind === 'VIEW') throw invalid(`Cannot write to view ${tableKey(target)}`);
    if (write === 'WRITE_EMPTY') {
      const rows = await this.execute(`SELECT count(*) FROM ${duckTableSql(target)}`);
      if (Number(rows.getRows()[0][0]) > 0) throw new BigQueryError(409, 'duplicate', `Already Exists: Table ${tableKey(target)} is not empty (writeDisposition WRITE_EMPTY)`);
    }
    if (write === 'WRITE_TRUNCATE') {
      await this.execute(`DROP TABLE ${duckTableSql(target)}`);
      await this.execute(`CREATE TABLE ${duckTableSql(target)} (${fields.map((f) => `${quoteIdent(f.name)} ${duckTypeSql(f)}`).join(', ')})`);
      existing.fields = fields;
      existing.resource.schema = { fields };
      await this.catalog.patchTable(target, {}, false);
    }
    await this.execute(`INSERT INTO ${duckTableSql(target)} BY NAME ${sql}`);
    return this.destinationOutcome(target, existing.fields, statementType, referenced);
  }

  private async destinationOutcome(target: TableRef, fields: BqField[], statementType: string, referenced: TableRef[]): Promise<QueryOutcome> {
    const count = await this.execute(`SELECT count(*) FROM ${duckTableSql(target)}`);
    return { statementType, result: { duckTable: duckTableSql(target), fields, totalRows: Number(count.getRows()[0][0]) }, referencedTables: referenced };
  }

  /** Translate, refusing tables whose BIGNUMERIC or GEOGRAPHY columns only exist as text here. */
  private translated(translator: Translator, nodes: Node[]): string {
    const sql = translator.translate(nodes);
    for (const ref of translator.tables) {
      const key = tableKey(ref);
      const record = this.catalog.listTables(ref).find((t) => tableKey(t.ref) === key);
      const column = record && textStoredColumn(record.fields);
      if (column) refuseTextStoredTable(key, column);
    }
    return sql;
  }

  private async execute(sql: string) {
    try {
      return await this.conn.runAndReadAll(sql);
    } catch (err) {
      throw duckErrorToBigQuery(err);
    }
  }
}

export { duckSchemaSql };
