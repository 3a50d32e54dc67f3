import { type AppErrorCode, type ErrorParams, isAppError } from '../shared/errors.js';

export type ErrorLocale = 'en' | 'fr';

type ErrorSentences = Readonly<Record<AppErrorCode, (params: ErrorParams) => string>>;

const seconds = (params: ErrorParams) => (typeof params.seconds === 'number' ? params.seconds : undefined);
const named = (params: ErrorParams, fallback: string) =>
  typeof params.task === 'string' ? `"${params.task}"` : fallback;

/**
 * One sentence per error code and language, so the code alone (stored in task_executions.error_code,
 * carried in an alert's payload) can be shown in the reader's language. Both records are
 * `Record<AppErrorCode, …>`: adding a code without its sentences does not compile. The detailed text
 * (what PostgreSQL or the script said) stays in `error`, shown beside it as it is.
 */
const en: ErrorSentences = {
  invalid_config: () => 'The configuration is not valid.',
  invalid_cron: () => 'The cron expression is not valid.',
  unknown_timezone: (p) => `Unknown time zone${typeof p.zone === 'string' ? ` ${p.zone}` : ''}.`,
  invalid_task: () => 'The task is not valid.',
  invalid_params: () => "The task's parameters are not valid.",
  duplicate_task_name: (p) => `A task named ${named(p, 'so')} already exists.`,
  version_conflict: (p) => `${named(p, 'The task')} was changed by someone else meanwhile; reopen it.`,
  forbidden: () => 'You are not allowed to do this.',
  task_not_found: (p) => `No task ${typeof p.ref === 'string' ? `named or with id ${p.ref}` : 'found'}.`,
  execution_not_found: () => 'No such execution.',
  not_retryable: () => 'Only a failed, timed-out or cancelled execution can be retried.',
  system_task: () => 'System tasks keep their type and cannot be deleted.',
  database_unavailable: () => 'The database is not reachable.',
  migration_lock_timeout: () => 'Another session held the migration lock for too long; the start gave up.',
  executor_failed: () => 'The task failed.',
  timed_out: (p) =>
    seconds(p) === undefined
      ? 'It ran past its timeout and was stopped.'
      : `It ran past its ${seconds(p)} s timeout and was stopped.`,
  cancelled: () => 'It was cancelled.',
  shutdown_aborted: () => 'The replica running it shut down and its grace period ran out.',
  worker_lost: (p) =>
    `The replica running it${typeof p.worker === 'string' ? ` (${p.worker})` : ''} stopped responding.`,
  task_sql_unavailable: () => 'No restricted login is configured for task SQL (TASK_DATABASE_URL).',
  task_sql_unsafe_login: () => 'The task SQL login has more rights than its role allows, so nothing was run.',
};

const fr: ErrorSentences = {
  invalid_config: () => "La configuration n'est pas valide.",
  invalid_cron: () => "L'expression cron n'est pas valide.",
  unknown_timezone: (p) => `Fuseau horaire inconnu${typeof p.zone === 'string' ? ` : ${p.zone}` : ''}.`,
  invalid_task: () => "La tâche n'est pas valide.",
  invalid_params: () => 'Les paramètres de la tâche ne sont pas valides.',
  duplicate_task_name: (p) => `Une tâche nommée ${named(p, 'ainsi')} existe déjà.`,
  version_conflict: (p) =>
    `${named(p, 'La tâche')} a été modifiée entre-temps par quelqu'un d'autre ; rouvrez-la.`,
  forbidden: () => "Vous n'avez pas le droit de faire cela.",
  task_not_found: (p) =>
    `Aucune tâche ${typeof p.ref === 'string' ? `ne porte le nom ou l'identifiant ${p.ref}` : 'trouvée'}.`,
  execution_not_found: () => "Cette exécution n'existe pas.",
  not_retryable: () => 'Seule une exécution en échec, hors délai ou annulée peut être relancée.',
  system_task: () => 'Les tâches système gardent leur type et ne peuvent pas être supprimées.',
  database_unavailable: () => "La base de données n'est pas joignable.",
  migration_lock_timeout: () =>
    'Une autre session a gardé trop longtemps le verrou des migrations ; le démarrage a abandonné.',
  executor_failed: () => 'La tâche a échoué.',
  timed_out: (p) =>
    seconds(p) === undefined
      ? 'Elle a dépassé son délai et a été arrêtée.'
      : `Elle a dépassé son délai de ${seconds(p)} s et a été arrêtée.`,
  cancelled: () => 'Elle a été annulée.',
  shutdown_aborted: () => "Le réplica qui l'exécutait s'est arrêté et son délai de grâce a expiré.",
  worker_lost: (p) =>
    `Le réplica qui l'exécutait${typeof p.worker === 'string' ? ` (${p.worker})` : ''} ne répond plus.`,
  task_sql_unavailable: () =>
    "Aucun identifiant restreint n'est configuré pour le SQL des tâches (TASK_DATABASE_URL).",
  task_sql_unsafe_login: () =>
    "L'identifiant du SQL des tâches a plus de droits que son rôle n'en permet : rien n'a été exécuté.",
};

const SENTENCES: Readonly<Record<ErrorLocale, ErrorSentences>> = { en, fr };

/** Every code, for the tests that check both languages say something different for each. */
export const ERROR_CODES = Object.keys(en) as AppErrorCode[];

export function isErrorCode(value: unknown): value is AppErrorCode {
  return typeof value === 'string' && Object.hasOwn(en, value);
}

/**
 * The sentence for an error in `locale`: an AppError (or a stored `{ code, params }`) by its code; any
 * other error is unexpected, shown as the generic failure of its kind.
 */
export function describeError(
  error: unknown | { code: AppErrorCode; params?: ErrorParams },
  locale: ErrorLocale,
): string {
  if (isAppError(error)) return SENTENCES[locale][error.code](error.params);
  if (typeof error === 'object' && error !== null && 'code' in error && isErrorCode(error.code)) {
    const params = 'params' in error && typeof error.params === 'object' && error.params ? error.params : {};
    return SENTENCES[locale][error.code](params as ErrorParams);
  }
  return SENTENCES[locale].executor_failed({});
}
