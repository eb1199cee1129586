/** `npm run verify -- <path> [--format ...]`: see cli/run.ts. */
import { handleClosedOutput } from './closed-pipe';
import { runCli } from './run';

handleClosedOutput('exit');
process.exitCode = runCli(process.argv.slice(2));
