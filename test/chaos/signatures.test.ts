import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask } from '../../src/store/tasks.js';
import { type RowCounts, rowCounts } from '../support/chaos-counts.js';
import { makeDraft, T0 } from '../support/fixtures.js';
import {
  ADMIN,
  OPERATOR,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
} from '../support/slack-harness.js';
import { slackSignature } from '../support/slack-signing.js';

// Abuse of the request signature (docs/ARCHITECTURE.md §10): forged, malformed, stale, altered and replayed
// requests against the real Bolt app over HTTP. Every one must be refused with 401 before any listener
// runs, so no table changes and nothing is posted to Slack.

let h: SlackHarness;
let taskId: string;

beforeAll(async () => {
  h = await startSlackHarness();
  taskId = (await createTask(h.db.db, makeDraft({ name: 'guarded' }), { actor: { id: ADMIN }, now: T0 })).id;
  const sent = await h.send.command('help', ADMIN);
  expect(sent.status).toBe(200);
  await h.settle();
});

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

const now = () => Math.floor(Date.now() / 1000);

/** A slash command body exactly as Slack sends it, with a response_url on the fake. */
function commandBody(text: string, userId = OPERATOR): { body: string; responseUrl: string } {
  const responseUrl = h.fake.newResponseUrl();
  const body = new URLSearchParams({
    token: 'x',
    team_id: 'T0FAKE',
    channel_id: 'C0GENERAL',
    user_id: userId,
    command: '/tasks',
    text,
    response_url: responseUrl,
    trigger_id: h.fake.newTriggerId(),
  }).toString();
  return { body, responseUrl };
}

const form = 'application/x-www-form-urlencoded';

async function expectNothingHappened(before: RowCounts, responseUrls: string[]): Promise<void> {
  await h.settle();
  expect(await rowCounts(h.db.pool)).toEqual(before);
  for (const responseUrl of responseUrls) expect(h.responsesTo(responseUrl)).toEqual([]);
}

describe('forged and malformed signatures', () => {
  it('refuses every forgery with 401 and changes nothing', async () => {
    const before = await rowCounts(h.db.pool);
    const callsBefore = h.fake.calls.length;
    const urls: string[] = [];
    const ts = now();
    const cases: Array<{ what: string; headers: (body: string) => Record<string, string> }> = [
      {
        what: 'wrong secret',
        headers: (body) => ({
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': slackSignature('not-the-secret', ts, body),
        }),
      },
      {
        what: 'secret with one character changed',
        headers: (body) => ({
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': slackSignature(`${SIGNING_SECRET.slice(0, -1)}X`, ts, body),
        }),
      },
      { what: 'no signature header', headers: () => ({ 'x-slack-request-timestamp': String(ts) }) },
      {
        what: 'no timestamp header',
        headers: (body) => ({ 'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body) }),
      },
      {
        what: 'empty signature',
        headers: () => ({ 'x-slack-request-timestamp': String(ts), 'x-slack-signature': '' }),
      },
      {
        what: 'v0= with no hash',
        headers: () => ({ 'x-slack-request-timestamp': String(ts), 'x-slack-signature': 'v0=' }),
      },
      {
        what: 'unknown signature version with the right hash',
        headers: (body) => ({
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body).replace('v0=', 'v1='),
        }),
      },
      {
        what: 'upper-cased hash',
        headers: (body) => ({
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': `v0=${slackSignature(SIGNING_SECRET, ts, body).slice(3).toUpperCase()}`,
        }),
      },
      {
        what: 'truncated hash',
        headers: (body) => ({
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body).slice(0, 40),
        }),
      },
      {
        what: 'signed with another timestamp than the header',
        headers: (body) => ({
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': slackSignature(SIGNING_SECRET, ts - 1, body),
        }),
      },
      {
        what: 'non-numeric timestamp',
        headers: (body) => ({
          'x-slack-request-timestamp': 'yesterday',
          'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body),
        }),
      },
    ];
    for (const forgery of cases) {
      const { body, responseUrl } = commandBody('run guarded');
      urls.push(responseUrl);
      const sent = await h.send.raw(body, { 'content-type': form, ...forgery.headers(body) });
      expect(sent.status, forgery.what).toBe(401);
    }
    // An interaction (a Delete button) and an event, forged.
    const payload = `payload=${encodeURIComponent(
      JSON.stringify({
        type: 'block_actions',
        user: { id: ADMIN },
        trigger_id: h.fake.newTriggerId(),
        actions: [{ action_id: 'task_delete', value: taskId, type: 'button', block_id: 'b' }],
        response_url: h.fake.newResponseUrl(),
        container: { type: 'message', channel_id: 'C1' },
        channel: { id: 'C1' },
      }),
    )}`;
    const click = await h.send.raw(payload, {
      'content-type': form,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': slackSignature('forged', ts, payload),
    });
    expect(click.status).toBe(401);
    const event = await h.send.event(
      { type: 'app_home_opened', user: ADMIN, tab: 'home' },
      { secret: 'forged-secret' },
    );
    expect(event.status).toBe(401);
    await expectNothingHappened(before, urls);
    expect(h.fake.calls.length).toBe(callsBefore);
  });

  it('refuses a body altered after signing (text, user, or an appended field)', async () => {
    const before = await rowCounts(h.db.pool);
    const ts = now();
    const { body, responseUrl } = commandBody('help', OPERATOR);
    const signature = slackSignature(SIGNING_SECRET, ts, body);
    const altered = [
      body.replace('text=help', 'text=delete+guarded'),
      body.replace(`user_id=${OPERATOR}`, `user_id=${ADMIN}`),
      `${body}&text=run+guarded`,
      `${body} `,
    ];
    for (const candidate of altered) {
      const sent = await h.send.raw(candidate, {
        'content-type': form,
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': signature,
      });
      expect(sent.status, candidate).toBe(401);
    }
    await expectNothingHappened(before, [responseUrl]);
  });

  it('ignores an unsigned ssl_check carrying a smuggled command', async () => {
    // Slack's ssl_check=1 is the one unsigned request Bolt answers; it must not run what rides along.
    const before = await rowCounts(h.db.pool);
    const { body, responseUrl } = commandBody('run guarded', ADMIN);
    const sent = await h.send.raw(`ssl_check=1&${body}`, { 'content-type': form });
    expect(sent.status).toBe(200);
    expect(sent.text).toBe('');
    await expectNothingHappened(before, [responseUrl]);
  });
});

