/**
 * A BigQuery client for the local cloud the integration setup started (or the external
 * emulator BIGQUERY_EMULATOR_HOST points at).
 */
import { BigQuery } from '@google-cloud/bigquery';
import { readState } from '../../support/local-cloud-state';

export const PROJECT = 'local-test';

export function bigQueryClient(): BigQuery {
  if (!process.env.BIGQUERY_EMULATOR_HOST) throw new Error('BIGQUERY_EMULATOR_HOST is not set: run with the integration project (jest --selectProjects integration)');
  return new BigQuery({ projectId: PROJECT });
}

/**
 * Whether the setup started the local server (rather than BIGQUERY_EMULATOR_HOST naming
 * another emulator): what only this server does (its /bigquery/v2 mount, its refusals) is
 * tested only there.
 */
export const onLocalServer = readState()?.started.some((s) => s.name === 'bigquery-server') ?? false;
export const itOnLocalServer = onLocalServer ? it : it.skip;

/** A dataset id no other test uses. */
export function uniqueDatasetId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** The error a rejected promise carries (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ code?: number; message: string; errors?: { reason?: string; message?: string; location?: string }[] }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: number; message: string; errors?: { reason?: string; message?: string }[] };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
