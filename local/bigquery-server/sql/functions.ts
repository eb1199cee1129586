/**
 * GoogleSQL function calls -> DuckDB expressions. Only the functions listed here are known:
 * each is either a DuckDB function checked to have the same meaning (DIRECT) or an explicit
 * translation below. Any other name is answered "Function not found", as BigQuery answers an
 * unknown function, so a DuckDB function that happens to share a name never runs in its place.
 * The bq_* functions the translations call are defined in store/google-sql-runtime.ts.
 */
import { type BigQueryError, invalidQuery } from '../errors';
import { quoteIdent } from '../types/schema';
import { datePart, DATE_PARTS } from './date-parts';
import { DIVIDE_CALL } from './operators';
import { positionOf } from './tokenizer';
import { translateType } from './type-names';
import { isGroup, isIdent, isTok, offsetOf, splitArgs, upper, type GroupNode, type Node, type TokNode } from './tree';

export interface CallContext {
  /** Translate nodes in expression position. */
  seq(nodes: Node[]): string;
  /** The query text, for error positions. */
  sql: string;
}

type Kind = 'scalar' | 'aggregate' | 'analytic';

/**
 * DuckDB functions with the GoogleSQL meaning for the argument types GoogleSQL accepts.
 * Known differences are named: ROUND/TRUNC/FLOOR/CEIL of an INT64 keep INTEGER where
 * BigQuery answers FLOAT64 (same value); MIN/MAX put NaN last where BigQuery puts it first.
 */
