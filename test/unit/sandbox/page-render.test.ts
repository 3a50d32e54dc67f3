import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Block, ElementEntry, RenderContext } from '../../../src/sandbox/page/types.js';

/**
 * The sandbox page's Block Kit renderer (plain browser JavaScript building HTML strings, so no DOM is
 * needed), run under Node: each block and element type it supports renders its structure, registers
 * its interactive elements, and unknown ones stay visible as placeholders.
 */
const PAGE = join(import.meta.dirname, '../../../src/sandbox/page');
const { renderBlocks } = (await import(pathToFileURL(join(PAGE, 'render.js')).href)) as {
  renderBlocks: (blocks: Block[], ctx: RenderContext) => string;
};

function render(
  blocks: Block[],
  surface: RenderContext['surface'] = 'message',
  errors?: Record<string, string>,
) {
  const registered: ElementEntry[] = [];
  const html = renderBlocks(blocks, {
    surface,
    md: { userName: (id) => (id === 'U1' ? 'Ada' : undefined) },
    users: [{ id: 'U1', realName: 'Ada' }],
    channels: [{ id: 'C1', name: 'general', kind: 'channel' }],
    ...(errors ? { errors } : {}),
    register: (entry) => {
      registered.push(entry);
      return `main:${registered.length - 1}`;
    },
  });
  return { html, registered };
}

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });

