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