const DIRECT: Record<string, { duck: string; kind: Kind }> = {
  // Aggregates: NULL inputs ignored, NULL over no rows, as in GoogleSQL.
  COUNT: { duck: 'count', kind: 'aggregate' },
  SUM: { duck: 'sum', kind: 'aggregate' },
  MIN: { duck: 'min', kind: 'aggregate' },
  MAX: { duck: 'max', kind: 'aggregate' },
  ANY_VALUE: { duck: 'any_value', kind: 'aggregate' },
  STRING_AGG: { duck: 'string_agg', kind: 'aggregate' },
  STDDEV: { duck: 'stddev_samp', kind: 'aggregate' },
  STDDEV_SAMP: { duck: 'stddev_samp', kind: 'aggregate' },
  STDDEV_POP: { duck: 'stddev_pop', kind: 'aggregate' },
  VARIANCE: { duck: 'var_samp', kind: 'aggregate' },
  VAR_SAMP: { duck: 'var_samp', kind: 'aggregate' },
  VAR_POP: { duck: 'var_pop', kind: 'aggregate' },
  CORR: { duck: 'corr', kind: 'aggregate' },
  COVAR_POP: { duck: 'covar_pop', kind: 'aggregate' },
  COVAR_SAMP: { duck: 'covar_samp', kind: 'aggregate' },
  BIT_AND: { duck: 'bit_and', kind: 'aggregate' },
  BIT_OR: { duck: 'bit_or', kind: 'aggregate' },
  BIT_XOR: { duck: 'bit_xor', kind: 'aggregate' },
  // Analytic (window) functions: same numbering, offsets and defaults.
  ROW_NUMBER: { duck: 'row_number', kind: 'analytic' },
  RANK: { duck: 'rank', kind: 'analytic' },
  DENSE_RANK: { duck: 'dense_rank', kind: 'analytic' },
  PERCENT_RANK: { duck: 'percent_rank', kind: 'analytic' },
  CUME_DIST: { duck: 'cume_dist', kind: 'analytic' },
  NTILE: { duck: 'ntile', kind: 'analytic' },
  LAG: { duck: 'lag', kind: 'analytic' },
  LEAD: { duck: 'lead', kind: 'analytic' },
  FIRST_VALUE: { duck: 'first_value', kind: 'analytic' },
  LAST_VALUE: { duck: 'last_value', kind: 'analytic' },
  NTH_VALUE: { duck: 'nth_value', kind: 'analytic' },
  PERCENTILE_CONT: { duck: 'quantile_cont', kind: 'analytic' },
  PERCENTILE_DISC: { duck: 'quantile_disc', kind: 'analytic' },
  // Math: errors on a negative square root or logarithm, as in GoogleSQL.
  ABS: { duck: 'abs', kind: 'scalar' },
  SIGN: { duck: 'sign', kind: 'scalar' },
  SQRT: { duck: 'sqrt', kind: 'scalar' },
  EXP: { duck: 'exp', kind: 'scalar' },
  LN: { duck: 'ln', kind: 'scalar' },
  LOG10: { duck: 'log10', kind: 'scalar' },
  POW: { duck: 'pow', kind: 'scalar' },
  POWER: { duck: 'pow', kind: 'scalar' },
  ROUND: { duck: 'round', kind: 'scalar' },
  TRUNC: { duck: 'trunc', kind: 'scalar' },
  FLOOR: { duck: 'floor', kind: 'scalar' },
  CEIL: { duck: 'ceil', kind: 'scalar' },
  CEILING: { duck: 'ceil', kind: 'scalar' },
  IS_NAN: { duck: 'isnan', kind: 'scalar' },
  IS_INF: { duck: 'isinf', kind: 'scalar' },
  RAND: { duck: 'random', kind: 'scalar' },
  // Strings: character (not byte) positions and lengths, NULL in -> NULL out.
  LENGTH: { duck: 'length', kind: 'scalar' },
  CHAR_LENGTH: { duck: 'length', kind: 'scalar' },
  CHARACTER_LENGTH: { duck: 'length', kind: 'scalar' },
  LOWER: { duck: 'lower', kind: 'scalar' },
  UPPER: { duck: 'upper', kind: 'scalar' },
  TRIM: { duck: 'trim', kind: 'scalar' },
  LTRIM: { duck: 'ltrim', kind: 'scalar' },
  RTRIM: { duck: 'rtrim', kind: 'scalar' },
  REPLACE: { duck: 'replace', kind: 'scalar' },
  REVERSE: { duck: 'reverse', kind: 'scalar' },
  STRPOS: { duck: 'strpos', kind: 'scalar' },
  LEFT: { duck: 'left', kind: 'scalar' },
  RIGHT: { duck: 'right', kind: 'scalar' },
  REPEAT: { duck: 'repeat', kind: 'scalar' },
  ASCII: { duck: 'ascii', kind: 'scalar' },
  CHR: { duck: 'chr', kind: 'scalar' },
  FROM_HEX: { duck: 'unhex', kind: 'scalar' },
  TO_BASE64: { duck: 'to_base64', kind: 'scalar' },
  FROM_BASE64: { duck: 'from_base64', kind: 'scalar' },
  // Conditionals.
  IF: { duck: 'if', kind: 'scalar' },
  IFNULL: { duck: 'ifnull', kind: 'scalar' },
  COALESCE: { duck: 'coalesce', kind: 'scalar' },
  NULLIF: { duck: 'nullif', kind: 'scalar' },
  // ARRAY(subquery), GROUPING(column).
  ARRAY: { duck: 'ARRAY', kind: 'scalar' },
  GROUPING: { duck: 'grouping', kind: 'scalar' },
  ARRAY_TO_STRING: { duck: 'array_to_string', kind: 'scalar' },
};

/** Aggregate and analytic names, for telling whether an expression computes over rows. */
const OVER_ROWS = new Set([
  ...Object.entries(DIRECT)
    .filter(([, d]) => d.kind !== 'scalar')
    .map(([name]) => name),
  'AVG',
  'ARRAY_AGG',
  'COUNTIF',
  'LOGICAL_AND',
  'LOGICAL_OR',
  'APPROX_COUNT_DISTINCT',
  'APPROX_QUANTILES',
]);

/** Whether nodes contain an aggregate or analytic call or a subquery (whose type DuckDB binds late). */
export function computesOverRows(nodes: Node[]): boolean {
  return nodes.some((n, i) => {
    if (isIdent(n, 'OVER') || isIdent(n, 'SELECT')) return true;
    if (isIdent(n) && OVER_ROWS.has(upper(n)) && isGroup(nodes[i + 1])) return true;
    return n.t === 'group' && computesOverRows(n.items);
  });
}

