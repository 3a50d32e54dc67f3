import { nextRunAfter, parseCron } from '../src/domain/cron.js';

/** Throughput of nextRunAfter, the call the engine makes for every planned occurrence. */
export async function run(): Promise<void> {
  const scenarios = [
    { name: 'every-second', expression: '* * * * * *', timezone: 'Europe/Paris' },
    { name: 'daily-0230-paris', expression: '30 2 * * *', timezone: 'Europe/Paris' },
    { name: 'weekdays-business-hours-ny', expression: '*/15 9-17 * * 1-5', timezone: 'America/New_York' },
  ];
  for (const scenario of scenarios) {
    const cron = parseCron(scenario.expression, scenario.timezone);
    let at = new Date('2026-01-01T00:00:00Z');
    // Warm-up: zone transitions are computed and cached per (zone, year) on first use.
    for (let i = 0; i < 10_000; i++) at = nextRunAfter(cron, at) ?? at;
    const calls = 200_000;
    at = new Date('2026-01-01T00:00:00Z');
    const started = performance.now();
    for (let i = 0; i < calls; i++) at = nextRunAfter(cron, at) ?? at;
    const elapsedMs = performance.now() - started;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'cron.nextRunAfter',
        scenario: scenario.name,
        calls,
        callsPerSecond: Math.round(calls / (elapsedMs / 1000)),
        elapsedMs: Math.round(elapsedMs),
      })}\n`,
    );
  }
}
