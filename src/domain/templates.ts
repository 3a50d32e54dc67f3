import { AppError } from '../shared/errors.js';
import type { Locale } from './i18n/locale.js';
import type { TaskInput, TaskType } from './task-types.js';

/**
 * Task templates (what `/tasks new <template>` starts from) and the system tasks created at first start
 * (docs/ARCHITECTURE.md §6). Pure data plus two builders; parameters are validated by task-params.ts, and
 * test/unit/domain/templates.test.ts proves every definition here produces a valid task.
 */

export const TEMPLATE_IDS = [
  'backup_database',
  'cleanup_old_logs',
  'cleanup_rate_limits',
  'generate_daily_report',
  'notify_low_quota',
] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export type TemplateLocale = 'en' | 'fr';
export interface LocalizedText {
  readonly en: string;
  readonly fr: string;
}

export interface TaskTemplate {
  readonly id: TemplateId;
  readonly type: TaskType;
  readonly name: LocalizedText;
  readonly description: LocalizedText;
  /** Five-field cron, read in the task's zone. */
  readonly cron: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly timeoutSeconds: number;
}

export const TASK_TEMPLATES: Readonly<Record<TemplateId, TaskTemplate>> = {
  backup_database: {
    id: 'backup_database',
    type: 'backup',
    name: { en: 'Database backup', fr: 'Sauvegarde de la base' },
    description: {
      en: 'Nightly pg_dump of the database (custom format, compressed) into a private folder of its own under BACKUP_DIR, keeping its last 7 archives.',
      fr: 'pg_dump nocturne de la base (format custom, compressé) dans un dossier privé qui lui est propre sous BACKUP_DIR, en gardant ses 7 dernières archives.',
    },
    cron: '0 2 * * *',
    params: { keep: 7 },
    timeoutSeconds: 3600,
  },
  cleanup_old_logs: {
    id: 'cleanup_old_logs',
    type: 'cleanup',
    name: { en: 'Old logs clean-up', fr: 'Nettoyage des anciens logs' },
    description: {
      en: 'Deletes application logs older than 30 days, in small batches.',
      fr: 'Supprime les logs applicatifs de plus de 30 jours, par petits lots.',
    },
    cron: '30 3 * * *',
    params: { mode: 'older_than', table: 'logs', timestampColumn: 'created_at', olderThanDays: 30 },
    timeoutSeconds: 1800,
  },
  cleanup_rate_limits: {
    id: 'cleanup_rate_limits',
    type: 'cleanup',
    name: { en: 'Expired rate limits clean-up', fr: 'Nettoyage des limites de débit expirées' },
    description: {
      en: 'Deletes rate-limit counters whose window has expired.',
      fr: 'Supprime les compteurs de limite de débit dont la fenêtre a expiré.',
    },
    cron: '0 */6 * * *',
    params: { mode: 'expired', table: 'rate_limits', expiresColumn: 'expires_at' },
    timeoutSeconds: 600,
  },
  generate_daily_report: {
    id: 'generate_daily_report',
    type: 'report',
    name: { en: 'Daily activity report', fr: "Rapport d'activité quotidien" },
    description: {
      en: 'Posts executions by status, slowest and failing tasks, new users and messages sent in the last 24 h.',
      fr: 'Publie les exécutions par statut, les tâches les plus lentes et en échec, les nouveaux utilisateurs et les messages envoyés sur 24 h.',
    },
    cron: '0 8 * * *',
    params: { csv: false },
    timeoutSeconds: 300,
  },
  notify_low_quota: {
    id: 'notify_low_quota',
    type: 'notification',
    name: { en: 'Low quota alert', fr: 'Alerte quota faible' },
    description: {
      en: 'Lists users with fewer than 10 messages left in their quota.',
      fr: 'Liste les utilisateurs à qui il reste moins de 10 messages de quota.',
    },
    cron: '0 9 * * *',
    params: { query: 'low_quota', threshold: 10, maxListed: 10 },
    timeoutSeconds: 300,
  },
};

export function isTemplateId(value: unknown): value is TemplateId {
  return typeof value === 'string' && (TEMPLATE_IDS as readonly string[]).includes(value);
}

/**
 * A complete TaskInput from a template: its type, localized name and description, cron, timeout and
 * params, with `overrides` on top (override params are merged into the template's, not replacing them).
 * The zone is left to the caller (an override) or the service's default zone at validation.
 * Throws AppError('invalid_task', field `template`) for an unknown template id.
 */
export function taskInputFromTemplate(
  templateId: string,
  overrides: Partial<TaskInput> = {},
  locale: TemplateLocale = 'en',
): TaskInput {
  if (!isTemplateId(templateId)) {
    throw new AppError(
      'invalid_task',
      `template: "${templateId}" is not a template; choose one of ${TEMPLATE_IDS.join(', ')}.`,
      'template',
    );
  }
  const template = TASK_TEMPLATES[templateId];
  const { params: overrideParams, ...rest } = overrides;
  return {
    name: template.name[locale],
    description: template.description[locale],
    type: template.type,
    template: template.id,
    cron: template.cron,
    timeoutSeconds: template.timeoutSeconds,
    ...rest,
    params: { ...template.params, ...overrideParams },
  };
}

// ---------------------------------------------------------------------------------------------------
// System tasks

export const SYSTEM_TASK_KEYS = [
  'system:rate_limit_cleanup',
  'system:conversation_archive',
  'system:admin_session_cleanup',
  'system:daily_report',
  'system:execution_history_retention',
] as const;
export type SystemTaskKey = (typeof SYSTEM_TASK_KEYS)[number];

