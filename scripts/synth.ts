/**
 * `npm run synth -- <env>`: synthesizes one environment through the verification gate,
 * prints the report table, exits 0 on pass, 1 on fail (the violations named), 2 on bad
 * usage (one line).
 */
import { ENVIRONMENT_NAMES, UnknownEnvironmentError } from '../stacks/config';
import { handleClosedOutput } from '../verification/cli/closed-pipe';
import { synthesizeEnvironment, VerificationFailedError } from '../stacks/synth-environment';
import type { VerificationReport } from '../verification/engine/types';

process.env['CHECKPOINT_DISABLE'] ??= '1';

/** The spec items that did not pass, then the blocking rule results with their resources. */
function violations(report: VerificationReport): string[] {
  const items = report.specItems
    .filter((item) => item.status === 'fail' || item.status === 'unknown')
    .map((item) => `  ${item.status.toUpperCase()} spec ${item.item}: ${item.summary}`);
  const results = report.results
    .filter((result) => result.severity === 'error' && (result.status === 'fail' || result.status === 'unknown'))
    .map((result) => `  ${result.status.toUpperCase()} ${result.rule}${result.address ? ` ${result.address}` : ''}: ${result.message}`);
  return [...items, ...results];
}

function main(argv: string[]): number {
  const args = argv.filter((arg) => arg !== '--');
  if (args.length !== 1 || args[0]!.startsWith('-')) {
    process.stderr.write(`usage: npm run synth -- <environment>   (environments: ${ENVIRONMENT_NAMES.join(', ')})\n`);
    return 2;
  }
  const environment = args[0]!;
  const started = process.hrtime.bigint();
  try {
    const result = synthesizeEnvironment(environment);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.report) process.stdout.write(`${result.stack.gate.render(result.report, 'table')}\n`);
    const verdict = result.report ? `verification PASS` : 'verification SKIPPED (IOT_SKIP_VERIFY=1)';
    process.stdout.write(`synthesized ${result.stackName} into ${result.stackDir} in ${seconds.toFixed(1)} s: ${verdict}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UnknownEnvironmentError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof VerificationFailedError && error.report) {
      process.stdout.write(`${error.pipelineStack.gate.render(error.report, 'table')}\n`);
      const lines = violations(error.report);
      process.stderr.write(`verification FAILED for ${environment}; nothing was written (the report names the file a passing synth writes):\n${lines.join('\n')}\n`);
      return 1;
    }
    throw error;
  }
}

handleClosedOutput('exit');
process.exitCode = main(process.argv.slice(2));