/** FORMAT_TIMESTAMP elements DuckDB's strftime writes differently. */
function formatString(pattern: Node[], cx: CallContext, zoned: boolean, fail: (m: string) => never): string {
  const only = pattern.length === 1 && isTok(pattern[0]) && pattern[0].tok.kind === 'string' ? pattern[0].tok.value! : undefined;
  if (only === undefined) return `(${cx.seq(pattern).trim()})`;
  const text = only.replace(/%(E[0-9*]S|Ez|E4Y|Z|.)/g, (m, spec: string) => {
    if (spec === 'E6S') return '%S.%f';
    if (spec === 'E3S') return '%S.%g';
    if (spec === 'E4Y') return '%Y';
    if (spec === 'Ez' || spec === 'Z') {
      if (zoned) fail(`FORMAT_* with a time zone argument and %${spec} is not supported by the local server`);
      return spec === 'Ez' ? '+00:00' : 'UTC';
    }
    if (spec.startsWith('E')) fail(`FORMAT_* element %${spec} is not supported by the local server (use %E6S or %E3S)`);
    return m;
  });
  return `'${text.replace(/'/g, "''")}'`;
}

/** The pieces of one aggregate argument list: [DISTINCT] expr [IGNORE|RESPECT NULLS] [ORDER BY ...] [LIMIT n]. */
function aggregateParts(items: Node[]) {
  let body = items;
  const distinct = isIdent(body[0], 'DISTINCT');
  if (distinct) body = body.slice(1);
  const at = (word: string) => body.findIndex((n, i) => isIdent(n, word) && (word !== 'ORDER' || isIdent(body[i + 1], 'BY')) && (word !== 'IGNORE' && word !== 'RESPECT' ? true : isIdent(body[i + 1], 'NULLS')));
  const cut = [at('IGNORE'), at('RESPECT'), at('ORDER'), at('LIMIT')].filter((i) => i >= 0);
  const exprEnd = cut.length ? Math.min(...cut) : body.length;
  const order = at('ORDER');
  const limit = at('LIMIT');
  return {
    distinct,
    expr: body.slice(0, exprEnd),
    ignoreNulls: at('IGNORE') >= 0,
    order: order >= 0 ? body.slice(order + 2, limit > order ? limit : body.length) : undefined,
    limit: limit >= 0 ? body.slice(limit + 1) : undefined,
  };
}

/**
 * A GoogleSQL call `name(group)` (followed by `OVER <over>` when given) as DuckDB SQL.
 */
