/**
 * Where a finding points in the input file: the line that names the resource
 * (its `"address"` in a plan, its `"type": { "name": {` in cdk.tf.json), for SARIF and Markdown.
 */
import { parseAddress } from '../graph/address';
import type { VerificationReport } from '../engine/types';

export interface SourceLocation {
  file: string;
  line?: number;
}

/** Reads a file's text; returns undefined when it cannot (the renderer then omits lines). */
export type SourceReader = (file: string) => string | undefined;

export function fileOf(report: VerificationReport, address: string | undefined): string {
  const files = report.input.files ?? {};
  const stack = address ? report.input.stackOf?.[address] : undefined;
  if (stack && files[stack]) return files[stack];
  const all = Object.values(files);
  return all.length === 1 ? all[0] : (all[0] ?? report.input.path);
}

export function locate(report: VerificationReport, address: string | undefined, read?: SourceReader): SourceLocation {
  const file = fileOf(report, address);
  if (!address || !read) return { file };
  const text = read(file);
  if (text === undefined) return { file };
  let index = -1;
  if (report.input.kind === 'plan' || report.input.kind === 'state') {
    index = text.indexOf(`"address": ${JSON.stringify(address)}`);
    if (index === -1) index = text.indexOf(`"address":${JSON.stringify(address)}`);
  } else {
    const bare = address.includes('/') ? address.slice(address.indexOf('/') + 1) : address;
    const parsed = parseAddress(bare);
    if (parsed) {
      const typeAt = text.indexOf(`"${parsed.type}"`);
      if (typeAt !== -1) index = text.indexOf(`"${parsed.name}"`, typeAt);
    }
  }
  if (index === -1) return { file };
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line += 1;
  return { file, line };
}
