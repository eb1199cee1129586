/**
 * Entry-point wrapper for the services: a configuration problem (or any start-up failure)
 * prints one line and exits 2; SIGTERM/SIGINT run the service's graceful stop once, within a
 * time limit (Cloud Run allows 10 s after SIGTERM).
 */
import { ConfigError } from './config';

export interface Stoppable {
  stop(): Promise<void>;
}

/** A service's whole graceful stop: Cloud Run sends SIGKILL 10 s after SIGTERM. */
export const STOP_LIMIT_MS = 9000;

export function runMain(service: string, start: () => Promise<Stoppable>, stopLimitMs = STOP_LIMIT_MS): void {
  start().then(
    (running) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        const timer = setTimeout(() => {
          process.stderr.write(`${service}: graceful stop did not finish within ${stopLimitMs} ms after ${signal}\n`);
          process.exit(1);
        }, stopLimitMs);
        running.stop().then(
          () => {
            clearTimeout(timer);
            process.exit(0);
          },
          (err: unknown) => {
            process.stderr.write(`${service}: stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${service}: ${err instanceof ConfigError ? '' : 'start failed: '}${message.split('\n')[0]}\n`);
      process.exit(2);
    },
  );
}
