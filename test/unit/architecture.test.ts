import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/ARCHITECTURE.md §3: domain ← store ← scheduler; executors use domain; slack and notify use store and domain;
// only main.ts wires them together. This test fails when an import crosses that direction.
const SRC = join(import.meta.dirname, '../../src');

const ALLOWED: Record<string, readonly string[]> = {
  shared: ['shared'],
  domain: ['domain', 'shared'],
  store: ['store', 'domain', 'shared', 'config.ts'],
  scheduler: ['scheduler', 'store', 'domain', 'shared'],
  executors: ['executors', 'domain', 'shared'],
  notify: ['notify', 'store', 'domain', 'shared'],
  slack: ['slack', 'store', 'domain', 'shared'],
  sandbox: ['sandbox', 'shared'],
  'config.ts': ['shared'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function area(path: string): string {
  const [first] = relative(SRC, path).split('/');
  return first ?? '';
}

const files = sourceFiles(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8'), area: area(path) }));

describe('architecture', () => {
  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('imports only in the directions of docs/ARCHITECTURE.md §3', () => {
    const violations: string[] = [];
    for (const file of files) {
      if (file.area === 'main.ts') continue;
      const allowed = ALLOWED[file.area];
      if (!allowed) {
        violations.push(`${relative(SRC, file.path)}: unknown area "${file.area}" (add it to the rules)`);
        continue;
      }
      for (const match of file.text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const resolved = join(file.path, '..', match[1]!);
        const target = area(resolved.replace(/\.js$/, '.ts'));
        // The scheduler may know the executor contract (types only), not the executors.
        if (file.area === 'scheduler' && relative(SRC, resolved) === 'executors/types.js') continue;
        if (!allowed.includes(target)) violations.push(`${relative(SRC, file.path)} imports ${match[1]}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('reads process.env only in config.ts', () => {
    const readers = files.filter((file) => file.area !== 'config.ts' && /process\.env\b/.test(file.text));
    expect(readers.map((file) => relative(SRC, file.path))).toEqual([]);
  });

  it('keeps ambient time and randomness out of domain/ and scheduler/', () => {
    const offenders = files
      .filter((file) => file.area === 'domain' || file.area === 'scheduler')
      .filter((file) =>
        /Date\.now\(\)|new Date\(\)|Math\.random\(\)/.test(file.text.replace(/\/\/.*$/gm, '')),
      )
      .map((file) => relative(SRC, file.path));
    expect(offenders).toEqual([]);
  });

  it('keeps SQL in store/ (executors act on the target database through their own validated queries)', () => {
    const offenders = files
      .filter((file) => !['store', 'executors'].includes(file.area))
      .filter((file) =>
        /\b(select|insert into|update|delete from)\b[^'`\n]*\b(from|set|values)\b/i.test(file.text),
      )
      .filter((file) => /from 'pg'|drizzle-orm/.test(file.text))
      .map((file) => relative(SRC, file.path));
    expect(offenders).toEqual([]);
  });
});
