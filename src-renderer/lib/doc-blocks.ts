/**
 * The app's own Markdown documents (bundled at build time) as plain blocks the Help view renders as
 * text nodes: never HTML, so nothing in a document can run or load anything. Only what the docs
 * use: headings, fenced code, lists, tables, paragraphs; inline `code` is kept, links show their text.
 */
export type DocBlock =
  | { kind: 'heading'; level: number; text: string; id: string }
  | { kind: 'code'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; rows: string[][] }
  | { kind: 'para'; text: string };

/** Inline text as runs of plain text and code; [text](url) keeps only its text. */
export function inlineRuns(text: string): Array<{ code: boolean; text: string }> {
  const plain = text.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').replace(/\*\*([^*]+)\*\*/g, '$1');
  return plain.split('`').map((part, i) => ({ code: i % 2 === 1, text: part })).filter((r) => r.text !== '');
}

const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function docBlocks(markdown: string): DocBlock[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: DocBlock[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ kind: 'para', text: para.join(' ') });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (line.startsWith('```')) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) code.push(lines[i]!);
      blocks.push({ kind: 'code', text: code.join('\n') });
    } else if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]!, id: slug(heading[2]!) });
    } else if (/^\s*[-*]\s+/.test(line)) {
      flush();
      const items: string[] = [];
      for (; i < lines.length && /^\s*([-*]\s+|\s{2,}\S)/.test(lines[i]!); i++) {
        const item = lines[i]!.replace(/^\s*[-*]\s+/, '');
        if (/^\s*[-*]\s+/.test(lines[i]!)) items.push(item);
        else items[items.length - 1] += ` ${item.trim()}`;
      }
      i--;
      blocks.push({ kind: 'list', items });
    } else if (line.startsWith('|')) {
      flush();
      const rows: string[][] = [];
      for (; i < lines.length && lines[i]!.startsWith('|'); i++) {
        if (/^\|[\s|:-]+\|?$/.test(lines[i]!)) continue; // the header rule
        rows.push(lines[i]!.replace(/^\||\|$/g, '').split('|').map((c) => c.trim()));
      }
      i--;
      blocks.push({ kind: 'table', rows });
    } else if (line.trim() === '') {
      flush();
    } else {
      para.push(line.trim());
    }
  }
  flush();
  return blocks;
}
