import { adviceBlocks, renderAdviceHtml, renderAdviceMarkdown, renderAdviceText } from '../../../../verification/advice/render';
import type { VerificationReport } from '../../../../verification/engine/types';

const report = {
  patterns: [
    { id: 'hot-storage-on-hdd', name: 'Hot storage on HDD', kind: 'anti-pattern', summary: 'x: 1 cluster on HDD', evidence: [{ address: 'google_bigtable_instance.x', attribute: 'cluster.0.storage_type', value: 'HDD', note: 'stores on HDD' }], risks: ['latency_p99'] },
    { id: 'stream-processing', name: 'Stream processing', kind: 'pattern', summary: '1 consumer', evidence: [] },
  ],
  recommendations: [
    {
      change: { action: 'set', address: 'google_bigtable_instance.x', attribute: 'cluster.0.storage_type', from: 'HDD', to: 'SSD', configKey: 'hotStorage.storageType', description: 'store x on SSD' },
      changes: [{ action: 'set', address: 'google_bigtable_instance.x', attribute: 'cluster.0.storage_type', from: 'HDD', to: 'SSD', configKey: 'hotStorage.storageType', description: 'store x on SSD' }],
      fixes: ['latency_p99'], improves: [], summary: 'store x on SSD: p99 latency 50 ms (was 230 ms), +$0/month', scope: 'single',
      effect: {} as never,
    },
  ],
  unfixed: [{ item: 'availability', status: 'fail', reason: 'none of 2 single changes makes it pass' }],
  synthesis: { config: {}, diff: [{ configKey: 'hotStorage.clusters[0].maxNodes', from: 6, to: 5 }], monthlyUsd: 7000, monthlyUsdRange: null, currentMonthlyUsd: 7400.4, passes: true, searched: 40, spaceSize: 468, method: 'exact branch and bound', changes: [] },
} as unknown as VerificationReport;

describe('advice rendering', () => {
  it('words the sections once: patterns first, anti-patterns after, then recommendations and synthesis', () => {
    const blocks = adviceBlocks(report);
    expect(blocks.map((b) => b.title)).toEqual(['Patterns', 'Recommendations (each re-verified on the changed design)', 'Sizing synthesis']);
    expect(blocks[0].items.map((i) => i.text)).toEqual(['pattern Stream processing: 1 consumer', 'ANTI-PATTERN Hot storage on HDD: x: 1 cluster on HDD (puts latency_p99 at risk)']);
    expect(blocks[1].items[0].details).toEqual(['google_bigtable_instance.x cluster.0.storage_type: HDD -> SSD [config hotStorage.storageType]']);
    expect(blocks[2].items[0].text).toBe('cheapest passing configuration: $7,000/month expected (now $7,400), 40 of 468 candidates evaluated');
  });

  it('every format carries the same lines', () => {
    const text = renderAdviceText(report).flatMap((b) => b.lines).join('\n');
    const md = renderAdviceMarkdown(report, (s) => s).join('\n');
    const html = renderAdviceHtml(report, (s) => s);
    for (const needle of ['no fix found for availability (fail): none of 2 single changes makes it pass', 'hotStorage.clusters[0].maxNodes: 6 -> 5', 'google_bigtable_instance.x cluster.0.storage_type: stores on HDD']) {
      expect(text).toContain(needle);
      expect(md).toContain(needle);
      expect(html).toContain(needle);
    }
  });
});

describe('the sizing to apply', () => {
  const config = [
    { configKey: 'ingestion.topicRetentionSeconds', from: 86_400, to: 900 },
    { configKey: 'analytics.maxInstances', from: 10, to: 1 },
    { configKey: 'ingestion.gateway.minInstances', from: 2, to: 1 },
    { configKey: 'coldStorage.partitionExpirationDays', from: 365, to: 31 },
    { configKey: 'processing.processor.maxInstances', from: 4, to: 6 }, // raised: more headroom, not less
    { configKey: 'processing.dataflow.machineType', from: 'n1-standard-4', to: 'n1-standard-1' },
  ];
  const sized = {
    ...report,
    spec: { constraints: { retentionDays: 30 }, workload: { hotWindowHours: 6 } },
    recommendations: [{ scope: 'sizing', summary: 'the synthesized sizing', fixes: ['monthly_cost'], improves: [], changes: [], config, effect: { verdict: 'pass', withinBudget: true, after: { monthlyUsdExpected: 7598 } } }],
    synthesis: { ...report.synthesis, diff: config },
  } as unknown as VerificationReport;

  it('marks each edit that narrows a margin the spec does not check, and says how many there are', () => {
    const apply = adviceBlocks(sized).find((b) => b.title === 'Sizing synthesis: the recommendation to apply')!.items[1];
    expect(apply.details).toEqual([
      'ingestion.topicRetentionSeconds: 86400 -> 900 (narrows a margin: a shorter replay window after an operator error)',
      'analytics.maxInstances: 10 -> 1 (narrows a margin: less headroom above the load and bursts the spec states)',
      'ingestion.gateway.minInstances: 2 -> 1 (narrows a margin: less warm capacity when a burst starts)',
      "coldStorage.partitionExpirationDays: 365 -> 31 (narrows a margin: the archive is kept closer to the spec's 30 days)",
      'processing.processor.maxInstances: 4 -> 6',
      'processing.dataflow.machineType: n1-standard-4 -> n1-standard-1',
      '4 of these edits narrow a margin beyond what the spec checks (marked): the design passes with them, re-verified; keep the larger value where you want that margin, and verify again',
    ]);
  });
});
