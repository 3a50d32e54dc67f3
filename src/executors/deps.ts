import type pg from 'pg';
import type { Locale } from '../domain/i18n/locale.js';
import type { Clock } from '../shared/clock.js';
import type { ResultCaps } from './capped-result.js';
import type { Containment } from './process-containment.js';

/**
 * What the executors need from the composition root. Executors never import store/: the target
 * database arrives as a pool, and its URL for child processes (pg_dump, scripts).
 */
export interface ExecutorDeps {
  /** The database maintenance tasks act on (TARGET_DATABASE_URL, default the service's database). */
  readonly targetPool: pg.Pool;
  /** Its URL: pg_dump connects with it (password via PGPASSWORD); scripts get it without the password. */
  readonly targetDatabaseUrl: string;
  /**
   * chronops' own database, for the execution-history retention and the report's task figures when
   * TARGET_DATABASE_URL points elsewhere. Defaults to the target pool (the same database).
   */
  readonly servicePool?: pg.Pool | undefined;
  /** Folder for backup archives (BACKUP_DIR), one sub-folder per task; created 0700 when missing. */
  readonly backupDir: string;
  /**
   * Bytes free for writing on the file system holding a folder, read before each dump. Default:
   * statfs (backup-files.ts `readFreeBytes`); tests pass their own to play a full disk.
   */
  readonly readFreeBytes?: ((dir: string) => Promise<number>) | undefined;
  /** PG_DUMP_PATH: explicit pg_dump binary; pg_restore is looked up next to it. */
  readonly pgDumpPath?: string | undefined;
  /** The only folder custom scripts may run from (SCRIPTS_DIR). */
  readonly scriptsDir: string;
  /**
   * Where the variables a script task lists in `env` are read from (the service's environment, given
   * by main.ts); nothing else of it reaches a script.
   */
  readonly scriptEnvironment?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * The restricted login user SQL runs as (TASK_DATABASE_URL, or the one chronops creates on the
   * embedded database). Undefined: tasks carrying SQL fail with a sentence saying how to set it up.
   */
  readonly taskDatabaseUrl?: string | undefined;
  /**
   * How much of each user-SQL statement's result is kept (CUSTOM_RESULT_MAX_ROWS / _BYTES); the rest
   * is never fetched. Default DEFAULT_RESULT_CAPS.
   */
  readonly resultCaps?: ResultCaps | undefined;
  /** chronops's own tables: the task login must have no right on them (checked at every session). */
  readonly protectedTables?: readonly string[] | undefined;
  /**
   * How scripts are contained (process-containment.ts). Default `bestContainment`: the strongest this
   * machine allows; tests pass a weaker one to check what each tier still guarantees.
   */
  readonly scriptContainment?: (() => Promise<Containment>) | undefined;
  /** LOCALE: the language of the messages the report and notification post. Default en. */
  readonly locale?: Locale | undefined;
  /** Unused by the executors today (the context's `now()` carries the injected clock); kept for wiring. */
  readonly clock?: Clock | undefined;
}
