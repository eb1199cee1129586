/**
 * Queries cannot reach the machine the local server runs on: a string in FROM is a syntax
 * error (as in BigQuery), never a file DuckDB reads.
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { bigQueryClient, rejection } from './client';

const bq = bigQueryClient();
const dir = mkdtempSync(join(tmpdir(), 'bq-security-'));
const secret = join(dir, 'secret.csv');
writeFileSync(secret, 'token\nsecret-value-42\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local files', () => {
  it('answers a file path in FROM with a syntax error, not the file', async () => {
    for (const query of [`SELECT * FROM '${secret}'`, `SELECT * FROM (SELECT * FROM "${secret}")`, `SELECT 1 AS x FROM UNNEST([1]) AS a, '${secret}'`]) {
      const err = await rejection(bq.query(query));
      expect(err.code).toBe(400);
      expect(err.errors?.[0].reason).toBe('invalidQuery');
      expect(err.message).toMatch(/^Syntax error: Unexpected string literal/);
      expect(err.message).not.toContain('secret-value-42');
    }
  });

  it('does not let a reader function reach the file either', async () => {
    const err = await rejection(bq.query(`SELECT * FROM UNNEST((SELECT ARRAY_AGG(token) FROM read_csv('${secret}')))`));
    expect(err.code).toBeGreaterThanOrEqual(400);
    expect(err.message).not.toContain('secret-value-42');
  });
});
