import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../../../verification/rules';
import { renderRulesDoc, RULES_DOC_PATH } from '../../../../scripts/gen-rules-doc';

const RULES_DIR = join(__dirname, '..', '..', '..', '..', 'verification', 'rules');
const ruleFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && statSync(join(RULES_DIR, f)).isFile());

describe('rule registry', () => {
  it('ids are unique and kebab-case', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('every rule file is registered under its file name, and every registered rule has its file', () => {
    const fromFiles = ruleFiles.map((f) => f.replace(/\.ts$/, '')).sort();
    expect(RULES.map((r) => r.id).sort()).toEqual(fromFiles);
    for (const f of ruleFiles) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(join(RULES_DIR, f)) as { rule?: { id: string } };
      expect(mod.rule?.id).toBe(f.replace(/\.ts$/, ''));
    }
  });

  it('the registry list is sorted by id', () => {
    const ids = RULES.map((r) => r.id);
    expect(ids).toEqual([...ids].sort());
  });

  it('every rule states its metadata', () => {
    for (const r of RULES) {
      expect(r.title.length).toBeGreaterThan(5);
      expect(r.rationale.length).toBeGreaterThan(40);
      expect(['error', 'warning', 'info']).toContain(r.severity);
    }
  });

  it('docs/rules.md is up to date (run `npm run docs:rules`)', () => {
    expect(readFileSync(RULES_DOC_PATH, 'utf8')).toBe(renderRulesDoc(RULES));
  });
});
