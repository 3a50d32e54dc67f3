// @ts-check
// The sandbox server's endpoints for the page (sandbox.ts): its POST calls, the state, the command
// catalog, and the stream that says when something changed.
import { toast } from './dom.js';
import { ui } from './state.js';

/** @typedef {import('./types.js').CallAnswer} CallAnswer */
/** @typedef {import('./types.js').CommandCatalog} CommandCatalog */
/** @typedef {import('./types.js').SandboxState} SandboxState */

/**
 * A call as the person acting (command, action, submit, close, home, message); a failure is toasted.
 * @param {string} route
 * @param {Record<string, unknown>} body
 * @returns {Promise<CallAnswer>}
 */
export async function call(route, body) {
  const response = await fetch(`/sandbox/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: ui.me, ...body }),
  });
  /** @type {CallAnswer} */
  const answer = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
  if (!answer.ok) toast(answer.error ?? 'failed');
  return answer;
}

/**
 * The workspace as `user` sees it, or undefined when the server did not answer it.
 * @param {string} user
 * @returns {Promise<SandboxState | undefined>}
 */
export async function fetchState(user) {
  const response = await fetch(`/sandbox/state?user=${encodeURIComponent(user)}`);
  return response.ok ? /** @type {SandboxState} */ (await response.json()) : undefined;
}

/**
 * The bot's `/tasks` subcommands and templates, for the composer's suggestions.
 * @returns {Promise<CommandCatalog>}
 */
export async function fetchCommands() {
  const response = await fetch('/sandbox/commands');
  if (!response.ok) return { subcommands: [], templates: [] };
  return /** @type {CommandCatalog} */ (await response.json());
}

/**
 * Calls `onChange` whenever the workspace changed.
 * @param {() => void} onChange
 */
export function openStream(onChange) {
  const stream = new EventSource('/sandbox/stream');
  stream.addEventListener('change', onChange);
  stream.onerror = () => toast('Lost the connection to chronops; retrying…');
  return stream;
}