export function translateCall(name: string, nameNode: TokNode, group: GroupNode, over: string | undefined, cx: CallContext): string {
  const fail = (message: string): never => {
    throw invalidQuery(`${message} at ${positionOf(cx.sql, nameNode.tok.at)}`);
  };
  const args = splitArgs(group.items);
  const e = (k: number) => {
    if (!args[k]) fail(`Function ${name} is missing argument ${k + 1}`);
    return `(${cx.seq(args[k]).trim()})`;
  };
  const arity = (min: number, max = min) => {
    if (args.length < min || args.length > max) fail(`No matching signature for function ${name} with ${args.length} argument(s)`);
  };
  const tz = (k: number) => (args[k] ? e(k) : undefined);
  const scalar = (sql: string) => {
    if (over !== undefined) fail(`${name} is not an aggregate or analytic function; OVER cannot follow it`);
    return sql;
  };
  const overRows = (sql: string) => (over !== undefined ? `${sql} OVER ${over}` : sql);
  /** a / b with GoogleSQL types: typed dispatch needs operands DuckDB can bind before aggregating. */
  const divide = (a: string, b: string, operands: Node[][]) => (operands.some(computesOverRows) ? `bq_divide_unbound(${a}, ${b})` : `bq_divide(${a}, ${b})`);

  switch (name) {
    case DIVIDE_CALL:
      return divide(e(0), e(1), args);
    case 'SAFE_DIVIDE':
      arity(2);
      return scalar(`(CASE WHEN ${e(1)} = 0 THEN NULL ELSE ${divide(e(0), e(1), args)} END)`);
    case 'IEEE_DIVIDE':
      arity(2);
      return scalar(`(CAST(${e(0)} AS DOUBLE) / CAST(${e(1)} AS DOUBLE))`);
    case 'DIV':
      arity(2);
      return scalar(`bq_intdiv(${e(0)}, ${e(1)})`);
    case 'MOD':
      arity(2);
      return scalar(`(CASE WHEN ${e(1)} = 0 THEN error('division by zero: MOD(' || ${e(0)} || ', ' || ${e(1)} || ')') ELSE ${e(0)} % ${e(1)} END)`);
    case 'AVG': {
      const parts = aggregateParts(group.items);
      if (splitArgs(parts.expr).length !== 1 || parts.order || parts.limit) fail('No matching signature for aggregate function AVG');
      const x = `(${cx.seq(parts.expr).trim()})`;
      const d = parts.distinct ? 'DISTINCT ' : '';
      if (over !== undefined) return `bq_avg_over(${x}, sum(${d}${x}) OVER ${over}, count(${d}${x}) OVER ${over})`;
      return parts.distinct ? `bq_avg_distinct(${x})` : `bq_avg(${x})`;
    }
    case 'ARRAY_AGG': {
      const parts = aggregateParts(group.items);
      if (splitArgs(parts.expr).length !== 1) fail('No matching signature for aggregate function ARRAY_AGG');
      const x = cx.seq(parts.expr).trim();
      let sql = `array_agg(${parts.distinct ? 'DISTINCT ' : ''}(${x})${parts.order ? ` ORDER BY ${cx.seq(parts.order).trim()}` : ''})`;
      if (parts.ignoreNulls) sql += ` FILTER (WHERE (${x}) IS NOT NULL)`;
      sql = overRows(sql);
      if (parts.limit) {
        const n = parts.limit.length === 1 && isTok(parts.limit[0]) && parts.limit[0].tok.kind === 'number' ? Number(parts.limit[0].tok.text) : NaN;
        if (!Number.isInteger(n) || n < 0) fail('ARRAY_AGG ... LIMIT needs an integer literal');
        sql = `list_slice(${sql}, 1, ${n})`;
      }
      // GoogleSQL arrays cannot hold NULL: without IGNORE NULLS a NULL input is an error.
      return parts.ignoreNulls ? sql : `bq_array_agg_checked(${sql})`;
    }
    case 'STRING_AGG':
      if (aggregateParts(group.items).limit) fail('STRING_AGG ... LIMIT is not supported by the local server');
      return overRows(`string_agg(${cx.seq(group.items).trim()})`);
    case 'GREATEST':
    case 'LEAST': {
      if (args.length < 1) arity(1, Infinity);
      const xs = args.map((_, k) => e(k));
      // GoogleSQL answers NULL when any argument is NULL; DuckDB skips NULLs.
      return scalar(`(CASE WHEN ${xs.map((x) => `${x} IS NULL`).join(' OR ')} THEN NULL ELSE ${name.toLowerCase()}(${xs.join(', ')}) END)`);
    }
    case 'CONCAT':
      if (args.length < 1) arity(1, Infinity);
      // `||` is NULL when an operand is NULL, as CONCAT is in GoogleSQL (DuckDB's concat skips NULLs).
      return scalar(`(${args.map((_, k) => e(k)).join(' || ')})`);
    case 'SUBSTR':
    case 'SUBSTRING': {
      arity(2, 3);
      const s = e(0);
      const p = e(1);
      // Position 0 is 1; a negative one counts from the end, and before the start is 1.
      const start = `(CASE WHEN ${p} = 0 THEN 1 WHEN ${p} < 0 THEN greatest(length(${s}) + ${p} + 1, 1) ELSE ${p} END)`;
      if (args.length === 2) return scalar(`substring(${s}, ${start})`);
      const l = e(2);
      return scalar(`(CASE WHEN ${l} < 0 THEN error('Third argument in SUBSTR() cannot be negative') ELSE substring(${s}, ${start}, ${l}) END)`);
    }
    case 'LPAD':
    case 'RPAD':
      arity(2, 3);
      return scalar(`${name.toLowerCase()}(${e(0)}, ${e(1)}, ${args[2] ? e(2) : "' '"})`);
    case 'TO_HEX':
      arity(1);
      return scalar(`lower(hex(${e(0)}))`);
    case 'TIMESTAMP_TRUNC':
    case 'DATETIME_TRUNC':
    case 'DATE_TRUNC':
    case 'TIME_TRUNC': {
      arity(2, 3);
      const part = datePart(args[1], name);
      const zone = tz(2);
      const value = zone ? `timezone(${zone}, ${e(0)})` : e(0);
      let truncated = part === 'WEEK' ? `(date_trunc('week', ${value} + INTERVAL 1 DAY) - INTERVAL 1 DAY)` : `date_trunc('${part === 'ISOWEEK' ? 'week' : part.toLowerCase()}', ${value})`;
      if (zone) truncated = `timezone(${zone}, ${truncated})`;
      if (name === 'DATE_TRUNC') return scalar(`CAST(${truncated} AS DATE)`);
      if (name === 'TIME_TRUNC') return scalar(`CAST(date_trunc('${part.toLowerCase()}', DATE '2000-01-01' + ${e(0)}) AS TIME)`);
      return scalar(truncated);
    }
    case 'TIMESTAMP_ADD':
    case 'DATETIME_ADD':
    case 'TIME_ADD':
      arity(2);
      return scalar(`(${e(0)} + ${e(1)})`);
    case 'TIMESTAMP_SUB':
    case 'DATETIME_SUB':
    case 'TIME_SUB':
      arity(2);
      return scalar(`(${e(0)} - ${e(1)})`);
    case 'DATE_ADD':
      arity(2);
      return scalar(`CAST(${e(0)} + ${e(1)} AS DATE)`);
    case 'DATE_SUB':
      arity(2);
      return scalar(`CAST(${e(0)} - ${e(1)} AS DATE)`);
    case 'TIMESTAMP_DIFF':
      arity(3);
      return scalar(`date_sub('${datePart(args[2], name).toLowerCase()}', ${e(1)}, ${e(0)})`);
    case 'DATE_DIFF':
    case 'DATETIME_DIFF':
      arity(3);
      return scalar(`date_diff('${datePart(args[2], name).toLowerCase()}', ${e(1)}, ${e(0)})`);
    case 'UNIX_MICROS':
      arity(1);
      return scalar(`epoch_us(${e(0)})`);
    case 'UNIX_MILLIS':
      arity(1);
      return scalar(`CAST(floor(epoch_us(${e(0)}) / 1000) AS BIGINT)`);
    case 'UNIX_SECONDS':
      arity(1);
      return scalar(`CAST(floor(epoch_us(${e(0)}) / 1000000) AS BIGINT)`);
    case 'UNIX_DATE':
      arity(1);
      return scalar(`date_diff('day', DATE '1970-01-01', ${e(0)})`);
    case 'DATE_FROM_UNIX_DATE':
      arity(1);
      return scalar(`CAST(DATE '1970-01-01' + CAST(${e(0)} AS INTEGER) AS DATE)`);
    case 'TIMESTAMP_MICROS':
      arity(1);
      return scalar(`CAST(make_timestamp(CAST(${e(0)} AS BIGINT)) AS TIMESTAMPTZ)`);
    case 'TIMESTAMP_MILLIS':
      arity(1);
      return scalar(`CAST(make_timestamp(CAST(${e(0)} AS BIGINT) * 1000) AS TIMESTAMPTZ)`);
    case 'TIMESTAMP_SECONDS':
      arity(1);
      return scalar(`CAST(make_timestamp(CAST(${e(0)} AS BIGINT) * 1000000) AS TIMESTAMPTZ)`);
    case 'TIMESTAMP':
      arity(1, 2);
      return scalar(args.length === 2 ? `timezone(${e(1)}, CAST(${e(0)} AS TIMESTAMP))` : `CAST(${e(0)} AS TIMESTAMPTZ)`);
    case 'DATE':
      if (args.length === 3) return scalar(`make_date(CAST(${e(0)} AS BIGINT), CAST(${e(1)} AS BIGINT), CAST(${e(2)} AS BIGINT))`);
      arity(1, 2);
      return scalar(args.length === 2 ? `CAST(timezone(${e(1)}, ${e(0)}) AS DATE)` : `CAST(${e(0)} AS DATE)`);
    case 'DATETIME':
      if (args.length === 6) return scalar(`make_timestamp(${[0, 1, 2, 3, 4, 5].map(e).join(', ')})`);
      arity(1, 2);
      if (args.length === 2) return scalar(`timezone(${e(1)}, ${e(0)})`);
      return scalar(`CAST(${e(0)} AS TIMESTAMP)`);
    case 'TIME':
      if (args.length === 3) return scalar(`make_time(${e(0)}, ${e(1)}, ${e(2)})`);
      arity(1);
      return scalar(`CAST(${e(0)} AS TIME)`);
    case 'CURRENT_TIMESTAMP':
      arity(0);
      return scalar('get_current_timestamp()');
    case 'CURRENT_DATE':
      arity(0, 1);
      return scalar(args.length ? `CAST(timezone(${e(0)}, get_current_timestamp()) AS DATE)` : 'CAST(get_current_timestamp() AS DATE)');
    case 'CURRENT_DATETIME':
      arity(0, 1);
      return scalar(args.length ? `timezone(${e(0)}, get_current_timestamp())` : 'CAST(get_current_timestamp() AS TIMESTAMP)');
    case 'CURRENT_TIME':
      arity(0, 1);
      return scalar(args.length ? `CAST(timezone(${e(0)}, get_current_timestamp()) AS TIME)` : 'CAST(get_current_timestamp() AS TIME)');
    case 'EXTRACT': {
      arity(1);
      const parts = args[0];
      const part = upper(parts[0]);
      if (!isIdent(parts[1], 'FROM')) fail('Syntax error: EXTRACT needs <part> FROM <value>');
      const atZone = parts.findIndex((p, k) => k > 2 && isIdent(p, 'AT') && isIdent(parts[k + 1], 'TIME') && isIdent(parts[k + 2], 'ZONE'));
      const valueNodes = atZone > 0 ? parts.slice(2, atZone) : parts.slice(2);
      let value = `(${cx.seq(valueNodes).trim()})`;
      if (atZone > 0) value = `timezone((${cx.seq(parts.slice(atZone + 3)).trim()}), ${value})`;
      if (part === 'DAYOFWEEK') return scalar(`(dayofweek(${value}) + 1)`);
      if (part === 'DATE') return scalar(`CAST(${value} AS DATE)`);
      if (part === 'TIME') return scalar(`CAST(${value} AS TIME)`);
      if (part === 'ISOWEEK') return scalar(`week(${value})`);
      if (part === 'WEEK') return scalar(`CAST(floor((dayofyear(${value}) - 1 + dayofweek(date_trunc('year', ${value}))) / 7) AS BIGINT)`);
      // DuckDB counts the seconds into MICROSECOND and MILLISECOND; GoogleSQL gives the fraction only.
      if (part === 'MICROSECOND') return scalar(`(EXTRACT(microsecond FROM ${value}) % 1000000)`);
      if (part === 'MILLISECOND') return scalar(`(EXTRACT(millisecond FROM ${value}) % 1000)`);
      if (!DATE_PARTS.has(part)) fail(`A valid date part name is required in EXTRACT: ${part}`);
      return scalar(`EXTRACT(${part.toLowerCase()} FROM ${value})`);
    }
    case 'FORMAT_TIMESTAMP':
    case 'FORMAT_DATETIME':
    case 'FORMAT_DATE':
    case 'FORMAT_TIME': {
      arity(2, 3);
      const pattern = formatString(args[0], cx, args.length === 3, fail);
      return scalar(args.length === 3 ? `strftime(timezone(${e(2)}, ${e(1)}), ${pattern})` : `strftime(${e(1)}, ${pattern})`);
    }
    case 'PARSE_TIMESTAMP':
      arity(2, 3);
      return scalar(args.length === 3 ? `timezone(${e(2)}, strptime(${e(1)}, ${e(0)}))` : `CAST(strptime(${e(1)}, ${e(0)}) AS TIMESTAMPTZ)`);
    case 'PARSE_DATETIME':
      arity(2);
      return scalar(`CAST(strptime(${e(1)}, ${e(0)}) AS TIMESTAMP)`);
    case 'PARSE_DATE':
      arity(2);
      return scalar(`CAST(strptime(${e(1)}, ${e(0)}) AS DATE)`);
    case 'CAST':
    case 'SAFE_CAST': {
      arity(1);
      const parts = args[0];
      const asAt = parts.findIndex((p) => isIdent(p, 'AS'));
      if (asAt < 1) fail(`Syntax error: ${name} needs <value> AS <type>`);
      const type = translateType(parts, asAt + 1);
      if (asAt + 1 + type.used !== parts.length) fail(`${name} ... FORMAT is not supported by the local server`);
      return scalar(`${name === 'CAST' ? 'CAST' : 'TRY_CAST'}((${cx.seq(parts.slice(0, asAt)).trim()}) AS ${type.sql})`);
    }
    case 'COUNTIF':
      arity(1);
      return overRows(`count_if(${cx.seq(args[0]).trim()})`);
    case 'LOGICAL_AND':
      return overRows(`bool_and(${cx.seq(group.items).trim()})`);
    case 'LOGICAL_OR':
      return overRows(`bool_or(${cx.seq(group.items).trim()})`);
    case 'APPROX_COUNT_DISTINCT':
      return overRows(`approx_count_distinct(${cx.seq(group.items).trim()})`);
    case 'APPROX_QUANTILES': {
      arity(2);
      const countNodes = args[1].filter((p): boolean => !isIdent(p, 'IGNORE') && !isIdent(p, 'RESPECT') && !isIdent(p, 'NULLS'));
      const count = Number(countNodes.map((p) => (isTok(p) ? p.tok.text : '')).join(''));
      if (!Number.isInteger(count) || count < 1 || count > 100000) fail('APPROX_QUANTILES needs a positive integer literal number of quantiles');
      const fractions = Array.from({ length: count + 1 }, (_, k) => String(k / count));
      return overRows(`quantile_disc(${e(0)}, [${fractions.join(', ')}])`);
    }
    case 'ARRAY_LENGTH':
      arity(1);
      return scalar(`len(${e(0)})`);
    case 'ARRAY_CONCAT':
      if (args.length < 1) arity(1, Infinity);
      return scalar(args.map((_, k) => e(k)).reduce((acc, x) => `list_concat(${acc}, ${x})`));
    case 'ARRAY_REVERSE':
      arity(1);
      return scalar(`list_reverse(${e(0)})`);
    case 'GENERATE_ARRAY':
      arity(2, 3);
      return scalar(`generate_series(${args.map((_, k) => e(k)).join(', ')})`);
    case 'STRUCT': {
      const entries = args.map((a, k) => {
        const asAt = a.findIndex((p) => isIdent(p, 'AS'));
        if (asAt > 0) {
          const alias = a[asAt + 1] as TokNode;
          return `${quoteIdent(alias.tok.value ?? alias.tok.text)} := (${cx.seq(a.slice(0, asAt)).trim()})`;
        }
        const last = a[a.length - 1];
        const inferred = a.length === 1 || (a.length >= 3 && isTok(a[a.length - 2], '.')) ? (isTok(last) ? (last.tok.value ?? last.tok.text) : undefined) : undefined;
        return `${quoteIdent(inferred ?? `_field_${k + 1}`)} := (${cx.seq(a).trim()})`;
      });
      return scalar(`struct_pack(${entries.join(', ')})`);
    }
    case 'STARTS_WITH':
      arity(2);
      return scalar(`starts_with(${e(0)}, ${e(1)})`);
    case 'ENDS_WITH':
      arity(2);
      return scalar(`suffix(${e(0)}, ${e(1)})`);
    case 'REGEXP_CONTAINS':
      arity(2);
      return scalar(`regexp_matches(${e(0)}, ${e(1)})`);
    case 'REGEXP_EXTRACT': {
      arity(2);
      const pattern = args[1].length === 1 && isTok(args[1][0]) ? (args[1][0].tok.value ?? '') : '';
      const hasGroup = /\((?!\?)/.test(pattern.replace(/\\./g, ''));
      return scalar(`regexp_extract(${e(0)}, ${e(1)}, ${hasGroup ? 1 : 0})`);
    }
    case 'REGEXP_REPLACE':
      arity(3);
      return scalar(`regexp_replace(${e(0)}, ${e(1)}, ${e(2)}, 'g')`);
    case 'SPLIT':
      arity(1, 2);
      return scalar(`string_split(${e(0)}, ${args[1] ? e(1) : "','"})`);
    case 'FORMAT':
      if (args.length < 1) arity(1, Infinity);
      return scalar(`printf(${args.map((_, k) => e(k)).join(', ')})`);
    case 'TO_JSON_STRING':
      arity(1, 2);
      return scalar(`CAST(to_json(${e(0)}) AS VARCHAR)`);
    case 'TO_JSON':
      arity(1, 2);
      return scalar(`to_json(${e(0)})`);
    case 'PARSE_JSON':
      arity(1, 2);
      return scalar(`CAST(${e(0)} AS JSON)`);
    case 'JSON_VALUE':
    case 'JSON_EXTRACT_SCALAR':
      arity(1, 2);
      return scalar(`json_extract_string(${e(0)}, ${args[1] ? e(1) : "'$'"})`);
    case 'JSON_QUERY':
    case 'JSON_EXTRACT':
      arity(1, 2);
      return scalar(`json_extract(${e(0)}, ${args[1] ? e(1) : "'$'"})`);
    case 'JSON_QUERY_ARRAY':
    case 'JSON_EXTRACT_ARRAY':
      arity(1, 2);
      return scalar(`CAST(json_extract(${e(0)}, ${args[1] ? e(1) : "'$'"}) AS JSON[])`);
    case 'JSON_VALUE_ARRAY':
    case 'JSON_EXTRACT_STRING_ARRAY':
      arity(1, 2);
      return scalar(`CAST(json_extract(${e(0)}, ${args[1] ? e(1) : "'$'"}) AS VARCHAR[])`);
    case 'INT64':
      arity(1);
      return scalar(`CAST(${e(0)} AS BIGINT)`);
    case 'FLOAT64':
      arity(1);
      return scalar(`CAST(${e(0)} AS DOUBLE)`);
    case 'BOOL':
      arity(1);
      return scalar(`CAST(${e(0)} AS BOOLEAN)`);
    case 'STRING':
      arity(1, 2);
      return scalar(args.length === 2 ? `CAST(timezone(${e(1)}, ${e(0)}) AS VARCHAR)` : `CAST(${e(0)} AS VARCHAR)`);
    case 'GENERATE_UUID':
      arity(0);
      return scalar('CAST(uuid() AS VARCHAR)');
    case 'BYTE_LENGTH':
      arity(1);
      return scalar(`octet_length(CAST(${e(0)} AS BLOB))`);
    case 'LOG':
      arity(1, 2);
      return scalar(args.length === 2 ? `(ln(${e(0)}) / ln(${e(1)}))` : `ln(${e(0)})`);
  }
  const direct = DIRECT[name];
  if (!direct) return fail(`Function not found: ${nameNode.tok.value ?? nameNode.tok.text}`);
  const sql = `${direct.duck}(${cx.seq(group.items).trim()})`;
  return direct.kind === 'scalar' ? scalar(sql) : overRows(sql);
}

/** A call through a dotted or backquoted name (`SAFE.DIVIDE(...)`, `main.read_text(...)`): no such function locally. */
export function unknownPathCall(path: string, at: Node, sql: string): BigQueryError {
  if (/^safe\./i.test(path)) return invalidQuery(`SAFE.-prefixed functions are not supported by the local server at ${positionOf(sql, offsetOf(at))}`);
  return invalidQuery(`Function not found: ${path} at ${positionOf(sql, offsetOf(at))}`);
}
