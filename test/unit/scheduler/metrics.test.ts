import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SchedulerEvents } from '../../../src/scheduler/events.js';
import { observeScheduler } from '../../../src/scheduler/metrics.js';

describe('scheduler metrics', () => {
  it('counts executions by status and type, and records lateness, reaping and ticks', async () => {
    const registry = new Registry();
    const events = new SchedulerEvents();
    observeScheduler(registry, events);
    const base = { taskId: 't1', taskName: 'x', scheduledFor: new Date(0), trigger: 'schedule' };
    events.emit('execution.started', { ...base, id: 'e1', taskType: 'backup', latenessMs: 12 });
    events.emit('execution.started', { ...base, id: 'e2', taskType: 'cleanup', latenessMs: 3 });
    const settled = {
      taskId: 't1',
      taskName: 'x',
      attempt: 1,
      maxRetries: 3,
      scheduledFor: null,
      error: null,
      errorCode: null,
      retry: null,
    };
    events.emit('execution.finished', { ...settled, id: 'e1', status: 'success', durationMs: 1500 });
    events.emit('execution.finished', { ...settled, id: 'e2', status: 'failed', durationMs: 20 });
    events.emit('worker.lost', {
      execution: { ...settled, id: 'e3', status: 'failed', durationMs: 0 },
      workerId: 'w',
    });
    events.emit('tick', { at: new Date(1_700_000_000_000), planned: 0, started: 0, durationMs: 4 });
    const text = await registry.metrics();
    expect(text).toContain('chronops_executions_total{status="success",type="backup"} 1');
    expect(text).toContain('chronops_executions_total{status="failed",type="cleanup"} 1');
    expect(text).toContain('chronops_leases_reaped_total 1');
    expect(text).toContain('chronops_execution_lateness_seconds_count 2');
    expect(text).toContain('chronops_execution_lateness_seconds_bucket{le="0.005"} 1');
    expect(text).toContain('chronops_scheduler_last_tick_timestamp_seconds 1700000000');
  });
});
