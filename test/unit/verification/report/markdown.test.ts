/**
 * The Markdown report as GitHub renders it (markdown-it with GFM tables and autolinks stands
 * in for GitHub's renderer): for_each keys holding Markdown, HTML or backticks show verbatim
 * and inject nothing; a huge plan stays under the comment limit with every section.
 */
import MarkdownIt from 'markdown-it';
import { verifyPath } from '../../../../verification/engine/verify';
import type { RuleResult, VerificationReport } from '../../../../verification/engine/types';
import { code, md, renderMarkdown } from '../../../../verification/report/markdown';
import { clone, fixture, SPEC, TODAY } from '../helpers';

const renderer = new MarkdownIt({ html: true, linkify: true });
const KEYS = ['<script>alert(1)</script>', 'a|b`c', '![x](https://evil.example/p.png)', 'x\ufffey', ']]>&"\'', 'line\nbreak'];

/** Cells of the rows of the table under a heading, as the renderer sees them. */
function tableAfter(html: string, heading: string): string[][] {
  const at = html.indexOf(heading);
  const table = html.slice(html.indexOf('<tbody>', at), html.indexOf('</tbody>', at));
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]));
}

const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

describe('Markdown escaping', () => {
  const report = verifyPath(fixture('plan-weird-keys.json'), { spec: SPEC, today: TODAY });
  const text = renderMarkdown(report);
  const html = renderer.render(text);

  it('injects no image, script or raw HTML from for_each keys', () => {
    expect(html).not.toMatch(/<img|<script/);
    expect(html).not.toContain('evil.example/p.png"');
  });

  it('shows every address verbatim in a code span of its own table cell', () => {
    const rows = tableAfter(html, 'What blocks');
    for (const row of rows) expect(row).toHaveLength(5);
    const shown = rows.map((r) => /^<code>([\s\S]*)<\/code>$/.exec(r[2])?.[1]).filter((a): a is string => a !== undefined).map(decode);
    const replaced = report.results.filter((r) => r.rule === 'stateful-resource-not-destroyed' && r.status === 'fail').map((r) => r.address!);
    expect(replaced).toHaveLength(KEYS.length);
    for (const address of replaced) expect(shown).toContain(address);
    expect(replaced).toContain('google_pubsub_subscription.s["a|b`c"]');
    expect(replaced).toContain('google_pubsub_subscription.s["![x](https://evil.example/p.png)"]');
  });

  it('code spans survive backticks and pipes; md escapes what starts links and emphasis', () => {
    const one = (s: string) => renderer.renderInline(s);
    expect(one(code('a`b'))).toBe('<code>a`b</code>');
    expect(one(code('`x`'))).toBe('<code>`x`</code>');
    const escaped = one(md('![x](http://e/p.png) *b* _i_ ~~s~~ <b> [l](http://e)'));
    expect(escaped).not.toMatch(/<img|<em>|<strong>|<s>|<b>/);
    expect(one(md('*b* _i_ ~~s~~ <b> [l](x)'))).toBe('*b* _i_ ~~s~~ &lt;b&gt; [l](x)');
    const table = renderer.render(`| a | b |\n|---|---|\n| ${code('x|y', true)} | ${md('p|q')} |\n`);
    expect(tableAfter(table, '')).toEqual([['<code>x|y</code>', 'p|q']]);
  });
});

describe('Markdown size', () => {
  const base = verifyPath(fixture('plan-replace-bigtable-instance.json'), { spec: SPEC, today: TODAY });
  // A 10,000-resource plan: a finding and a warning per resource.
  const huge: VerificationReport = clone(base);
  const template = base.results.find((r) => r.status === 'fail')!;
  huge.results = Array.from({ length: 10_000 }, (_, i): RuleResult => ({ ...template, address: `module.m["k${i}"].google_pubsub_subscription.s`, message: `${template.message} `.repeat(3) }));
  huge.warnings = Array.from({ length: 10_000 }, (_, i) => `warning ${i}: ${'x'.repeat(200)}`);
  huge.components = huge.components.map((c) => ({ ...c, resources: Array.from({ length: 2_000 }, (_, i) => `google_x.${c.id}_${i}`) }));
  const text = renderMarkdown(huge);
  const html = renderer.render(text);

  it('stays under the comment limit with the cost and latency sections whole', () => {
    expect(text.length).toBeLessThanOrEqual(60_000);
    expect(text).toContain('### Cost:');
    expect(text).toContain('### Latency:');
    expect(text).not.toContain('(truncated');
  });

  it('caps the blocking table with a row saying how many more', () => {
    const rows = tableAfter(html, 'What blocks (10000)');
    const shown = rows.length - 1;
    expect(shown).toBeGreaterThanOrEqual(10);
    for (const row of rows) expect(row).toHaveLength(5);
    expect(rows[rows.length - 1][3]).toBe(`… and ${10_000 - shown} more (see the full report artifact)`);
  });
});
