// @ts-check
// The page's state: who is acting, the workspace as last read, what is shown, and what was rendered.
// Every module reads and updates this one object; the server's state is re-read on each change.

/** @typedef {import('./types.js').SandboxState} SandboxState */
/** @typedef {import('./types.js').CommandCatalog} CommandCatalog */
/** @typedef {import('./types.js').RegisteredEntry} RegisteredEntry */
/** @typedef {import('./types.js').Region} Region */
/** @typedef {import('./types.js').ActionSource} ActionSource */
/** @typedef {import('./types.js').RenderContext} RenderContext */
/** @typedef {import('./types.js').MrkdwnContext} MrkdwnContext */
/** @typedef {{ kind: 'channel', id: string } | { kind: 'app', tab: 'home' | 'messages' }} View */
/** @typedef {{ fill: string, label: string, hint: string }} Suggestion */

/**
 * @typedef {object} PageState
 * @property {string} me The person acting (a sandbox user id).
 * @property {SandboxState | undefined} data The workspace as /sandbox/state last answered.
 * @property {View} view
 * @property {{ channel: string, ts: string } | undefined} thread The thread open beside, if any.
 * @property {Record<string, number>} seen Messages seen per channel, for the unread badges.
 * @property {Record<string, Record<string, string>>} localErrors Required fields left empty, per view.
 * @property {Record<Region | 'sidebar', string>} rendered What each region shows, to skip re-renders.
 * @property {Record<Region, RegisteredEntry[]>} registries Interactive elements of each region.
 * @property {number} suggestionIndex
 * @property {Suggestion[]} suggestions
 * @property {CommandCatalog} commands What the bot takes (GET /sandbox/commands), for suggestions.
 */

/** @type {PageState} */
export const ui = {
  me: '',
  data: undefined,
  view: { kind: 'channel', id: 'C0GENERAL' },
  thread: undefined,
  seen: {},
  localErrors: {},
  rendered: { main: '', thread: '', modal: '', sidebar: '' },
  registries: { main: [], thread: [], modal: [] },
  suggestionIndex: -1,
  suggestions: [],
  commands: { subcommands: [], templates: [] },
};

/** The workspace; rendering starts only once it was read (start() awaits the first read). */
export function data() {
  if (!ui.data) throw new Error('the sandbox state is not loaded yet');
  return ui.data;
}

/** @param {string} id */
export function userName(id) {
  if (id === ui.data?.bot.userId) return ui.data.bot.name;
  return ui.data?.users.find((user) => user.id === id)?.realName ?? id;
}

/** @param {string} id */
export function channelName(id) {
  return ui.data?.channels.find((channel) => channel.id === id)?.name;
}

/** @returns {MrkdwnContext} */
export function md() {
  return { userName, channelName, nowMs: Date.now() };
}

export function publicChannels() {
  return data().channels.filter((channel) => channel.kind === 'channel');
}

/** The conversation of the app's Messages tab. */
export function appChannel() {
  const channel = data().channels.find((c) => c.kind === 'app');
  if (!channel) throw new Error('the sandbox has no app conversation');
  return channel;
}

/**
 * A render context for one region: its elements are registered afresh, under `region:index` ids.
 * @param {Region} region
 * @param {RenderContext['surface']} surface
 * @param {ActionSource} source
 * @param {Record<string, string>} [errors]
 * @returns {RenderContext}
 */
export function context(region, surface, source, errors) {
  /** @type {RegisteredEntry[]} */
  const registry = [];
  ui.registries[region] = registry;
  return {
    surface,
    md: md(),
    users: data().users,
    channels: publicChannels(),
    ...(errors ? { errors } : {}),
    register(entry) {
      registry.push({ ...entry, source, region });
      return `${region}:${registry.length - 1}`;
    },
  };
}

/**
 * The registered entry of a rendered element (its data-el), if it is still current.
 * @param {HTMLElement} element
 * @returns {RegisteredEntry | undefined}
 */
export function entryOf(element) {
  const [region, index] = (element.dataset.el ?? '').split(':');
  if (region !== 'main' && region !== 'thread' && region !== 'modal') return undefined;
  return ui.registries[region][Number(index)];
}
