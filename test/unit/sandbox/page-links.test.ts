import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The sandbox page's renderer (plain browser JavaScript, string in, HTML out, so it runs under Node
 * too): no URL other than http(s) or mailto becomes a link or a button's target, whatever form of
 * Block Kit or mrkdwn carries it (docs/RELIABILITY.md, "Review findings (security)" 13).
 */
const PAGE = join(import.meta.dirname, '../../../src/sandbox/page');
type Render = (blocks: unknown[], ctx: Record<string, unknown>) => string;
const { renderBlocks } = (await import(pathToFileURL(join(PAGE, 'render.js')).href)) as {
  renderBlocks: Render;
};
const { safeLinkUrl } = (await import(pathToFileURL(join(PAGE, 'mrkdwn.js')).href)) as {
  safeLinkUrl: (url: unknown) => string | undefined;
};

const HOSTILE = [
  'javascript:alert(1)',
  'JAVASCRIPT:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'slack://channel?team=T0&id=C0',
  '//evil.example/x',
];

function render(blocks: unknown[]): string {
  let next = 0;
  return renderBlocks(blocks, { surface: 'message', register: () => next++, md: {} });
}

/** Every URL-bearing attribute of the HTML: href, data-url, src, action, formaction. */
function targets(html: string): string[] {
  return [...html.matchAll(/\s(href|data-url|src|action|formaction)="([^"]*)"/g)].map((match) =>
    match[2]!.replaceAll('&amp;', '&'),
  );
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('sandbox page links', () => {
  it('safeLinkUrl keeps http(s) and mailto, and nothing else', () => {
    for (const url of ['https://example.com/a', 'http://127.0.0.1:3000/', 'mailto:ops@example.com'])
      expect(safeLinkUrl(url)).toBe(url);
    for (const url of [...HOSTILE, '', undefined, 42]) expect(safeLinkUrl(url)).toBeUndefined();
  });

  it.each(HOSTILE)('renders %j as text in every form that can carry a link', (url) => {
    const html = render([
      section(`<${url}|plain>`),
      section(`<!date^1774747800^{date_num}^${url}|dated>`),
      {
        type: 'rich_text',
        elements: [{ type: 'rich_text_section', elements: [{ type: 'link', url, text: 'rich' }] }],
      },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'b', text: { type: 'plain_text', text: 'Button' }, url }],
      },
    ]);
    expect(targets(html)).toEqual([]);
    expect(html).toContain('plain');
    expect(html).toContain('rich');
    expect(html).toContain('Button');
  });

  it('links http(s) and mailto in the same forms', () => {
    const url = 'https://example.com/ok?a=1&b=2';
    const html = render([
      section(`<${url}|plain> <mailto:ops@example.com|mail>`),
      section(`<!date^1774747800^{date_num}^${url}|dated>`),
      {
        type: 'rich_text',
        elements: [{ type: 'rich_text_section', elements: [{ type: 'link', url, text: 'rich' }] }],
      },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'b', text: { type: 'plain_text', text: 'Button' }, url }],
      },
    ]);
    expect(targets(html)).toEqual([url, 'mailto:ops@example.com', url, url, url]);
  });
});
