/**
 * Every sentence of the channel alerts, in English and French (LOCALE). The notifier may not import
 * slack/ (docs/ARCHITECTURE.md §3), so its catalogue lives here; the French one mirrors it key for key (the
 * compiler checks). Values from users arrive already escaped for mrkdwn; `<@U…>` mentions are built here.
 */
const en = {
  failed: (task: string) => `:x: *${task}* failed`,
  timedOut: (task: string) => `:alarm_clock: *${task}* timed out`,
  workerLost: (task: string, worker: string) =>
    `:skull_and_crossbones: *${task}*: the replica running it (${worker}) stopped responding`,
  attempt: 'Attempt',
  duration: 'Duration',
  nextRetry: 'Next retry',
  noRetryLeft: 'none: attempts exhausted',
  error: 'Error',
  cause: 'Cause',
  noError: '(no error message)',
  viewLogs: 'View logs',
  retry: 'Retry',
  runNow: 'Run now',
  approve: 'Approve',
  reject: 'Reject',
  viewFullText: 'View full text',
  runLatest: 'Run latest now',
  skip: 'Skip',
  state: {
    retryRequested: (user: string, when: string) => `:repeat: Retry requested by <@${user}> ${when}.`,
    retrying: (attempt: number, max: number, when: string) =>
      `:warning: Attempt ${attempt}/${max} also failed ${when}; see the thread.`,
    failedFinal: (attempt: number, max: number, when: string) =>
      `:x: Attempt ${attempt}/${max} failed ${when}: no retries left. See the thread.`,
    recovered: (attempt: number, when: string) =>
      `:white_check_mark: Resolved: attempt ${attempt} succeeded ${when}.`,
    runRequested: (user: string, when: string) => `:arrow_forward: Run requested by <@${user}> ${when}.`,
    ran: (when: string) => `:white_check_mark: Resolved: the task ran ${when}.`,
    approved: (user: string, when: string) => `:white_check_mark: Approved by <@${user}> ${when}.`,
    rejected: (user: string, when: string, reason: string) =>
      `:no_entry_sign: Rejected by <@${user}> ${when}: ${reason}`,
    superseded: (version: number, when: string) =>
      `:arrows_counterclockwise: Superseded ${when}: the task was saved again (version ${version}). This card can no longer approve it; a newer one asks for the new version, if it still needs approval.`,
  },
  overdue: {
    title: (task: string, occurrence: string, late: string) =>
      `:hourglass: *${task}* is overdue: its run of ${occurrence} has not started (${late} late).`,
    causes: 'Likely causes',
    stuck: '• a previous run is still running (stuck?): open its logs, cancel it if needed',
    previousError: (status: string) => `• the previous run ended *${status}*`,
    /** The previous run's status in words (failed, timed_out). */
    status: { failed: 'failed', timed_out: 'timed out' } as Record<string, string>,
    workerDown: '• no replica is claiming runs (service down or database unreachable): check `/healthz`',
  },
  success: {
    title: (task: string, duration: string, attempt: number) =>
      `:white_check_mark: *${task}* succeeded in ${duration}${attempt > 1 ? ` (attempt ${attempt})` : ''}.`,
  },
  thread: {
    failed: (attempt: number, max: number, duration: string) =>
      `:x: Attempt ${attempt}/${max} failed after ${duration}.`,
    recovered: (attempt: number, duration: string) =>
      `:white_check_mark: Attempt ${attempt} succeeded in ${duration}.`,
  },
  missed: {
    title: 'Runs missed while the service was down',
    task: (task: string, count: number, first: string, last: string) =>
      count === 1
        ? `*${task}*: 1 run missed (${first}).`
        : `*${task}*: ${count} runs missed (${first} → ${last}).`,
    truncated: ' Older ones were not counted.',
    policy: {
      run_once: (ran: number) => (ran > 0 ? 'Policy *run once*: the latest ran once.' : 'Policy *run once*.'),
      skip: () => 'Policy *skip*: all left skipped.',
      run_all: (ran: number) => `Policy *run all*: ${ran} caught up within the window.`,
    } as Record<string, (ran: number) => string>,
    skipped: (count: number) => ` ${count} recorded as skipped.`,
    decidedRun: (user: string, when: string) => `:arrow_forward: <@${user}> ran it now ${when}.`,
    decidedSkip: (user: string, when: string) => `:fast_forward: <@${user}> chose to skip ${when}.`,
    more: (count: number) => `…and ${count} more task${count === 1 ? '' : 's'} (see \`/tasks why <task>\`).`,
    fallback: (count: number) =>
      `${count} task${count === 1 ? '' : 's'} missed runs while the service was down.`,
  },
  anomaly: {
    short: (task: string, duration: string, median: string, samples: number) =>
      `:warning: *${task}* finished in ${duration}, far shorter than its median of ${median} over the last ${samples} successful runs. A run that short may not have done its work.`,
    long: (task: string, duration: string, median: string, samples: number, ratio: string) =>
      `:warning: *${task}* took ${duration}, ${ratio}× its median of ${median} over the last ${samples} successful runs.`,
  },
  approval: {
    created: (user: string, task: string) =>
      `:lock: <@${user}> created *${task}*, which runs code a person wrote. It needs the approval of another admin before it runs.`,
    edited: (user: string, task: string) =>
      `:lock: <@${user}> edited *${task}*, which runs code a person wrote. It needs the approval of another admin before it runs again.`,
    schedule: 'Schedule',
    kind: 'Runs',
    version: (version: number) => `Version ${version}: Approve approves exactly the code shown here.`,
    runs: {
      sql: 'SQL, on the restricted task login',
      sqlReadOnly: 'read-only SQL, on the restricted task login',
      script: 'a script from SCRIPTS_DIR, with these arguments',
    },
    excerpt: (shown: string, total: string, lines: number) =>
      `:warning: *Excerpt only*: the first ${shown} of ${total} characters (${lines} lines in all). Open *View full text* and read all of it before you approve.`,
    backticks: "Three backticks in the code are shown as ''' so they cannot end the code block early.",
  },
};

