/**
 * Cuts `text` into consecutive pieces whose rendering (`render(piece)`, e.g. a mrkdwn code block)
 * fits in `maxRendered` characters, cutting after a newline when one is close enough and inside a line
 * otherwise. Nothing is dropped or changed: the pieces joined give `text` back, which is what lets a
 * reviewer trust that the pages of the full-text modal are the whole code (docs/SECURITY.md).
 *
 * `render` must not shrink text and must grow it by a bounded amount per character (escaping does), so
 * a piece that fits stays found by halving.
 */
export function displayChunks(
  text: string,
  maxRendered: number,
  render: (piece: string) => string,
): string[] {
  if (render('').length >= maxRendered) throw new Error('displayChunks: maxRendered leaves no room for text');
  const chars = Array.from(text);
  const chunks: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = fittingEnd(chars, start, maxRendered, render);
    if (end < chars.length) {
      // Prefer to end the piece after a newline in its last half, so lines stay whole when they can.
      const piece = chars.slice(start, end);
      const newline = piece.lastIndexOf('\n');
      if (newline >= 0 && newline + 1 >= piece.length / 2) end = start + newline + 1;
    }
    chunks.push(chars.slice(start, end).join(''));
    start = end;
  }
  return chunks;
}

/** The largest `end` such that chars[start..end) renders within the limit (at least one character). */
function fittingEnd(
  chars: string[],
  start: number,
  maxRendered: number,
  render: (piece: string) => string,
): number {
  let low = start + 1;
  // A piece of n code points renders to at least n UTF-16 units, so no longer piece can fit.
  let high = Math.min(chars.length, start + maxRendered);
  if (render(chars.slice(start, high).join('')).length <= maxRendered) return high;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (render(chars.slice(start, middle).join('')).length <= maxRendered) low = middle;
    else high = middle - 1;
  }
  return low;
}
