/**
 * The embedded DuckDB database: one instance, one connection, and a lock that runs one
 * operation at a time (an insertAll's de-duplication check and append must not interleave
 * with another request's; DuckDB does the heavy lifting inside each operation).
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { installGoogleSqlRuntime } from './google-sql-runtime';

export class Engine {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /** `dbPath` undefined: in memory. Otherwise a DuckDB file, created when missing. */
  static async open(dbPath?: string): Promise<Engine> {
    const instance = await DuckDBInstance.create(dbPath ?? ':memory:');
    const connection = await instance.connect();
    // TIMESTAMP functions (date_trunc, casts to DATE) follow the session zone; BigQuery's default is UTC.
    await connection.run(`SET TimeZone = 'UTC'`);
    // GoogleSQL sorts NULLs first ascending and last descending (DuckDB: last both ways).
    await connection.run(`SET default_null_order = 'nulls_first_on_asc_last_on_desc'`);
    await installGoogleSqlRuntime(connection);
    // Queries come from HTTP callers: no reading or writing files, no extensions from disk or network
    // (DuckDB would otherwise answer `SELECT * FROM '/etc/passwd'`). The database file is already open.
    await connection.run(`SET enable_external_access = false`);
    // And no statement may switch that back on.
    await connection.run(`SET lock_configuration = true`);
    return new Engine(instance, connection);
  }

  /** Run `fn` after every operation queued before it has finished. */
  exclusive<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = this.tail.then(() => fn(this.connection));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.tail;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
