/**
 * How a failed delivery of an alert is recorded in `notification_outbox.last_error`: the error Slack
 * named (`channel_not_found`), or chronops's own name for a failure Slack did not name (`http_503`,
 * `network_error`, `no_channel`), then `: ` and the detail. The notifier writes it; `/tasks alerts` and
 * the App Home read the name back to show it first.
 */
const CODE = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_CHARS = 1000;

/** `code` alone, or `code: detail`, at most 1,000 characters. */
export function formatDeliveryError(code: string, detail?: string): string {
  const text = detail && detail !== code ? `${code}: ${detail}` : code;
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text;
}

/**
 * The error's name and the rest. A text written before errors were named (`An API error occurred:
 * invalid_blocks`) has no name: `code` is null and `detail` is the whole text.
 */
export function parseDeliveryError(text: string | null): { code: string | null; detail: string } {
  if (text === null) return { code: null, detail: '' };
  const colon = text.indexOf(': ');
  const head = colon === -1 ? text : text.slice(0, colon);
  if (!CODE.test(head)) return { code: null, detail: text };
  return { code: head, detail: colon === -1 ? '' : text.slice(colon + 2) };
}
