/**
 * Loads the built ES5 UDF file the way the template does (one script, a global
 * `transform(line)`), in its own V8 context so it sees only standard built-ins.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as vm from 'node:vm';

export type Transform = (line: string) => string;

export function loadUdf(path: string): Transform {
  if (!existsSync(path)) throw new Error(`UDF_PATH ${path}: not found (build it with npm run build:udf)`);
  const context = vm.createContext({});
  new vm.Script(readFileSync(path, 'utf8'), { filename: path }).runInContext(context, { timeout: 5000 });
  const fn = vm.runInContext('typeof transform === "function" ? transform : undefined', context) as Transform | undefined;
  if (!fn) throw new Error(`UDF_PATH ${path}: defines no top-level function transform(line)`);
  return (line) => {
    let out: unknown;
    try {
      out = fn(line);
    } catch (err) {
      // Errors from the UDF's context are not instances of this realm's Error.
      const message = (err as { message?: unknown })?.message;
      throw new Error(typeof message === 'string' ? message : String(err));
    }
    if (typeof out !== 'string') throw new Error('UDF returned no JSON string');
    return out;
  };
}
