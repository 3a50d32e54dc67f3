/**
 * Just enough SQL lexing to find statement boundaries: quotes ('…', E'…', "…"), dollar quotes
 * ($tag$…$tag$), line comments and nested block comments. Used to embed a user's SELECT as a
 * subquery: a trailing `;` (even followed by comments) is removed, and a second statement is refused.
 */
export type SingleStatement = { ok: true; sql: string } | { ok: false; reason: string };

const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/** The statement without its terminator, or why the text is not exactly one statement. */
export function singleStatement(text: string): SingleStatement {
  let end: number | undefined;
  let index = 0;
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
    if (/\s/.test(char) || char === ';') {
      if (char === ';' && end === undefined) end = index;
      index += 1;
      continue;
    }
    // Anything else after the first top-level `;` starts a second statement.
    if (end !== undefined) return { ok: false, reason: 'must be a single statement (found text after ";").' };
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
  const body = (end === undefined ? text : text.slice(0, end)).trim();
  if (body === '') return { ok: false, reason: 'is empty.' };
  return { ok: true, sql: body };
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
