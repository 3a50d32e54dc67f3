/**
 * What an Approve, Reject or View full text button carries: the task and the version of its code the
 * card showed, as `<taskId>:<version>` (well within Slack's 2,000 characters for a button value). The
 * notifier writes it and the Slack listeners read it; neither may import the other.
 */
export interface ApprovalRef {
  taskId: string;
  version: number;
}

/** The button value for `ref`. */
export function formatApprovalRef(ref: ApprovalRef): string {
  return `${ref.taskId}:${ref.version}`;
}

/**
 * Reads a button value. `{ taskId }` alone for a value without a version (a card posted before
 * approvals were bound to versions); undefined for anything else.
 */
export function parseApprovalRef(
  value: string,
): ApprovalRef | { taskId: string; version?: undefined } | undefined {
  const match =
    /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?::([1-9][0-9]{0,9}))?$/i.exec(
      value.trim(),
    );
  if (!match?.[1]) return undefined;
  if (match[2] === undefined) return { taskId: match[1] };
  const version = Number(match[2]);
  return Number.isSafeInteger(version) && version <= 2_147_483_647
    ? { taskId: match[1], version }
    : undefined;
}

/**
 * The outbox dedupe key of the approval card for one version: one card per saved version, and the key
 * by which a decision or a newer save finds the card to update in place.
 */
export function approvalRequestKey(ref: ApprovalRef): string {
  return `approval_requested:${ref.taskId}:${ref.version}`;
}
