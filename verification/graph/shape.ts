/** Shape checks that turn a malformed document into one clear InputError naming the spot. */
import { InputError } from '../engine/errors';
import { isPlainObject } from './normalise';

export type Json = Record<string, unknown>;

export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function expectObject(v: unknown, file: string, where: string): Json {
  if (!isPlainObject(v)) throw new InputError(`${file}: ${where} must be an object, found ${kindOf(v)}`);
  return v;
}

export function optionalObject(v: unknown, file: string, where: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  return expectObject(v, file, where);
}

export function expectArray(v: unknown, file: string, where: string): unknown[] {
  if (!Array.isArray(v)) throw new InputError(`${file}: ${where} must be an array, found ${kindOf(v)}`);
  return v;
}

export function optionalArray(v: unknown, file: string, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  return expectArray(v, file, where);
}

export function expectString(v: unknown, file: string, where: string): string {
  if (typeof v !== 'string' || v === '') throw new InputError(`${file}: ${where} must be a non-empty string, found ${kindOf(v)}`);
  return v;
}

export function optionalString(v: unknown, file: string, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InputError(`${file}: ${where} must be a string, found ${kindOf(v)}`);
  return v;
}
