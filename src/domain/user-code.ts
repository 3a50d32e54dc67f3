import type { TaskType } from './task-types.js';

/**
 * Code a person wrote that a task runs: SQL text, or a script from SCRIPTS_DIR with its arguments.
 *
 * This is the one place that says which task types carry such code, because three trust rules hang on
 * it (docs/SECURITY.md): a task carrying code waits for a second admin's approval, and an edit resets it;
 * the approval card shows the whole code; SQL runs on the restricted task login, never as chronops's
 * own. A new task type that takes SQL must answer here, or the switch below does not compile.
 */
export type UserCode =
  | { readonly kind: 'sql'; readonly sql: string; readonly readOnly: boolean }
  | {
      readonly kind: 'script';
      readonly script: string;
      readonly args: readonly string[];
      /** Variables passed from the service's environment: what the script can see is part of its code. */
      readonly env: readonly string[];
    };

/** The user code in a task's params, or undefined when the task runs only chronops's own statements. */
export function userCodeOf(type: TaskType, params: Readonly<Record<string, unknown>>): UserCode | undefined {
  switch (type) {
    case 'custom':
      if (params.kind === 'script') {
        return {
          kind: 'script',
          script: typeof params.script === 'string' ? params.script : '',
          args: Array.isArray(params.args) ? params.args.map(String) : [],
          env: Array.isArray(params.env) ? params.env.map(String) : [],
        };
      }
      // Any other kind is refused by the params schema; treat unknown shapes as SQL so they still
      // need approval rather than slipping through as "no code".
      return {
        kind: 'sql',
        sql: typeof params.sql === 'string' ? params.sql : '',
        readOnly: params.readOnly === true,
      };
    case 'notification':
      if (params.query === 'low_quota') return undefined;
      return { kind: 'sql', sql: typeof params.sql === 'string' ? params.sql : '', readOnly: true };
    case 'backup':
    case 'cleanup':
    case 'report':
      return undefined;
    default: {
      const unknownType: never = type;
      throw new Error(`userCodeOf: unknown task type ${String(unknownType)}`);
    }
  }
}

/** True when saving a task with these params needs a second admin's approval before it runs. */
export function needsSecondApproval(type: TaskType, params: Readonly<Record<string, unknown>>): boolean {
  return userCodeOf(type, params) !== undefined;
}

/** True when the task sends SQL of a person's writing, which must run on the restricted task login. */
export function runsUserSql(type: TaskType, params: Readonly<Record<string, unknown>>): boolean {
  return userCodeOf(type, params)?.kind === 'sql';
}

/**
 * The code as a reviewer reads it on an approval card: the SQL as written, or the script followed by
 * each argument in JSON quotes, so an argument with a space or a quote cannot pass for two (or for
 * part of the script's name).
 */
export function userCodeText(code: UserCode): string {
  if (code.kind === 'sql') return code.sql;
  const command = [code.script, ...code.args.map((arg) => JSON.stringify(arg))].join(' ');
  return code.env.length > 0
    ? `${command}\n# with these variables from chronops's environment: ${code.env.join(', ')}`
    : command;
}
