import { EXECUTION_STATUS_TEXT } from '../../domain/i18n/execution-status.js';
import type { ExecutorMessages } from './en.js';

/** Les phrases du rapport et des notifications, en français ; le même objet que en.ts, clé pour clé. */
export const fr: ExecutorMessages = {
  executionStatus: EXECUTION_STATUS_TEXT.fr as Record<string, string | undefined>,
  report: {
    headerDate: 'd LLL yyyy',
    overviewTitle: '*Vue d’ensemble (24 h)*',
    activeTasks: 'Tâches actives',
    running: 'En cours',
    successes: 'Réussites',
    failures: 'Échecs',
    overviewLine: (active, running, successes, failures) =>
      `${active} actives, ${running} en cours, ${successes} réussites, ${failures} échecs`,
    figureTitle: {
      executions_24h_by_status: 'Exécutions des dernières 24 h',
      slowest_tasks: 'Tâches les plus lentes (24 h)',
      failing_tasks: 'Tâches en échec (24 h)',
      new_users_24h: 'Nouveaux utilisateurs (24 h)',
      messages_sent_24h: 'Messages envoyés (24 h)',
    },
    none: 'aucune',
    figureRows: (count) => `${count} ligne${count > 1 ? 's' : ''}`,
    slowestRow: (max, avg, runs) => `max ${max} · moy. ${avg} · ${runs} exécutions`,
    failingRow: (failures, runs) => `${failures} échec(s) sur ${runs} exécutions`,
    lookaheadLine: (count) => `prochaines 24 h : ${count} remarque(s)`,
    window: (since, until) => `Fenêtre : ${since} → ${until} (UTC)`,
    windowDate: 'd LLL HH:mm',
    skipped: (query, reason) => `${query} ignorée : ${reason}`,
    tableMissing: (tables, inChronops) =>
      `table ${tables} introuvable dans la base ${inChronops ? 'de chronops' : 'cible'}`,
    noFigures: 'aucun chiffre',
    summary: (count, skipped) =>
      `rapport de ${count} chiffre${count > 1 ? 's' : ''}${skipped > 0 ? ` (${skipped} ignoré${skipped > 1 ? 's' : ''})` : ''}`,
  },
  lookahead: {
    title: '*Prochaines 24 h*',
    more: (count) => `  …et ${count} de plus`,
    collision: (minute, names) => `${minute} UTC : ${names} démarrent à la même minute`,
    nearTimeout: (longest, timeout, percent) =>
      `plus longue exécution récente ${longest} pour un délai de ${timeout} (${percent} %)`,
    pausedFor: (days, by, reason) =>
      `en pause depuis ${days} jours${by ? ` par ${by}` : ''}${reason ? ` (${reason})` : ''}`,
    nothing: '_Rien à signaler._',
  },
  notification: {
    lowQuotaHeadline: (matched, threshold) =>
      matched === 1
        ? `1 utilisateur a moins de ${threshold} messages restants dans son quota`
        : `${matched} utilisateurs ont moins de ${threshold} messages restants dans leur quota`,
    rowsHeadline: (task, matched) =>
      `${task} : ${matched} ligne${matched > 1 ? 's correspondent' : ' correspond'}`,
    lowQuotaLine: (email, remaining, quota) => `• ${email} — ${remaining} restants sur ${quota}`,
    more: (count) => `et ${count} de plus`,
    fallbackMore: (listed, more) => ` (${listed} listées, et ${more} de plus)`,
    summary: (matched, listed) => `${matched} trouvées, ${listed} listées`,
    nothing: 'aucune correspondance ; pas de message',
  },
};
