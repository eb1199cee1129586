/**
 * The CDKTF app (cdktf.json `app`): synthesizes the environment named by IOT_ENV
 * (default prod) into cdktf.out, through the verification gate.
 */
import { UnknownEnvironmentError } from './config';
import { synthesizeEnvironment, VerificationFailedError } from './synth-environment';

process.env['CHECKPOINT_DISABLE'] ??= '1';
const environment = process.env['IOT_ENV'] ?? 'prod';

try {
  const result = synthesizeEnvironment(environment);
  const verdict = result.report ? `verification ${result.report.verdict}` : 'verification SKIPPED';
  process.stdout.write(`synthesized ${result.stackName} into ${result.stackDir} (${verdict})\n`);
} catch (error) {
  if (error instanceof UnknownEnvironmentError) {
    process.stderr.write(`error: ${error.message} (set IOT_ENV)\n`);
    process.exit(2);
  }
  if (error instanceof VerificationFailedError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
