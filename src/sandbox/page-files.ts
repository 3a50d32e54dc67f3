import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';

/**
 * The sandbox page's files (src/sandbox/page/, plain HTML, CSS and ES modules served as they are): which
 * are served, with which content type and which security headers. A new page module must be named here.
 */
const PAGE_DIR = join(import.meta.dirname, 'page');
const SCRIPT = 'text/javascript; charset=utf-8';
/** The page's files, served at `/` and under /sandbox/assets/; nothing else of the folder (not types.d.ts). */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'main.js': SCRIPT,
  'app.js': SCRIPT,
  'api.js': SCRIPT,
  'state.js': SCRIPT,
  'dom.js': SCRIPT,
  'page-view.js': SCRIPT,
  'sidebar.js': SCRIPT,
  'channel.js': SCRIPT,
  'home.js': SCRIPT,
  'modal.js': SCRIPT,
  'confirm.js': SCRIPT,
  'elements.js': SCRIPT,
  'view-state.js': SCRIPT,
  'composer.js': SCRIPT,
  'suggestions.js': SCRIPT,
  'render.js': SCRIPT,
  'mrkdwn.js': SCRIPT,
  'style.css': 'text/css; charset=utf-8',
  'messages.css': 'text/css; charset=utf-8',
  'overlays.css': 'text/css; charset=utf-8',
};
/**
 * Headers of the page and of its files. The CSP allows only the sandbox's own scripts, styles and
 * calls (no inline script, so markup slipped into a message could not run) and images from anywhere
 * secure, as Block Kit's image_url may point anywhere; the page may not be framed.
 */
const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
} as const;

/**
 * Sends page file `name` and returns true, or returns false without touching the response when it is
 * not one of the page's files (the name is looked up, never joined as given: no path leaves the folder).
 */
export async function servePageFile(response: ServerResponse, name: string): Promise<boolean> {
  const type = FILES[name];
  if (!type) return false;
  const body = await readFile(join(PAGE_DIR, name));
  response.writeHead(200, { ...PAGE_HEADERS, 'content-type': type });
  response.end(body);
  return true;
}
