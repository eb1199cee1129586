import { Bigtable } from '@google-cloud/bigtable';

describe('Bigtable emulator smoke test', () => {
  const bigtable = new Bigtable({ projectId: 'smoke-test', metricsEnabled: false } as ConstructorParameters<typeof Bigtable>[0]);
  afterAll(() => bigtable.close());

  it('creates a table, writes a row with a millisecond-aligned timestamp and reads it back', async () => {
    expect(process.env.BIGTABLE_EMULATOR_HOST).toMatch(/^127\.0\.0\.1:\d+$/);
    const instance = bigtable.instance('smoke');
    const [table] = await instance.createTable(`t${Date.now()}`, { families: ['m'] });
    const micros = 1_733_000_000_123 * 1000; // microseconds on a millisecond boundary
    await table.insert([{ key: 'dev-7#0001', data: { m: { temp: { value: '21.5', timestamp: micros } } } }]);
    const [row] = await table.row('dev-7#0001').get();
    const cell = (row.data as Record<string, Record<string, { value: string; timestamp: string }[]>>).m.temp[0];
    expect(cell.value).toBe('21.5');
    expect(Number(cell.timestamp)).toBe(micros);
  });
});
