/**
 * Lambda architecture: a speed path into hot storage, a batch path into an immutable archive
 * with batch views over it, and a serving layer that reads both. All three must be present.
 */
import type { PatternDetector, PatternEvidence } from '../types';
import { batchViews, rawArchivePaths, servingServices, speedPaths } from './roles';

export const lambdaArchitecture: PatternDetector = {
  id: 'lambda-architecture',
  name: 'Lambda architecture',
  kind: 'pattern',
  description:
    'A speed layer (stream processing into hot storage), a batch layer (an immutable raw archive plus batch views) and a serving layer reading both.',
  detect({ graph }) {
    const speed = speedPaths(graph);
    // the archive of the events of record: not the dead-letter archive, not the error-records table
    const archive = rawArchivePaths(graph);
    const views = batchViews(graph).filter((v) => v.reads.some((t) => archive.some((a) => a.table === t)));
    const serving = servingServices(graph);
    if (speed.length === 0 || archive.length === 0 || views.length === 0 || serving.length === 0) return [];
    const evidence: PatternEvidence[] = [];
    for (const s of speed) {
      evidence.push({
        address: s.processor.address,
        note: `speed layer: ${s.topic?.address ?? '(topic)'} -> ${s.subscription.address}${s.delivery === 'push' ? ' (push)' : ''} -> ${s.processor.address} -> ${s.hotStores.map((h) => h.address).join(', ')}`,
      });
    }
    for (const a of archive) {
      evidence.push({
        address: a.writer.address,
        note: `batch layer archive: ${a.topic?.address ?? '(topic)'} -> ${a.subscription && a.subscription !== a.writer ? `${a.subscription.address} -> ` : ''}${a.writer.address} -> ${a.table.address}`,
      });
    }
    for (const v of views) {
      evidence.push({ address: v.resource.address, note: `batch view over ${v.reads.map((t) => t.address).join(', ')}` });
    }
    for (const s of serving) {
      evidence.push({
        address: s.service.address,
        note: `serving layer reads hot ${s.hot.map((h) => h.address).join(', ')} and cold ${s.cold.map((c) => c.address).join(', ')}`,
      });
    }
    return [
      {
        id: this.id,
        name: this.name,
        kind: this.kind,
        summary: `speed layer (${speed.length} path${speed.length > 1 ? 's' : ''}), batch layer (${archive.length} archive path${archive.length > 1 ? 's' : ''}, ${views.length} batch view${views.length > 1 ? 's' : ''}) and serving layer (${serving.map((s) => s.service.address).join(', ')})`,
        evidence,
      },
    ];
  },
};
