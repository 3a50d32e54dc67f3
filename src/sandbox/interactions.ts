import { type Json, messageProblems, viewProblems } from './block-rules.js';
import type { BotClient, BotReply } from './bot-client.js';
import { dmChannelOf, SANDBOX_APP_ID, SANDBOX_BOT, SANDBOX_TEAM } from './users.js';
import type { StoredView, Workspace } from './workspace.js';

/**
 * What a person does on the sandbox page, turned into what Slack would send the app: a slash command
 * with a trigger_id and a response_url, block_actions from a message, the App Home or a modal (with
 * the modal's state), view_submission and view_closed, app_home_opened. The app's acknowledgement is
 * applied as Slack applies it (field errors, update, push, clear, close).
 */
export type Outcome = { ok: true } | { ok: false; error: string };

export type ActionSource =
  | { kind: 'message'; channel: string; ts: string }
  | { kind: 'view'; viewId: string };

/** The page's description of what was clicked or chosen (Slack's `actions[0]`, without ids we add). */
export interface PageAction extends Json {
  type: string;
  action_id: string;
  block_id: string;
}

export type StateValues = Record<string, Record<string, Json>>;

function findElement(blocks: Json[], blockId: string, actionId: string): Json | undefined {
  const block = blocks.find((candidate) => candidate.block_id === blockId);
  if (!block) return undefined;
  const elements = [
    ...(Array.isArray(block.elements) ? (block.elements as Json[]) : []),
    ...(block.accessory ? [block.accessory as Json] : []),
    ...(block.element ? [block.element as Json] : []),
  ];
  return elements.find((element) => element.action_id === actionId);
}

// Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
export function createInteractions(options: {
  workspace: Workspace;
  bot: BotClient;
  nowMs: () => number;
  /** `/sandbox/response/<id>` on this server. */
  responseUrl: (id: string) => string;
  onBotFailure: (what: string, detail: string) => void;
}) {
  const { workspace: ws, bot } = options;
  const userOf = (id: string) => {
    const user = ws.users.find((candidate) => candidate.id === id);
    return { id, username: user?.name ?? id.toLowerCase(), name: user?.name ?? id, team_id: SANDBOX_TEAM.id };
  };
  const base = (userId: string) => ({
    team: { id: SANDBOX_TEAM.id, domain: SANDBOX_TEAM.domain },
    user: userOf(userId),
    api_app_id: SANDBOX_APP_ID,
    token: 'sandbox-verification-token',
    is_enterprise_install: false,
  });

  /** Slack's answer when the app does not acknowledge: a visible failure, never a silent one. */
  const send = async (what: string, request: () => Promise<BotReply>): Promise<BotReply | Outcome> => {
    try {
      const reply = await request();
      if (reply.status !== 200) {
        const detail = `${what}: the app answered HTTP ${reply.status}${reply.text ? ` (${reply.text.slice(0, 200)})` : ''}`;
        options.onBotFailure(what, detail);
        return { ok: false, error: detail };
      }
      return reply;
    } catch (error) {
      const detail = `${what}: the app did not respond (${error instanceof Error ? error.message : String(error)})`;
      options.onBotFailure(what, detail);
      return { ok: false, error: detail };
    }
  };
  const failed = (reply: BotReply | Outcome): reply is Outcome => 'ok' in reply;

  const viewPayload = (view: StoredView, values: StateValues) => ({ ...view, state: { values } });

  return {
    /** `/tasks …` typed in a channel's composer. */
    async command(userId: string, channelId: string, commandLine: string): Promise<Outcome> {
      const channel = ws.channels.get(channelId);
      if (!channel) return { ok: false, error: 'channel_not_found' };
      const match = /^(\/\S+)\s*([\s\S]*)$/.exec(commandLine.trim());
      if (!match) return { ok: false, error: 'not a slash command' };
      const [, command = '', text = ''] = match;
      if (command !== '/tasks') return { ok: false, error: `${command} is not a valid command` };
      const responseId = ws.newResponseUrl({ userId, channelId });
      const reply = await send('/tasks', () =>
        bot.command({
          token: 'sandbox-verification-token',
          team_id: SANDBOX_TEAM.id,
          team_domain: SANDBOX_TEAM.domain,
          channel_id: channel.id,
          channel_name: channel.dmUser ? 'directmessage' : channel.name,
          user_id: userId,
          user_name: userOf(userId).username,
          command,
          // Slack escapes a command's text as it does messages (docs/SLACK.md).
          text: escapeForMrkdwn(text),
          api_app_id: SANDBOX_APP_ID,
          is_enterprise_install: 'false',
          response_url: options.responseUrl(responseId),
          trigger_id: ws.newTrigger(userId),
        }),
      );
      if (failed(reply)) return reply;
      // An acknowledgement with a body is an immediate ephemeral answer.
      if (reply.json && typeof reply.json.text === 'string') await this.respond(responseId, reply.json);
      else if (reply.text && !reply.json) await this.respond(responseId, { text: reply.text });
      return { ok: true };
    },

    /** A button, select, overflow… used in a message, the App Home or a modal. */
    async blockAction(
      userId: string,
      source: ActionSource,
      action: PageAction,
      values: StateValues,
    ): Promise<Outcome> {
      const actionTs = (options.nowMs() / 1000).toFixed(6);
      const full = { ...action, action_ts: actionTs };
      if (source.kind === 'message') {
        const message = ws.findMessage(source.channel, source.ts);
        if (!message || (message.ephemeralFor && message.ephemeralFor !== userId))
          return { ok: false, error: 'message_not_found' };
        if (!findElement(message.blocks ?? [], action.block_id, action.action_id))
          return { ok: false, error: 'no such element in this message' };
        const channel = ws.channels.get(source.channel)!;
        const responseId = ws.newResponseUrl({ userId, channelId: channel.id, messageTs: message.ts });
        const reply = await send('block_actions', () =>
          bot.interaction({
            type: 'block_actions',
            ...base(userId),
            trigger_id: ws.newTrigger(userId),
            container: {
              type: 'message',
              message_ts: message.ts,
              channel_id: channel.id,
              is_ephemeral: Boolean(message.ephemeralFor),
            },
            channel: { id: channel.id, name: channel.dmUser ? 'directmessage' : channel.name },
            ...(message.ephemeralFor
              ? {}
              : {
                  message: {
                    type: 'message',
                    ts: message.ts,
                    user: message.user,
                    bot_id: SANDBOX_BOT.botId,
                    text: message.text,
                    blocks: message.blocks ?? [],
                  },
                }),
            state: { values },
            response_url: options.responseUrl(responseId),
            actions: [full],
          }),
        );
        return failed(reply) ? reply : { ok: true };
      }
      const view = ws.views.get(source.viewId);
      if (!view) return { ok: false, error: 'view not found' };
      if (!findElement(view.blocks, action.block_id, action.action_id))
        return { ok: false, error: 'no such element in this view' };
      const reply = await send('block_actions', () =>
        bot.interaction({
          type: 'block_actions',
          ...base(userId),
          trigger_id: ws.newTrigger(userId),
          container: { type: 'view', view_id: view.id },
          view: viewPayload(view, values),
          actions: [full],
        }),
      );
      return failed(reply) ? reply : { ok: true };
    },

    /** The modal's submit button; the acknowledgement decides what happens to the stack. */
    async submit(userId: string, viewId: string, values: StateValues): Promise<Outcome> {
      const stack = ws.modalStack(userId);
      const view = ws.views.get(viewId);
      if (!view || stack[stack.length - 1] !== viewId) return { ok: false, error: 'this modal is not open' };
      const reply = await send('view_submission', () =>
        bot.interaction({
          type: 'view_submission',
          ...base(userId),
          trigger_id: ws.newTrigger(userId),
          view: viewPayload(view, values),
          response_urls: [],
        }),
      );
      if (failed(reply)) return reply;
      const answer = reply.json ?? {};
      switch (answer.response_action) {
        case 'errors':
          ws.setViewErrors(viewId, (answer.errors as Record<string, string>) ?? {});
          return { ok: true };
        case 'update':
        case 'push': {
          const problems = viewProblems(answer.view);
          if (problems.length > 0) {
            options.onBotFailure(
              'view_submission',
              `invalid view in response_action: ${problems.join('; ')}`,
            );
            return { ok: false, error: `invalid_blocks: ${problems.join('; ')}` };
          }
          if (answer.response_action === 'update') ws.storeView(answer.view as Json, viewId);
          else {
            const pushed = ws.storeView({ ...(answer.view as Json), root_view_id: stack[0] });
            stack.push(pushed.id);
            ws.changed();
          }
          return { ok: true };
        }
        case 'clear':
          stack.length = 0;
          ws.changed();
          return { ok: true };
        default:
          stack.pop();
          ws.changed();
          return { ok: true };
      }
    },

    /** The modal's close button (or Escape): the view is popped; the app hears of it if it asked. */
    async close(userId: string, viewId: string, values: StateValues): Promise<Outcome> {
      const stack = ws.modalStack(userId);
      const view = ws.views.get(viewId);
      if (!view || !stack.includes(viewId)) return { ok: false, error: 'this modal is not open' };
      stack.splice(stack.indexOf(viewId));
      ws.changed();
      if (view.notify_on_close) {
        const reply = await send('view_closed', () =>
          bot.interaction({
            type: 'view_closed',
            ...base(userId),
            view: viewPayload(view, values),
            is_cleared: false,
          }),
        );
        if (failed(reply)) return reply;
      }
      return { ok: true };
    },

    /** Opening the app's Home tab: Slack sends app_home_opened (with the current view, if any). */
    async openHome(userId: string): Promise<Outcome> {
      const home = ws.homeOf(userId);
      const nowSec = Math.floor(options.nowMs() / 1000);
      const reply = await send('app_home_opened', () =>
        bot.event({
          token: 'sandbox-verification-token',
          team_id: SANDBOX_TEAM.id,
          api_app_id: SANDBOX_APP_ID,
          event: {
            type: 'app_home_opened',
            user: userId,
            channel: dmChannelOf(userId),
            tab: 'home',
            event_ts: (options.nowMs() / 1000).toFixed(6),
            ...(home ? { view: home } : {}),
          },
          type: 'event_callback',
          event_id: `Ev${ws.nextId('')}`,
          event_time: nowSec,
          authorizations: [{ team_id: SANDBOX_TEAM.id, user_id: SANDBOX_BOT.userId, is_bot: true }],
        }),
      );
      return failed(reply) ? reply : { ok: true };
    },

    /** A plain message typed by a person (the app is not subscribed to messages; it is just shown). */
    message(userId: string, channelId: string, text: string, threadTs?: string): Outcome {
      const channel = ws.channels.get(channelId);
      if (!channel) return { ok: false, error: 'channel_not_found' };
      if (text.trim() === '') return { ok: false, error: 'no_text' };
      ws.postMessage(channel, {
        user: userId,
        text: escapeForMrkdwn(text),
        ...(threadTs ? { threadTs } : {}),
      });
      return { ok: true };
    },

    /** A POST to a response_url (Bolt's respond()). */
    async respond(id: string, body: Json): Promise<{ status: number; text: string }> {
      const target = ws.useResponseUrl(id);
      if (!target) return { status: 404, text: 'expired_url' };
      const channel = ws.channels.get(target.channelId);
      if (!channel) return { status: 404, text: 'channel_not_found' };
      if (body.delete_original === true || body.delete_original === 'true') {
        if (target.messageTs) ws.deleteMessage(channel, target.messageTs);
        return { status: 200, text: 'ok' };
      }
      const problems = messageProblems(body);
      if (problems.length > 0) {
        options.onBotFailure('response_url', `invalid_blocks: ${problems.join('; ')}`);
        return { status: 400, text: 'invalid_blocks' };
      }
      const blocks = Array.isArray(body.blocks) ? (body.blocks as Json[]) : undefined;
      const text = String(body.text ?? '');
      const replace = body.replace_original === true || body.replace_original === 'true';
      if (
        replace &&
        target.messageTs &&
        ws.updateMessage(channel, target.messageTs, { text, ...(blocks ? { blocks } : {}) })
      )
        return { status: 200, text: 'ok' };
      const inChannel = body.response_type === 'in_channel';
      ws.postMessage(channel, {
        user: SANDBOX_BOT.userId,
        text,
        ...(blocks ? { blocks } : {}),
        ...(inChannel ? {} : { ephemeralFor: target.userId }),
        ...(typeof body.thread_ts === 'string' ? { threadTs: body.thread_ts } : {}),
      });
      return { status: 200, text: 'ok' };
    },
  };
}

/** What a Slack client sends for typed text: `&`, `<`, `>` escaped, so nothing typed becomes a mention. */
function escapeForMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export type Interactions = ReturnType<typeof createInteractions>;
