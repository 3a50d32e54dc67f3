import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// docs/ARCHITECTURE.md §3: domain ← store ← scheduler; executors use domain; slack and notify use store and domain;
// blockkit (Block Kit constructors and Slack's limits) stands on shared alone and serves the three areas that build
// Slack payloads (slack, notify, executors); only service/ (the composition root, started by main.ts) wires them
// together. This test fails when an import crosses that direction.
const SRC = join(import.meta.dirname, '../../src');
const ROOT = join(SRC, '..');

const ALLOWED: Record<string, readonly string[]> = {
  shared: ['shared'],
  domain: ['domain', 'shared'],
  blockkit: ['blockkit', 'shared'],
  store: ['store', 'domain', 'shared'],
  scheduler: ['scheduler', 'store', 'domain', 'shared'],
  executors: ['executors', 'blockkit', 'domain', 'shared'],
  notify: ['notify', 'blockkit', 'store', 'domain', 'shared'],
  slack: ['slack', 'blockkit', 'store', 'domain', 'shared'],
  sandbox: ['sandbox', 'shared'],
  http: ['http', 'shared'],
  'config.ts': ['config', 'shared'],
  config: ['config', 'shared'],
  // The composition root wires every area; nothing imports it but the entry point.
  service: [
    'service',
    'config.ts',
    'blockkit',
    'domain',
    'store',
    'scheduler',
    'executors',
    'notify',
    'slack',
    'sandbox',
    'http',
    'shared',
  ],
  'main.ts': ['service', 'config.ts', 'shared'],
};

function everyFile(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? everyFile(path) : [path];
  });
}

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
      // The entry points wire the areas together.
      if (file.area === 'migrate-cli.ts') continue;
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

  it('has no import cycles (type-only imports count: they tie the files together just the same)', () => {
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const targets = [...file.text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((match) =>
        join(file.path, '..', match[1]!).replace(/\.js$/, '.ts'),
      );
      graph.set(
        file.path,
        targets.filter((target) => graph.has(target) || files.some((f) => f.path === target)),
      );
    }
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string): void => {
      state.set(node, 'visiting');
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === 'visiting') {
          cycles.push(
            [...stack.slice(stack.indexOf(next)), next].map((path) => relative(SRC, path)).join(' → '),
          );
        } else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node);
    expect(cycles).toEqual([]);
  });

  it('cites only documents that are in the repository', () => {
    const architecture = readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8');
    const sections = new Set([...architecture.matchAll(/^#+ (§\d+[a-z]?)/gm)].map((match) => match[1]));
    const broken: string[] = [];
    for (const file of files) {
      const where = relative(SRC, file.path);
      for (const match of file.text.matchAll(/\b((?:docs\/)?[A-Z][A-Z-]+\.md)\b/g)) {
        const doc =
          match[1]!.startsWith('docs/') || match[1] === 'README.md' ? match[1]! : `docs/${match[1]}`;
        if (!existsSync(join(ROOT, doc))) broken.push(`${where}: ${match[1]} is not in the repository`);
      }
      for (const match of file.text.matchAll(/ARCHITECTURE\.md (§\d+[a-z]?)(?:\.\d+)?/g)) {
        if (!sections.has(match[1]!)) broken.push(`${where}: docs/ARCHITECTURE.md has no ${match[1]}`);
      }
      for (const match of file.text.matchAll(/\b[Ii]ssue \d+/g)) broken.push(`${where}: cites "${match[0]}"`);
    }
    expect(broken).toEqual([]);
  });

  it('keeps every file in src/ within 400 lines, the sandbox page scripts and styles too', () => {
    const long = everyFile(SRC)
      .map((path) => ({ where: relative(SRC, path), lines: readFileSync(path, 'utf8').split('\n').length }))
      .filter((file) => file.lines > MAX_FILE_LINES)
      .map((file) => `${file.where}: ${file.lines} lines`);
    expect(long).toEqual([]);
  });

  it('says why a function longer than 80 lines stays whole', () => {
    const unexplained: string[] = [];
    for (const file of files) {
      const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (last - first + 1 > MAX_FUNCTION_LINES && !explainsWhole(file.text, node)) {
            const name = ts.getNameOfDeclaration(node as ts.Declaration)?.getText(source) ?? '(anonymous)';
            unexplained.push(`${relative(SRC, file.path)}:${first + 1} ${name}: ${last - first + 1} lines`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(unexplained).toEqual([]);
  });
});

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

/**
 * A long function is accepted with a comment, on it or on the statement that holds it (an exported
 * const, a variable, a call's argument), saying why it "stays whole".
 */
function explainsWhole(text: string, node: ts.Node): boolean {
  for (let at: ts.Node | undefined = node; at && !ts.isSourceFile(at); at = at.parent) {
    const comments = ts.getLeadingCommentRanges(text, at.getFullStart()) ?? [];
    if (comments.some((range) => /stays? whole/i.test(text.slice(range.pos, range.end)))) return true;
    if (ts.isBlock(at.parent ?? at) && at !== node) break;
  }
  return false;
}
