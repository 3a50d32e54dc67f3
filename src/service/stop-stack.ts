import { toError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/**
 * The composition root's start as named steps (src/service/start-service.ts): each step that starts
 * something pushes how to stop it; stopping runs them last first. A step that throws stops everything
 * started before it, so a failed start (the port is taken, the database refuses a migration) leaves no
 * scheduler running, no pool open and no lock held, and the error names the step.
 */
export interface StopStack {
  /** Runs one named step; on failure, stops what earlier steps started and rethrows, naming the step. */
  step<T>(name: string, run: () => Promise<T> | T): Promise<T>;
  /** Registers how to stop what a step started (called last first). */
  push(name: string, stop: () => Promise<void> | void): void;
  /** Stops everything, last started first; one stop failing does not keep the others from running. */
  stopAll(): Promise<void>;
  /** The names of what is started, in start order (for tests and the start log). */
  names(): string[];
}

export class StartStepError extends Error {
  override readonly name = 'StartStepError';
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`${step}: ${toError(cause).message}`, { cause });
  }
}

export function createStopStack(logger: Logger): StopStack {
  const stops: Array<{ name: string; stop: () => Promise<void> | void }> = [];
  let stopping: Promise<void> | undefined;

  async function stopAll(): Promise<void> {
    stopping ??= (async () => {
      while (stops.length > 0) {
        const entry = stops.pop()!;
        try {
          await entry.stop();
        } catch (error) {
          logger.error({ err: toError(error), step: entry.name }, `could not stop ${entry.name}`);
        }
      }
    })();
    return stopping;
  }

  return {
    async step(name, run) {
      try {
        return await run();
      } catch (error) {
        if (stops.length > 0)
          logger.warn(
            { step: name, started: stops.map((entry) => entry.name) },
            `start failed at ${name}: stopping what started`,
          );
        await stopAll();
        throw error instanceof StartStepError ? error : new StartStepError(name, error);
      }
    },
    push(name, stop) {
      stops.push({ name, stop });
    },
    stopAll,
    names: () => stops.map((entry) => entry.name),
  };
}
