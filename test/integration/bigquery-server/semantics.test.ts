/**
 * GoogleSQL semantics DuckDB does not share, checked through the real client: literal
 * types, NULL order, NULL-propagating functions, NUMERIC arithmetic, array bounds, division
 * by zero, and functions the local server does not know.
 */
import type { Dataset } from '@google-cloud/bigquery';
import { PROJECT, bigQueryClient, rejection, uniqueDatasetId } from './client';

/** big.js values as the client returns NUMERIC (the package ships no types). */
type Big = { toFixed(): string };

const bq = bigQueryClient();

/** Rows and the result schema of one query. */
async function run(query: string): Promise<{ rows: Record<string, unknown>[]; types: string[] }> {
  const [job] = await bq.createQueryJob({ query });
  const [rows, , response] = await job.getQueryResults({ autoPaginate: false });
  return { rows, types: (response?.schema?.fields ?? []).map((f) => `${f.name}:${f.type}${f.mode === 'REPEATED' ? '[]' : ''}`) };
}

const value = async (expression: string) => (await run(`SELECT ${expression} AS v`)).rows[0].v;

describe('literals and arithmetic', () => {
  it('types a decimal literal FLOAT64, as BigQuery does (not NUMERIC)', async () => {
    const { rows, types } = await run('SELECT 2.5 AS a, 0.1 + 0.2 AS b, ROUND(2.5) AS r, ROUND(-2.5) AS n, 1e3 AS e');
    expect(types).toEqual(['a:FLOAT', 'b:FLOAT', 'r:FLOAT', 'n:FLOAT', 'e:FLOAT']);
    // Binary floating point: 0.1 + 0.2 is 0.30000000000000004; ROUND rounds half away from zero.
    expect(rows[0]).toEqual({ a: 2.5, b: 0.30000000000000004, r: 3, n: -3, e: 1000 });
  });

  it('computes INT64 arithmetic in 64 bits', async () => {
    expect(await value('2147483647 + 1')).toBe(2147483648);
    expect(await value('0x10 * 2')).toBe(32);
  });

  it('divides INT64 and FLOAT64 as FLOAT64 and answers a zero divisor with an error', async () => {
    const { rows, types } = await run('SELECT 7 / 2 AS half, -7 / 2 * 2 AS back, 1 + 6 / 3 AS precedence, DIV(-7, 2) AS quotient, MOD(-7, 2) AS remainder');
    expect(types).toEqual(['half:FLOAT', 'back:FLOAT', 'precedence:FLOAT', 'quotient:INTEGER', 'remainder:INTEGER']);
    expect(rows[0]).toEqual({ half: 3.5, back: -7, precedence: 3, quotient: -3, remainder: -1 });
    for (const expression of ['1 / 0', '1.5 / 0', 'DIV(1, 0)', 'MOD(1, 0)']) {
      const err = await rejection(bq.query(`SELECT ${expression} AS v`));
      expect([err.code, err.errors?.[0].reason]).toEqual([400, 'invalidQuery']);
      expect(err.message).toMatch(/^division by zero/);
    }
    expect(await value('SAFE_DIVIDE(1, 0)')).toBeNull();
    expect(await value('IEEE_DIVIDE(1, 0)')).toBe(Infinity);
  });
});

