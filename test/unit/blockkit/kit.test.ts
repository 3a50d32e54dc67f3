import { describe, expect, it } from 'vitest';
import { formatRun, slackDate } from '../../../src/blockkit/dates.js';
import {
  actions,
  button,
  capBlocks,
  confirmDialog,
  context,
  fieldsSection,
  header,
  mrkdwn,
  option,
  plain,
  section,
} from '../../../src/blockkit/kit.js';
import { SLACK_LIMITS } from '../../../src/blockkit/limits.js';
import { blockProblems } from '../../support/fake-slack.js';

/** Characters as Slack counts them (code points): an emoji is one, not two UTF-16 units. */
const length = (text: string): number => Array.from(text).length;
/** A text one character longer than `max`, ending in an emoji so a cut that split it would show. */
const over = (max: number): string => `${'x'.repeat(max - 1)}🦊🦊`;

describe('blockkit constructors cut every text at its Slack limit', () => {
  const texts: [string, (text: string) => string, number][] = [
    ['plain text', (text) => plain(text).text, SLACK_LIMITS.sectionText],
    ['mrkdwn text', (text) => mrkdwn(text).text, SLACK_LIMITS.sectionText],
    ['section text', (text) => section(text).text?.text ?? '', SLACK_LIMITS.sectionText],
    ['header text', (text) => header(text).text.text, SLACK_LIMITS.headerText],
    ['field text', (text) => fieldsSection([text]).fields?.[0]?.text ?? '', SLACK_LIMITS.fieldText],
    [
      'context element',
      (text) => {
        const [element] = context([text]).elements;
        return element && 'text' in element ? element.text : '';
      },
      SLACK_LIMITS.sectionText,
    ],
    ['button text', (text) => button(text, 'a', 'v').text.text, SLACK_LIMITS.buttonText],
    ['button value', (text) => button('b', 'a', text).value ?? '', SLACK_LIMITS.actionValue],
    ['option text', (text) => option(text, 'v').text.text, SLACK_LIMITS.optionText],
    [
      'confirm title',
      (text) => confirmDialog(text, 't', 'c', 'd').title?.text ?? '',
      SLACK_LIMITS.confirmTitle,
    ],
    ['confirm text', (text) => confirmDialog('t', text, 'c', 'd').text.text, SLACK_LIMITS.confirmText],
    [
      'confirm button',
      (text) => confirmDialog('t', 't', text, 'd').confirm?.text ?? '',
      SLACK_LIMITS.confirmButton,
    ],
    [
      'deny button',
      (text) => confirmDialog('t', 't', 'c', text).deny?.text ?? '',
      SLACK_LIMITS.confirmButton,
    ],
  ];

  it.each(texts)('%s: kept whole at its limit, cut within it one character past it', (_, build, max) => {
    const exact = 'y'.repeat(max);
    expect(build(exact)).toBe(exact);
    const cut = build(over(max));
    expect(length(cut)).toBeLessThanOrEqual(max);
    // The cut never leaves half an emoji behind (a lone surrogate Slack would render as �).
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it.each(texts.filter(([what]) => what !== 'button value'))('%s: never empty', (_, build) => {
    expect(build('')).toBe(' ');
  });

  it('cuts lists to their counts: 10 fields, 10 context elements, 25 actions', () => {
    const many = Array.from({ length: 40 }, (_, i) => `item ${i}`);
    expect(fieldsSection(many).fields).toHaveLength(SLACK_LIMITS.fieldsPerSection);
    expect(context(many).elements).toHaveLength(SLACK_LIMITS.contextElements);
    const buttons = many.map((text) => button(text, `a_${text}`, text));
    expect(actions(buttons).elements).toHaveLength(SLACK_LIMITS.actionsElements);
  });

  it('refuses an option value past 150 characters: it is an id of ours, cutting it would pick another', () => {
    expect(option('t', 'v'.repeat(SLACK_LIMITS.optionValue)).value).toHaveLength(SLACK_LIMITS.optionValue);
    expect(() => option('t', 'v'.repeat(SLACK_LIMITS.optionValue + 1))).toThrow(/longer than 150/);
  });

  it('builds blocks the emulator accepts as Slack would, even from over-long input', () => {
    const long = over(5000);
    const blocks = [
      header(long),
      section(long),
      fieldsSection(
        Array.from({ length: 12 }, () => long),
        'fields',
      ),
      context(Array.from({ length: 12 }, () => long)),
      actions(
        [
          button(long, 'go', long, { style: 'primary', confirm: confirmDialog(long, long, long, long) }),
          button('', 'stop', '', { style: 'danger' }),
        ],
        'buttons',
      ),
    ];
    expect(blockProblems(blocks, 'message')).toEqual([]);
  });
});

describe('capBlocks', () => {
  const blocks = Array.from({ length: 60 }, (_, i) => section(`block ${i}`));

  it('keeps at most 50 blocks: the first 49 and the last one (the footer)', () => {
    const capped = capBlocks(blocks);
    expect(capped).toHaveLength(SLACK_LIMITS.blocksPerMessage);
    expect(capped.slice(0, 49)).toEqual(blocks.slice(0, 49));
    expect(capped.at(-1)).toBe(blocks.at(-1));
  });

  it('leaves a message within the limit as it is, and takes another maximum (a view’s 100)', () => {
    expect(capBlocks(blocks.slice(0, 50))).toEqual(blocks.slice(0, 50));
    expect(capBlocks(blocks, SLACK_LIMITS.blocksPerView)).toEqual(blocks);
    expect(capBlocks(blocks, 3)).toEqual([blocks[0], blocks[1], blocks[59]]);
  });
});

describe('slackDate', () => {
  const at = new Date('2026-11-28T10:05:00Z');
  const unix = at.getTime() / 1000;

  it.each(['en', 'fr'] as const)(
    '%s: Slack’s date token, with a fallback in the zone that names it',
    (locale) => {
      expect(slackDate(at, 'Europe/Paris', locale)).toBe(
        `<!date^${unix}^{date_short_pretty} {time}|2026-11-28 11:05 Europe/Paris>`,
      );
      expect(slackDate(at, 'UTC', locale)).toBe(
        `<!date^${unix}^{date_short_pretty} {time}|2026-11-28 10:05 UTC>`,
      );
      expect(slackDate(at, 'America/New_York', locale)).toContain('|2026-11-28 05:05 America/New_York>');
    },
  );

  it('takes the ISO strings alert payloads carry as well as dates', () => {
    expect(slackDate(at.toISOString(), 'Europe/Paris', 'en')).toBe(slackDate(at, 'Europe/Paris', 'en'));
  });

  it('rounds down to the second, as the token wants whole seconds', () => {
    expect(slackDate(new Date(at.getTime() + 999), 'UTC', 'en')).toBe(slackDate(at, 'UTC', 'en'));
  });

  it('writes the cron preview’s weekday in the reader’s language', () => {
    expect(formatRun(at, 'Europe/Paris', 'en')).toBe('Sat 2026-11-28 11:05');
    expect(formatRun(at, 'Europe/Paris', 'fr')).toBe('sam. 2026-11-28 11:05');
  });
});