export function isSystemTaskKey(value: unknown): value is SystemTaskKey {
  return typeof value === 'string' && (SYSTEM_TASK_KEYS as readonly string[]).includes(value);
}

export interface SystemTaskDefinition {
  /** Stable identity, stored in the task's `template` column: people may rename a system task. */
  readonly key: SystemTaskKey;
  readonly input: TaskInput;
}

export interface SystemTaskOptions {
  /** IANA zone the system schedules are read in (DEFAULT_TIMEZONE, Europe/Paris by default). */
  defaultTimezone: string;
  /** Successful, skipped and cancelled executions are kept this many days (RETENTION_SUCCESS_DAYS). */
  retentionSuccessDays?: number;
  /** Failed and timed-out executions are kept this many days (RETENTION_FAILURE_DAYS), longer. */
  retentionFailureDays?: number;
  /**
   * LOCALE at creation: the language of the names and descriptions. Applied only when a system task is
   * created; an existing one keeps its name when the locale changes (people may have renamed it).
   */
  locale?: Locale;
}

/** The type each system task runs as; lets task-params refuse a system task edited into another type. */
export const SYSTEM_TASK_TYPES: Readonly<Record<SystemTaskKey, TaskType>> = {
  'system:rate_limit_cleanup': 'cleanup',
  'system:conversation_archive': 'cleanup',
  'system:admin_session_cleanup': 'cleanup',
  'system:daily_report': 'report',
  'system:execution_history_retention': 'cleanup',
};

/**
 * The system tasks of docs/ARCHITECTURE.md §6, created at first start by store/system-tasks.ts. Schedules are
 * staggered away from each other's minute where the design leaves room (retention at 04:30, not 04:00),
 * so two heavy clean-ups do not start together.
 */
export function systemTaskDefinitions(options: SystemTaskOptions): SystemTaskDefinition[] {
  const timezone = options.defaultTimezone;
  const successDays = options.retentionSuccessDays ?? 30;
  const failureDays = Math.max(options.retentionFailureDays ?? 90, successDays);
  const locale = options.locale ?? 'en';
  type Texts = { name: Record<Locale, string>; description: Record<Locale, string> };
  const define = (
    key: SystemTaskKey,
    input: Omit<TaskInput, 'type' | 'template' | 'timezone' | 'name' | 'description'> & Texts,
  ) => ({
    key,
    input: {
      ...input,
      name: input.name[locale],
      description: input.description[locale],
      type: SYSTEM_TASK_TYPES[key],
      template: key,
      timezone,
    },
  });
  return [
    define('system:rate_limit_cleanup', {
      name: { en: 'Rate-limit clean-up', fr: 'Nettoyage des limites de débit' },
      description: {
        en: 'System task: deletes expired rate-limit counters every 6 hours.',
        fr: 'Tâche système : supprime les compteurs de limite de débit expirés toutes les 6 heures.',
      },
      cron: '0 */6 * * *',
      timeoutSeconds: 600,
      params: { mode: 'expired', table: 'rate_limits', expiresColumn: 'expires_at' },
    }),
    define('system:conversation_archive', {
      name: { en: 'Conversation archiving', fr: 'Archivage des conversations' },
      description: {
        en: 'System task: moves conversations without a message for more than 30 days into conversations_archive.',
        fr: 'Tâche système : déplace les conversations sans message depuis plus de 30 jours dans conversations_archive.',
      },
      cron: '0 4 * * *',
      timeoutSeconds: 1800,
      params: {
        mode: 'archive',
        table: 'conversations',
        timestampColumn: 'last_message_at',
        olderThanDays: 30,
      },
    }),
    define('system:admin_session_cleanup', {
      name: { en: 'Admin-session clean-up', fr: 'Nettoyage des sessions admin' },
      description: {
        en: 'System task: deletes expired admin sessions twice a day.',
        fr: 'Tâche système : supprime les sessions admin expirées deux fois par jour.',
      },
      cron: '0 3,15 * * *',
      timeoutSeconds: 600,
      params: { mode: 'expired', table: 'admin_sessions', expiresColumn: 'expires_at' },
    }),
    define('system:daily_report', {
      name: { en: 'Daily report', fr: 'Rapport quotidien' },
      description: {
        en: 'System task: posts the daily activity report to the alert channel.',
        fr: "Tâche système : publie le rapport d'activité quotidien dans le canal d'alertes.",
      },
      cron: '0 8 * * *',
      timeoutSeconds: 300,
      params: { csv: false },
    }),
    define('system:execution_history_retention', {
      name: { en: 'Execution-history retention', fr: "Rétention de l'historique des exécutions" },
      description: {
        en: `System task: prunes task executions, keeping successes ${successDays} days and failures ${failureDays} days.`,
        fr: `Tâche système : purge les exécutions, en gardant les réussites ${successDays} jours et les échecs ${failureDays} jours.`,
      },
      cron: '30 4 * * *',
      timeoutSeconds: 1800,
      params: { mode: 'execution_history', successDays, failureDays },
    }),
  ];
}

/** The task type a template or system task makes, or undefined for an unknown id. */
export function templateTaskType(templateId: string): TaskType | undefined {
  if (isTemplateId(templateId)) return TASK_TEMPLATES[templateId].type;
  if (isSystemTaskKey(templateId)) return SYSTEM_TASK_TYPES[templateId];
  return undefined;
}
