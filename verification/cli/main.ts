/** `npm run verify -- <path> [--format ...]`: see cli/run.ts. */
import { runCli } from './run';

process.exitCode = runCli(process.argv.slice(2));