describe('NULLs', () => {
  it('sorts NULLs first ascending and last descending, also inside windows', async () => {
    const asc = await run('SELECT x FROM UNNEST([3, NULL, 1]) AS x ORDER BY x');
    expect(asc.rows.map((r) => r.x)).toEqual([null, 1, 3]);
    const desc = await run('SELECT x FROM UNNEST([3, NULL, 1]) AS x ORDER BY x DESC');
    expect(desc.rows.map((r) => r.x)).toEqual([3, 1, null]);
    const w = await run('SELECT x, ROW_NUMBER() OVER (ORDER BY x) AS rn, LAG(x) OVER (ORDER BY x) AS prev FROM UNNEST([3, NULL, 1]) AS x ORDER BY rn');
    expect(w.rows.map((r) => [r.x, r.rn, r.prev])).toEqual([
      [null, 1, null],
      [1, 2, null],
      [3, 3, 1],
    ]);
  });

  it('returns NULL from GREATEST, LEAST and CONCAT when an argument is NULL', async () => {
    const { rows } = await run("SELECT GREATEST(1, NULL, 3) AS g, LEAST(2, NULL) AS l, GREATEST(1, 5, 3) AS g5, CONCAT('a', NULL, 'b') AS c, CONCAT('a', 'b', 'c') AS abc");
    expect(rows[0]).toEqual({ g: null, l: null, g5: 5, c: null, abc: 'abc' });
  });

  it('refuses an ARRAY_AGG with a NULL element unless IGNORE NULLS is given', async () => {
    const err = await rejection(bq.query('SELECT ARRAY_AGG(x) AS a FROM UNNEST([1, NULL, 2]) AS x'));
    expect([err.code, err.errors?.[0].reason]).toEqual([400, 'invalidQuery']);
    expect(err.message).toMatch(/^Array cannot have a null element/);
    const { rows } = await run('SELECT ARRAY_AGG(x IGNORE NULLS ORDER BY x DESC) AS a, ARRAY_AGG(x IGNORE NULLS ORDER BY x LIMIT 1) AS first FROM UNNEST([1, NULL, 2]) AS x');
    expect(rows[0]).toEqual({ a: [2, 1], first: [1] });
  });
});

describe('strings, arrays and time parts', () => {
  it('counts SUBSTR positions as GoogleSQL does (0 is 1, negative from the end)', async () => {
    const { rows } = await run("SELECT SUBSTR('abcdef', 0, 2) AS zero, SUBSTR('abcdef', 2, 3) AS mid, SUBSTR('abcdef', -2) AS tail, SUBSTR('abc', -5, 2) AS before, SUBSTRING('abc', 5) AS past");
    expect(rows[0]).toEqual({ zero: 'ab', mid: 'bcd', tail: 'ef', before: 'ab', past: '' });
    const err = await rejection(bq.query("SELECT SUBSTR('abc', 1, -1) AS v"));
    expect(err.message).toMatch(/cannot be negative/);
  });

  it('indexes arrays from 0 with OFFSET and from 1 with ORDINAL, and refuses an index out of bounds', async () => {
    const { rows } = await run('SELECT [1, 2, 3][OFFSET(1)] AS o, [1, 2, 3][ORDINAL(1)] AS d, [1, 2, 3][SAFE_OFFSET(10)] AS s, [1, 2, 3][SAFE_OFFSET(-1)] AS neg, [10, 20][1] AS bare');
    expect(rows[0]).toEqual({ o: 2, d: 1, s: null, neg: null, bare: 20 });
    const over = await rejection(bq.query('SELECT [1, 2, 3][OFFSET(10)] AS v'));
    expect([over.code, over.message]).toEqual([400, 'Array index 10 is out of bounds (overflow)']);
    const under = await rejection(bq.query('SELECT [1, 2, 3][ORDINAL(0)] AS v'));
    expect(under.message).toBe('Array index 0 is out of bounds (underflow)');
  });

  it('extracts MICROSECOND and MILLISECOND as the sub-second part only', async () => {
    const { rows } = await run("SELECT EXTRACT(MICROSECOND FROM TIMESTAMP '2026-01-02 03:04:05.123456 UTC') AS us, EXTRACT(MILLISECOND FROM TIMESTAMP '2026-01-02 03:04:05.123456 UTC') AS ms, EXTRACT(SECOND FROM TIMESTAMP '2026-01-02 03:04:05.123456 UTC') AS s");
    expect(rows[0]).toEqual({ us: 123456, ms: 123, s: 5 });
  });
});

