/**
 * Text bound for a terminal: control characters (an input file's bytes may reach an error
 * message) are shown as escapes, so none can move the cursor, recolour or clear the screen,
 * and bidirectional overrides cannot reorder what is shown.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const cp = c.charCodeAt(0);
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}
