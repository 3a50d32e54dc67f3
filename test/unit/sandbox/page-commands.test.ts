import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_IDS } from '../../../src/domain/templates.js';
import type { CommandCatalog } from '../../../src/sandbox/page/types.js';
import { createSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { createSilentLogger } from '../../../src/shared/logger.js';
import { commandCatalog } from '../../../src/slack/command-catalog.js';
import { SUBCOMMANDS } from '../../../src/slack/parse-command.js';

/**
 * The page suggests what the bot takes: its subcommands and templates come from the bot through
 * GET /sandbox/commands, not from a copy in the page; and every page file is served, with the page's
 * security headers, while nothing else of the folder is.
 */
const PAGE = join(import.meta.dirname, '../../../src/sandbox/page');
const { suggestionsFor } = (await import(pathToFileURL(join(PAGE, 'suggestions.js')).href)) as {
  suggestionsFor: (text: string, catalog: CommandCatalog) => Array<{ fill: string; label: string }>;
};

let server: Server;
let sandbox: Sandbox;
let base: string;
let cookie: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (!sandbox.handleRequest(request, response)) response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sandbox = createSandbox({
    signingSecret: 's',
    botToken: 'xoxb-t',
    baseUrl: base,
    logger: createSilentLogger(),
    commands: commandCatalog(),
  });
  const opened = await fetch(sandbox.pageUrlWithToken, { redirect: 'manual' });
  cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0]!;
});
afterAll(async () => {
  sandbox?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

const get = (path: string) => fetch(`${base}${path}`, { headers: { cookie } });

describe('GET /sandbox/commands', () => {
  it("answers the bot's subcommands and templates", async () => {
    const response = await get('/sandbox/commands');
    expect(response.status).toBe(200);
    const catalog = (await response.json()) as CommandCatalog;
    expect(catalog.subcommands.map((subcommand) => subcommand.name)).toEqual([...SUBCOMMANDS]);
    expect(catalog.templates.map((template) => template.id)).toEqual([...TEMPLATE_IDS]);
    for (const entry of [...catalog.subcommands, ...catalog.templates])
      expect(Object.values(entry).every((value) => typeof value === 'string')).toBe(true);
  });

  it('needs the page secret, like the page', async () => {
    expect((await fetch(`${base}/sandbox/commands`)).status).toBe(401);
  });

  it("makes the page's suggestions the bot's lists", async () => {
    const catalog = (await (await get('/sandbox/commands')).json()) as CommandCatalog;
    expect(suggestionsFor('/tasks ', catalog).map((s) => s.fill)).toEqual(
      SUBCOMMANDS.map((name) => `/tasks ${name} `),
    );
    expect(suggestionsFor('/tasks new ', catalog).map((s) => s.label)).toEqual([...TEMPLATE_IDS]);
    expect(suggestionsFor('/tasks r', catalog).map((s) => s.label)).toEqual([
      '/tasks run <task>',
      '/tasks resume <task>',
      '/tasks retry <execution id>',
    ]);
  });

  it('leaves no copy of the lists in the page', () => {
    for (const file of readdirSync(PAGE).filter((name) => name.endsWith('.js'))) {
      const text = readFileSync(join(PAGE, file), 'utf8');
      for (const id of TEMPLATE_IDS) expect(text, `${file} names ${id}`).not.toContain(id);
      expect(text, file).not.toMatch(/['"]retry['"]/);
    }
  });
});

describe('the page files', () => {
  it('serves every script index.html can reach, with the security headers', async () => {
    const scripts = readdirSync(PAGE).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(10);
    for (const path of [
      '/',
      ...scripts.map((name) => `/sandbox/assets/${name}`),
      '/sandbox/assets/style.css',
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(
        path === '/' ? /^text\/html/ : path.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
      expect(response.headers.get('content-security-policy'), path).toContain("script-src 'self'");
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('serves nothing else of the folder', async () => {
    for (const name of ['types.d.ts', 'index.html', '../sandbox.ts', '%2e%2e%2fsandbox.ts'])
      expect((await get(`/sandbox/assets/${name}`)).status, name).toBe(404);
  });

  it('imports, from each script, only files that are served', async () => {
    const scripts = new Set(readdirSync(PAGE).filter((name) => name.endsWith('.js')));
    for (const file of scripts) {
      const text = readFileSync(join(PAGE, file), 'utf8');
      for (const match of text.matchAll(/^import .* from '\.\/([^']+)';$/gm))
        expect(scripts.has(match[1]!), `${file} imports ${match[1]}`).toBe(true);
    }
  });
});
