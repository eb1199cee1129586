/**
 * The embedded database the local BigQuery server runs on: no file on the machine is
 * reachable from SQL, whatever the translator lets through.
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Engine } from '../../../local/bigquery-server/store/engine';

describe('the embedded DuckDB engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bq-engine-'));
  const secret = join(dir, 'secret.csv');
  writeFileSync(secret, 'token\nsecret-value-42\n');
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open(join(dir, 'db.duckdb'));
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to read a local file, by path or through a reader function', async () => {
    for (const sql of [`SELECT * FROM '${secret}'`, `SELECT * FROM read_csv('${secret}')`, `SELECT content FROM read_text('${secret}')`]) {
      await expect(engine.connection.runAndReadAll(sql)).rejects.toThrow(/file system operations are disabled/);
    }
  });

  it('refuses to write a file or attach another database', async () => {
    await expect(engine.connection.run(`COPY (SELECT 1) TO '${join(dir, 'out.csv')}'`)).rejects.toThrow(/disabled/);
    await expect(engine.connection.run(`ATTACH '${join(dir, 'other.duckdb')}' AS other`)).rejects.toThrow(/disabled|Permission/);
  });

  it('cannot be switched back on by a statement', async () => {
    await expect(engine.connection.run('SET enable_external_access = true')).rejects.toThrow(/locked|Cannot/);
  });

  it('still keeps its own tables in the database file', async () => {
    await engine.connection.run('CREATE TABLE kept AS SELECT 42 AS n');
    expect((await engine.connection.runAndReadAll('SELECT n FROM kept')).getRows()).toEqual([[42]]);
  });
});
