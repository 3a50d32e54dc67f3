import { CLEANUP_MODES, REPORT_QUERY_NAMES } from '../domain/task-params.js';
import type { TaskType } from '../domain/task-types.js';

/**
 * The template-parameter inputs the task modal shows for each task type (the schemas themselves live in
 * domain/task-params.ts). A field with `when` only applies when the type's discriminator (cleanup
 * `mode`, notification `query`, custom `kind`) has one of the listed values; other fields are dropped
 * before validation, so a strict schema never sees a parameter of another variant.
 */
export type ParamKind = 'text' | 'multiline' | 'number' | 'select' | 'multiselect' | 'boolean' | 'json';

export interface ParamField {
  readonly key: string;
  readonly kind: ParamKind;
  readonly options?: readonly string[];
  readonly when?: { readonly field: string; readonly values: readonly string[] };
}

const cleanupWhen = (...values: string[]) => ({ field: 'mode', values });

export const PARAM_FIELDS: Readonly<Record<TaskType, readonly ParamField[]>> = {
  backup: [{ key: 'keep', kind: 'number' }],
  cleanup: [
    { key: 'mode', kind: 'select', options: CLEANUP_MODES },
    { key: 'table', kind: 'text', when: cleanupWhen('older_than', 'expired', 'archive') },
    { key: 'timestampColumn', kind: 'text', when: cleanupWhen('older_than', 'archive') },
    { key: 'expiresColumn', kind: 'text', when: cleanupWhen('expired') },
    { key: 'olderThanDays', kind: 'number', when: cleanupWhen('older_than', 'archive') },
    { key: 'successDays', kind: 'number', when: cleanupWhen('execution_history') },
    { key: 'failureDays', kind: 'number', when: cleanupWhen('execution_history') },
    { key: 'batchSize', kind: 'number' },
  ],
  report: [
    { key: 'queries', kind: 'multiselect', options: REPORT_QUERY_NAMES },
    { key: 'csv', kind: 'boolean' },
  ],
  notification: [
    { key: 'query', kind: 'select', options: ['low_quota', 'custom'] },
    { key: 'threshold', kind: 'number', when: { field: 'query', values: ['low_quota'] } },
    { key: 'sql', kind: 'multiline', when: { field: 'query', values: ['custom'] } },
    { key: 'maxListed', kind: 'number' },
    { key: 'message', kind: 'text' },
  ],
  custom: [
    { key: 'kind', kind: 'select', options: ['sql', 'script'] },
    { key: 'sql', kind: 'multiline', when: { field: 'kind', values: ['sql'] } },
    { key: 'readOnly', kind: 'boolean', when: { field: 'kind', values: ['sql'] } },
    { key: 'script', kind: 'text', when: { field: 'kind', values: ['script'] } },
    { key: 'args', kind: 'json', when: { field: 'kind', values: ['script'] } },
    { key: 'env', kind: 'json', when: { field: 'kind', values: ['script'] } },
  ],
};

/** Keeps the params that apply to the chosen variant and drops empty values (so defaults apply). */
export function relevantParams(type: TaskType, params: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of PARAM_FIELDS[type]) {
    const value = params[field.key];
    if (value === undefined || value === '') continue;
    if (field.when) {
      const discriminator = params[field.when.field];
      // An unset discriminator means the schema's default (cleanup: older_than).
      const chosen = discriminator ?? (type === 'cleanup' ? 'older_than' : undefined);
      if (typeof chosen !== 'string' || !field.when.values.includes(chosen)) continue;
    }
    result[field.key] = value;
  }
  return result;
}
