/** Shared helpers for the verifier's unit tests: fixture paths, the test spec, cloning. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Spec } from '../../../verification/spec/spec';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'verification');
export const fixture = (name: string) => join(FIXTURES, name);
export const readFixture = (name: string): unknown => JSON.parse(readFileSync(fixture(name), 'utf8'));
export const SPEC: Spec = readFixture('spec.json') as Spec;
export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
export const TODAY = '2026-12-03';
