/**
 * The DuckDB functions translated GoogleSQL calls (sql/functions.ts) where DuckDB's own would
 * mean something else: NUMERIC division that stays NUMERIC (exact, rounded half away from
 * zero at 9 digits), division by zero as an error, AVG of NUMERIC, array bounds, arrays
 * without NULL elements. Installed on the connection (temporary: never written to a file).
 */
import { DECIMAL, DuckDBDecimalValue, DuckDBScalarFunction, type DuckDBConnection } from '@duckdb/node-api';
import { canonicalDecimal } from '../types/row-input';

const NUMERIC = DECIMAL(38, 9);
const SCALE = 1_000_000_000n;
/** NUMERIC holds 29 integer digits: |value| < 10^29, i.e. |raw| < 10^38 at scale 9. */
const NUMERIC_LIMIT = 10n ** 38n;

const abs = (x: bigint) => (x < 0n ? -x : x);
const text = (raw: bigint) => {
  const digits = abs(raw).toString().padStart(10, '0');
  return canonicalDecimal(`${raw < 0n ? '-' : ''}${digits.slice(0, -9)}.${digits.slice(-9)}`)!;
};

/** a / b at scale 9, rounded half away from zero (`whole`: truncated to an integer, for DIV). */
export function divideNumeric(a: bigint, b: bigint, whole: boolean): bigint {
  if (whole) return (a / b) * SCALE;
  const numerator = a * SCALE;
  const quotient = numerator / b;
  const remainder = numerator % b;
  if (abs(remainder) * 2n < abs(b)) return quotient;
  return quotient + ((numerator < 0n) !== (b < 0n) ? -1n : 1n);
}

function numericDivision(name: string, whole: boolean): DuckDBScalarFunction {
  return DuckDBScalarFunction.create({
    name,
    returnType: NUMERIC,
    parameterTypes: [NUMERIC, NUMERIC],
    mainFunction: (info, input, output) => {
      const left = input.getColumnVector(0);
      const right = input.getColumnVector(1);
      for (let row = 0; row < input.rowCount; row++) {
        const a = left.getItem(row) as DuckDBDecimalValue | null;
        const b = right.getItem(row) as DuckDBDecimalValue | null;
        if (a === null || b === null) {
          output.setItem(row, null);
          continue;
        }
        if (b.value === 0n) return info.setError(`division by zero: ${text(a.value)} / ${text(b.value)}`);
        const raw = divideNumeric(a.value, b.value, whole);
        if (abs(raw) >= NUMERIC_LIMIT) return info.setError(`numeric overflow: ${text(a.value)} / ${text(b.value)}`);
        output.setItem(row, new DuckDBDecimalValue(raw, 38, 9));
      }
      output.flush();
    },
  });
}

const DIVISION_BY_ZERO = (a: string, b: string) => `error('division by zero: ' || ${a} || ' / ' || ${b})`;

/**
 * Macros with typed parameters dispatch on the argument types (NUMERIC vs FLOAT64/INT64);
 * DuckDB can only do so for arguments it binds before aggregating, hence the *_unbound form.
 */
const MACROS = [
  `CREATE OR REPLACE TEMP MACRO bq_divide(a DECIMAL(38, 9), b DECIMAL(38, 9)) AS bq_numeric_divide(a, b),
     (a DOUBLE, b DOUBLE) AS CASE WHEN b = 0 THEN ${DIVISION_BY_ZERO('a', 'b')} ELSE a / b END`,
  `CREATE OR REPLACE TEMP MACRO bq_divide_unbound(a, b) AS CASE
     WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(b) LIKE 'DECIMAL%'
       THEN error('Dividing a NUMERIC aggregate or analytic result is not supported by the local server; divide in an outer query (SELECT s / n FROM (SELECT SUM(x) AS s, COUNT(*) AS n ...)) or CAST to FLOAT64')
     WHEN b = 0 THEN ${DIVISION_BY_ZERO('a', 'b')}
     ELSE CAST(a AS DOUBLE) / CAST(b AS DOUBLE) END`,
  `CREATE OR REPLACE TEMP MACRO bq_intdiv(a BIGINT, b BIGINT) AS CASE WHEN b = 0 THEN ${DIVISION_BY_ZERO('a', 'b')} ELSE a // b END,
     (a DECIMAL(38, 9), b DECIMAL(38, 9)) AS bq_numeric_div(a, b)`,
  `CREATE OR REPLACE TEMP MACRO bq_avg(x DECIMAL(38, 9)) AS bq_numeric_divide(sum(x), count(x)), (x DOUBLE) AS avg(x)`,
  `CREATE OR REPLACE TEMP MACRO bq_avg_distinct(x DECIMAL(38, 9)) AS bq_numeric_divide(sum(DISTINCT x), count(DISTINCT x)), (x DOUBLE) AS avg(DISTINCT x)`,
  // Windowed: the sum and count come in already windowed; x only chooses the type.
  `CREATE OR REPLACE TEMP MACRO bq_avg_over(x DECIMAL(38, 9), s, n) AS bq_numeric_divide(s, n), (x DOUBLE, s, n) AS CAST(s AS DOUBLE) / n`,
  `CREATE OR REPLACE TEMP MACRO bq_offset(arr, i) AS CASE
     WHEN i < 0 THEN error('Array index ' || i || ' is out of bounds (underflow)')
     WHEN i >= len(arr) THEN error('Array index ' || i || ' is out of bounds (overflow)')
     ELSE arr[i + 1] END`,
  `CREATE OR REPLACE TEMP MACRO bq_safe_offset(arr, i) AS CASE WHEN i < 0 OR i >= len(arr) THEN NULL ELSE arr[i + 1] END`,
  `CREATE OR REPLACE TEMP MACRO bq_ordinal(arr, i) AS CASE
     WHEN i < 1 THEN error('Array index ' || i || ' is out of bounds (underflow)')
     WHEN i > len(arr) THEN error('Array index ' || i || ' is out of bounds (overflow)')
     ELSE arr[i] END`,
  `CREATE OR REPLACE TEMP MACRO bq_safe_ordinal(arr, i) AS CASE WHEN i < 1 OR i > len(arr) THEN NULL ELSE arr[i] END`,
  `CREATE OR REPLACE TEMP MACRO bq_array_agg_checked(l) AS CASE
     WHEN len(l) > list_count(l) THEN error('Array cannot have a null element; error in writing ARRAY_AGG (use IGNORE NULLS)')
     ELSE l END`,
];

/** The GoogleSQL helpers' names, as DuckDB names them in errors -> what the query said. */
export const RUNTIME_NAMES: Record<string, string> = {
  bq_divide: 'operator /',
  bq_divide_unbound: 'operator /',
  bq_intdiv: 'function DIV',
  bq_avg: 'aggregate function AVG',
  bq_avg_distinct: 'aggregate function AVG',
  bq_avg_over: 'analytic function AVG',
  bq_offset: 'array subscript OFFSET',
  bq_safe_offset: 'array subscript SAFE_OFFSET',
  bq_ordinal: 'array subscript ORDINAL',
  bq_safe_ordinal: 'array subscript SAFE_ORDINAL',
  bq_array_agg_checked: 'aggregate function ARRAY_AGG',
  bq_numeric_divide: 'operator /',
  bq_numeric_div: 'function DIV',
};

export async function installGoogleSqlRuntime(connection: DuckDBConnection): Promise<void> {
  connection.registerScalarFunction(numericDivision('bq_numeric_divide', false));
  connection.registerScalarFunction(numericDivision('bq_numeric_div', true));
  for (const macro of MACROS) await connection.run(macro);
}
