/**
 * The synth gate: a validation on each pipeline stack that runs the verifier on the
 * stack's own Terraform JSON and its environment's spec. A failing verdict returns the
 * rendered report as the validation error, so `cdktf synth` (and so `cdktf deploy`) and
 * `app.synth()` fail before anything is written or deployed.
 *
 * The only way around it is `IOT_SKIP_VERIFY=1`, for timing synth without verification;
 * it is announced on stderr every time.
 */
import type { IValidation, TerraformStack } from './cdk';
import type { VerificationReport, Waiver } from '../verification/engine/types';
import type { Spec } from '../verification/spec/spec';

export type ReportFormat = 'table' | 'json' | 'sarif' | 'markdown' | 'junit' | 'html';

/** The two verifier entry points the gate needs (verification/engine/verify.ts, verification/report/index.ts). */
export interface VerificationEngine {
  verifyTerraformJson(doc: unknown, options: { spec: Spec; sourcePath?: string; today?: string; waivers?: Waiver[] }): VerificationReport;
  renderReport(report: VerificationReport, format: ReportFormat): string;
}

/** Environment variable that skips the gate when set to `1`. */
export const SKIP_VERIFY_ENV = 'IOT_SKIP_VERIFY';

export function verificationSkipped(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[SKIP_VERIFY_ENV] === '1';
}

/**
 * The project's verifier, loaded on first use: the gate costs nothing until synth
 * validates, and a skipped gate never loads it.
 */
export function loadVerificationEngine(): VerificationEngine {
  // Typed by the modules themselves, so a change of their signatures fails the type check here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const verify = require('../verification/engine/verify') as typeof import('../verification/engine/verify');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const report = require('../verification/report/index') as typeof import('../verification/report/index');
  return {
    verifyTerraformJson: (doc, options) => verify.verifyTerraformJson(doc, options),
    renderReport: (rendered, format) => report.renderReport(rendered, format),
  };
}

export interface VerificationGateOptions {
  spec: Spec;
  /** Where the stack's cdk.tf.json will be written, for the report. */
  sourcePath?: string;
  /** The verifier; defaults to the project's, loaded lazily. */
  engine?: VerificationEngine | (() => VerificationEngine);
  /** Date the waivers are judged on (YYYY-MM-DD); defaults to the verifier's today. */
  today?: string;
  /** Waivers to apply (per rule and resource, with reason and expiry). */
  waivers?: Waiver[];
  /** Skip verification; defaults to `IOT_SKIP_VERIFY=1`. */
  skip?: boolean;
  /** Where the skip warning goes. @default process.stderr */
  warn?: (message: string) => void;
}

export class VerificationGate implements IValidation {
  /** The report of the last validation, pass or fail; undefined when skipped or not yet run. */
  lastReport: VerificationReport | undefined;
  /** The validation error of the last failing run (the rendered report). */
  lastFailure: string | undefined;
  private engine: VerificationEngine | undefined;

  constructor(
    private readonly stack: TerraformStack,
    private readonly options: VerificationGateOptions,
  ) {}

  /** The report rendered in a format, using the same engine as the gate. */
  render(report: VerificationReport, format: ReportFormat): string {
    return this.getEngine().renderReport(report, format);
  }

  validate(): string[] {
    const skip = this.options.skip ?? verificationSkipped();
    if (skip) {
      const warn = this.options.warn ?? ((message: string) => process.stderr.write(`${message}\n`));
      warn(
        `!!! ${SKIP_VERIFY_ENV}=1: VERIFICATION SKIPPED for stack ${this.stack.node.id}. ` +
          'This output is NOT verified against its spec and must not be deployed.',
      );
      this.lastReport = undefined;
      return [];
    }
    const engine = this.getEngine();
    const doc = this.stack.toTerraform();
    const report = engine.verifyTerraformJson(doc, {
      spec: this.options.spec,
      ...(this.options.sourcePath !== undefined ? { sourcePath: this.options.sourcePath } : {}),
      ...(this.options.today !== undefined ? { today: this.options.today } : {}),
      ...(this.options.waivers !== undefined ? { waivers: this.options.waivers } : {}),
    });
    this.lastReport = report;
    if (report.verdict === 'pass') {
      this.lastFailure = undefined;
      return [];
    }
    this.lastFailure = `verification failed for environment "${this.options.spec.environment}":\n${engine.renderReport(report, 'table')}`;
    return [this.lastFailure];
  }

  private getEngine(): VerificationEngine {
    if (!this.engine) {
      const source = this.options.engine ?? loadVerificationEngine;
      this.engine = typeof source === 'function' ? source() : source;
    }
    return this.engine;
  }
}
