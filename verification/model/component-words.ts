/**
 * The words that name a component in labels and construct ids (`component=hot-store`,
 * `iot-pipeline-prod/cold-storage/dataset`), compared normalised: lowercase, alphanumerics only.
 */
import { COMPONENT_IDS, type ComponentId } from '../engine/types';

/** Spellings of each component in labels and construct ids, normalised (lowercase, alphanumerics). */
const ALIASES: Record<ComponentId, string[]> = {
  ingestion: ['ingestion', 'ingest', 'eventingestion'],
  'stream-processing': ['streamprocessing', 'streamprocessor', 'processing', 'speedlayer'],
  'hot-storage': ['hotstorage', 'hotstore'],
  'cold-storage': ['coldstorage', 'coldstore'],
  analytics: ['analytics', 'analyticsservice', 'serving', 'servinglayer'],
  dashboard: ['dashboard', 'livedashboard'],
  monitoring: ['monitoring', 'observability'],
};

interface Alias {
  spelling: string;
  component: ComponentId;
}

/** The aliases by their length: a word is compared only with aliases as long as its normalised form. */
const ALIASES_BY_LENGTH: Alias[][] = [];
const NO_ALIASES: readonly Alias[] = [];
for (const component of COMPONENT_IDS) {
  for (const spelling of ALIASES[component]) (ALIASES_BY_LENGTH[spelling.length] ??= []).push({ spelling, component });
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The component `text` (or its part from `start` to `end`) names, if any. ASCII text is compared
 * character by character, as `norm` would read it, without building the normalised string (this
 * runs for every construct path segment of every resource); other text goes through `norm` itself,
 * whose Unicode lowercasing is not worth reimplementing.
 */
export function componentOfWord(text: string, start = 0, end = text.length): ComponentId | undefined {
  let length = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return componentOfNormalised(norm(text.slice(start, end)));
    if (normalisedCode(c) !== 0) length++;
  }
  for (const alias of ALIASES_BY_LENGTH[length] ?? NO_ALIASES) if (spells(text, start, end, alias.spelling)) return alias.component;
  return undefined;
}

function componentOfNormalised(word: string): ComponentId | undefined {
  return ALIASES_BY_LENGTH[word.length]?.find((a) => a.spelling === word)?.component;
}

/** An ASCII character as `norm` keeps it (A-Z lowercased, a-z and 0-9 as they are), 0 when it drops it. */
function normalisedCode(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) ? c : 0;
}

/** Does ASCII text[start, end), normalised, equal `spelling` (of the same normalised length)? */
function spells(text: string, start: number, end: number, spelling: string): boolean {
  let j = 0;
  for (let i = start; i < end; i++) {
    const c = normalisedCode(text.charCodeAt(i));
    if (c !== 0 && c !== spelling.charCodeAt(j++)) return false;
  }
  return true;
}
