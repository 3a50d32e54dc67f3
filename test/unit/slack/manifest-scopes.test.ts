import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LogLevel, WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { startFakeSlack } from '../../support/fake-slack.js';
import {
  featureScopes,
  METHOD_SCOPES,
  manifestBotScopes,
  readManifest,
  SDK_HELPERS,
} from '../../support/slack-scopes.js';

// docs/SLACK.md, "Bot scopes": manifest.json grants exactly the bot scopes the code needs. The needed
// set is derived from the Web API methods src/ calls (a static scan) through the method → scope table
// of test/support/slack-scopes.ts; a scope missing fails at the first call in production
// (`missing_scope`), an unused one asks every installing workspace for access nothing uses.
const SRC = join(import.meta.dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

// The Web API method families. A call is `<something>client.<family>.<method>(` or `web.…` (the outbox
// worker's client), possibly across lines (`app.client.auth\n  .test(`), or `apiCall('<method>'`.
const FAMILIES =
  'admin|api|apps|assistant|auth|bookmarks|bots|calls|canvases|chat|conversations|dialog|dnd|emoji|files|functions|migration|oauth|openid|pins|reactions|reminders|rtm|search|stars|team|tooling|usergroups|users|views|workflows';
const CALL = new RegExp(
  `\\b(?:\\w*[cC]lient|web)\\s*\\.\\s*(${FAMILIES})\\s*\\.\\s*([A-Za-z0-9]+(?:\\s*\\.\\s*[A-Za-z0-9]+)?)\\s*\\(`,
  'g',
);
const API_CALL = /\bapiCall\(\s*['"`]([a-z]+(?:\.[A-Za-z0-9]+)+)['"`]/g;

/** Web API methods called in src/, with where. The sandbox is excluded: it is the Slack side, not a client. */
function calledMethods(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (name: string, where: string) => found.set(name, [...(found.get(name) ?? []), where]);
  for (const path of sourceFiles(SRC)) {
    const where = relative(SRC, path);
    if (where.startsWith('sandbox/')) continue;
    const text = readFileSync(path, 'utf8');
    for (const match of text.matchAll(CALL)) {
      const name = `${match[1]}.${match[2]!.replace(/\s+/g, '')}`;
      for (const expanded of SDK_HELPERS.get(name) ?? [name]) add(expanded, where);
    }
    for (const match of text.matchAll(API_CALL)) add(match[1]!, where);
  }
  return found;
}

describe('manifest.json bot scopes', () => {
  const called = calledMethods();

  it('finds the Web API calls of src/ (the scan is not blind)', () => {
    for (const name of [
      'chat.postMessage',
      'views.open',
      'usergroups.users.list',
      'files.getUploadURLExternal',
    ])
      expect([...called.keys()]).toContain(name);
  });

  it('knows the scopes of every Web API method src/ calls (add a new one to test/support/slack-scopes.ts)', () => {
    const unknown = [...called]
      .filter(([name]) => !METHOD_SCOPES.has(name))
      .map(([name, where]) => `${name} (${where.join(', ')})`);
    expect(unknown).toEqual([]);
  });

  it('grants exactly the scopes those methods and the manifest features need: none missing, none unused', () => {
    const manifest = readManifest();
    const needed = new Set(featureScopes(manifest));
    for (const name of called.keys())
      for (const scope of METHOD_SCOPES.get(name)?.scopes ?? []) needed.add(scope);
    const granted = new Set(manifestBotScopes(manifest));
    expect({
      missing: [...needed].filter((scope) => !granted.has(scope)).sort(),
      unused: [...granted].filter((scope) => !needed.has(scope)).sort(),
    }).toEqual({ missing: [], unused: [] });
  });

  it('lists each scope once', () => {
    const scopes = manifestBotScopes();
    expect(scopes.length).toBe(new Set(scopes).size);
  });
});

describe('the fake Web API and scopes', () => {
  it('answers missing_scope, with needed and provided, for a scope the token lacks, as Slack does', async () => {
    const fake = await startFakeSlack({ scopes: ['chat:write', 'commands'] });
    try {
      const web = new WebClient('xoxb-test-token', {
        slackApiUrl: fake.apiUrl,
        retryConfig: { retries: 0 },
        logLevel: LogLevel.ERROR,
      });
      await expect(web.conversations.open({ users: 'U0ADMIN' })).rejects.toMatchObject({
        data: { ok: false, error: 'missing_scope', needed: 'im:write', provided: 'chat:write,commands' },
      });
      await expect(web.chat.postMessage({ channel: 'C0ALERTS', text: 'hi' })).resolves.toMatchObject({
        ok: true,
      });
      expect(fake.rejected).toEqual([
        { method: 'conversations.open', problems: ['missing_scope: im:write'] },
      ]);
    } finally {
      await fake.close();
    }
  });

  it('grants the scopes of manifest.json by default', async () => {
    const fake = await startFakeSlack();
    try {
      const web = new WebClient('xoxb-test-token', {
        slackApiUrl: fake.apiUrl,
        retryConfig: { retries: 0 },
        logLevel: LogLevel.ERROR,
      });
      await expect(web.conversations.open({ users: 'U0ADMIN' })).resolves.toMatchObject({ ok: true });
      expect(fake.rejected).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
