import { randomBytes } from 'node:crypto';
import { type Json, messageProblems, viewProblems } from './block-rules.js';
import { ALERTS_CHANNEL, dmChannelOf, SANDBOX_APP_ID, SANDBOX_BOT, SANDBOX_TEAM } from './users.js';
import { viewArgumentProblems } from './view-argument-rules.js';
import { MAX_MODAL_STACK, type SandboxChannel, type SandboxMessage, type Workspace } from './workspace.js';

/**
 * The Slack Web API methods the bot uses, answered from the sandbox workspace with Slack's shapes and
 * error codes. Anything Slack would refuse (invalid blocks, an expired trigger id, a stale view hash)
 * is refused here too, and recorded in `rejected` so the page can show it.
 */
export interface Rejection {
  method: string;
  error: string;
  problems: string[];
  atMs: number;
}

export interface UploadSlot {
  fileId: string;
  filename: string;
  length: number;
  bytes?: number;
}

// Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
export function createWebApi(options: {
  workspace: Workspace;
  nowMs: () => number;
  /** Absolute base of the sandbox (`http://127.0.0.1:3000`), for upload URLs. */
  baseUrl: () => string;
  /** Called for every refusal (logged and shown on the page). */
  onReject: (rejection: Rejection) => void;
}) {
  const { workspace: ws, nowMs } = options;
  const uploads = new Map<string, UploadSlot>();
  /** Upload URL key → file id. */
  const uploadKeys = new Map<string, string>();

  const refuse = (method: string, error: string, problems: string[] = []): Json => {
    options.onReject({ method, error, problems, atMs: nowMs() });
    return {
      ok: false,
      error,
      ...(problems.length > 0 ? { response_metadata: { messages: problems } } : {}),
    };
  };

  const metadataArg = (args: Json): Json | undefined =>
    args.metadata && typeof args.metadata === 'object' ? (args.metadata as Json) : undefined;

  const messageJson = (message: SandboxMessage, withMetadata = false): Json => ({
    type: 'message',
    ts: message.ts,
    user: message.user,
    text: message.text,
    ...(message.user === SANDBOX_BOT.userId ? { bot_id: SANDBOX_BOT.botId } : {}),
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    ...(message.replyCount > 0 ? { reply_count: message.replyCount } : {}),
    ...(withMetadata && message.metadata ? { metadata: message.metadata } : {}),
  });

  const channelJson = (channel: SandboxChannel): Json =>
    channel.dmUser
      ? { id: channel.id, is_im: true, user: channel.dmUser, is_member: true }
      : { id: channel.id, name: channel.name, is_channel: true, is_member: true, is_private: false };

  const channelArg = (method: string, args: Json): SandboxChannel | Json => {
    const ref = typeof args.channel === 'string' ? args.channel : '';
    const channel = ref ? ws.resolveChannel(ref) : undefined;
    return channel ?? refuse(method, 'channel_not_found', [`no channel ${ref || '(missing)'}`]);
  };
  const isChannel = (value: SandboxChannel | Json): value is SandboxChannel => 'messages' in value;

  const blocksArg = (args: Json): Json[] | undefined =>
    Array.isArray(args.blocks) ? (args.blocks as Json[]) : undefined;

  const openModal = (method: 'views.open' | 'views.push', args: Json): Json => {
    const argumentProblems = viewArgumentProblems(args.view);
    if (argumentProblems.length > 0) return refuse(method, 'invalid_arguments', argumentProblems);
    const problems = viewProblems(args.view);
    if (problems.length > 0) return refuse(method, 'invalid_blocks', problems);
    if ((args.view as Json).type !== 'modal')
      return refuse(method, 'invalid_arguments', ['view type must be modal']);
    const trigger = ws.useTrigger(args.trigger_id);
    if ('error' in trigger) return refuse(method, trigger.error, [`trigger_id ${String(args.trigger_id)}`]);
    const stack = ws.modalStack(trigger.userId);
    if (method === 'views.push') {
      if (stack.length === 0) return refuse(method, 'not_found', ['no modal open to push onto']);
      if (stack.length >= MAX_MODAL_STACK) return refuse(method, 'push_limit_reached');
    } else stack.length = 0;
    const root = stack[0];
    const view = ws.storeView({
      ...(args.view as Json),
      team_id: SANDBOX_TEAM.id,
      app_id: SANDBOX_APP_ID,
      bot_id: SANDBOX_BOT.botId,
      ...(root ? { root_view_id: root, previous_view_id: stack[stack.length - 1] } : {}),
    });
    if (!root) view.root_view_id = view.id;
    stack.push(view.id);
    ws.changed();
    return { ok: true, view };
  };

  const methods: Record<string, (args: Json) => Json> = {
    'api.test': (args) => ({ ok: true, args }),
    'auth.test': () => ({
      ok: true,
      url: `${options.baseUrl()}/`,
      team: SANDBOX_TEAM.name,
      user: SANDBOX_BOT.name,
      team_id: SANDBOX_TEAM.id,
      user_id: SANDBOX_BOT.userId,
      bot_id: SANDBOX_BOT.botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const channel = channelArg('chat.postMessage', args);
      if (!isChannel(channel)) return channel;
      const problems = messageProblems(args);
      if (problems.length > 0) return refuse('chat.postMessage', 'invalid_blocks', problems);
      const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
      if (threadTs && !channel.messages.some((message) => message.ts === threadTs))
        return refuse('chat.postMessage', 'thread_not_found');
      const blocks = blocksArg(args);
      const metadata = metadataArg(args);
      const message = ws.postMessage(channel, {
        user: SANDBOX_BOT.userId,
        text: String(args.text ?? ''),
        ...(blocks ? { blocks } : {}),
        ...(threadTs ? { threadTs } : {}),
        ...(metadata ? { metadata } : {}),
      });
      return { ok: true, channel: channel.id, ts: message.ts, message: messageJson(message) };
    },

    'chat.postEphemeral': (args) => {
      const channel = channelArg('chat.postEphemeral', args);
      if (!isChannel(channel)) return channel;
      const user = String(args.user ?? '');
      if (!ws.users.some((candidate) => candidate.id === user))
        return refuse('chat.postEphemeral', 'user_not_in_channel');
      const problems = messageProblems(args);
      if (problems.length > 0) return refuse('chat.postEphemeral', 'invalid_blocks', problems);
      const blocks = blocksArg(args);
      const message = ws.postMessage(channel, {
        user: SANDBOX_BOT.userId,
        text: String(args.text ?? ''),
        ephemeralFor: user,
        ...(blocks ? { blocks } : {}),
      });
      return { ok: true, message_ts: message.ts };
    },

    'chat.update': (args) => {
      const channel = channelArg('chat.update', args);
      if (!isChannel(channel)) return channel;
      const problems = messageProblems(args);
      if (problems.length > 0) return refuse('chat.update', 'invalid_blocks', problems);
      const existing = channel.messages.find((message) => message.ts === args.ts);
      if (!existing || existing.ephemeralFor) return refuse('chat.update', 'message_not_found');
      if (existing.user !== SANDBOX_BOT.userId) return refuse('chat.update', 'cant_update_message');
      const blocks = blocksArg(args);
      const metadata = metadataArg(args);
      const updated = ws.updateMessage(channel, existing.ts, {
        text: String(args.text ?? ''),
        ...(blocks ? { blocks } : {}),
        ...(metadata ? { metadata } : {}),
      })!;
      return {
        ok: true,
        channel: channel.id,
        ts: updated.ts,
        text: updated.text,
        message: messageJson(updated),
      };
    },

    'chat.delete': (args) => {
      const channel = channelArg('chat.delete', args);
      if (!isChannel(channel)) return channel;
      return ws.deleteMessage(channel, String(args.ts))
        ? { ok: true, channel: channel.id, ts: args.ts }
        : refuse('chat.delete', 'message_not_found');
    },

    'chat.getPermalink': (args) => ({
      ok: true,
      channel: args.channel,
      permalink: `${options.baseUrl()}/#${String(args.channel)}/${String(args.message_ts)}`,
    }),

    'views.open': (args) => openModal('views.open', args),
    'views.push': (args) => openModal('views.push', args),

    'views.update': (args) => {
      const byExternal =
        typeof args.external_id === 'string'
          ? [...ws.views.values()].find((view) => view.external_id === args.external_id)
          : undefined;
      const existing = byExternal ?? ws.views.get(String(args.view_id));
      if (!existing) return refuse('views.update', 'not_found');
      if (args.hash !== undefined && args.hash !== existing.hash)
        return refuse('views.update', 'hash_conflict');
      const argumentProblems = viewArgumentProblems(args.view);
      if (argumentProblems.length > 0) return refuse('views.update', 'invalid_arguments', argumentProblems);
      const problems = viewProblems(args.view);
      if (problems.length > 0) return refuse('views.update', 'invalid_blocks', problems);
      const { id: _id, hash: _hash, ...keep } = existing;
      const view = ws.storeView(
        {
          team_id: keep.team_id,
          app_id: keep.app_id,
          bot_id: keep.bot_id,
          ...(keep.previous_view_id ? { previous_view_id: keep.previous_view_id } : {}),
          ...(args.view as Json),
        },
        existing.id,
      );
      return { ok: true, view };
    },

    'views.publish': (args) => {
      const argumentProblems = viewArgumentProblems(args.view);
      if (argumentProblems.length > 0) return refuse('views.publish', 'invalid_arguments', argumentProblems);
      const problems = viewProblems(args.view);
      if (problems.length > 0) return refuse('views.publish', 'invalid_blocks', problems);
      if ((args.view as Json).type !== 'home')
        return refuse('views.publish', 'invalid_arguments', ['needs a home view']);
      const userId = String(args.user_id ?? '');
      if (!ws.users.some((user) => user.id === userId)) return refuse('views.publish', 'user_not_found');
      const current = ws.homeOf(userId);
      if (args.hash !== undefined && current && args.hash !== current.hash)
        return refuse('views.publish', 'hash_conflict');
      const view = ws.storeView(
        {
          ...(args.view as Json),
          team_id: SANDBOX_TEAM.id,
          app_id: SANDBOX_APP_ID,
          bot_id: SANDBOX_BOT.botId,
        },
        current?.id,
      );
      ws.setHome(userId, view.id);
      return { ok: true, view };
    },

    'users.info': (args) => {
      const user = ws.users.find((candidate) => candidate.id === args.user);
      if (!user) return refuse('users.info', 'user_not_found');
      return {
        ok: true,
        user: {
          id: user.id,
          team_id: SANDBOX_TEAM.id,
          name: user.name,
          real_name: user.realName,
          tz: 'Europe/Paris',
          is_admin: user.role === 'admin',
          is_bot: false,
          profile: { real_name: user.realName, display_name: user.name },
        },
      };
    },
    'users.list': () => ({
      ok: true,
      members: ws.users.map((user) => ({ id: user.id, name: user.name, real_name: user.realName })),
    }),
    // The sandbox has no user groups: roles are given to user ids (see users.ts).
    'usergroups.users.list': () => refuse('usergroups.users.list', 'no_such_subteam'),

    'conversations.list': () => ({
      ok: true,
      channels: [...ws.channels.values()].filter((channel) => !channel.dmUser).map(channelJson),
      response_metadata: { next_cursor: '' },
    }),
    'conversations.info': (args) => {
      const channel = channelArg('conversations.info', args);
      return isChannel(channel) ? { ok: true, channel: channelJson(channel) } : channel;
    },
    'conversations.open': (args) => {
      const user = String(args.users ?? '').split(',')[0] ?? '';
      if (!ws.users.some((candidate) => candidate.id === user))
        return refuse('conversations.open', 'user_not_found');
      return { ok: true, channel: { id: dmChannelOf(user) } };
    },
    'conversations.history': (args) => {
      const channel = channelArg('conversations.history', args);
      if (!isChannel(channel)) return channel;
      const limit = Math.min(Number(args.limit) || 100, 1000);
      const oldest = Number(args.oldest ?? 0);
      const latest = args.latest === undefined ? Number.POSITIVE_INFINITY : Number(args.latest);
      const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
      const messages = channel.messages
        .filter((message) => !message.ephemeralFor && !message.threadTs)
        .filter((message) => Number(message.ts) >= oldest && Number(message.ts) <= latest)
        .slice(-limit)
        .reverse()
        .map((message) => messageJson(message, withMetadata));
      return { ok: true, messages, has_more: false };
    },
    'conversations.replies': (args) => {
      const channel = channelArg('conversations.replies', args);
      if (!isChannel(channel)) return channel;
      const parent = channel.messages.find((message) => message.ts === args.ts);
      if (!parent) return refuse('conversations.replies', 'thread_not_found');
      const replies = channel.messages.filter(
        (message) => message.threadTs === parent.ts && !message.ephemeralFor,
      );
      const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
      return {
        ok: true,
        messages: [parent, ...replies].map((message) => messageJson(message, withMetadata)),
        has_more: false,
      };
    },
    'conversations.members': () => ({ ok: true, members: ws.users.map((user) => user.id) }),
    'conversations.join': (args) => {
      const channel = channelArg('conversations.join', args);
      return isChannel(channel) ? { ok: true, channel: channelJson(channel) } : channel;
    },

    // files.uploadV2 is three steps: get an upload URL, POST the bytes there, complete the upload.
    'files.getUploadURLExternal': (args) => {
      const length = Number(args.length);
      if (typeof args.filename !== 'string' || !Number.isFinite(length) || length <= 0)
        return refuse('files.getUploadURLExternal', 'invalid_arguments', [
          'filename and length are required',
        ]);
      const fileId = ws.nextId('F');
      uploads.set(fileId, { fileId, filename: args.filename, length });
      // The upload URL needs no token (as Slack's), so it carries a random key, not the file id.
      const uploadKey = randomBytes(16).toString('hex');
      uploadKeys.set(uploadKey, fileId);
      return { ok: true, file_id: fileId, upload_url: `${options.baseUrl()}/sandbox/upload/${uploadKey}` };
    },
    'files.completeUploadExternal': (args) => {
      const files = (Array.isArray(args.files) ? args.files : []) as Array<{ id?: string; title?: string }>;
      const slots = files.map((file) => uploads.get(String(file.id)));
      if (files.length === 0 || slots.some((slot) => !slot || slot.bytes === undefined))
        return refuse('files.completeUploadExternal', 'invalid_arguments', [
          'unknown or not uploaded file id',
        ]);
      const shared = slots.map((slot, index) => ({
        id: slot!.fileId,
        name: slot!.filename,
        title: files[index]?.title ?? slot!.filename,
        bytes: slot!.bytes ?? 0,
      }));
      const channelRef = typeof args.channel_id === 'string' ? args.channel_id : undefined;
      if (channelRef) {
        const channel = ws.resolveChannel(channelRef);
        if (!channel) return refuse('files.completeUploadExternal', 'channel_not_found');
        ws.postMessage(channel, {
          user: SANDBOX_BOT.userId,
          text: typeof args.initial_comment === 'string' ? args.initial_comment : '',
          files: shared,
          ...(typeof args.thread_ts === 'string' ? { threadTs: args.thread_ts } : {}),
        });
      }
      return {
        ok: true,
        files: shared.map((file) => ({ id: file.id, name: file.name, title: file.title, size: file.bytes })),
      };
    },
  };

  return {
    /** Answers one Web API call; unknown methods answer `unknown_method` like Slack. */
    call(method: string, args: Json): Json {
      const handler = methods[method];
      if (!handler) return refuse(method, 'unknown_method');
      return handler(args);
    },
    /** The bytes POSTed to an upload URL (files.uploadV2's second step). */
    receiveUpload(uploadKey: string, bytes: number): boolean {
      const fileId = uploadKeys.get(uploadKey);
      const slot = fileId === undefined ? undefined : uploads.get(fileId);
      if (!slot) return false;
      slot.bytes = bytes;
      return true;
    },
    methods: Object.keys(methods),
  };
}

export type WebApi = ReturnType<typeof createWebApi>;

/** The default alert channel of the sandbox workspace. */
export const SANDBOX_ALERTS_CHANNEL_ID = ALERTS_CHANNEL.id;