describe('stale timestamps and replays', () => {
  it('refuses requests signed more than 5 minutes ago with 401', async () => {
    const before = await rowCounts(h.db.pool);
    const urls: string[] = [];
    for (const age of [301, 360, 3600, 86_400, now()]) {
      const sent = await h.send.command('run guarded', OPERATOR, { timestampSec: now() - age });
      urls.push(sent.responseUrl!);
      expect(sent.status, `signed ${age} s ago`).toBe(401);
    }
    await expectNothingHappened(before, urls);
  });

  it('refuses the exact replay of a valid request once its timestamp is past the 5-minute window', async () => {
    // A request signed 297 s ago is still valid: it runs the task once.
    const ts = now() - 297;
    const { body, responseUrl } = commandBody('run guarded', OPERATOR);
    const headers = {
      'content-type': form,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body),
    };
    const first = await h.send.raw(body, headers);
    expect(first.status).toBe(200);
    await h.settle();
    expect(JSON.stringify(h.responsesTo(responseUrl))).toContain('started *guarded*');
    const afterFirst = await rowCounts(h.db.pool);
    // Captured bytes, replayed unchanged once the signature is older than 5 minutes.
    await sleep(Math.max(0, (ts + 301) * 1000 - Date.now()) + 500);
    const replays = await Promise.all(Array.from({ length: 20 }, () => h.send.raw(body, headers)));
    expect(replays.map((replay) => replay.status)).toEqual(Array(20).fill(401));
    await h.settle();
    expect(await rowCounts(h.db.pool)).toEqual(afterFirst);
    expect(h.responsesTo(responseUrl)).toHaveLength(1);
  }, 30_000);

  it('refuses exact replays inside the window with 401, and they change nothing', async () => {
    // Bolt has no nonce: inside the 5-minute window src/slack/replay-guard.ts remembers each
    // (timestamp, signature) and refuses a second delivery of the same bytes.
    const requests = [commandBody('pause guarded disk full', OPERATOR), commandBody('run guarded', OPERATOR)];
    for (const { body } of requests) {
      const ts = now();
      const headers = {
        'content-type': form,
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body),
      };
      const first = await h.send.raw(body, headers);
      expect(first.status).toBe(200);
      await h.settle();
      const afterFirst = await rowCounts(h.db.pool);
      const replays = await Promise.all(Array.from({ length: 50 }, () => h.send.raw(body, headers)));
      expect(replays.map((replay) => replay.status)).toEqual(Array(50).fill(401));
      await h.settle();
      expect(await rowCounts(h.db.pool)).toEqual(afterFirst);
    }
    const task = await h.db.pool.query(
      'select enabled, paused_reason, version from scheduled_tasks where id = $1',
      [taskId],
    );
    expect(task.rows[0]).toMatchObject({ enabled: false, paused_reason: 'disk full' });
  });
});

