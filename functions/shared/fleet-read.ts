/**
 * Reads the fleet table (shared/fleet-snapshot.ts): every row's newest snapshot, checked. Rows
 * that do not hold a valid snapshot are returned apart with the reason, never merged.
 */
import type { Table } from '@google-cloud/bigtable';
import { toReadRow } from './bigtable-read';
import { FLEET_FAMILY, SNAPSHOT_COLUMN, parseFleetSnapshot, type FleetSnapshot } from './fleet-snapshot';
import { withTimeLimit } from './time-limits';

/** The part of a Bigtable table the reader needs. */
export type FleetReader = Pick<Table, 'getRows'>;

/** One row per processor instance: far more rows than that means something else writes here. */
export const FLEET_MAX_ROWS = 10_000;

export interface FleetRead {
  snapshots: FleetSnapshot[];
  unreadable: { key: string; reason: string }[];
}

export async function readFleetSnapshots(table: FleetReader, limitMs: number): Promise<FleetRead> {
  const [rows] = await withTimeLimit(
    table.getRows({ limit: FLEET_MAX_ROWS, filter: [{ column: { cellLimit: 1 } }], gaxOptions: { timeout: limitMs } }),
    limitMs,
    'Bigtable ReadRows (fleet table)',
  );
  const out: FleetRead = { snapshots: [], unreadable: [] };
  for (const row of rows.map(toReadRow)) {
    const cell = row.cells[FLEET_FAMILY]?.[SNAPSHOT_COLUMN];
    if (!cell) {
      out.unreadable.push({ key: row.key, reason: `no ${FLEET_FAMILY}:${SNAPSHOT_COLUMN} cell` });
      continue;
    }
    const parsed = parseFleetSnapshot(cell.value);
    if (parsed.ok) out.snapshots.push(parsed.snapshot);
    else out.unreadable.push({ key: row.key, reason: parsed.reason });
  }
  return out;
}
