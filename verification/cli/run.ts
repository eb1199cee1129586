/**
 * The `verify` command. Exit codes: 0 pass, 1 violations, 2 bad input or usage (one line
 * on stderr, never a stack trace).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { loadUsageFile } from '../analyses/usage';
import { InputError } from '../engine/errors';
import type { Waiver } from '../engine/types';
import { loadForVerification, verifyGraph } from '../engine/verify';
import { withAdvice } from '../advice';
import { DEFAULT_MAX_EVALUATIONS } from '../advice/whatif/advise';
import { readSpecFile } from '../graph/spec-file';
import { RULES } from '../rules';
import { isReportFormat, renderReport, REPORT_FORMATS } from '../report';
import { checkWaiverRules, loadWaiversFile } from '../waivers/load';
import { prepareOutFile, writeOutFile } from './out-file';
import { terminalSafe } from './terminal-text';

export const EXIT_PASS = 0;
export const EXIT_VIOLATIONS = 1;
export const EXIT_BAD_INPUT = 2;

/** The advice budget's defaults: the what-if search's evaluation cap, and a time guard that keeps a large plan's advice to seconds. */
export const DEFAULT_ADVICE_EVALUATIONS = DEFAULT_MAX_EVALUATIONS;
export const DEFAULT_ADVICE_SECONDS = 10;

function positiveInteger(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new InputError(`${option} ${text}: expected a whole number >= 1`);
  return Number(text);
}

function adviceTimeGuard(text: string | undefined): { maxMillis?: number } {
  if (text === undefined) return { maxMillis: DEFAULT_ADVICE_SECONDS * 1000 };
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new InputError(`--advice-seconds ${text}: expected a number of seconds >= 0 (0 = no time guard)`);
  return seconds === 0 ? {} : { maxMillis: seconds * 1000 };
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  isTty?: boolean;
  cwd?: string;
}

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTty: process.stdout.isTTY === true,
  cwd: process.cwd(),
};

export function runCli(argv: string[], io: CliIo = defaultIo): number {
  let usageError = '';
  const program = new Command()
    .name('verify')
    .description('Verify Terraform JSON (a CDKTF synth folder, one cdk.tf.json, or `terraform show -json` output) against the spec.')
    .argument('<path>', 'synth output folder, cdk.tf.json, or plan JSON')
    .addOption(new Option('-f, --format <format>', 'report format').choices([...REPORT_FORMATS]).default('table'))
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .option('--spec <file>', 'spec JSON (default: spec.json beside the input)')
    .option('--env <name>', 'environment to verify when a synth folder holds several')
    .option('--waivers <file>', 'waivers file (YAML or JSON)')
    .option('--usage <file>', 'usage overrides file (YAML or JSON) for the cost and capacity models')
    .option('--today <date>', 'verification date: decides waiver expiry and runtime support (YYYY-MM-DD; default: today)')
    .option('--no-advice', 'skip patterns and what-if recommendations')
    .option('--synthesize', 'also search the sizing space for the cheapest configuration that meets the spec')
    .option('--advice-evaluations <n>', `advice budget: re-verifications the what-if search (and the --synthesize search) may run; a cut search says what it left out (default ${DEFAULT_ADVICE_EVALUATIONS}, and 600 for the synthesis)`)
    .option('--advice-seconds <s>', `advice time guard: no re-verification starts after this many seconds of advice (default ${DEFAULT_ADVICE_SECONDS}; 0 = none)`)
    .option('--verbose', 'list passing results one by one')
    .option('--no-color', 'no ANSI colours in the table')
    .exitOverride()
    .configureOutput({
      writeOut: (t) => io.stdout(t),
      writeErr: (t) => {
        usageError += t;
      },
    })
    .showHelpAfterError(false);

  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT_PASS;
      io.stderr(`${terminalSafe(oneLine(usageError || e.message))}\n`);
      return EXIT_BAD_INPUT;
    }
    throw e;
  }

  const [path] = program.args as [string];
  const opts = program.opts<{
    format: string;
    out?: string;
    spec?: string;
    env?: string;
    waivers?: string;
    usage?: string;
    today?: string;
    verbose?: boolean;
    color: boolean;
    advice: boolean;
    synthesize?: boolean;
    adviceEvaluations?: string;
    adviceSeconds?: string;
  }>();

  try {
    if (!isReportFormat(opts.format)) throw new InputError(`unknown format ${opts.format}`);
    if (opts.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.today)) throw new InputError(`--today ${opts.today}: expected YYYY-MM-DD`);
    if (opts.today !== undefined && !isCalendarDate(opts.today)) throw new InputError(`--today ${opts.today}: not a calendar date (expected YYYY-MM-DD)`);
    const adviceBudget = {
      // unset: the what-if search's 1000 and the synthesis's own 600
      ...(opts.adviceEvaluations === undefined ? {} : { maxEvaluations: positiveInteger('--advice-evaluations', opts.adviceEvaluations) }),
      ...adviceTimeGuard(opts.adviceSeconds),
    };
    const outTarget = opts.out !== undefined ? prepareOutFile(opts.out) : undefined;
    const spec = opts.spec ? readSpecFile(opts.spec) : undefined;
    const waivers: Waiver[] = opts.waivers ? loadWaiversFile(opts.waivers) : [];
    if (opts.waivers) checkWaiverRules(waivers, RULES.map((r) => r.id), opts.waivers);
    const usage = opts.usage ? loadUsageFile(opts.usage) : undefined;
    // Load once: the advice re-verifies edited copies of the same graph.
    const input = loadForVerification(path, { ...(spec ? { spec } : {}), ...(opts.env ? { env: opts.env } : {}) });
    const verifyOptions = { waivers, ...(opts.today ? { today: opts.today } : {}), ...(usage ? { usage } : {}) };
    let report = verifyGraph(input.graph, input.spec, verifyOptions);
    if (opts.advice || opts.synthesize) {
      // advice re-verifies edited copies of the graph with the same waivers, date and usage
      report = withAdvice(input.graph, input.spec, report, { synthesize: opts.synthesize === true, verifyOptions, budget: adviceBudget });
    }
    const text = renderReport(report, opts.format, {
      color: opts.color && io.isTty === true && !opts.out,
      verbose: opts.verbose === true,
      rules: RULES,
      baseDir: io.cwd ?? process.cwd(),
      readSource: (file) => {
        try {
          return readFileSync(file, 'utf8');
        } catch {
          return undefined;
        }
      },
    });
    if (opts.out && outTarget) {
      writeOutFile(opts.out, outTarget, text);
      io.stdout(`verdict: ${report.verdict.toUpperCase()} (${opts.format} report written to ${opts.out})\n`);
    } else {
      io.stdout(text);
    }
    return report.verdict === 'pass' ? EXIT_PASS : EXIT_VIOLATIONS;
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`error: ${terminalSafe(e.message)}\n`);
      return EXIT_BAD_INPUT;
    }
    const err = e as Error;
    io.stderr(`internal error: ${terminalSafe(oneLine(err?.message ?? String(e)))}${process.env.VERIFY_DEBUG ? `\n${terminalSafe(err?.stack ?? '').replace(/\\x0a/g, '\n')}` : ' (set VERIFY_DEBUG=1 for details)'}\n`);
    return EXIT_BAD_INPUT;
  }
}

/** 2026-02-30 matches the pattern but is no day. */
function isCalendarDate(d: string): boolean {
  const t = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
