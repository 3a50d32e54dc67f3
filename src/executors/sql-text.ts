/**
 * Just enough SQL lexing to find statement boundaries: quotes ('…', E'…', "…"), dollar quotes
 * ($tag$…$tag$), line comments and nested block comments.
 *
 * Safety never rests on this lexer alone: every statement found here is sent on its own with the
 * extended protocol, which PostgreSQL refuses when a string holds two statements, so a text this lexer
 * misreads fails instead of running more than it should. The lexer is what lets a script of several
 * statements run one statement at a time, and what names a transaction-control statement before it runs.
 */
export type SingleStatement = { ok: true; sql: string } | { ok: false; reason: string };

const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/** The top-level statements of `text`, trimmed, without terminators; comment-only pieces are dropped. */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasCode = false;
  let index = 0;
  const flush = (end: number) => {
    const body = text.slice(start, end).trim();
    if (hasCode && body !== '') statements.push(body);
    hasCode = false;
  };
  while (index < text.length) {
    const char = text[index]!;
    const next = text[index + 1];
    if (char === '-' && next === '-') {
      const newline = text.indexOf('\n', index);
      index = newline === -1 ? text.length : newline + 1;
      continue;
    }
    if (char === '/' && next === '*') {
      index = skipBlockComment(text, index);
      continue;
    }
    if (char === ';') {
      flush(index);
      index += 1;
      start = index;
      continue;
    }
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    hasCode = true;
    if (char === "'") {
      const escapes = index > 0 && /[Ee]/.test(text[index - 1]!);
      index = skipQuoted(text, index, "'", escapes);
    } else if (char === '"') {
      index = skipQuoted(text, index, '"', false);
    } else if (char === '$') {
      const tag = DOLLAR_TAG.exec(text.slice(index))?.[0];
      if (tag) {
        const close = text.indexOf(tag, index + tag.length);
        index = close === -1 ? text.length : close + tag.length;
      } else index += 1;
    } else index += 1;
  }
  flush(text.length);
  return statements;
}

/** The statement without its terminator, or why the text is not exactly one statement. */
export function singleStatement(text: string): SingleStatement {
  const statements = splitStatements(text);
  if (statements.length === 0) return { ok: false, reason: 'is empty.' };
  if (statements.length > 1)
    return { ok: false, reason: 'must be a single statement (found text after ";").' };
  // A trailing comment after the last `;` is not part of the statement.
  return { ok: true, sql: statements[0]! };
}

/**
 * Statements that would end, start or hand over the task's transaction: after a `COMMIT` the rest of a
 * script would run outside the transaction that carries its statement timeout and read-only mode.
 * `SAVEPOINT`, `RELEASE` and `ROLLBACK TO` stay inside the transaction and are allowed.
 */
const TRANSACTION_CONTROL: ReadonlyArray<{ words: readonly string[]; unless?: string }> = [
  { words: ['BEGIN'] },
  { words: ['START', 'TRANSACTION'] },
  { words: ['COMMIT'] },
  { words: ['END'] },
  { words: ['ROLLBACK'], unless: 'TO' },
  { words: ['ABORT'] },
  { words: ['PREPARE', 'TRANSACTION'] },
];

/**
 * The transaction-control command a statement starts with (`COMMIT`, `ROLLBACK`, `BEGIN`…), or
 * undefined. Leading comments and white space are skipped; keywords are case-insensitive.
 */
export function transactionControlOf(statement: string): string | undefined {
  const words = leadingWords(statement, 3);
  for (const rule of TRANSACTION_CONTROL) {
    if (!rule.words.every((word, index) => words[index] === word)) continue;
    const after = words[rule.words.length];
    // `ROLLBACK TO x`, `ROLLBACK TRANSACTION TO x`, `ROLLBACK WORK TO x` keep the transaction.
    if (rule.unless && (after === rule.unless || words[rule.words.length + 1] === rule.unless)) continue;
    return rule.words.join(' ');
  }
  return undefined;
}

/** The first `count` bare words of a statement, upper-cased, skipping comments. */
function leadingWords(statement: string, count: number): string[] {
  const words: string[] = [];
  let index = 0;
  while (index < statement.length && words.length < count) {
    const char = statement[index]!;
    if (char === '-' && statement[index + 1] === '-') {
      const newline = statement.indexOf('\n', index);
      index = newline === -1 ? statement.length : newline + 1;
    } else if (char === '/' && statement[index + 1] === '*') {
      index = skipBlockComment(statement, index);
    } else if (/\s/.test(char)) {
      index += 1;
    } else {
      const word = /^[A-Za-z_]+/.exec(statement.slice(index))?.[0];
      if (!word) break;
      words.push(word.toUpperCase());
      index += word.length;
    }
  }
  return words;
}

function skipQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if (backslashEscapes && char === '\\') index += 2;
    else if (char === quote && text[index + 1] === quote) index += 2;
    else if (char === quote) return index + 1;
    else index += 1;
  }
  return index;
}

/** PostgreSQL block comments nest: `/* a /* b *\/ c *\/` is one comment. */
function skipBlockComment(text: string, start: number): number {
  let depth = 0;
  let index = start;
  while (index < text.length) {
    if (text[index] === '/' && text[index + 1] === '*') {
      depth += 1;
      index += 2;
    } else if (text[index] === '*' && text[index + 1] === '/') {
      depth -= 1;
      index += 2;
      if (depth === 0) return index;
    } else index += 1;
  }
  return index;
}
