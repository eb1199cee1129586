/** GoogleSQL date parts (HOUR, DAY, ISOWEEK, ...) as function arguments. */
import { invalidQuery } from '../errors';
import { isGroup, upper, type Node } from './tree';

export const DATE_PARTS = new Set(['MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'ISOWEEK', 'MONTH', 'QUARTER', 'YEAR', 'ISOYEAR', 'DAYOFWEEK', 'DAYOFYEAR', 'DATE', 'TIME']);

export function datePart(nodes: Node[], fn: string): string {
  const part = nodes.length >= 1 ? upper(nodes[0]) : '';
  if (!DATE_PARTS.has(part) || (nodes.length > 1 && !(part === 'WEEK' && isGroup(nodes[1])))) {
    throw invalidQuery(`A valid date part name is required in ${fn}`);
  }
  if (part === 'WEEK' && nodes.length > 1) throw invalidQuery(`${fn}: WEEK(<weekday>) is not supported by the local server; use WEEK (Sunday) or ISOWEEK.`);
  return part;
}
