/**
 * CLI: run the BigQuery-compatible local server until SIGINT/SIGTERM.
 *   tsx local/bigquery-server/main.ts [--port 9050] [--host 127.0.0.1] [--db file.duckdb] [--log-level info]
 * Prints one JSON line with the endpoint when it is listening.
 */
import { Command, InvalidArgumentError } from 'commander';
import { startBigQueryServer } from './index';

function portArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`port must be an integer 0-65535, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('bigquery-server')
    .description('BigQuery REST API v2 on DuckDB, for local development and tests')
    .option('--port <port>', 'port to listen on (0 = any free port)', portArg, 9050)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--db <path>', 'DuckDB file to keep data in (default: in memory)')
    .option('--log-level <level>', 'pino log level', 'info')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .configureOutput({ writeErr: (s) => process.stderr.write(s.split('\n')[0] + '\n') });
  program.parse();
  const opts = program.opts<{ port: number; host: string; db?: string; logLevel: string }>();
  if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') {
    process.stderr.write(`error: --host must be a loopback address (127.0.0.1, localhost or ::1), got "${opts.host}"\n`);
    process.exit(2);
  }
  const server = await startBigQueryServer({ port: opts.port, host: opts.host, dbPath: opts.db, logLevel: opts.logLevel });
  process.stdout.write(JSON.stringify({ service: 'bigquery', endpoint: server.endpoint, port: server.port }) + '\n');
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`bigquery-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
