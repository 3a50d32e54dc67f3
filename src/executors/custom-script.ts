import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { type CustomParams, scriptPathProblem } from '../domain/task-params.js';
import { AppError } from '../shared/errors.js';
import { SERVICE_SECRET_VARIABLES } from '../shared/service-secrets.js';
import { abortError } from './abort.js';
import { runChildProcess } from './child-process.js';
import type { ExecutorDeps } from './deps.js';
import { killOrphanedScripts, newRunMarker } from './marked-processes.js';
import { bestContainment, describeContainment } from './process-containment.js';
import { splitConnectionUrl } from './target-database.js';
import type { ExecutionContext, ExecutionResult } from './types.js';

/** The only PATH a script gets: system binaries, nothing from the service's environment. */
const SCRIPT_PATH = '/usr/bin:/bin';

function refuse(message: string): AppError {
  return new AppError('invalid_params', `script: ${message}`, 'script');
}

/**
 * Resolves `script` to a real, executable, regular file inside `scriptsDir`. Both sides go through
 * realpath, so a symbolic link pointing outside the folder is refused like a `..` path. Every refusal is
 * an AppError('invalid_params') on field `script`.
 */
export async function resolveScript(scriptsDir: string, script: string): Promise<string> {
  const problem = scriptPathProblem(script);
  if (problem) throw refuse(problem);
  let realDir: string;
  try {
    realDir = await realpath(scriptsDir);
  } catch {
    throw refuse(
      `SCRIPTS_DIR (${scriptsDir}) does not exist; create it and put ${JSON.stringify(script)} in it.`,
    );
  }
  let realFile: string;
  try {
    realFile = await realpath(resolve(realDir, script));
  } catch {
    throw refuse(`${JSON.stringify(script)} was not found in SCRIPTS_DIR (${realDir}).`);
  }
  if (!realFile.startsWith(realDir + sep)) {
    throw refuse(`${JSON.stringify(script)} resolves outside SCRIPTS_DIR (to ${realFile}); refused.`);
  }
  if (!(await stat(realFile)).isFile()) throw refuse(`${JSON.stringify(script)} is not a regular file.`);
  try {
    await access(realFile, constants.X_OK);
  } catch {
    throw refuse(`${JSON.stringify(script)} is not executable (chmod +x it).`);
  }
  return realFile;
}

/**
 * The whole environment of a script (docs/SECURITY.md): PATH, the task and execution ids, the target
 * database without its password (DATABASE_URL and the libpq PGHOST/PGPORT/PGDATABASE/PGUSER), and
 * only the variables the task lists in `env`, read from chronops's environment. PGPASSWORD, when
 * listed, is the target database's password. chronops's own credentials are refused at save.
 */
export function scriptEnvironment(
  deps: Pick<ExecutorDeps, 'targetDatabaseUrl' | 'scriptEnvironment'>,
  params: Extract<CustomParams, { kind: 'script' }>,
  context: Pick<ExecutionContext, 'task' | 'execution'>,
): Record<string, string> {
  const target = splitConnectionUrl(deps.targetDatabaseUrl);
  const url = new URL(target.urlWithoutPassword);
  const env: Record<string, string> = {
    PATH: SCRIPT_PATH,
    CHRONOPS_TASK_ID: context.task.id,
    CHRONOPS_EXECUTION_ID: context.execution.id,
    DATABASE_URL: target.urlWithoutPassword,
    PGHOST: decodeURIComponent(url.hostname.replace(/^\[|\]$/g, '')),
    PGPORT: url.port || '5432',
    PGDATABASE: target.database,
  };
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  for (const name of params.env ?? []) {
    if (SERVICE_SECRET_VARIABLES.includes(name)) continue;
    const value = name === 'PGPASSWORD' ? target.password : deps.scriptEnvironment?.[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Runs an allow-listed script: `spawn(file, args, { shell: false })` in SCRIPTS_DIR with the
 * environment of scriptEnvironment() and nothing else,
 * output bounded to 64 KiB per stream, SIGTERM on abort then SIGKILL 2 s later. Its processes end
 * with the run and with chronops (process-containment.ts): none is left once the run is over. stdout lines go to the
 * execution log as info, stderr lines as warnings. A non-zero exit fails with the tail of stderr.
 *
 * Result data: { kind, script, exitCode, durationMs, output, outputBytes }.
 */
export async function runCustomScript(
  deps: ExecutorDeps,
  params: Extract<CustomParams, { kind: 'script' }>,
  context: ExecutionContext,
): Promise<ExecutionResult> {
  const file = await resolveScript(deps.scriptsDir, params.script);
  const orphans = await killOrphanedScripts();
  if (orphans > 0) {
    context.log.warn(
      `killed ${orphans} script process${orphans === 1 ? '' : 'es'} left running by a chronops process that is gone`,
    );
  }
  const containment = (deps.scriptContainment ?? bestContainment)();
  const contain = { containment: await containment, marker: newRunMarker() };
  context.log.info(
    `running ${params.script}${params.args.length > 0 ? ` with ${params.args.length} argument(s)` : ''} ${describeContainment(contain.containment.tier)}`,
  );
  const result = await runChildProcess({
    contain,
    file,
    args: params.args,
    cwd: await realpath(deps.scriptsDir),
    env: scriptEnvironment(deps, params, context),
    signal: context.signal,
    onLine: (stream, line) => (stream === 'stdout' ? context.log.info(line) : context.log.warn(line)),
  });
  if (result.strays > 0) {
    context.log.warn(
      `killed ${result.strays} process${result.strays === 1 ? '' : 'es'} ${params.script} left running`,
    );
  }
  if (result.aborted) {
    context.log.warn(
      `stopped ${params.script}${result.forceKilled ? ' with SIGKILL (it outlived SIGTERM)' : ''}`,
    );
    throw abortError(context.signal);
  }
  if (result.exitCode !== 0) {
    const how =
      result.exitCode === null
        ? `was killed by ${result.exitSignal}`
        : `exited with code ${result.exitCode}${result.exitCode > 128 && result.exitCode < 160 ? ` (as a shell reports death by signal ${result.exitCode - 128})` : ''}`;
    const tail = result.stderr.trim().split('\n').slice(-10).join('\n').slice(-1000);
    throw new AppError('executor_failed', `${params.script} ${how}${tail ? `: ${tail}` : ''}`);
  }
  return {
    summary: `${params.script} finished in ${(result.durationMs / 1000).toFixed(1)} s`,
    data: {
      kind: 'script',
      script: params.script,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      output: result.stdout,
      outputBytes: result.stdoutBytes,
    },
  };
}
