/**
 * `--out <file>`: checked before any work and written after, each problem one clear line.
 * Folders are created one level at a time, not with `mkdirSync({ recursive: true })`, which
 * on Node 20 never returns for a path under /proc.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../engine/errors';

/** Makes the folders `out` needs; returns the resolved file path. */
export function prepareOutFile(out: string): string {
  const target = resolve(out);
  if (existsSync(target) && statSync(target).isDirectory()) throw new InputError(`--out ${out}: is a folder; give a file path`);
  const missing: string[] = [];
  let dir = dirname(target);
  while (!existsSync(dir)) {
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError(`--out ${out}: ${dir} is a file, not a folder`);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(folder).isDirectory()) continue;
      throw new InputError(`--out ${out}: cannot create folder ${folder} (${code ?? 'error'})`);
    }
  }
  return target;
}

export function writeOutFile(out: string, target: string, text: string): void {
  try {
    writeFileSync(target, text);
  } catch (e) {
    throw new InputError(`--out ${out}: cannot write the report (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
