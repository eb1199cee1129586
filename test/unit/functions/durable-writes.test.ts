import { writeDurably, type RowEntry } from '../../../functions/processor/durable-writes';

const row = (key: string): RowEntry => ({ key, method: 'insert', data: { e: { c: { value: key, timestamp: 1000 } } } });
const partial = (errors: { entry: RowEntry; code: number }[]) =>
  Object.assign(new Error('partial'), { name: 'PartialFailureError', errors: errors.map((e) => ({ ...e, message: `code ${e.code}` })) });

describe('writeDurably', () => {
  it('retries only rows that failed transiently and reports permanent refusals', async () => {
    const calls: string[][] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(row);
    const table = {
      async mutate(entries: RowEntry[]) {
        calls.push(entries.map((e) => e.key));
        if (calls.length === 1) throw partial([{ entry: b, code: 14 }, { entry: d, code: 3 }]);
      },
    };
    const out = await writeDurably(table, [a, b, c, d], Date.now() + 5000);
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['b']]);
    expect(out.permanent.map((p) => [p.entry.key, p.code])).toEqual([['d', 3]]);
    expect(out).toMatchObject({ attempts: 2, retriedRows: 1 });
  });

  it('isolates a row that fails a whole call permanently by sending rows one by one', async () => {
    const calls: string[][] = [];
    const table = {
      async mutate(entries: RowEntry[]) {
        calls.push(entries.map((e) => e.key));
        if (entries.some((e) => e.key === 'bad')) throw Object.assign(new Error('3 INVALID_ARGUMENT: too big'), { code: 3 });
      },
    };
    const out = await writeDurably(table, [row('x'), row('bad'), row('y')], Date.now() + 5000);
    expect(calls).toEqual([['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
    expect(out.permanent.map((p) => p.entry.key)).toEqual(['bad']);
  });

  it('gives up at the deadline while rows still fail transiently', async () => {
    const table = { mutate: async () => Promise.reject(Object.assign(new Error('14 UNAVAILABLE'), { code: 14 })) };
    await expect(writeDurably(table, [row('a')], Date.now() + 150)).rejects.toThrow(/1 row\(s\) not durable before the deadline; last error: 14 UNAVAILABLE/);
  });
});
