import { describe, expect, it } from 'vitest';
import { codeBlock, escapeMrkdwn, truncateText } from '../../../src/blockkit/mrkdwn.js';
import { closestMatches, editDistance } from '../../../src/domain/fuzzy-match.js';
import { parseTasksCommand, tokenize } from '../../../src/slack/parse-command.js';

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['a & b', 'a &amp; b'],
    ['&lt;', '&amp;lt;'],
    ['<@U123|bob>', '&lt;@U123|bob&gt;'],
    ['plain', 'plain'],
  ])('%s → %s', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('keeps code blocks closed and escaped', () => {
    expect(codeBlock('a ``` <b>')).toBe("```a ''' &lt;b&gt;```");
    expect(codeBlock('')).toBe('``` ```');
  });

  it('truncates on code points with an ellipsis', () => {
    expect(truncateText('abcdef', 4)).toBe('abc…');
    expect(truncateText('😀😀😀', 2)).toBe('😀…');
    expect(truncateText('abc', 3)).toBe('abc');
  });
});

describe('did you mean', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['abcd', 'abdc', 1],
    ['Backup', 'backup', 0],
  ])('distance(%s, %s) = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  const names = ['nightly backup', 'logs cleanup', 'daily report', 'Rate-limit clean-up'];
  it.each([
    ['nightly bakcup', ['nightly backup']],
    ['report', ['daily report']],
    ['cleanup', ['logs cleanup']],
    ['zzz', []],
    ['', []],
  ])('%s → %j', (query, expected) => {
    expect(closestMatches(query, names)).toEqual(expected);
  });
});

describe('parseTasksCommand', () => {
  it.each([
    ['', { kind: 'command', name: 'help', args: [], rest: '' }],
    [
      'run nightly backup',
      { kind: 'command', name: 'run', args: ['nightly', 'backup'], rest: 'nightly backup' },
    ],
    [
      'PAUSE "nightly backup" disk full',
      {
        kind: 'command',
        name: 'pause',
        args: ['nightly backup', 'disk', 'full'],
        rest: '"nightly backup" disk full',
      },
    ],
    ['frobnicate x', { kind: 'unknown', word: 'frobnicate' }],
  ])('%s', (text, expected) => {
    expect(parseTasksCommand(text)).toEqual(expected);
  });

  it('understands curly quotes as typed on phones', () => {
    expect(tokenize('“nightly backup” now')).toEqual(['nightly backup', 'now']);
  });
});
