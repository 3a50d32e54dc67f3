/**
 * `npm run bench [name…]`: runs the named benchmarks (all when none is named). Each prints one JSON line
 * per scenario; docs/BENCHMARKS.md records the figures with the machine and date.
 */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  cron: () => import('./cron.bench.js').then((module) => module.run()),
  'cron-dst': () => import('./cron-dst.bench.js').then((module) => module.run()),
  engine: () => import('./engine.bench.js').then((module) => module.run()),
  peers: () => import('./peers.bench.js').then((module) => module.run()),
  slack: () => import('./slack.bench.js').then((module) => module.run()),
  dashboard: () => import('./dashboard.bench.js').then((module) => module.run()),
  idle: () => import('./idle.bench.js').then((module) => module.run()),
  recovery: () => import('./recovery.bench.js').then((module) => module.run()),
};

const requested = process.argv.slice(2).filter((arg) => arg !== '--');
const names = requested.length > 0 ? requested : Object.keys(BENCHMARKS);
for (const name of names) {
  const benchmark = BENCHMARKS[name];
  if (!benchmark) {
    process.stderr.write(`Unknown benchmark "${name}". Available: ${Object.keys(BENCHMARKS).join(', ')}.\n`);
    process.exit(2);
  }
  await benchmark();
}
