/**
 * Exact conversions between BigQuery's textual date/time forms and integer day / microsecond
 * counts. Never goes through JavaScript `Date` (milliseconds), so microseconds survive.
 */

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400n * MICROS_PER_SECOND;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function validDate(year: number, month: number, day: number): boolean {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const monthDays = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= monthDays[month - 1];
}

/** Fraction digits ("123" -> 123000 micros). Undefined when more than 6 digits carry information. */
function fractionMicros(fraction: string | undefined): bigint | undefined {
  if (!fraction) return 0n;
  const digits = fraction.replace(/0+$/, '');
  if (digits.length > 6) return undefined;
  return BigInt(digits.padEnd(6, '0') || '0');
}

const DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?$/;
const DATETIME_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?)?$/;
const TIMESTAMP_RE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?)?\s*(Z|z|UTC|[+-]\d{1,2}(?::?\d{2})?)?$/;

/** DATE text -> days since epoch, or undefined when not a valid date. */
export function parseDate(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return validDate(y, mo, d) ? daysFromCivil(y, mo, d) : undefined;
}

/** TIME text -> microseconds since midnight. */
export function parseTime(text: string): bigint | undefined {
  const m = TIME_RE.exec(text.trim());
  if (!m) return undefined;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const frac = fractionMicros(m[4]);
  if (h > 23 || mi > 59 || s > 59 || frac === undefined) return undefined;
  return BigInt(h * 3600 + mi * 60 + s) * MICROS_PER_SECOND + frac;
}

/** DATETIME text (civil, no zone) -> microseconds since 1970-01-01T00:00:00. */
export function parseDatetime(text: string): bigint | undefined {
  const m = DATETIME_RE.exec(text.trim());
  if (!m) return undefined;
  return civilMicros(m.slice(1, 8));
}

function civilMicros(parts: (string | undefined)[]): bigint | undefined {
  const [y, mo, d] = [Number(parts[0]), Number(parts[1]), Number(parts[2])];
  const [h, mi, s] = [Number(parts[3] ?? 0), Number(parts[4] ?? 0), Number(parts[5] ?? 0)];
  const frac = fractionMicros(parts[6]);
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59 || frac === undefined) return undefined;
  return BigInt(daysFromCivil(y, mo, d)) * MICROS_PER_DAY + BigInt(h * 3600 + mi * 60 + s) * MICROS_PER_SECOND + frac;
}

/**
 * TIMESTAMP input -> microseconds since the epoch (UTC). Accepts the forms BigQuery accepts in
 * streaming inserts: canonical text with an optional zone (`Z`, `UTC`, `+hh:mm`; none means
 * UTC) and a number of seconds since the epoch.
 */
export function parseTimestamp(input: string | number): bigint | undefined {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    return decimalSecondsToMicros(String(input));
  }
  const text = input.trim();
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return decimalSecondsToMicros(text);
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return undefined;
  const local = civilMicros(m.slice(1, 8));
  if (local === undefined) return undefined;
  const zone = m[8];
  let offsetMinutes = 0;
  if (zone && !/^(Z|z|UTC)$/.test(zone)) {
    const zm = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone)!;
    offsetMinutes = (Number(zm[2]) * 60 + Number(zm[3] ?? 0)) * (zm[1] === '-' ? -1 : 1);
    if (Math.abs(offsetMinutes) > 14 * 60) return undefined;
  }
  return local - BigInt(offsetMinutes) * 60n * MICROS_PER_SECOND;
}

/** "1672574400.123456" or "1.6725744001234560E9" -> micros, rounded half away from zero to the microsecond. */
function decimalSecondsToMicros(text: string): bigint | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const negative = m[1] === '-';
  let digits = m[2] + (m[3] ?? '');
  // Shift the decimal point: value = digits * 10^(exp - fractionLength); micros multiplies by 10^6.
  const shift = Number(m[4] ?? 0) - (m[3]?.length ?? 0) + 6;
  let micros: bigint;
  if (shift >= 0) micros = BigInt(digits + '0'.repeat(shift));
  else {
    const cut = digits.length + shift;
    const whole = cut > 0 ? digits.slice(0, cut) : '0';
    const rest = cut > 0 ? digits.slice(cut) : digits.padStart(-shift, '0');
    micros = BigInt(whole) + (rest[0] >= '5' ? 1n : 0n);
    digits = whole;
  }
  return negative ? -micros : micros;
}

function splitMicros(micros: bigint): { days: number; micros: bigint } {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  return { days: Number(days), micros: rest };
}

export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** HH:MM:SS[.ffffff] with trailing fraction zeros kept to six digits when there is a fraction. */
export function formatTime(micros: bigint): string {
  const secondsOfDay = Number(micros / MICROS_PER_SECOND);
  const frac = Number(micros % MICROS_PER_SECOND);
  const base = `${pad(Math.floor(secondsOfDay / 3600))}:${pad(Math.floor((secondsOfDay % 3600) / 60))}:${pad(secondsOfDay % 60)}`;
  return frac === 0 ? base : `${base}.${pad(frac, 6)}`;
}

/** DATETIME as the REST API returns it: `YYYY-MM-DDTHH:MM:SS[.ffffff]`. */
export function formatDatetime(micros: bigint): string {
  const { days, micros: timeMicros } = splitMicros(micros);
  return `${formatDate(days)}T${formatTime(timeMicros)}`;
}

/** TIMESTAMP in ISO 8601 with microseconds: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export function formatTimestampIso(micros: bigint): string {
  const { days, micros: timeMicros } = splitMicros(micros);
  const secondsOfDay = Number(timeMicros / MICROS_PER_SECOND);
  const frac = Number(timeMicros % MICROS_PER_SECOND);
  return `${formatDate(days)}T${pad(Math.floor(secondsOfDay / 3600))}:${pad(Math.floor((secondsOfDay % 3600) / 60))}:${pad(secondsOfDay % 60)}.${pad(frac, 6)}Z`;
}

/** TIMESTAMP as decimal seconds since the epoch, exact to the microsecond ("1672574400.123456"). */
export function formatTimestampSeconds(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / MICROS_PER_SECOND;
  const frac = (abs % MICROS_PER_SECOND).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? '.' + frac : ''}`;
}