describe('NUMERIC', () => {
  let dataset: Dataset;
  beforeAll(async () => {
    [dataset] = await bq.createDataset(uniqueDatasetId('numeric'));
    const [table] = await dataset.createTable('amounts', { schema: { fields: [{ name: 'k', type: 'STRING' }, { name: 'amt', type: 'NUMERIC' }, { name: 'n', type: 'INT64' }] } });
    await table.insert([
      { k: 'a', amt: '1', n: 3 },
      { k: 'a', amt: '2', n: 3 },
      { k: 'b', amt: '2', n: 7 },
    ]);
  });
  afterAll(() => dataset.delete({ force: true }));

  it('keeps AVG and division of NUMERIC values NUMERIC, rounded to 9 decimal places', async () => {
    const t = `\`${PROJECT}.${dataset.id}.amounts\``;
    const { rows, types } = await run(`SELECT k, AVG(amt) AS mean, SUM(amt) AS total FROM ${t} GROUP BY k ORDER BY k`);
    expect(types).toEqual(['k:STRING', 'mean:NUMERIC', 'total:NUMERIC']);
    // a: (1 + 2) / 2 = 1.5; b: 2.
    expect(rows.map((r) => [r.k, (r.mean as Big).toFixed(), (r.total as Big).toFixed()])).toEqual([
      ['a', '1.5', '3'],
      ['b', '2', '2'],
    ]);
    const all = await run(`SELECT AVG(amt) AS mean, AVG(n) AS mean_n FROM ${t}`);
    expect(all.types).toEqual(['mean:NUMERIC', 'mean_n:FLOAT']);
    // (1 + 2 + 2) / 3 = 1.666666666..., rounded half away from zero at 9 digits.
    expect((all.rows[0].mean as Big).toFixed()).toBe('1.666666667');
    expect(all.rows[0].mean_n).toBeCloseTo(13 / 3, 12);

    const division = await run(`SELECT amt / n AS q, amt / 3 AS third, NUMERIC '-2' / 3 AS neg FROM ${t} WHERE k = 'b'`);
    expect(division.types).toEqual(['q:NUMERIC', 'third:NUMERIC', 'neg:NUMERIC']);
    // 2 / 7 = 0.285714285714..., 2 / 3 = 0.666666666..., -2 / 3 = -0.666666666...
    expect([division.rows[0].q, division.rows[0].third, division.rows[0].neg].map((x) => (x as Big).toFixed())).toEqual(['0.285714286', '0.666666667', '-0.666666667']);
  });

  it('multiplies NUMERIC values to a NUMERIC rounded to 9 decimal places', async () => {
    const { rows, types } = await run("SELECT NUMERIC '0.000000005' * NUMERIC '0.5' AS tiny, NUMERIC '1.5' * NUMERIC '2.25' AS p");
    expect(types).toEqual(['tiny:NUMERIC', 'p:NUMERIC']);
    // 0.0000000025 rounds half away from zero to 0.000000003; 1.5 * 2.25 = 3.375.
    expect([(rows[0].tiny as Big).toFixed(), (rows[0].p as Big).toFixed()]).toEqual(['0.000000003', '3.375']);
  });
});

describe('functions the local server does not know', () => {
  it('answers with "Function not found" and its position instead of running a DuckDB function of that name', async () => {
    for (const [query, name, at] of [
      ["SELECT FARM_FINGERPRINT('a') AS f", 'FARM_FINGERPRINT', '[1:8]'],
      ["SELECT current_setting('threads') AS s", 'current_setting', '[1:8]'],
      ["SELECT 1 AS x,\n  getenv('HOME') AS h", 'getenv', '[2:3]'],
      ["SELECT main.read_text('/etc/hostname') AS t", 'main.read_text', '[1:8]'],
      ["SELECT `read_text`('/etc/hostname') AS t", 'read_text', '[1:8]'],
    ]) {
      const err = await rejection(bq.query(query));
      expect([err.code, err.errors?.[0].reason]).toEqual([400, 'invalidQuery']);
      expect(err.message).toMatch(new RegExp(`^Function not found: ${name.replace('.', '\\.')} at \\${at.slice(0, -1)}\\]`));
    }
  });
});
