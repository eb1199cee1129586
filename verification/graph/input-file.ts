/**
 * Reading an input file's text the same way for every input (Terraform JSON, spec, manifest,
 * waivers, usage): one message per problem, a size bound, and pipes read as well as files
 * (`verify /dev/stdin` after `terraform show -json plan |`, or `<(terraform show -json plan)`).
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { InputError } from '../engine/errors';

/** Past this a file is not a plausible plan or synth output, and V8 strings top out near 512 MiB. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

export interface ReadOptions {
  maxBytes?: number;
  /** An empty (or blank) file is '' rather than an error: a waivers or usage file with nothing in it. */
  allowEmpty?: boolean;
}

/**
 * The file's text. `what` names it in messages (`no such waivers file`); a missing file, a
 * directory, a device, an empty file and one over `maxBytes` are each one InputError.
 */
export function readInputText(path: string, what: string, options: ReadOptions = {}): string {
  const maxBytes = options.maxBytes ?? MAX_INPUT_BYTES;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such ${what} file`);
    if (code === 'EISDIR') throw new InputError(`${path}: is a directory, expected a ${what} file`);
    throw new InputError(`${path}: cannot read the ${what} file (${code ?? 'read error'})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputError(`${path}: is a directory, expected a ${what} file`);
    if (!stat.isFile() && !stat.isFIFO() && !stat.isSocket()) throw new InputError(`${path}: not a file or a pipe (${kindOf(stat)}), expected a ${what} file`);
    if (stat.isFile() && stat.size > maxBytes) throw new InputError(`${path}: file is ${mib(stat.size)}, larger than the ${mib(maxBytes)} limit`);
    const text = readBounded(fd, path, maxBytes);
    if (text.trim() === '') {
      if (options.allowEmpty) return '';
      throw new InputError(`${path}: file is empty, expected a ${what} file`);
    }
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    closeSync(fd);
  }
}

/** Reads to the end (a pipe's size is unknown beforehand), refusing more than `maxBytes`. */
function readBounded(fd: number, path: string, maxBytes: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes - total + 1));
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw new InputError(`${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? 'read error'})`);
    }
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw new InputError(`${path}: more than the ${mib(maxBytes)} limit`);
    chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** What fstat saw instead of a file or a pipe (it follows links, so never a link). */
function kindOf(stat: Stats): string {
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function mib(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(0)} MiB` : `${bytes} bytes`;
}
