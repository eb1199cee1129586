/**
 * Splits a request body into candidate events: one JSON object, a JSON array, or NDJSON
 * (one object per line; blank lines ignored). A body that is not JSON at all is a request
 * error; a bad NDJSON line is an item error, so one bad line does not reject its neighbours.
 */
export type BodyItem = { raw: unknown } | { parseError: string };

export type ParsedBody = { ok: true; items: BodyItem[] } | { ok: false; reason: string };

export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];

export function parseJsonBody(text: string): ParsedBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `body: not valid JSON (${(err as Error).message})` };
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return { ok: false, reason: 'body: empty array, no events' };
    return { ok: true, items: parsed.map((raw) => ({ raw })) };
  }
  return { ok: true, items: [{ raw: parsed }] };
}

export function parseNdjsonBody(text: string): ParsedBody {
  const items: BodyItem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    try {
      items.push({ raw: JSON.parse(line) });
    } catch {
      items.push({ parseError: `line ${i + 1}: not valid JSON` });
    }
  }
  if (items.length === 0) return { ok: false, reason: 'body: no NDJSON lines, no events' };
  return { ok: true, items };
}
