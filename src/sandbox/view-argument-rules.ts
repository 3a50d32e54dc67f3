import type { Json } from './block-rules.js';

/**
 * What Slack's views.open / views.push / views.update / views.publish refuse with `invalid_arguments`
 * (a view that does not match the view schema; the messages carry a JSON pointer, as Slack's do) rather
 * than `invalid_blocks`: here, a plain_text_input whose `initial_value` is longer than its `max_length`
 * (at most 3000: https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element),
 * or whose length bounds are outside 0–3000 / 1–3000. Shared by the sandbox and the tests' fake Web
 * API, so a view that would cut a long value, or that Slack would refuse, fails where production would.
 */
export const PLAIN_TEXT_INPUT_MAX = 3000;

export function viewArgumentProblems(view: unknown): string[] {
  if (!view || typeof view !== 'object') return [];
  const blocks = (view as Json).blocks;
  if (!Array.isArray(blocks)) return [];
  const problems: string[] = [];
  blocks.forEach((block: Json, index) => {
    const elements: Array<[Json, string]> = [];
    if (block.element && typeof block.element === 'object') elements.push([block.element as Json, 'element']);
    if (block.accessory && typeof block.accessory === 'object')
      elements.push([block.accessory as Json, 'accessory']);
    if (Array.isArray(block.elements))
      (block.elements as Json[]).forEach((element, i) => {
        elements.push([element, `elements/${i}`]);
      });
    for (const [element, path] of elements) {
      if (element.type !== 'plain_text_input') continue;
      const pointer = `/view/blocks/${index}/${path}`;
      const max = element.max_length;
      if (
        max !== undefined &&
        !(Number.isInteger(max) && (max as number) >= 1 && (max as number) <= PLAIN_TEXT_INPUT_MAX)
      )
        problems.push(
          `[ERROR] must be between 1 and ${PLAIN_TEXT_INPUT_MAX} [json-pointer:${pointer}/max_length]`,
        );
      const min = element.min_length;
      if (
        min !== undefined &&
        !(Number.isInteger(min) && (min as number) >= 0 && (min as number) <= PLAIN_TEXT_INPUT_MAX)
      )
        problems.push(
          `[ERROR] must be between 0 and ${PLAIN_TEXT_INPUT_MAX} [json-pointer:${pointer}/min_length]`,
        );
      const limit = typeof max === 'number' ? Math.min(max, PLAIN_TEXT_INPUT_MAX) : PLAIN_TEXT_INPUT_MAX;
      const initial = element.initial_value;
      if (typeof initial === 'string' && Array.from(initial).length > limit)
        problems.push(
          `[ERROR] must be less than ${limit + 1} characters [json-pointer:${pointer}/initial_value]`,
        );
    }
  });
  return problems;
}
