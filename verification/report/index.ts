/** One entry for every report format. */
import type { VerificationReport } from '../engine/types';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderJunit } from './junit';
import { renderMarkdown } from './markdown';
import { renderSarif, type SarifOptions } from './sarif';
import { renderTable, type TableOptions } from './table';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'markdown', 'junit', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export type RenderOptions = TableOptions & SarifOptions;

export function renderReport(report: VerificationReport, format: ReportFormat, options: RenderOptions = {}): string {
  switch (format) {
    case 'table':
      return renderTable(report, options);
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, options);
    case 'markdown':
      return renderMarkdown(report);
    case 'junit':
      return renderJunit(report);
    case 'html':
      return renderHtml(report);
  }
}

export function isReportFormat(s: string): s is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(s);
}
