import { PAGE_WIDTH } from './chart-layout.ts';
import type { Table } from './tables.ts';

/** Every piece of text from a run goes through here: names and reasons are not trusted. */
export function escapeHtml(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

// Inline so that each index.html is one self-contained file (no external assets, no scripts).
// Tables fit the page: long words wrap at their break opportunities (see breakable), a word that
// still does not fit breaks where it overflows, and a table that still could not fit scrolls
// inside its own box instead of running off the page.
const BASE_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: ${PAGE_WIDTH}px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05em; margin-top: 1.4em; }
.table { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: .6em 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; vertical-align: top; overflow-wrap: break-word; }
th { background: #f4f4f4; text-align: left; } td.r { text-align: right; font-variant-numeric: tabular-nums; }
.chart { margin: 1em 0; max-width: 100%; overflow-x: auto; } .note { color: #555; } code { font-size: 12px; }
`;

/** Words longer than this get break opportunities in table cells. */
const LONG_WORD = 24;

/**
 * A cell's text, escaped, with a break opportunity (<wbr>) after each '-', ',', '/', '_', '=', ':'
 * inside a long word (an imported experiment name, a model id, a list of experiments), so a
 * table narrows by wrapping those, never by breaking a short word or a number.
 */
function breakable(text: string): string {
  return text
    .split(' ')
    .map((w) => (w.length > LONG_WORD ? escapeHtml(w).replace(/([-,/_=:])(?=.)/g, '$1<wbr>') : escapeHtml(w)))
    .join(' ');
}

/** A table, or a note when it has no rows; `rowClass` may tag rows for colour. */
export function htmlTable(t: Table, empty: string, rowClass: (row: string[]) => string = () => ''): string {
  if (t.rows.length === 0) return `<p class="note">${escapeHtml(empty)}</p>`;
  const head = t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = t.rows.map((r) => {
    const cls = rowClass(r);
    const cells = r.map((c, i) => `<td${t.align[i] === 'r' ? ' class="r"' : ''}>${breakable(c)}</td>`);
    return `<tr${cls ? ` class="${cls}"` : ''}>${cells.join('')}</tr>`;
  });
  return `<div class="table"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table></div>`;
}

export const section = (title: string, body: string) => `<h2>${escapeHtml(title)}</h2>\n${body}`;

export const para = (text: string, cls = '') => `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</p>`;

/** A whole page: the shared style plus the report's own rules, then the body blocks. */
export function htmlPage(title: string, css: string, body: readonly string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${BASE_CSS}${css}</style>`,
    '</head>',
    '<body>',
    ...body.filter((b) => b !== ''),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
