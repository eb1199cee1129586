/**
 * The exact date/time conversions and the GoogleSQL -> DuckDB translation, without a server.
 */
import { parseTimestamp, formatTimestampIso, formatTimestampSeconds, parseDate, formatDate, parseDatetime, formatDatetime } from '../../../local/bigquery-server/types/temporal';
import { scaleDecimal, canonicalDecimal } from '../../../local/bigquery-server/types/row-input';
import { translateSql, type TranslateContext } from '../../../local/bigquery-server/sql/translate';
import { bindParameters } from '../../../local/bigquery-server/sql/parameters';

describe('timestamps', () => {
  it('parses text forms to exact microseconds', () => {
    // 2026-12-03T10:11:12Z = 1796292672 s.
    expect(parseTimestamp('2026-12-03T10:11:12.123456Z')).toBe(1796292672123456n);
    expect(parseTimestamp('2026-12-03 12:11:12.123456+02:00')).toBe(1796292672123456n);
    expect(parseTimestamp('2026-12-03 10:11:12 UTC')).toBe(1796292672000000n);
    expect(parseTimestamp('2026-12-03')).toBe(1796256000000000n); // 10h11m12s = 36672 s earlier
  });
  it('parses seconds since the epoch, rounding to the microsecond', () => {
    expect(parseTimestamp(1796292672.5)).toBe(1796292672500000n);
    expect(parseTimestamp('1.7962926721234564E9')).toBe(1796292672123456n);
    expect(parseTimestamp(-1.5)).toBe(-1500000n);
  });
  it('rejects invalid dates and more than microsecond precision', () => {
    expect(parseTimestamp('2026-02-29T00:00:00Z')).toBeUndefined();
    expect(parseTimestamp('2026-12-03T10:11:12.1234567Z')).toBeUndefined();
    expect(parseTimestamp('yesterday')).toBeUndefined();
  });
  it('formats ISO and seconds forms exactly, including before 1970', () => {
    expect(formatTimestampIso(1796292672123456n)).toBe('2026-12-03T10:11:12.123456Z');
    expect(formatTimestampIso(-1n)).toBe('1969-12-31T23:59:59.999999Z');
    expect(formatTimestampSeconds(1796292672123456n)).toBe('1796292672.123456');
    expect(formatTimestampSeconds(-1500000n)).toBe('-1.5');
  });
  it('round-trips DATE and DATETIME', () => {
    expect(formatDate(parseDate('0001-01-01')!)).toBe('0001-01-01');
    expect(formatDate(parseDate('9999-12-31')!)).toBe('9999-12-31');
    expect(formatDatetime(parseDatetime('2026-12-03 10:11:12.5')!)).toBe('2026-12-03T10:11:12.500000');
  });
});

describe('decimals', () => {
  it('scales NUMERIC exactly and rounds half away from zero at 9 digits', () => {
    expect(scaleDecimal('123.456000001', 9)).toBe(123456000001n);
    expect(scaleDecimal('1e-9', 9)).toBe(1n);
    expect(scaleDecimal('0.0000000005', 9)).toBe(1n);
    expect(scaleDecimal('-0.0000000005', 9)).toBe(-1n);
    expect(scaleDecimal('abc', 9)).toBeUndefined();
  });
  it('canonicalises decimal text', () => {
    expect(canonicalDecimal('1.500000000')).toBe('1.5');
    expect(canonicalDecimal('-0.000')).toBe('0');
    expect(canonicalDecimal('1.2E3')).toBe('1200');
  });
});

describe('GoogleSQL translation', () => {
  const ctx = (params = bindParameters(undefined, undefined)): TranslateContext => ({
    defaultProject: 'p',
    params,
    sql: '',
    lookup: (ref) => (ref.datasetId === 'd' ? (ref.tableId === 't' ? 'table' : 'missing') : 'no-dataset'),
  });
  const tr = (sql: string, params?: ReturnType<typeof bindParameters>) => translateSql(sql, { ...ctx(params), sql }).sql;

  it('maps backquoted and dotted table paths to DuckDB schema-qualified names', () => {
    expect(tr('SELECT a FROM `p.d.t`')).toBe('SELECT a FROM "p.d"."t"');
    expect(tr('SELECT x.a FROM d.t AS x')).toBe('SELECT x.a FROM "p.d"."t" AS x');
    expect(tr('SELECT 1 FROM `p`.`d`.`t`')).toBe('SELECT 1 FROM "p.d"."t"');
  });
  it('translates timestamp functions, intervals and typed literals', () => {
    expect(tr("SELECT TIMESTAMP_TRUNC(ts, HOUR), TIMESTAMP_SUB(ts, INTERVAL 5 MINUTE), UNIX_MICROS(ts) FROM d.t")).toBe(
      `SELECT date_trunc('hour', (ts)), ((ts) - ((INTERVAL (5) MINUTE))), epoch_us((ts)) FROM "p.d"."t"`,
    );
    expect(tr("SELECT TIMESTAMP '2026-12-03 10:00:00+02'")).toBe("SELECT CAST('2026-12-03T08:00:00.000000Z' AS TIMESTAMPTZ)");
  });
  it('decodes GoogleSQL string literals (double quotes, escapes) into DuckDB literals', () => {
    expect(tr(`SELECT "it's", 'a\\nb', r'\\d+'`)).toBe("SELECT 'it''s', 'a\nb', '\\d+'");
  });
  it('inlines typed parameters and refuses a missing one', () => {
    const params = bindParameters('NAMED', [
      { name: 'since', parameterType: { type: 'TIMESTAMP' }, parameterValue: { value: '2026-12-03T00:00:00Z' } },
      { name: 'ids', parameterType: { type: 'ARRAY', arrayType: { type: 'STRING' } }, parameterValue: { arrayValues: [{ value: "o'k" }] } },
    ]);
    expect(tr('SELECT 1 FROM d.t WHERE ts >= @since AND id IN UNNEST(@ids)', params)).toBe(
      `SELECT 1 FROM "p.d"."t" WHERE ts >= CAST('2026-12-03T00:00:00.000000Z' AS TIMESTAMPTZ) AND id IN (SELECT UNNEST(CAST([CAST(NULL AS VARCHAR)] AS VARCHAR[])))`.replace(
        "CAST(NULL AS VARCHAR)",
        "CAST('o''k' AS VARCHAR)",
      ),
    );
    expect(() => tr('SELECT @nope')).toThrow("Query parameter 'nope' not found");
  });
  it('rejects a parameter whose value does not fit its type', () => {
    expect(() => bindParameters('NAMED', [{ name: 'n', parameterType: { type: 'INT64' }, parameterValue: { value: '1; DROP TABLE x' } }])).toThrow(/invalid INT64 value/);
  });
  it('answers a missing table with notFound and keeps CTE names as they are', () => {
    expect(() => tr('SELECT * FROM d.missing')).toThrow('Not found: Table p:d.missing was not found in location US');
    expect(tr('WITH recent AS (SELECT 1 AS a) SELECT a FROM recent')).toBe('WITH recent AS (SELECT 1 AS a) SELECT a FROM recent');
  });
});
