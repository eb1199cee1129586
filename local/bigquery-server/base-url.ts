/**
 * How a BigQuery client addresses an emulator, one rule for the client, provisioning and the
 * services' configuration: BIGQUERY_EMULATOR_HOST is the client's base URL, which
 * `@google-cloud/bigquery` uses verbatim (`<base>/projects/...`). For the local server that is
 * `http://host:port` (it serves the API at the root and under /bigquery/v2); another emulator
 * may need the path it serves the API under, e.g. `http://localhost:9050/bigquery/v2`.
 */

/** `scheme://host[:port][/path]`, no spaces, no query or fragment. */
const BASE_URL = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/i;

/** The base URL as the client needs it: a bare `host:port` gets `http://`, trailing slashes go. */
export function bigQueryBaseUrl(value: string): string {
  const trimmed = value.trim().replace(/\/+$/, '');
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  if (!BASE_URL.test(url)) throw new Error(`BIGQUERY_EMULATOR_HOST must be http://host:port, optionally with the path the emulator serves the API under (got "${value}")`);
  return url;
}
