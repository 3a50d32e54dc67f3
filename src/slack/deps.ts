import type pg from 'pg';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Database } from '../store/database.js';
import type { Ui } from './blocks/ui.js';
import type { Messages, SlackLocale } from './i18n/index.js';
import type { RoleResolver } from './permissions.js';

/**
 * The part of the service configuration the Slack surface reads. Structurally a subset of `Config`
 * (src/config.ts), so main.ts passes its Config unchanged while slack/ stays free of config imports.
 */
export interface SlackConfig {
  readonly locale: SlackLocale;
  readonly defaultTimezone: string;
  readonly slack: {
    readonly mode: 'http' | 'socket' | 'sandbox';
    readonly botToken: string | undefined;
    readonly signingSecret: string | undefined;
    readonly appToken: string | undefined;
    readonly apiUrl: string | undefined;
    readonly alertChannel: string | undefined;
    readonly admins: readonly string[];
    readonly operators: readonly string[];
  };
}

/** The subset of the Web API the listeners call (Bolt's `app.client` satisfies it). */
export interface SlackClient {
  views: {
    open(args: { trigger_id: string; view: object }): Promise<unknown>;
    update(args: { view_id: string; hash?: string; view: object }): Promise<unknown>;
    push(args: { trigger_id: string; view: object }): Promise<unknown>;
    publish(args: { user_id: string; view: object }): Promise<unknown>;
  };
  chat: {
    postMessage(args: { channel: string; text: string; blocks?: object[] }): Promise<unknown>;
  };
}

/** Everything a listener factory closes over. */
export interface SlackDeps {
  readonly config: SlackConfig;
  readonly db: Database;
  readonly pool: pg.Pool;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly m: Messages;
  readonly locale: SlackLocale;
  readonly roles: RoleResolver;
  /** Called after a run or retry is queued, so this replica's scheduler starts it at once. */
  readonly wakeScheduler: (() => void) | undefined;
  /** False when no restricted task login is configured: tasks carrying SQL are refused. */
  readonly userSqlAvailable: boolean;
  /** Re-renders the App Home of everyone who has it open on this replica (after a change). */
  readonly republishHomes: () => Promise<void>;
  /** Renders one user's App Home at a page offset and remembers it for later republishing. */
  readonly publishHome: (client: SlackClient, userId: string, offset?: number) => Promise<void>;
  /** Registers work that outlives the listener (background republishing), for `idle()`. */
  readonly track: (work: Promise<unknown>) => void;
  /**
   * Runs what a listener does after its ack, a bounded number at a time in arrival order, so a burst's
   * answers cannot delay the acknowledgement of the next requests (after-ack.ts).
   */
  readonly afterAck: <T>(work: () => Promise<T>) => Promise<T>;
}

export function uiOf(deps: Pick<SlackDeps, 'm' | 'locale' | 'clock'>): Ui {
  return { m: deps.m, locale: deps.locale, now: deps.clock.now() };
}