export type NotifyMessages = typeof en;

const fr: NotifyMessages = {
  failed: (task) => `:x: *${task}* a échoué`,
  timedOut: (task) => `:alarm_clock: *${task}* a dépassé son délai`,
  workerLost: (task, worker) =>
    `:skull_and_crossbones: *${task}* : l'instance qui l'exécutait (${worker}) ne répond plus`,
  attempt: 'Tentative',
  duration: 'Durée',
  nextRetry: 'Prochaine tentative',
  noRetryLeft: 'aucune : tentatives épuisées',
  error: 'Erreur',
  cause: 'Cause',
  noError: "(pas de message d'erreur)",
  viewLogs: 'Voir les logs',
  retry: 'Relancer',
  runNow: 'Exécuter maintenant',
  approve: 'Approuver',
  reject: 'Rejeter',
  viewFullText: 'Voir le texte entier',
  runLatest: 'Exécuter la dernière',
  skip: 'Ignorer',
  state: {
    retryRequested: (user, when) => `:repeat: Relance demandée par <@${user}> ${when}.`,
    retrying: (attempt, max, when) =>
      `:warning: La tentative ${attempt}/${max} a aussi échoué ${when} ; voir le fil.`,
    failedFinal: (attempt, max, when) =>
      `:x: La tentative ${attempt}/${max} a échoué ${when} : plus de tentative. Voir le fil.`,
    recovered: (attempt, when) => `:white_check_mark: Résolu : la tentative ${attempt} a réussi ${when}.`,
    runRequested: (user, when) => `:arrow_forward: Exécution demandée par <@${user}> ${when}.`,
    ran: (when) => `:white_check_mark: Résolu : la tâche s'est exécutée ${when}.`,
    approved: (user, when) => `:white_check_mark: Approuvée par <@${user}> ${when}.`,
    rejected: (user, when, reason) => `:no_entry_sign: Rejetée par <@${user}> ${when} : ${reason}`,
    superseded: (version, when) =>
      `:arrows_counterclockwise: Remplacée ${when} : la tâche a été enregistrée de nouveau (version ${version}). Cette demande ne peut plus l'approuver ; une nouvelle demande porte sur la nouvelle version, s'il en faut une.`,
  },
  overdue: {
    title: (task, occurrence, late) =>
      `:hourglass: *${task}* est en retard : son exécution de ${occurrence} n'a pas démarré (${late} de retard).`,
    causes: 'Causes probables',
    stuck: '• une exécution précédente tourne encore (bloquée ?) : ouvrez ses logs, annulez-la si besoin',
    previousError: (status) => `• l'exécution précédente s'est terminée en *${status}*`,
    status: { failed: 'échec', timed_out: 'dépassement de délai' },
    workerDown:
      '• aucune instance ne prend les exécutions (service arrêté ou base injoignable) : vérifiez `/healthz`',
  },
  success: {
    title: (task, duration, attempt) =>
      `:white_check_mark: *${task}* a réussi en ${duration}${attempt > 1 ? ` (tentative ${attempt})` : ''}.`,
  },
  thread: {
    failed: (attempt, max, duration) => `:x: La tentative ${attempt}/${max} a échoué après ${duration}.`,
    recovered: (attempt, duration) => `:white_check_mark: La tentative ${attempt} a réussi en ${duration}.`,
  },
  missed: {
    title: "Exécutions manquées pendant l'arrêt du service",
    task: (task, count, first, last) =>
      count === 1
        ? `*${task}* : 1 exécution manquée (${first}).`
        : `*${task}* : ${count} exécutions manquées (${first} → ${last}).`,
    truncated: ' Les plus anciennes ne sont pas comptées.',
    policy: {
      run_once: (ran: number) =>
        ran > 0 ? 'Politique *une fois* : la dernière a été exécutée une fois.' : 'Politique *une fois*.',
      skip: () => 'Politique *ignorer* : toutes laissées de côté.',
      run_all: (ran: number) => `Politique *toutes* : ${ran} rattrapée(s) dans la fenêtre.`,
    },
    skipped: (count) => ` ${count} enregistrée(s) comme sautée(s).`,
    decidedRun: (user, when) => `:arrow_forward: <@${user}> l'a exécutée ${when}.`,
    decidedSkip: (user, when) => `:fast_forward: <@${user}> a choisi d'ignorer ${when}.`,
    more: (count) => `…et ${count} autre(s) tâche(s) (voir \`/tasks why <tâche>\`).`,
    fallback: (count) => `${count} tâche(s) ont manqué des exécutions pendant l'arrêt du service.`,
  },
  anomaly: {
    short: (task, duration, median, samples) =>
      `:warning: *${task}* s'est terminée en ${duration}, bien moins que sa médiane de ${median} sur ses ${samples} dernières réussites. Une exécution aussi courte n'a peut-être pas fait son travail.`,
    long: (task, duration, median, samples, ratio) =>
      `:warning: *${task}* a pris ${duration}, ${ratio}× sa médiane de ${median} sur ses ${samples} dernières réussites.`,
  },
  approval: {
    created: (user, task) =>
      `:lock: <@${user}> a créé *${task}*, qui exécute du code écrit par une personne. Elle doit être approuvée par un autre admin avant de s'exécuter.`,
    edited: (user, task) =>
      `:lock: <@${user}> a modifié *${task}*, qui exécute du code écrit par une personne. Elle doit être approuvée par un autre admin avant de s'exécuter à nouveau.`,
    schedule: 'Planification',
    kind: 'Exécute',
    version: (version) => `Version ${version} : Approuver approuve exactement le code affiché ici.`,
    runs: {
      sql: 'du SQL, avec le login restreint des tâches',
      sqlReadOnly: 'du SQL en lecture seule, avec le login restreint des tâches',
      script: 'un script de SCRIPTS_DIR, avec ces arguments',
    },
    excerpt: (shown, total, lines) =>
      `:warning: *Extrait seulement* : les ${shown} premiers caractères sur ${total} (${lines} lignes en tout). Ouvrez *Voir le texte entier* et lisez tout avant d'approuver.`,
    backticks: "Trois accents graves dans le code sont affichés ''' pour ne pas fermer le bloc de code.",
  },
};

export function notifyMessagesFor(locale: 'en' | 'fr'): NotifyMessages {
  return locale === 'fr' ? fr : en;
}
