/**
 * Errors in BigQuery's REST shape. Every failure the server reports is one of these, so the
 * client's ApiError carries the same code, reason and message it would get from BigQuery.
 */

/** The `reason` values BigQuery uses that this server can produce. */
export type BigQueryReason =
  | 'notFound'
  | 'duplicate'
  | 'invalid'
  | 'invalidQuery'
  | 'resourceInUse'
  | 'required'
  | 'notImplemented'
  | 'backendError'
  | 'badRequest'
  | 'stopped';

const STATUS_BY_CODE: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  413: 'FAILED_PRECONDITION',
  415: 'INVALID_ARGUMENT',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
};

export class BigQueryError extends Error {
  constructor(
    readonly code: number,
    readonly reason: BigQueryReason,
    message: string,
    readonly location?: string,
  ) {
    super(message);
    this.name = 'BigQueryError';
  }

  /** One entry of an `errors` list (also used as a job's `status.errorResult`). */
  toErrorProto(): { reason: string; message: string; location?: string; domain?: string } {
    return { domain: 'global', reason: this.reason, message: this.message, ...(this.location ? { location: this.location } : {}) };
  }

  /** The HTTP response body. */
  toBody(): { error: { code: number; message: string; errors: object[]; status: string } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [this.toErrorProto()],
        status: STATUS_BY_CODE[this.code] ?? 'UNKNOWN',
      },
    };
  }
}

export const notFound = (what: string) => new BigQueryError(404, 'notFound', `Not found: ${what}`);
export const duplicate = (what: string) => new BigQueryError(409, 'duplicate', `Already Exists: ${what}`);
export const invalid = (message: string, location?: string) => new BigQueryError(400, 'invalid', message, location);
export const invalidQuery = (message: string, location?: string) => new BigQueryError(400, 'invalidQuery', message, location);
export const required = (message: string) => new BigQueryError(400, 'required', message);
export const notImplemented = (message: string) => new BigQueryError(501, 'notImplemented', message);
