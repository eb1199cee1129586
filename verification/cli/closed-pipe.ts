/**
 * `verify ... | head` closes stdout before the report is written out: the write then fails with
 * EPIPE, which Node raises as an unhandled 'error' event (a stack trace, and an exit code that
 * depends on timing). A reader that stopped reading is not an error of the verification.
 *   'exit'   exit at once with the verdict's code (the verifier, synth: nothing left to stop);
 *   'ignore' drop further output and carry on (npm start: its local run must still stop
 *            everything it started and report its exit code).
 */
export function handleClosedOutput(mode: 'exit' | 'ignore'): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      if (mode === 'exit') process.exit(process.exitCode ?? 0);
    });
  }
}
