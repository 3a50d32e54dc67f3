/**
 * The shapes the sandbox page works with, for its JSDoc types (tsconfig.page.json). Types only: nothing
 * imports this file at run time, and the server does not serve it. Block Kit is typed loosely (every
 * field optional) because the page renders what the bot sent, including what Slack would refuse.
 */

/** A text object: plain_text or mrkdwn. */
export interface TextObject {
  type?: string;
  text?: string;
  emoji?: boolean;
}

export interface BlockOption {
  text?: TextObject;
  value?: string;
  description?: TextObject;
  confirm?: Confirm;
}

export interface OptionGroup {
  label?: TextObject;
  options?: BlockOption[];
}

/** A confirmation dialog (composition object `confirm`). */
export interface Confirm {
  title?: TextObject;
  text?: TextObject;
  confirm?: TextObject;
  deny?: TextObject;
  style?: string;
}

/** Any interactive or image element; fields of every type, all optional. */
export interface BlockElement {
  type: string;
  action_id?: string;
  text?: TextObject;
  value?: string;
  url?: string;
  style?: string;
  confirm?: Confirm;
  placeholder?: TextObject;
  options?: BlockOption[];
  option_groups?: OptionGroup[];
  initial_option?: BlockOption;
  initial_options?: BlockOption[];
  initial_value?: string;
  initial_conversation?: string;
  initial_channel?: string;
  initial_user?: string;
  initial_date?: string;
  initial_time?: string;
  multiline?: boolean;
  max_length?: number;
  min_length?: number;
  min_value?: string;
  max_value?: string;
  is_decimal_allowed?: boolean;
  dispatch_action_config?: { trigger_actions_on?: string[] };
  image_url?: string;
  alt_text?: string;
}

/** An inline item of rich text (text, link, emoji, user, channel, broadcast, date). */
export interface RichInline {
  type: string;
  text?: string;
  url?: string;
  name?: string;
  user_id?: string;
  channel_id?: string;
  range?: string;
  timestamp?: number;
  format?: string;
  fallback?: string;
  style?: { bold?: boolean; italic?: boolean; strike?: boolean; code?: boolean };
}

/** A rich_text section, list, quote or preformatted run. */
export interface RichElement {
  type: string;
  style?: string;
  elements?: Array<RichInline & RichElement>;
}

/** A context block's element: an image or a text object. */
export type ContextElement = TextObject & { image_url?: string; alt_text?: string };

export interface Block {
  type: string;
  block_id?: string;
  text?: TextObject;
  fields?: TextObject[];
  accessory?: BlockElement;
  /** Elements of actions (BlockElement), context (ContextElement) and rich_text (RichElement) blocks. */
  elements?: Array<BlockElement | ContextElement | RichElement>;
  element?: BlockElement;
  label?: TextObject;
  hint?: TextObject;
  optional?: boolean;
  dispatch_action?: boolean;
  title?: TextObject;
  image_url?: string;
  alt_text?: string;
}

/** What mrkdwn rendering needs to know about the workspace and the viewer. */
export interface MrkdwnContext {
  userName?: (id: string) => string | undefined;
  channelName?: (id: string) => string | undefined;
  timeZone?: string;
  nowMs?: number;
}

/** Where a used element lives, as the server's interactions expect it. */
export type ActionSource =
  | { kind: 'message'; channel: string; ts: string }
  | { kind: 'view'; viewId: string };

/** One rendered interactive element, found again from its data-el when it is used. */
export interface ElementEntry {
  element: BlockElement;
  blockId: string | undefined;
  dispatch: boolean;
  input: boolean;
}

export type Region = 'main' | 'thread' | 'modal';

/** An entry with where it was rendered. */
export interface RegisteredEntry extends ElementEntry {
  source: ActionSource;
  region: Region;
}

export interface PageUser {
  id: string;
  realName: string;
}

export interface PageChannel {
  id: string;
  name: string;
  kind: 'app' | 'channel';
}

/** What renderBlocks needs: the surface, the registry of elements, mrkdwn context, pickers' lists. */
export interface RenderContext {
  surface: 'message' | 'home' | 'modal';
  register: (entry: ElementEntry) => string | number;
  md: MrkdwnContext;
  users?: PageUser[];
  channels?: PageChannel[];
  errors?: Record<string, string>;
}

// ------------------------------------------------------------------------------------------------
// What the server sends (sandbox.ts stateFor and the commands endpoint)

export interface SandboxFile {
  title: string;
  bytes: number;
}

export interface SandboxMessage {
  ts: string;
  channel: string;
  user: string;
  text?: string;
  blocks?: Block[];
  files?: SandboxFile[];
  threadTs?: string;
  replyCount?: number;
  ephemeralFor?: string;
  editedAt?: number;
}

export interface StateChannel extends PageChannel {
  messages: SandboxMessage[];
}

export interface SandboxView {
  id: string;
  hash?: string;
  callback_id?: string;
  title?: TextObject;
  close?: TextObject;
  submit?: TextObject;
  blocks: Block[];
  errors: Record<string, string>;
}

export interface SandboxState {
  version: number;
  me: string;
  users: PageUser[];
  bot: { userId: string; name: string };
  alertsChannelId: string;
  channels: StateChannel[];
  home: { id: string; blocks: Block[] } | null;
  modals: SandboxView[];
  problems: Array<{ atMs: number; text: string }>;
}

/** `/tasks` subcommands and templates, as the bot knows them (GET /sandbox/commands). */
export interface CommandCatalog {
  subcommands: Array<{ name: string; usage: string; description: string }>;
  templates: Array<{ id: string; name: string }>;
}

/** An answer of the page's POST calls. */
export interface CallAnswer {
  ok: boolean;
  error?: string;
  [key: string]: unknown;
}

/** One value of view.state.values[block][action], as Slack reports it. */
export interface StateValue {
  type: string;
  value?: string | null;
  selected_option?: BlockOption | null;
  selected_options?: BlockOption[];
  selected_conversation?: string | null;
  selected_channel?: string | null;
  selected_user?: string | null;
  selected_date?: string | null;
  selected_time?: string | null;
}

export type StateValues = Record<string, Record<string, StateValue>>;
