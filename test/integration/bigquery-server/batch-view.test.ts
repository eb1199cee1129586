/**
 * The stacks' scheduled batch-view query, exactly as deployed, on the local server: the
 * functions it uses (TIMESTAMP_TRUNC/SUB, ROW_NUMBER ... QUALIFY, ANY_VALUE, UNNEST, COUNT,
 * SUM, MIN, MAX) keep their GoogleSQL meaning.
 */
import type { Dataset } from '@google-cloud/bigquery';
import { batchViewQuery } from '../../../stacks/constructs/cold-storage';
import { RESOURCE_NAMES } from '../../../stacks/config/names';
import { EVENTS_RAW_SCHEMA } from '../../../functions/shared/bigquery-schema';
import { PROJECT, bigQueryClient, uniqueDatasetId } from './client';

const bq = bigQueryClient();
let dataset: Dataset;

const event = (event_id: string, device_id: string, time: string, metrics: [string, number][]) => ({
  event_id,
  device_id,
  type: 'reading',
  event_time: `2026-12-01T${time}Z`,
  metrics: metrics.map(([name, value]) => ({ name, value })),
  attributes: [],
});

beforeAll(async () => {
  [dataset] = await bq.createDataset(uniqueDatasetId('batchview'));
  const [table] = await dataset.createTable(RESOURCE_NAMES.eventsRawTable, { schema: { fields: EVENTS_RAW_SCHEMA } });
  await table.insert([
    event('e1', 'd1', '10:05:00', [['temp', 20], ['hum', 40]]),
    // The archive may hold an event twice; the view counts it once.
    event('e1', 'd1', '10:05:00', [['temp', 20], ['hum', 40]]),
    event('e2', 'd1', '10:50:00', [['temp', 22]]),
    event('e3', 'd2', '10:30:00', [['temp', 30]]),
    event('e4', 'd1', '11:10:00', [['temp', 99]]),
    event('e5', 'd2', '09:59:59.999999', [['temp', 99]]),
  ]);
});
afterAll(() => dataset.delete({ force: true }));

it('aggregates the hour two hours before the run, each event once', async () => {
  // Run at 12:30: the hour [10:00, 11:00) is aggregated; e4 (11:10) and e5 (09:59) are outside.
  const [rows] = await bq.query({ query: batchViewQuery(PROJECT, dataset.id!), params: { run_time: bq.timestamp('2026-12-01T12:30:00Z') } });
  const view = rows
    .map((r) => [r.device_id, r.hour.value, r.metric, r.event_count, r.value_count, r.value_sum, r.value_min, r.value_max])
    .sort((a, b) => `${a[0]}${a[2]}`.localeCompare(`${b[0]}${b[2]}`));
  expect(view).toEqual([
    // d1 has two distinct events in the hour (e1 once, e2); hum only in e1; temp 20 + 22.
    ['d1', '2026-12-01T10:00:00.000Z', 'hum', 2, 1, 40, 40, 40],
    ['d1', '2026-12-01T10:00:00.000Z', 'temp', 2, 2, 42, 20, 22],
    ['d2', '2026-12-01T10:00:00.000Z', 'temp', 1, 1, 30, 30, 30],
  ]);
});
