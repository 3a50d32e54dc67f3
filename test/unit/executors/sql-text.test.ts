import { describe, expect, it } from 'vitest';
import { singleStatement } from '../../../src/executors/sql-text.js';

describe('singleStatement', () => {
  it.each([
    ['select 1', 'select 1'],
    ['select 1;', 'select 1'],
    ['select 1 ;  \n', 'select 1'],
    ['select 1; -- done', 'select 1'],
    ['select 1; /* done */ ;', 'select 1'],
    ['select 1 -- trailing comment', 'select 1 -- trailing comment'],
    ["select ';' as semi", "select ';' as semi"],
    ["select 'it''s; fine'", "select 'it''s; fine'"],
    ["select E'a\\'; b'", "select E'a\\'; b'"],
    ['select ";" from t', 'select ";" from t'],
    ['select $$ ; $$, $tag$ ; $$ ; $tag$', 'select $$ ; $$, $tag$ ; $$ ; $tag$'],
    ['select 1 /* a /* nested ; */ still ; comment */', 'select 1 /* a /* nested ; */ still ; comment */'],
    ['select $1::int', 'select $1::int'],
  ])('%j is one statement', (text, expected) => {
    expect(singleStatement(text)).toEqual({ ok: true, sql: expected });
  });

  it.each([
    'select 1; delete from users',
    'commit; delete from logs',
    "select 'a'; select 'b'",
    'select 1) as q; delete from users; select (1',
    'select 1 /* ; */; drop table x',
  ])('%j is refused', (text) => {
    expect(singleStatement(text)).toEqual({
      ok: false,
      reason: 'must be a single statement (found text after ";").',
    });
  });

  it('refuses empty text', () => {
    expect(singleStatement(' ; -- nothing')).toEqual({ ok: false, reason: 'is empty.' });
  });
});
