/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts colour, cursor, title and
 * hyperlink sequences; CR and backspace overwrite), DEL, C1 controls (0x9b is a one-byte CSI) and the
 * bidi overrides that reorder what is shown. A CSR's CN, a certificate's subject, a node's name from an
 * old vault or a backup, an error quoting any of them: none may drive the user's terminal.
 */
const TERMINAL_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const TERMINAL_CONTROLS_AND_LINE_BREAKS = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

function escaped(c: string): string {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** Human output as the terminal should show it: controls become visible `\xHH` text; line breaks and tabs stay. */
export function printable(text: string): string {
  return text.replace(TERMINAL_CONTROLS, escaped);
}

/** One line or one table cell: line breaks and tabs are escaped too, so a value cannot fake another line. */
export function printableLine(text: string): string {
  return text.replace(TERMINAL_CONTROLS_AND_LINE_BREAKS, escaped);
}

/**
 * `--json` output: JSON.stringify already writes C0 controls as \u escapes; the C1 and bidi ones it
 * leaves raw are written the same way (still valid JSON, same values), since JSON is often read on a terminal.
 */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(/[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Plain-text table with a header row; columns padded to their widest cell. */
export function table(header: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map(printableLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function kv(pairs: Array<[string, string]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${printableLine(v)}`).join('\n');
}
