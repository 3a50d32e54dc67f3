/**
 * Secret scrubbing for everything chronops writes where people read it: its own logs (pino), and the
 * logs, errors and results of executions (stored in task_executions and posted to Slack). Two rules,
 * both replacing with `***` (docs/SECURITY.md):
 *
 * - the password of any URL (`postgres://user:secret@host` → `postgres://user:***@host`), whoever's it is;
 * - every known secret value (Slack tokens, signing secret, database passwords, the task login's
 *   password), wherever it appears, e.g. echoed by a script.
 */
export const REDACTED = '***';

/**
 * `scheme://user:password@` with the password cut at the last `@` before the host; a password may not
 * hold `/`, whitespace or quotes here, which keeps the match inside one URL in a line of text.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s/'"]*)@/gi;

/** Replaces the password of every URL in `text` with `***`. */
export function redactUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, (_match, prefix: string, password: string) =>
    password === '' || password === REDACTED ? `${prefix}${password}@` : `${prefix}${REDACTED}@`,
  );
}

/**
 * Secrets shorter than this are not searched for: replacing every "1234" of a log would hide far more
 * than it protects, and no token or generated password is that short.
 */
const MIN_SECRET_LENGTH = 6;

export type Redactor = (text: string) => string;

/** A redactor for these secret values (empty, undefined and too-short ones are ignored) and URL passwords. */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  const known = [...new Set(secrets.filter((s): s is string => !!s && s.length >= MIN_SECRET_LENGTH))]
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let result = text;
    for (const secret of known) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    return redactUrlPasswords(result);
  };
}

/** The password of a connection URL, if it has one (for the list of known secrets). */
export function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Applies `redact` to every string inside a JSON-like value (objects, arrays), returning a copy; other
 * values are kept. Depth is bounded so a cyclic or very deep value cannot hang a log call.
 */
export function redactDeep<T>(value: T, redact: Redactor, depth = 8): T {
  if (typeof value === 'string') return redact(value) as T;
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact, depth - 1)) as T;
  if (value instanceof Date) return value;
  // An error (a log call's `err`) becomes what pino's serializer would print, with its texts redacted.
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      type: value.name,
      message: redact(value.message),
      ...(value.stack ? { stack: redact(value.stack) } : {}),
      ...(code !== undefined ? { code } : {}),
    } as T;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactDeep(item, redact, depth - 1);
  return copy as T;
}

/**
 * The secrets of one running service. Some are known only after start (the embedded database's task
 * login password, the sandbox's bot token), so the set grows; `redact` always uses all of them.
 */
export interface SecretSet {
  add(...secrets: ReadonlyArray<string | undefined>): void;
  readonly redact: Redactor;
}

export function createSecretSet(initial: ReadonlyArray<string | undefined> = []): SecretSet {
  const secrets = new Set<string | undefined>(initial);
  let current = createRedactor([...secrets]);
  return {
    add(...more) {
      for (const secret of more) secrets.add(secret);
      current = createRedactor([...secrets]);
    },
    redact: (text) => current(text),
  };
}
