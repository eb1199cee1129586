/**
 * SARIF 2.1.0 for GitHub code scanning: one reportingDescriptor per rule, one result per
 * failing, unknown or waived finding (waived ones carry a suppression), located in the input file.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { RuleResult, Severity, VerificationReport } from '../engine/types';
import type { Rule } from '../engine/types';
import { specStatement } from './format';
import { locate, type SourceReader } from './locate';

export interface SarifOptions {
  /** Rule metadata for the descriptors (defaults to what the results carry). */
  rules?: readonly Rule[];
  /** Repository root; artifact URIs are made relative to it (GitHub requires that). */
  baseDir?: string;
  /** Reads input files to point results at a line. */
  readSource?: SourceReader;
  toolVersion?: string;
}

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note' };

export function buildSarif(report: VerificationReport, options: SarifOptions = {}): Sarif.Log {
  const ruleIds = [...new Set([...(options.rules ?? []).map((r) => r.id), ...report.results.map((r) => r.rule)])].sort();
  const meta = new Map((options.rules ?? []).map((r) => [r.id, r] as const));
  const firstResult = new Map<string, RuleResult>();
  for (const r of report.results) if (!firstResult.has(r.rule)) firstResult.set(r.rule, r);

  const descriptors: Sarif.ReportingDescriptor[] = ruleIds.map((id) => {
    const rule = meta.get(id);
    const sample = firstResult.get(id);
    const title = rule?.title ?? sample?.title ?? id;
    const severity = rule?.severity ?? sample?.severity ?? 'error';
    return {
      id,
      name: toPascal(id),
      shortDescription: { text: title },
      fullDescription: { text: rule?.rationale ?? title },
      help: { text: rule?.rationale ?? title, markdown: `**${title}**\n\n${rule?.rationale ?? ''}\n\nSpec item: \`${rule?.specItem ?? sample?.specItem ?? ''}\`` },
      defaultConfiguration: { level: LEVEL[severity] },
      properties: { tags: ['iac', 'terraform', rule?.specItem ?? sample?.specItem ?? 'spec'] },
    };
  });
  const indexOf = new Map(ruleIds.map((id, i) => [id, i] as const));
  // Inside the repository: a relative URI under %SRCROOT% (what GitHub code scanning needs);
  // outside it (a plan in /tmp): an absolute file URI, never a `../../` climb out of the root.
  const artifactLocation = (file: string): Sarif.ArtifactLocation => {
    const base = options.baseDir;
    if (!base) return { uri: encodePath(file.split('\\').join('/')) };
    const rel = relative(base, isAbsolute(file) ? file : resolve(base, file)).split('\\').join('/');
    if (rel === '' || rel.startsWith('../') || rel === '..' || isAbsolute(rel)) return { uri: pathToFileURL(resolve(base, file)).href };
    return { uri: encodePath(rel), uriBaseId: '%SRCROOT%' };
  };
  const fingerprints = new Set<string>();

  const results: Sarif.Result[] = report.results
    .filter((r) => r.status !== 'pass')
    .map((r) => {
      const where = locate(report, r.address, options.readSource);
      const region = { startLine: where.line ?? 1 };
      const text = [
        r.status === 'unknown' ? `UNKNOWN (does not pass): ${r.message}` : r.message,
        r.fix ? `Fix: ${r.fix}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      const result: Sarif.Result = {
        ruleId: r.rule,
        ruleIndex: indexOf.get(r.rule),
        level: r.status === 'unknown' && r.severity === 'info' ? 'note' : LEVEL[r.severity],
        message: { text: r.address ? `${r.address}: ${text}` : text },
        locations: [
          {
            physicalLocation: { artifactLocation: artifactLocation(where.file), region },
            ...(r.address ? { logicalLocations: [{ fullyQualifiedName: r.address, kind: 'resource' }] } : {}),
          },
        ],
        partialFingerprints: { verifierFinding: fingerprint(r, fingerprints) },
        properties: { specItem: r.specItem, status: r.status },
      };
      if (r.status === 'waived' && r.waiver) {
        result.suppressions = [{ kind: 'external', status: 'accepted', justification: `${r.waiver.reason} (expires ${r.waiver.expires})` }];
      }
      return result;
    });

  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'iot-pipeline-verifier',
            semanticVersion: options.toolVersion ?? '0.1.0',
            rules: descriptors,
          },
        },
        automationDetails: { id: `verify/${report.spec.environment}/` },
        results,
        // The rest of the story, for tools that show run properties: the spec, the patterns, the
        // re-verified recommendations and the synthesized sizing (as in the JSON report).
        properties: {
          verdict: report.verdict,
          spec: specStatement(report.spec),
          specItems: report.specItems.map((i) => ({ item: i.item, status: i.status, summary: i.summary })),
          ...(report.patterns ? { patterns: report.patterns } : {}),
          ...(report.recommendations ? { recommendations: report.recommendations } : {}),
          ...(report.synthesis ? { synthesis: report.synthesis } : {}),
          ...(report.adviceBudget ? { adviceBudget: report.adviceBudget } : {}),
        },
      },
    ],
  };
}

export function renderSarif(report: VerificationReport, options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(report, options), null, 2)}\n`;
}

/**
 * Stable across runs and unique within one: rule, address, and what tells findings of the
 * same rule and resource apart (the scenario, else the message with its figures masked, so
 * a changed number keeps the alert while a different zone or plane gets its own).
 */
function fingerprint(r: RuleResult, seen: Set<string>): string {
  const scenario = typeof r.evidence?.scenario === 'string' ? r.evidence.scenario : undefined;
  const aspect = scenario ?? r.message.replace(/\d+(?:[.,]\d+)*/g, '#');
  const base = `${r.rule}|${r.address ?? '(design)'}|${createHash('sha256').update(aspect).digest('hex').slice(0, 16)}`;
  let key = base;
  for (let n = 2; seen.has(key); n++) key = `${base}|${n}`;
  seen.add(key);
  return key;
}

/** Percent-encodes each path segment (spaces, `#`, `?`), keeping the slashes. */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function toPascal(id: string): string {
  return id
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
