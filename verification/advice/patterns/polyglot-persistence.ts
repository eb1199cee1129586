/**
 * Polyglot persistence: each kind of data lives in the store that suits its access pattern
 * (key lookups of recent data in a wide-column store, scans of history in a warehouse).
 */
import type { PatternDetector } from '../types';
import { ofType } from '../graph-query';
import { isCodeBucket, STORE_TYPE_FAMILY } from './roles';

export const polyglotPersistence: PatternDetector = {
  id: 'polyglot-persistence',
  name: 'Polyglot persistence',
  kind: 'pattern',
  description: 'More than one kind of data store, each chosen for its access pattern.',
  detect({ graph }) {
    // a bucket holding only a pipeline's code (a Dataflow UDF) and scratch space stores no data
    const stores = ofType(graph, ...Object.keys(STORE_TYPE_FAMILY)).filter((s) => !isCodeBucket(graph, s));
    const families = [...new Set(stores.map((s) => s.type))];
    if (families.length < 2) return [];
    return [
      {
        id: this.id,
        name: this.name,
        kind: this.kind,
        summary: `${families.length} kinds of store: ${families.map((f) => STORE_TYPE_FAMILY[f].split(' (')[0]).join(', ')}`,
        evidence: stores.map((s) => ({ address: s.address, note: STORE_TYPE_FAMILY[s.type] })),
      },
    ];
  },
};