describe('replays in disguise', () => {
  it('refuses the timestamp written otherwise (1796608474.0, +…, hex, leading zero): Bolt reads it with Number()', async () => {
    const ts = now();
    const { body, responseUrl } = commandBody('run guarded', OPERATOR);
    // Bolt signs over Number(timestamp): these headers all carry the valid signature of `ts`.
    const signature = slackSignature(SIGNING_SECRET, ts, body);
    const first = await h.send.raw(body, {
      'content-type': form,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signature,
    });
    expect(first.status).toBe(200);
    await h.settle();
    const afterFirst = await rowCounts(h.db.pool);
    for (const written of [`${ts}.0`, `+${ts}`, `0x${ts.toString(16)}`, `0${ts}`, `${ts}.000`, ` ${ts}`]) {
      const sent = await h.send.raw(body, {
        'content-type': form,
        'x-slack-request-timestamp': written,
        'x-slack-signature': signature,
      });
      expect(sent.status, written).toBe(401);
    }
    await h.settle();
    expect(await rowCounts(h.db.pool)).toEqual(afterFirst);
    expect(h.responsesTo(responseUrl)).toHaveLength(1);
  });

  it('refuses a replay that claims to be a Slack retry, whatever the reason', async () => {
    const ts = now();
    const { body, responseUrl } = commandBody('run guarded', OPERATOR);
    const headers = {
      'content-type': form,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body),
    };
    expect((await h.send.raw(body, headers)).status).toBe(200);
    await h.settle();
    const afterFirst = await rowCounts(h.db.pool);
    for (const reason of ['http_timeout', 'http_error', 'connection_failed', 'unknown_error']) {
      const sent = await h.send.raw(body, {
        ...headers,
        'x-slack-retry-num': '1',
        'x-slack-retry-reason': reason,
      });
      expect(sent.status, reason).toBe(401);
    }
    await h.settle();
    expect(await rowCounts(h.db.pool)).toEqual(afterFirst);
    expect(h.responsesTo(responseUrl)).toHaveLength(1);
  });

  it('refuses timestamps more than 5 minutes in the future (Bolt accepts them)', async () => {
    const before = await rowCounts(h.db.pool);
    const sent = await h.send.command('run guarded', OPERATOR, { timestampSec: now() + 301 });
    expect(sent.status).toBe(401);
    await expectNothingHappened(before, [sent.responseUrl!]);
    const soon = await h.send.command('help', OPERATOR, { timestampSec: now() + 120 });
    expect(soon.status).toBe(200);
  });
});

describe('Slack retries of events', () => {
  const publishes = () => h.fake.callsTo('views.publish').length;

  it('drops the retry of an event handled here, and processes once the retry of one that never arrived', async () => {
    const first = await h.send.event(
      { type: 'app_home_opened', user: ADMIN, tab: 'home' },
      { eventId: 'EvHandled' },
    );
    expect(first.status).toBe(200);
    await h.settle();
    const afterFirst = publishes();
    expect(afterFirst).toBeGreaterThan(0);
    const retried = await h.send.retry(first, 1, 'http_timeout');
    expect(retried.status).toBe(200);
    await h.settle();
    expect(publishes()).toBe(afterFirst);

    // The first delivery never reached this app (connection_failed): its retry is processed, once.
    const lost = await h.send.event(
      { type: 'app_home_opened', user: ADMIN, tab: 'home' },
      { eventId: 'EvLost', retryNum: 1, retryReason: 'connection_failed' },
    );
    expect(lost.status).toBe(200);
    await h.settle();
    expect(publishes()).toBe(afterFirst + 1);
    const again = await h.send.retry(lost, 2, 'http_timeout');
    expect(again.status).toBe(200);
    await h.settle();
    expect(publishes()).toBe(afterFirst + 1);
  });
});
