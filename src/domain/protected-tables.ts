import type { ValidationMessages } from './i18n/validation.js';

/** chronops's own tables may not be cleaned up by a task: the pure check, before any executor runs. */

/**
 * The entry of `protectedTables` that `table` (a syntax-checked, lower-cased, optionally qualified name)
 * names, or undefined. Names match on the table part; the schemas only decide when both are qualified.
 */
export function protectedTableNamed(table: string, protectedTables: readonly string[]): string | undefined {
  const [schema, name] = splitQualified(table.toLowerCase());
  return protectedTables.find((entry) => {
    const [entrySchema, entryName] = splitQualified(entry);
    return (
      entryName === name && (schema === undefined || entrySchema === undefined || schema === entrySchema)
    );
  });
}

function splitQualified(name: string): [string | undefined, string] {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? [undefined, name] : [name.slice(0, dot), name.slice(dot + 1)];
}

export function protectedTableError(
  v: ValidationMessages,
  params: unknown,
  protectedTables: readonly string[],
): string | undefined {
  const table = (params as { table?: unknown }).table;
  if (typeof table !== 'string') return undefined;
  const entry = protectedTableNamed(table, protectedTables);
  if (!entry) return undefined;
  return v.protectedTable(table, entry, entry.endsWith('task_executions'));
}
