/** What the local run samples once a second: the processor's /metrics and the fleet's counts. */
import type { LatencyFigures } from './measurement';

export interface ProcessorSnapshot {
  /** The processor's counters (functions/processor/metrics.ts); these are the ones the run reads. */
  counters: { eventsProcessed: number; messagesReceived: number; rowsWritten: number; eventsDeadLettered: number; messagesDeadLettered: number; eventsLate: number; [name: string]: number };
  eventsPerSecond: number;
  inFlightMessages: number;
  latencyMs: { sinceStart: LatencyFigures; lastMinute: LatencyFigures };
  stagesMs?: Record<string, LatencyFigures>;
}

export interface Sample {
  atMs: number;
  elapsedMs: number;
  processor?: ProcessorSnapshot;
  accepted: number;
  dashboardLagMs: number | null;
}
