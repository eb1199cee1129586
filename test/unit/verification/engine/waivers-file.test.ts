import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../../verification/engine/errors';
import { checkWaiverRules, loadWaiversFile } from '../../../../verification/waivers/load';

const dir = mkdtempSync(join(tmpdir(), 'waivers-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('waivers file', () => {
  it('reads YAML with a waivers key and JSON as a bare list', () => {
    const yaml = write('w.yaml', 'waivers:\n  - rule: stateful-resource-not-destroyed\n    address: google_bigquery_table.scratch\n    reason: rebuilt nightly from the archive\n    expires: 2027-01-31\n');
    expect(loadWaiversFile(yaml)).toEqual([
      { rule: 'stateful-resource-not-destroyed', address: 'google_bigquery_table.scratch', reason: 'rebuilt nightly from the archive', expires: '2027-01-31' },
    ]);
    const json = write('w.json', JSON.stringify([{ rule: 'no-public-iam', address: '*', reason: 'public dashboard by design', expires: '2027-02-01' }]));
    expect(loadWaiversFile(json)).toHaveLength(1);
  });

  it.each([
    ['a date that is not a date', 'waivers:\n  - {rule: a-b, address: x, reason: long enough reason, expires: 2027-02-30}\n', 'at waivers.0.expires: not a calendar date'],
    ['a reason too short', 'waivers:\n  - {rule: a-b, address: x, reason: why, expires: "2027-01-01"}\n', 'give a reason of at least 10 characters'],
    ['a rule id not kebab-case', '[{"rule": "NoPublic", "address": "x", "reason": "long enough reason", "expires": "2027-01-01"}]', 'expected a kebab-case rule id'],
    ['an unknown key', '[{"rule": "a", "address": "x", "reason": "long enough reason", "expires": "2027-01-01", "owner": "me"}]', 'Unrecognized key'],
    ['broken YAML', 'waivers: [\n', 'not valid YAML or JSON'],
    // The document's shape picks the branch to explain, not "expected array" from the other one.
    ['a waiver without its reason', 'waivers:\n  - {rule: a-b, address: x, expires: "2027-01-01"}\n', 'at waivers.0.reason:'],
    ['a waiver without its expiry, in a bare list', '[{"rule": "a-b", "address": "x", "reason": "long enough reason"}]', 'at 0.expires:'],
  ])('rejects %s with one line', (_n, text, part) => {
    const p = write(`bad-${Math.random()}.yaml`, text);
    let caught: unknown;
    try {
      loadWaiversFile(p);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as Error).message).toContain(part);
    expect((caught as Error).message).not.toContain('\n');
  });

  it('names every bad entry in one line, so the file is mended in one pass', () => {
    const bad = (i: number) => `  - {rule: a-b, address: x${i}, reason: why, expires: "2027-01-01"}\n`;
    const two = write('two-bad.yaml', `waivers:\n${bad(0)}  - {rule: a-b, address: y, reason: long enough reason, expires: 2027-02-30}\n`);
    expect(() => loadWaiversFile(two)).toThrow(
      `${two}: invalid waivers file: 2 problems: at waivers.0.reason: give a reason of at least 10 characters; at waivers.1.expires: not a calendar date`,
    );
    const many = write('many-bad.yaml', `waivers:\n${[0, 1, 2, 3, 4, 5, 6].map(bad).join('')}`);
    let message = '';
    try {
      loadWaiversFile(many);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('7 problems: at waivers.0.reason:');
    expect(message).toContain('at waivers.4.reason:');
    expect(message).not.toContain('waivers.5.');
    expect(message).toMatch(/; and 2 more$/);
    expect(message).not.toContain('\n');
  });

  it('says what is missing and gives one message per bad date', () => {
    const p = write('missing.yaml', 'waivers:\n  - {rule: a-b, address: x, reason: long enough reason}\n  - {rule: a-b, address: x, reason: long enough reason, expires: 2027-02-30}\n  - {rule: a-b, address: x, reason: long enough reason, expires: soon}\n');
    expect(() => loadWaiversFile(p)).toThrow(
      `${p}: invalid waivers file: 3 problems: at waivers.0.expires: required: the expiry date, YYYY-MM-DD; at waivers.1.expires: not a calendar date; at waivers.2.expires: expected a date YYYY-MM-DD`,
    );
  });

  it('a rule id no rule has is bad input, with the nearest id', () => {
    const w = (rule: string) => ({ rule, address: '*', reason: 'migration in progress', expires: '2027-01-31' });
    expect(() => checkWaiverRules([w('dead-letter-policy-present')], ['dead-letter-policy-present'], 'w.yaml')).not.toThrow();
    expect(() => checkWaiverRules([w('dead-letter-policy-present'), w('dead-leter-policy-present'), w('zzz')], ['dead-letter-policy-present', 'no-public-iam'], 'w.yaml')).toThrow(
      'w.yaml: invalid waivers file: entry 1: no rule has the id dead-leter-policy-present (did you mean dead-letter-policy-present?); entry 2: no rule has the id zzz; the ids are listed in docs/rules.md',
    );
  });

  it('a file of comments only holds no waivers (the committed empty file)', () => {
    expect(loadWaiversFile(write('comments.yaml', '# nothing waived yet\n'))).toEqual([]);
    expect(loadWaiversFile(join(__dirname, '..', '..', '..', '..', 'verification-waivers.yaml'))).toEqual([]);
  });

  it('a missing file is an InputError', () => {
    expect(() => loadWaiversFile(join(dir, 'none.yaml'))).toThrow(`${join(dir, 'none.yaml')}: no such waivers file`);
  });
});
