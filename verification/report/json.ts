/**
 * The JSON report: the VerificationReport itself, versioned by `schemaVersion` and
 * documented in docs/report-schema.md. Pending values print as `{ "$pending": true, ... }`.
 */
import type { VerificationReport } from '../engine/types';

export function renderJson(report: VerificationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
