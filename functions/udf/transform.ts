/**
 * The archive UDF: the Dataflow Pub/Sub-to-BigQuery template calls `transform(line)` with
 * the message payload and writes the returned JSON as one `events_raw` row. Throwing sends
 * the message to the template's dead-letter table with the error message as the reason.
 *
 * Built to one ES5.1 file for Nashorn by `npm run build:udf` (see build.ts); it reuses the
 * event contract, so the archive accepts exactly what the gateway and the processor accept.
 * No clock check: a backlog replayed days later must still archive (the gateway checked it).
 */
import { validateEvent } from '../shared/event';
import { decodeMessagePayload } from '../shared/message';
import { toEventsRawRow } from '../shared/bigquery-rows';

export function transform(line: string): string {
  if (typeof line !== 'string') throw new Error('payload: expected the message text');
  const decoded = decodeMessagePayload(line);
  if (!decoded.ok) throw new Error(decoded.reason);
  if (decoded.events.length !== 1) {
    throw new Error(
      'payload: holds ' + decoded.events.length + ' events; the archive template writes one row per message, so publish with EVENTS_PER_MESSAGE=1',
    );
  }
  const result = validateEvent(decoded.events[0]);
  if (!result.ok) throw new Error(result.reason);
  return JSON.stringify(toEventsRawRow(result.event));
}
