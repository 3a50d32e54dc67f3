import { describe, expect, it } from 'vitest';
import { TASK_TYPES } from '../../../src/domain/task-types.js';
import { createExecutorRegistry } from '../../../src/executors/registry.js';
import type { Executor, ExecutorRegistry } from '../../../src/executors/types.js';
import { createExecutorTestBed } from './support.js';

describe('executor registry', () => {
  it('has one executor per task type', async () => {
    const bed = await createExecutorTestBed();
    try {
      const registry = createExecutorRegistry(bed.deps);
      expect(Object.keys(registry).sort()).toEqual([...TASK_TYPES].sort());
      for (const type of TASK_TYPES) expect(registry[type]).toEqual(expect.any(Function));
    } finally {
      await bed.close();
    }
  });

  it('does not compile without an executor for every type', () => {
    const noop: Executor = async () => ({ summary: '', data: {} });
    // @ts-expect-error — `custom` is missing: the mapped type makes this a compile error (checked by tsc).
    const incomplete: ExecutorRegistry = { backup: noop, cleanup: noop, report: noop, notification: noop };
    expect(Object.keys(incomplete)).toHaveLength(4);
  });
});