describe('renderBlocks', () => {
  it('wraps every block with its id and type', () => {
    const { html } = render([{ type: 'divider', block_id: 'd1' }]);
    expect(html).toBe('<div class="block divider" data-block-id="d1" data-block-type="divider"><hr></div>');
  });

  it('renders header, section (text, fields, accessory) and context', () => {
    const { html, registered } = render([
      { type: 'header', text: plain('Tasks <3') },
      {
        type: 'section',
        block_id: 's1',
        text: mrkdwn('*Nightly* for <@U1>'),
        fields: [mrkdwn('_a_'), plain('b')],
        accessory: { type: 'button', action_id: 'open', text: plain('Open'), value: 'v' },
      },
      {
        type: 'context',
        elements: [mrkdwn('ctx'), { type: 'image', image_url: 'https://x/i.png', alt_text: 'i' }],
      },
    ]);
    expect(html).toContain('<h3>Tasks &lt;3</h3>');
    expect(html).toContain(
      '<div class="section-text"><strong>Nightly</strong> for <span class="mention" data-user="U1">@Ada</span></div>',
    );
    expect(html).toContain(
      '<div class="fields"><div class="field"><em>a</em></div><div class="field">b</div></div>',
    );
    expect(html).toContain(
      '<div class="accessory"><button type="button" class="btn" data-el="main:0" data-action-id="open" data-element-type="button">Open</button></div>',
    );
    expect(html).toContain('<span>ctx</span><img class="context-image" src="https://x/i.png" alt="i">');
    expect(registered).toEqual([
      expect.objectContaining({
        blockId: 's1',
        dispatch: true,
        input: false,
        element: expect.objectContaining({ action_id: 'open' }),
      }),
    ]);
  });

  it('renders actions with buttons of each style, an overflow and a select', () => {
    const { html, registered } = render([
      {
        type: 'actions',
        block_id: 'a1',
        elements: [
          { type: 'button', action_id: 'run', text: plain('Run'), style: 'primary' },
          { type: 'button', action_id: 'del', text: plain('Delete'), style: 'danger' },
          { type: 'button', action_id: 'docs', text: plain('Docs'), url: 'https://docs.example' },
          { type: 'overflow', action_id: 'more', options: [{ text: plain('Pause'), value: 'p' }] },
          {
            type: 'static_select',
            action_id: 'pick',
            options: [
              { text: plain('One'), value: '1' },
              { text: plain('Two'), value: '2' },
            ],
            initial_option: { text: plain('Two'), value: '2' },
          },
        ],
      },
    ]);
    expect(html).toContain('class="btn btn-primary" data-el="main:0"');
    expect(html).toContain('class="btn btn-danger" data-el="main:1"');
    expect(html).toContain('data-url="https://docs.example" title="https://docs.example">Docs</button>');
    expect(html).toContain(
      '<button type="button" class="btn overflow" aria-label="More actions" data-el="main:3"',
    );
    expect(html).toMatch(
      /<select class="select" data-el="main:4"[^>]*><option value="" >Select an item<\/option><option value="0" >One<\/option><option value="1" selected>Two<\/option><\/select>/,
    );
    expect(registered.map((entry) => [entry.element.action_id, entry.dispatch])).toEqual([
      ['run', true],
      ['del', true],
      ['docs', true],
      ['more', true],
      ['pick', true],
    ]);
  });

  it('renders input blocks in a modal: label, optional mark, hint, error, data-input', () => {
    const { html, registered } = render(
      [
        {
          type: 'input',
          block_id: 'name',
          label: plain('Name'),
          hint: plain('Unique'),
          element: { type: 'plain_text_input', action_id: 'v', initial_value: 'a"b', max_length: 80 },
        },
        {
          type: 'input',
          block_id: 'note',
          optional: true,
          label: plain('Note'),
          element: { type: 'plain_text_input', action_id: 'n', multiline: true },
        },
      ],
      'modal',
      { name: 'Taken <already>' },
    );
    expect(html).toContain(
      '<div class="block input has-error" data-block-id="name" data-block-type="input" data-optional="false">',
    );
    expect(html).toContain('<label class="input-label">Name</label>');
    expect(html).toContain(
      '<input type="text" class="text-input" value="a&quot;b" data-el="main:0" data-action-id="v" data-element-type="plain_text_input" data-input maxlength="80" data-trigger-on="on_enter_pressed">',
    );
    expect(html).toContain(
      '<div class="hint">Unique</div><div class="field-error" role="alert">Taken &lt;already&gt;</div>',
    );
    expect(html).toContain('data-optional="true"');
    expect(html).toContain('<span class="optional">(optional)</span>');
    expect(html).toContain('<textarea class="text-input" rows="3" data-el="main:1"');
    expect(registered.map((entry) => [entry.dispatch, entry.input])).toEqual([
      [false, true],
      [false, true],
    ]);
  });

  it('renders the other input elements', () => {
    const element = (type: string, extra: Record<string, unknown> = {}) => ({
      type: 'input',
      block_id: type,
      label: plain(type),
      element: { type, action_id: type, ...extra },
    });
    const options = [
      { text: plain('A'), value: 'a' },
      { text: plain('B'), value: 'b' },
    ];
    const { html } = render(
      [
        element('number_input', { is_decimal_allowed: true, min_value: '1', initial_value: '2' }),
        element('multi_static_select', { options, initial_options: [options[1]] }),
        element('checkboxes', { options, initial_options: [options[0]] }),
        element('radio_buttons', { options, initial_option: options[1] }),
        element('conversations_select', { initial_conversation: 'C1' }),
        element('users_select', { initial_user: 'U1' }),
        element('datepicker', { initial_date: '2026-01-02' }),
        element('timepicker', { initial_time: '03:04' }),
      ] as Block[],
      'modal',
    );
    expect(html).toContain('<input type="number" class="text-input" step="any" min="1" value="2"');
    expect(html).toMatch(
      /<select class="select multi" multiple size="2"[^>]*><option value="0" >A<\/option><option value="1" selected>B<\/option>/,
    );
    expect(html).toMatch(/<input type="checkbox" name="elmain:2" value="0" checked>/);
    expect(html).toMatch(/<input type="radio" name="elmain:3" value="1" checked>/);
    expect(html).toContain('<option value="C1" selected>#general</option>');
    expect(html).toContain('<option value="U1" selected>Ada</option>');
    expect(html).toContain('<input type="date" class="text-input date" value="2026-01-02"');
    expect(html).toContain('<input type="time" class="text-input time" value="03:04"');
  });

  it('renders image and rich_text blocks', () => {
    const { html } = render([
      { type: 'image', image_url: 'https://x/chart.png', alt_text: 'chart', title: plain('Runs') },
      {
        type: 'rich_text',
        elements: [
          {
            type: 'rich_text_section',
            elements: [
              { type: 'text', text: 'bold', style: { bold: true } },
              { type: 'user', user_id: 'U1' },
            ],
          },
          {
            type: 'rich_text_list',
            style: 'ordered',
            elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] }],
          },
          { type: 'rich_text_preformatted', elements: [{ type: 'text', text: '<x>' }] },
          { type: 'rich_text_quote', elements: [{ type: 'link', url: 'https://a.example', text: 'a' }] },
        ],
      },
    ] as Block[]);
    expect(html).toContain('<div class="image-title">Runs</div><img src="https://x/chart.png" alt="chart">');
    expect(html).toContain(
      '<div><strong>bold</strong><span class="mention" data-user="U1">@Ada</span></div>',
    );
    expect(html).toContain('<ol><li>one</li></ol>');
    expect(html).toContain('<pre class="code-block">&lt;x&gt;</pre>');
    expect(html).toContain(
      '<blockquote><a href="https://a.example" target="_blank" rel="noopener">a</a></blockquote>',
    );
  });

  it('shows unknown blocks and elements as placeholders, escaped', () => {
    const { html } = render([
      { type: '<video>' },
      { type: 'actions', elements: [{ type: 'workflow_button' }] },
    ]);
    expect(html).toContain('Unsupported block: <code>&lt;video&gt;</code>');
    expect(html).toContain('Unsupported element: <code>workflow_button</code>');
  });
});
