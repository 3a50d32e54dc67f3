// @ts-check
// What the composer suggests as `/tasks …` is typed. Pure: the text and the bot's catalog (served by
// GET /sandbox/commands) in, suggestions out, so Node tests check it against the bot's own lists.

/** @typedef {import('./types.js').CommandCatalog} CommandCatalog */
/** @typedef {{ fill: string, label: string, hint: string }} Suggestion */

/**
 * `/ta` → `/tasks`; `/tasks r` → the subcommands starting with r; `/tasks new b` → the templates.
 * @param {string} text
 * @param {CommandCatalog} catalog
 * @returns {Suggestion[]}
 */
export function suggestionsFor(text, catalog) {
  if (!text.startsWith('/')) return [];
  const match = /^\/(\S*)(\s+)?(\S*)(\s+)?(\S*)$/.exec(text);
  if (!match) return [];
  const [, command = '', space1, sub = '', space2, arg = ''] = match;
  if (!space1) {
    const first = catalog.subcommands.slice(0, 4).map(({ name, usage }) => `${name} ${usage}`.trim());
    return '/tasks'.startsWith(`/${command}`)
      ? [{ fill: '/tasks ', label: '/tasks', hint: [...first, '…'].join(' | ') }]
      : [];
  }
  if (command !== 'tasks') return [];
  if (!space2)
    return catalog.subcommands
      .filter(({ name }) => name.startsWith(sub))
      .map(({ name, usage, description }) => ({
        fill: `/tasks ${name} `,
        label: `/tasks ${name} ${usage}`.trim(),
        hint: description,
      }));
  if (sub === 'new')
    return catalog.templates
      .filter((template) => template.id.startsWith(arg))
      .map((template) => ({
        fill: `/tasks new ${template.id}`,
        label: template.id,
        hint: template.name,
      }));
  return [];
}
