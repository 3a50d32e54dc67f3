import { randomBytes } from 'node:crypto';
import type { Json } from './block-rules.js';
import {
  ALERTS_CHANNEL,
  dmChannelOf,
  GENERAL_CHANNEL,
  SANDBOX_BOT,
  SANDBOX_USERS,
  type SandboxUser,
} from './users.js';

/**
 * The sandbox workspace's state: channels and their messages (with threads and per-user ephemerals),
 * direct messages with the app, modal stacks and App Home views per user, trigger ids and response
 * URLs. In memory, like a Slack workspace seen from one app; every change bumps `version` and notifies
 * listeners (the page's live stream).
 */
export interface SandboxMessage {
  ts: string;
  channel: string;
  /** Author: the bot's user id or a person's. */
  user: string;
  text: string;
  blocks?: Json[];
  threadTs?: string;
  replyCount: number;
  /** Only this user sees it (chat.postEphemeral, ephemeral response_url answers). */
  ephemeralFor?: string;
  editedAt?: number;
  files?: Array<{ id: string; name: string; title: string; bytes: number }>;
  /** Slack message metadata (`{event_type, event_payload}`), returned by history with include_all_metadata. */
  metadata?: Json;
}

export interface SandboxChannel {
  id: string;
  name: string;
  /** Set for direct-message conversations with the app. */
  dmUser?: string;
  messages: SandboxMessage[];
}

export interface StoredView extends Json {
  id: string;
  hash: string;
  type: 'modal' | 'home';
  blocks: Json[];
}

/** Most messages kept per conversation; older ones fall off like an unpaid workspace's history. */
const MAX_MESSAGES = 500;
const TRIGGER_TTL_MS = 3000;
const RESPONSE_URL_TTL_MS = 30 * 60_000;
const RESPONSE_URL_USES = 5;
/** Slack allows three views in a modal stack. */
export const MAX_MODAL_STACK = 3;

export interface ResponseTarget {
  userId: string;
  channelId: string;
  /** The message the interaction came from (for replace_original / delete_original). */
  messageTs?: string;
  issuedAtMs: number;
  uses: number;
}

// Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
export function createWorkspace(options: { nowMs: () => number; users?: readonly SandboxUser[] }) {
  const nowMs = options.nowMs;
  const users = options.users ?? SANDBOX_USERS;
  const channels = new Map<string, SandboxChannel>();
  for (const channel of [GENERAL_CHANNEL, ALERTS_CHANNEL])
    channels.set(channel.id, { id: channel.id, name: channel.name, messages: [] });
  for (const user of users) {
    const id = dmChannelOf(user.id);
    channels.set(id, { id, name: SANDBOX_BOT.name, dmUser: user.id, messages: [] });
  }
  const views = new Map<string, StoredView>();
  const modalStacks = new Map<string, string[]>();
  const homes = new Map<string, string>();
  /** Field errors of a modal after a view_submission answered `response_action: errors`. */
  const viewErrors = new Map<string, Record<string, string>>();
  const triggers = new Map<string, { userId: string; issuedAtMs: number }>();
  const responseUrls = new Map<string, ResponseTarget>();
  const listeners = new Set<() => void>();
  let version = 0;
  let counter = 0;
  let lastTsMicros = 0;

  const changed = () => {
    version += 1;
    for (const listener of listeners) listener();
  };

  const nextId = (prefix: string) => `${prefix}${(++counter).toString(36).toUpperCase().padStart(8, '0')}`;

  /** Message timestamps are unique and increasing, like Slack's (`seconds.micro`). */
  const nextTs = () => {
    lastTsMicros = Math.max(lastTsMicros + 1, nowMs() * 1000);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };

  /** Slack fills in missing block_ids and action_ids; the page needs them to send actions back. */
  const withIds = (blocks: Json[] | undefined): Json[] | undefined =>
    blocks?.map((block) => {
      const copy: Json = { ...block, block_id: block.block_id ?? randomBytes(3).toString('base64url') };
      const fill = (element: unknown) =>
        element && typeof element === 'object' && (element as Json).type !== 'image'
          ? {
              ...(element as Json),
              action_id: (element as Json).action_id ?? randomBytes(3).toString('base64url'),
            }
          : element;
      if (Array.isArray(copy.elements) && copy.type === 'actions') copy.elements = copy.elements.map(fill);
      if (copy.accessory) copy.accessory = fill(copy.accessory);
      if (copy.element) copy.element = fill(copy.element);
      return copy;
    });

  const resolveChannel = (ref: string): SandboxChannel | undefined => {
    if (channels.has(ref)) return channels.get(ref);
    if (ref.startsWith('U') || ref.startsWith('W')) return channels.get(dmChannelOf(ref));
    const name = ref.replace(/^#/, '');
    return [...channels.values()].find((channel) => channel.name === name && !channel.dmUser);
  };

  return {
    users,
    channels,
    views,
    get version() {
      return version;
    },
    onChange(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    changed,
    nextId,
    resolveChannel,

    postMessage(
      channel: SandboxChannel,
      message: Omit<SandboxMessage, 'ts' | 'channel' | 'replyCount'> & { ts?: string },
    ): SandboxMessage {
      const stored: SandboxMessage = {
        ...message,
        ...(message.blocks ? { blocks: withIds(message.blocks)! } : {}),
        ts: message.ts ?? nextTs(),
        channel: channel.id,
        replyCount: 0,
      };
      if (stored.threadTs) {
        const parent = channel.messages.find((candidate) => candidate.ts === stored.threadTs);
        if (parent) parent.replyCount += 1;
      }
      channel.messages.push(stored);
      if (channel.messages.length > MAX_MESSAGES)
        channel.messages.splice(0, channel.messages.length - MAX_MESSAGES);
      changed();
      return stored;
    },

    updateMessage(
      channel: SandboxChannel,
      ts: string,
      update: { text: string; blocks?: Json[]; metadata?: Json },
    ) {
      const message = channel.messages.find((candidate) => candidate.ts === ts);
      if (!message) return undefined;
      message.text = update.text;
      if (update.blocks) message.blocks = withIds(update.blocks)!;
      else delete message.blocks;
      if (update.metadata) message.metadata = update.metadata;
      message.editedAt = nowMs();
      changed();
      return message;
    },

    deleteMessage(channel: SandboxChannel, ts: string): boolean {
      const index = channel.messages.findIndex((candidate) => candidate.ts === ts);
      if (index < 0) return false;
      channel.messages.splice(index, 1);
      changed();
      return true;
    },

    findMessage(channelId: string, ts: string): SandboxMessage | undefined {
      return channels.get(channelId)?.messages.find((message) => message.ts === ts);
    },

    /** Stores a view (new id, or a new hash for an existing one). */
    storeView(view: Json, existingId?: string): StoredView {
      const id = existingId ?? nextId('V');
      const previous = existingId ? views.get(existingId) : undefined;
      const stored = {
        ...view,
        id,
        hash: `${nowMs()}.${randomBytes(4).toString('hex')}`,
        blocks: withIds(view.blocks as Json[]) ?? [],
        state: { values: {} },
        ...(previous?.root_view_id ? { root_view_id: previous.root_view_id } : {}),
      } as unknown as StoredView;
      views.set(id, stored);
      viewErrors.delete(id);
      changed();
      return stored;
    },

    modalStack(userId: string): string[] {
      let stack = modalStacks.get(userId);
      if (!stack) {
        stack = [];
        modalStacks.set(userId, stack);
      }
      return stack;
    },
    /** The user holding this modal in their stack. */
    modalOwner(viewId: string): string | undefined {
      for (const [userId, stack] of modalStacks) if (stack.includes(viewId)) return userId;
      return undefined;
    },
    setHome(userId: string, viewId: string) {
      homes.set(userId, viewId);
      changed();
    },
    homeOf(userId: string): StoredView | undefined {
      const id = homes.get(userId);
      return id ? views.get(id) : undefined;
    },
    setViewErrors(viewId: string, errors: Record<string, string>) {
      viewErrors.set(viewId, errors);
      changed();
    },
    viewErrorsOf(viewId: string): Record<string, string> | undefined {
      return viewErrors.get(viewId);
    },

    newTrigger(userId: string): string {
      const trigger = `${++counter}.${randomBytes(6).toString('hex')}`;
      triggers.set(trigger, { userId, issuedAtMs: nowMs() });
      return trigger;
    },
    /** Consumes a trigger id: valid 3 s and once, as in Slack. */
    useTrigger(trigger: unknown): { userId: string } | { error: string } {
      const issued = typeof trigger === 'string' ? triggers.get(trigger) : undefined;
      if (!issued) return { error: 'invalid_trigger_id' };
      triggers.delete(trigger as string);
      if (nowMs() - issued.issuedAtMs > TRIGGER_TTL_MS) return { error: 'expired_trigger_id' };
      return { userId: issued.userId };
    },

    newResponseUrl(target: Omit<ResponseTarget, 'issuedAtMs' | 'uses'>): string {
      // Unguessable, as Slack's are: a response_url needs no token, so knowing one is posting as the bot.
      const id = `R${randomBytes(16).toString('hex')}`;
      responseUrls.set(id, { ...target, issuedAtMs: nowMs(), uses: 0 });
      return id;
    },
    /** A response_url works five times within 30 minutes. */
    useResponseUrl(id: string): ResponseTarget | undefined {
      const target = responseUrls.get(id);
      if (!target || target.uses >= RESPONSE_URL_USES || nowMs() - target.issuedAtMs > RESPONSE_URL_TTL_MS)
        return undefined;
      target.uses += 1;
      return target;
    },
  };
}

export type Workspace = ReturnType<typeof createWorkspace>;
