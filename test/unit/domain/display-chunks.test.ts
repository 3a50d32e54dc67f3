import { describe, expect, it } from 'vitest';
import { codeBlock } from '../../../src/blockkit/mrkdwn.js';
import { displayChunks } from '../../../src/domain/display-chunks.js';
import { fullTextPages } from '../../../src/slack/blocks/full-text-modal.js';

describe('displayChunks', () => {
  const cases: Record<string, string> = {
    empty: '',
    short: 'select 1',
    lines: Array.from({ length: 500 }, (_, i) => `select ${i} where a <> b & c;`).join('\n'),
    'one long line of entities': '<&>'.repeat(5000),
    'emoji and accents': 'é🙂'.repeat(4000),
    backticks: '```'.repeat(3000),
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`keeps every character and every piece within the limit: ${name}`, () => {
      const chunks = displayChunks(text, 3000, codeBlock);
      expect(chunks.join('')).toBe(text);
      for (const chunk of chunks) {
        expect(codeBlock(chunk).length).toBeLessThanOrEqual(3000);
        expect(chunk.length).toBeGreaterThan(0);
      }
    });
  }

  it('cuts after a newline when one is near the end of the piece', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i}`).join('\n');
    for (const chunk of displayChunks(text, 500, codeBlock).slice(0, -1))
      expect(chunk.endsWith('\n')).toBe(true);
  });
});

describe('fullTextPages', () => {
  it('pages the longest accepted SQL (100,000 characters, worst-case escaping) within a view', () => {
    const sql = '<'.repeat(100_000);
    const pages = fullTextPages(sql);
    expect(pages.flat().join('')).toBe(sql);
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(12);
  });
});
