/**
 * The one error the verifier raises for input it cannot judge: a missing path, a file that
 * is not JSON, JSON of the wrong shape, a spec or waiver file that does not validate.
 * The CLI prints `message` alone (one line, no stack) and exits 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(message: string) {
    // Keep it one line whatever the cause text held.
    super(message.replace(/\s*\n\s*/g, ' ').trim());
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
