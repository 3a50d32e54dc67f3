/**
 * When this replica may post next (docs/ARCHITECTURE.md §10): Slack allows about one `chat.postMessage`
 * a second per channel, and a 429 names a Retry-After that holds for every post of the token. Kept per
 * replica, in memory: replicas pace themselves apart, and a 429 seen by one pauses the others in turn
 * when Slack answers them the same.
 */
export const POST_SPACING_MS = 1000;

export class PostPacing {
  /** Per channel: the instant (clock ms) of its next allowed post. */
  private readonly nextPostAt = new Map<string, number>();
  /** After a 429: no post before this instant (clock ms). */
  private paused = 0;

  /** The end of the current 429 pause (clock ms); in the past when there is none. */
  get pausedUntil(): number {
    return this.paused;
  }

  /** A 429: no post before `untilMs`. A shorter pause never cuts a longer one short. */
  pause(untilMs: number): void {
    this.paused = Math.max(this.paused, untilMs);
  }

  /** The earliest instant (clock ms) a post to `channel` may be made: now, if it is not later. */
  earliestPostAt(channel: string): number {
    return Math.max(this.paused, this.nextPostAt.get(channel) ?? 0);
  }

  /**
   * A post to `channel` is being made at `atMs`. Recorded before the call, so that a post whose response
   * is lost still spaces the next one.
   */
  recordPost(channel: string, atMs: number): void {
    this.nextPostAt.set(channel, atMs + POST_SPACING_MS);
  }
}
