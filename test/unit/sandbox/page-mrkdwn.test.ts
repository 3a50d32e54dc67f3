import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MrkdwnContext } from '../../../src/sandbox/page/types.js';

/**
 * The sandbox page's mrkdwn renderer (plain browser JavaScript, string in, HTML out), run under Node:
 * Slack's formatting becomes the expected markup, and text never becomes markup of its own.
 */
const PAGE = join(import.meta.dirname, '../../../src/sandbox/page');
const { renderMrkdwn, renderPlain } = (await import(pathToFileURL(join(PAGE, 'mrkdwn.js')).href)) as {
  renderMrkdwn: (text: string, ctx?: MrkdwnContext) => string;
  renderPlain: (text: { text: string; emoji?: boolean }) => string;
};

const ctx: MrkdwnContext = {
  userName: (id) => ({ U0ADA: 'Ada Lovelace' })[id],
  channelName: (id) => ({ C0GENERAL: 'general' })[id],
  timeZone: 'UTC',
  nowMs: Date.UTC(2026, 0, 1),
};
const md = (text: string) => renderMrkdwn(text, ctx);

describe('renderMrkdwn', () => {
  it('renders bold, italic, strike and inline code', () => {
    expect(md('*bold* _italic_ ~strike~')).toBe('<strong>bold</strong> <em>italic</em> <del>strike</del>');
    expect(md('run `rm *all*` now')).toBe('run <code>rm *all*</code> now');
  });

  it('leaves marks inside words alone', () => {
    expect(md('snake_case_name and 2*3*4')).toBe('snake_case_name and 2*3*4');
  });

  it('renders code blocks as preformatted, unformatted text', () => {
    expect(md('before```\n*not bold* <@U0ADA>\n```after')).toBe(
      'before<pre class="code-block">*not bold* &lt;@U0ADA&gt;\n</pre>after',
    );
  });

  it('groups quoted lines in one blockquote', () => {
    expect(md('> one\n> *two*\nthree')).toBe('<blockquote>one<br><strong>two</strong></blockquote>three');
    expect(md('&gt; escaped quote')).toBe('<blockquote>escaped quote</blockquote>');
  });

  it('renders user, channel and special mentions', () => {
    expect(md('<@U0ADA>')).toBe('<span class="mention" data-user="U0ADA">@Ada Lovelace</span>');
    expect(md('<@U0NOBODY>')).toBe('<span class="mention" data-user="U0NOBODY">@U0NOBODY</span>');
    expect(md('<#C0ALERTS|alerts>')).toBe(
      '<span class="mention channel" data-channel-link="C0ALERTS">#alerts</span>',
    );
    expect(md('<#C0GENERAL>')).toBe(
      '<span class="mention channel" data-channel-link="C0GENERAL">#general</span>',
    );
    expect(md('<!here> <!channel>')).toBe(
      '<span class="mention">@here</span> <span class="mention">@channel</span>',
    );
  });

  it('renders links, with their label, and refuses other schemes', () => {
    expect(md('<https://example.com/a?b=1&amp;c=2|the docs>')).toBe(
      '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener">the docs</a>',
    );
    expect(md('<mailto:ops@example.com>')).toBe(
      '<a href="mailto:ops@example.com" target="_blank" rel="noopener">mailto:ops@example.com</a>',
    );
    expect(md('<javascript:alert(1)|click>')).toBe('click');
  });

  it("shows Slack's escapes as the characters they stand for, escaped once for HTML", () => {
    expect(md('a &lt;b&gt; &amp; c')).toBe('a &lt;b&gt; &amp; c');
    expect(md('&amp;lt; stays text')).toBe('&amp;lt; stays text');
    expect(md('"quotes" and \'apostrophes\'')).toBe('&quot;quotes&quot; and &#39;apostrophes&#39;');
  });

  it('never lets text become markup (XSS)', () => {
    const hostile = [
      '&lt;img src=x onerror=alert(1)&gt;',
      '<img src=x onerror=alert(1)>',
      '<@U1|"><img src=x onerror=alert(1)>>',
      '<#C1|<script>alert(1)</script>>',
      '*<b onmouseover=alert(1)>*',
      '```</pre><script>alert(1)</script>```',
      '`<iframe src=javascript:alert(1)>`',
      '<https://ok.example|"><svg onload=alert(1)>>',
    ];
    for (const text of hostile) {
      const html = md(text);
      expect(html, text).not.toMatch(/<(img|script|iframe|svg|b)\b/i);
      // An event handler attribute inside a real tag; as escaped text it is harmless.
      expect(html, text).not.toMatch(/<[a-z]+\b[^>]*\son\w+=/i);
    }
    expect(md('&lt;img src=x onerror=alert(1)&gt;')).toBe('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('renders emoji codes it knows and keeps the others as typed', () => {
    expect(md(':tada: :no_such_emoji:')).toBe('<span class="emoji" title=":tada:">🎉</span> :no_such_emoji:');
  });

  it('renders <!date^…> in the viewer zone, with its fallback as title', () => {
    const unix = Date.UTC(2026, 2, 29, 1, 30) / 1000;
    expect(md(`<!date^${unix}^{date_short} {time}|fallback>`)).toBe(
      `<time class="slack-date" datetime="2026-03-29T01:30:00.000Z" title="fallback">Mar 29, 2026 1:30</time>`,
    );
  });
});

describe('renderPlain', () => {
  it('escapes, with emoji unless emoji is false', () => {
    expect(renderPlain({ text: '<b>hi</b> :tada:' })).toBe(
      '&lt;b&gt;hi&lt;/b&gt; <span class="emoji" title=":tada:">🎉</span>',
    );
    expect(renderPlain({ text: ':tada:', emoji: false })).toBe(':tada:');
  });
});
