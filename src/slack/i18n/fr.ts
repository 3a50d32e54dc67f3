import { EXECUTION_STATUS_TEXT } from '../../domain/i18n/execution-status.js';
import type { Messages } from './en.js';
import { frDst } from './fr-dst.js';
import { frHelp } from './fr-help.js';
import { frPauseModal } from './fr-pause-modal.js';
import { frTriggers } from './fr-triggers.js';

/** Les phrases de l'interface Slack en français (LOCALE=fr), clé pour clé comme en.ts. */
export const fr: Messages = {
  roles: { admin: 'admin', operator: 'opérateur', viewer: 'lecteur' },
  forbidden: (role: string) => `:no_entry: Seul un *${role}* peut faire cela ; rien n'a été modifié.`,
  taskStatus: {
    scheduled: 'planifiée',
    soon: 'bientôt',
    running: 'en cours',
    overdue: 'en retard',
    disabled: 'désactivée',
  },
  executionStatus: EXECUTION_STATUS_TEXT.fr as Record<string, string | undefined>,
  approval: { pending: "en attente d'approbation", rejected: 'rejetée', approved: 'approuvée' },
  never: 'jamais',
  none: '—',
  help: frHelp,
  unknownSubcommand: (name: string) => `Je ne connais pas \`${name}\`. Voici ce que je sais faire :`,
  usage: (usage: string) => `Utilisation : \`/tasks ${usage}\``,
  taskNotFound: (ref: string) => `:mag: Aucune tâche nommée \`${ref}\` ou ayant cet id.`,
  didYouMean: (names: string[]) => `Vouliez-vous dire ${names.map((n) => `*${n}*`).join(', ')} ?`,
  executionNotFound: (ref: string) => `:mag: Aucune exécution avec l'id \`${ref}\`.`,
  runQueued: (user: string, task: string) =>
    `:arrow_forward: <@${user}> a lancé *${task}* (exécution en attente).`,
  runAlreadyQueued: (task: string) =>
    `:hourglass_flowing_sand: Une exécution de *${task}* que vous avez demandée est déjà en attente ; pas de nouvelle exécution.`,
  notApproved: (task: string) => `:lock: *${task}* attend une approbation et ne peut pas encore s'exécuter.`,
  userSqlUnavailable: (task: string) =>
    `:no_entry: *${task}* exécute du SQL écrit par une personne, et cette installation n'a pas d'identifiant de base restreint pour cela : un administrateur doit définir TASK_DATABASE_URL (README, « The restricted task login »).`,
  paused: (user: string, task: string, reason: string | undefined) =>
    `:double_vertical_bar: <@${user}> a mis *${task}* en pause${reason ? ` — ${reason}` : ''}.`,
  alreadyPaused: (task: string) => `*${task}* est déjà en pause.`,
  resumed: (user: string, task: string, next: string) =>
    `:arrow_forward: <@${user}> a réactivé *${task}* ; prochaine exécution ${next}.`,
  alreadyActive: (task: string) => `*${task}* n'est pas en pause.`,
  deleted: (user: string, task: string) => `:wastebasket: <@${user}> a supprimé *${task}*.`,
  systemTask: (task: string) =>
    `*${task}* est une tâche système : on peut la mettre en pause, pas la supprimer.`,
  created: (user: string, task: string) => `:sparkles: <@${user}> a créé *${task}*.`,
  createdPending: (user: string, task: string) =>
    `:sparkles: <@${user}> a créé *${task}* ; elle exécute du code écrit par une personne, un autre admin doit donc l'approuver avant qu'elle s'exécute.`,
  updated: (user: string, task: string) => `:pencil2: <@${user}> a modifié *${task}*.`,
  updatedPending: (user: string, task: string) =>
    `:pencil2: <@${user}> a modifié *${task}* ; elle exécute du code écrit par une personne, un autre admin doit donc approuver cette version avant qu'elle s'exécute de nouveau.`,
  retryQueued: (user: string, task: string) =>
    `:repeat: <@${user}> a relancé *${task}* : une nouvelle tentative démarre maintenant.`,
  retryBroughtForward: (user: string, task: string, wasDue: string) =>
    `:repeat: <@${user}> a relancé *${task}* : sa relance automatique, prévue à ${wasDue}, démarre maintenant.`,
  retryStarting: (task: string) =>
    `Une relance de cette exécution de *${task}* est due et démarre maintenant.`,
  retryRunning: (task: string, since: string) =>
    `Une relance de cette exécution de *${task}* est déjà en cours (depuis ${since}).`,
  notRetryable: (status: string) =>
    `Cette exécution est « ${status} » ; seules les exécutions en échec, hors délai ou annulées peuvent être relancées.`,
  cancelOutcome: {
    cancelled: (task: string) => `:black_square_for_stop: L'exécution en attente de *${task}* a été annulée.`,
    cancel_requested: (task: string) => `:black_square_for_stop: Arrêt de l'exécution en cours de *${task}*…`,
    already_finished: (task: string) => `Cette exécution de *${task}* était déjà terminée.`,
  },
  nothingRunning: (task: string) => `*${task}* n'a aucune exécution en attente ou en cours.`,
  approvedBy: (user: string, task: string) => `:white_check_mark: <@${user}> a approuvé *${task}*.`,
  rejectedBy: (user: string, task: string, reason: string) => `:x: <@${user}> a rejeté *${task}* : ${reason}`,
  rejectReasonRequired: "Un rejet demande une raison, pour que l'auteur sache quoi changer.",
  missedSkipped: (user: string, task: string) =>
    `:fast_forward: <@${user}> a choisi de ne pas exécuter les exécutions manquées de *${task}*.`,
  cannotApproveOwn:
    "Du code écrit par une personne doit être approuvé par un admin autre que l'auteur de la tâche et celui qui a enregistré cette version. Rien n'a été modifié.",
  approvalRefused: {
    superseded: (task: string, cardVersion: number, newerAwaits: boolean) =>
      `Cette demande porte sur la version ${cardVersion} de *${task}*, enregistrée de nouveau depuis : elle ne peut plus décider. Rien n'a été modifié.${newerAwaits ? ' La nouvelle version a sa propre demande.' : ''}`,
    alreadyApproved: (task: string, by: string | null) =>
      `Cette version de *${task}* a déjà été approuvée${by ? ` par <@${by}>` : ''}. Rien n'a été modifié.`,
    alreadyRejected: (task: string, by: string | null) =>
      `Cette version de *${task}* a déjà été rejetée${by ? ` par <@${by}>` : ''} : elle ne peut plus être approuvée. Pour la proposer de nouveau, son auteur la modifie et l'enregistre, ce qui demande une nouvelle approbation. Rien n'a été modifié.`,
    legacyCard: (task: string, version: number) =>
      `Cette demande ne dit pas sur quelle version de *${task}* elle porte (une version antérieure de chronops l'a publiée) : elle ne peut pas décider. Elle est actualisée avec des boutons pour la version ${version} : relisez-la, puis cliquez-y. Rien n'a été modifié.`,
    notPending: (task: string) => `*${task}* n'attend aucune approbation. Rien n'a été modifié.`,
  },
  fullText: {
    title: 'Code à approuver',
    close: 'Fermer',
    intro: (task: string, version: number, chars: string) =>
      `*${task}*, version ${version} : les ${chars} caractères du code qu'Approuver approuve.`,
    page: (page: number, pages: number) => `Page ${page} sur ${pages}`,
    previous: '‹ Précédente',
    next: 'Suivante ›',
    superseded:
      ':arrows_counterclockwise: La tâche a été enregistrée de nouveau depuis : cette version ne peut plus être approuvée.',
    backticks: "Trois accents graves dans le code sont affichés ''' pour ne pas fermer le bloc de code.",
    missing: (task: string) =>
      `La demande d'approbation de cette version de *${task}* n'existe plus (tâche supprimée ?).`,
  },
  genericError: "Une erreur s'est produite ; rien n'a été modifié. Le détail est dans les logs du service.",
  list: {
    title: (count: number) => `Tâches (${count})`,
    empty: 'Aucune tâche pour le moment. Créez-en une avec `/tasks new` ou depuis `/tasks templates`.',
    page: (page: number, pages: number) => `Page ${page} sur ${pages}`,
    next: 'Suivante ›',
    previous: '‹ Précédente',
    nextRun: 'prochaine',
    lastRun: 'dernière',
    paused: 'en pause',
  },
  actions: {
    runNow: 'Exécuter',
    edit: 'Modifier',
    pause: 'Pause',
    resume: 'Réactiver',
    delete: 'Supprimer',
    viewLogs: 'Voir les logs',
    history: 'Historique',
    retry: 'Relancer',
    cancel: "Annuler l'exécution",
    details: 'Détails',
    review: 'Relire le code',
    approve: 'Approuver',
    reject: 'Rejeter',
    useTemplate: 'Utiliser',
  },
  confirmCancel: {
    title: "Annuler l'exécution ?",
    text: "L'exécution est arrêtée (au prochain battement si elle est en cours).",
    confirm: 'Annuler',
    deny: 'Continuer',
  },
  deleteModal: {
    title: 'Supprimer la tâche ?',
    text: (task: string) =>
      `Supprimer *${task}* et tout son historique d'exécutions ? Le journal d'audit en garde la trace. C'est irréversible.`,
    submit: 'Supprimer',
    close: 'Garder',
  },
  stats: {
    title: 'Tableau de bord',
    active: 'Tâches actives',
    running: 'En cours',
    successes: 'Succès (24 h)',
    failures: 'Échecs (24 h)',
    byStatus: 'Tâches par statut',
  },
  templates: {
    title: 'Modèles',
    intro: 'Créez une tâche à partir d’un modèle ; chaque champ reste modifiable avant l’enregistrement.',
  },
  audit: {
    title: (task: string) => `Journal d'audit de ${task}`,
    empty: "Aucune entrée d'audit pour cette tâche.",
    changed: (fields: string) => `a modifié ${fields}`,
    titleDeleted: (task: string) => `Journal d'audit de ${task} (supprimée)`,
    several: (ref: string, tasks: string) =>
      `:mag: Plusieurs tâches nommées *${ref}* figurent au journal d'audit : ${tasks}. Redemandez avec son id : \`/tasks audit <id>\`.`,
    deletedOn: (when: string) => `supprimée le ${when}`,
  },
  history: {
    title: (task: string) => `Exécutions récentes de ${task}`,
    empty: (task: string) => `*${task}* ne s'est encore jamais exécutée.`,
  },
  logs: {
    none: (task: string) => `*${task}* n'a encore aucune exécution.`,
    header: (task: string) => `Dernière exécution de ${task}`,
    truncated: (shown: number, total: number) =>
      `Derniers ${shown} caractères sur ${total}. Logs complets : \`SELECT logs FROM task_executions WHERE id = '…'\`.`,
    empty: '(aucune sortie)',
    whileRunning: 'Toujours en cours : ses logs sont enregistrés à la fin.',
  },
  execution: {
    title: 'Exécution',
    task: 'Tâche',
    status: 'Statut',
    date: 'Date',
    duration: 'Durée',
    attempt: 'Tentative',
    trigger: 'Déclencheur',
    by: 'Par',
    error: 'Erreur',
    logs: 'Logs',
    id: 'Id',
    soFar: (duration: string) => `${duration} jusqu'ici`,
  },
  home: {
    title: 'Tableau de bord chronops',
    tasks: 'Tâches',
    recentFailures: 'Échecs récents',
    noFailures: 'Aucun échec récent. :tada:',
    updated: (when: string) => `Mis à jour ${when}`,
    undeliverable: (count: number) =>
      `:rotating_light: ${count} alerte(s) n'ont pas pu être livrées à Slack. Les plus récentes sont ci-dessous ; \`/tasks alerts\` les liste toutes.`,
  },
  alerts: {
    title: (count: number) => `Alertes non livrées (${count})`,
    intro:
      'Les alertes que chronops a renoncé à livrer à Slack, des plus récentes aux plus anciennes. Une fois la cause corrigée (le canal, une invitation, un scope, ALERT_CHANNEL), Relivrer en renvoie une.',
    none: 'Aucune alerte non livrée. :tada:',
    more: (shown: number, total: number) => `Les ${shown} plus récentes sur ${total}.`,
    operatorsOnly: 'Seul un *opérateur* ou un *admin* peut les relivrer.',
    kinds: {
      execution_failed: "alerte d'échec",
      execution_succeeded: 'avis de réussite',
      worker_lost: 'alerte de réplique perdue',
      overdue: 'alerte de retard',
      missed_runs: 'résumé des exécutions manquées',
      task_message: 'message de tâche',
      approval_requested: "demande d'approbation",
      duration_anomaly: 'alerte de durée anormale',
    } as Record<string, string>,
    attempts: (count: number) => `${count} tentative${count > 1 ? 's' : ''}`,
    raised: (when: string) => `levée ${when}`,
    gaveUp: (when: string) => `abandonnée ${when}`,
    to: (where: string) => `vers ${where}`,
    directMessage: 'un message direct',
    noChannel:
      "nulle part où l'envoyer : la tâche n'a pas de canal d'alerte, ALERT_CHANNEL n'est pas défini, et elle n'a pas d'auteur à qui écrire (une demande d'approbation n'est jamais envoyée à son auteur)",
    unknownError: 'aucune erreur enregistrée',
    redeliver: 'Relivrer',
    subject: (kind: string, task: string | undefined) => `« ${kind}${task ? ` de *${task}*` : ''} »`,
    redelivered: (user: string, subject: string) =>
      `:outbox_tray: <@${user}> a relancé la livraison de ${subject} : de nouveau en attente, tentatives remises à zéro. Publication sous peu.`,
    notDead: (subject: string, status: string) =>
      `Plus rien à relivrer pour ${subject} (${status}) : sa livraison a déjà été relancée. Rien n'a été modifié.`,
    status: { pending: 'livraison en attente', delivered: 'livraison faite' } as Record<string, string>,
    notFound: (ref: string) => `:mag: Aucune alerte non livrée \`${ref}\`. Rien n'a été modifié.`,
  },

  modal: {
    createTitle: 'Nouvelle tâche',
    editTitle: 'Modifier la tâche',
    submit: 'Enregistrer',
    close: 'Annuler',
    name: 'Nom',
    description: 'Description',
    type: 'Type',
    types: {
      backup: 'Sauvegarde',
      cleanup: 'Nettoyage',
      report: 'Rapport',
      notification: 'Notification',
      custom: 'Personnalisée (SQL ou script)',
    },
    paramsHeader: 'Paramètres',
    preset: 'Fréquences courantes',
    presetPlaceholder: 'Choisir une fréquence…',
    presets: {
      daily_0200: 'Tous les jours à 02:00',
      every_6h: 'Toutes les 6 heures',
      weekly_sunday: 'Chaque dimanche à 03:00',
      monthly_first: 'Le 1er de chaque mois à 04:00',
      every_5m: 'Toutes les 5 minutes',
    },
    cron: 'Expression cron',
    cronHint: 'minute heure jour-du-mois mois jour-de-semaine, dans le fuseau de la tâche',
    timezone: 'Fuseau horaire',
    timeout: 'Délai maximal (secondes)',
    retries: 'Relances (0–3)',
    overlap: "Si l'exécution précédente tourne encore",
    overlapOptions: {
      skip: 'Sauter cette exécution',
      queue: 'La mettre en attente',
      allow: 'Exécuter en parallèle',
    },
    misfire: 'Exécutions manquées (service arrêté)',
    misfireOptions: {
      run_once: 'Exécuter la dernière une fois',
      skip: 'Les sauter',
      run_all: 'Les exécuter toutes (fenêtre de rattrapage)',
    },
    alertChannel: "Canal d'alerte",
    notify: 'Notifications',
    notifyOnSuccess: 'Notifier aussi en cas de succès',
    previewTitle: 'Aperçu de la planification',
    previewInvalid: (error: string) => `:warning: ${error}`,
    previewEmpty: 'Saisissez une expression cron pour voir les prochaines exécutions.',
    nextRuns: (zone: string) => `5 prochaines exécutions (${zone} · UTC) :`,
    dstWarning: (message: string) => `:clock2: Changement d'heure : ${message}`,
    stagger: (count: number, minute: string, suggestion: string | undefined) =>
      `:traffic_light: ${count} autre${count === 1 ? '' : 's'} tâche${count === 1 ? '' : 's'} démarre${count === 1 ? '' : 'nt'} aussi à ${minute} UTC.${
        suggestion ? ` Envisagez \`${suggestion}\` pour étaler la charge.` : ''
      }`,
    conflict: (by: string) =>
      `Quelqu'un (${by}) a enregistré cette tâche pendant que vous la modifiiez. Fermez cette fenêtre et rouvrez la tâche pour voir ses changements ; les vôtres n'ont pas été enregistrés.`,
    duplicateName: 'Une tâche porte déjà ce nom.',
    userSqlUnavailable:
      "Le SQL saisi ici a besoin d'un identifiant de base restreint, et aucun n'est configuré : un administrateur doit définir TASK_DATABASE_URL (README, « The restricted task login »).",
    longTextReadOnly: (chars: string) => `${chars} caractères, en lecture seule ici`,
    longTextHowToChange:
      "Un champ de texte Slack contient au plus 3 000 caractères : ce texte est donc affiché en lecture seule (son début ci-dessus) et conservé tel quel à l'enregistrement. Pour le modifier, placez le SQL dans un fichier du dossier des scripts (SCRIPTS_DIR) et exécutez-le depuis une tâche personnalisée de type script, ou recréez la tâche avec un texte d'au plus 3 000 caractères.",
    truncatedText: (chars: number) =>
      `Ce champ ne contient que les 3 000 premiers des ${chars.toLocaleString('fr-FR')} caractères du texte enregistré : l'enregistrer couperait la suite, rien n'a donc été enregistré. Fermez cette fenêtre et rouvrez la tâche : le texte entier est alors conservé et affiché en lecture seule.`,
    notANumber: 'Doit être un nombre entier.',
    notJson: 'Doit être une liste JSON comme ["a", "b"].',
    saveTimeout:
      "L'enregistrement prend plus de temps que prévu ; vous recevrez un message une fois terminé.",
    saved: (task: string) => `*${task}* enregistrée.`,
    paramLabels: {
      keep: 'Archives à conserver',
      mode: 'Mode',
      table: 'Table',
      timestampColumn: 'Colonne de date',
      expiresColumn: "Colonne d'expiration",
      olderThanDays: 'Plus vieux que (jours)',
      successDays: 'Garder les succès (jours)',
      failureDays: 'Garder les échecs (jours)',
      batchSize: 'Taille des lots (lignes)',
      queries: 'Requêtes du rapport',
      csv: 'CSV',
      query: 'Condition',
      threshold: 'Seuil de quota (messages)',
      sql: 'SQL',
      maxListed: 'Lignes listées au plus',
      message: 'Titre du message',
      kind: 'Genre',
      readOnly: 'Lecture seule',
      script: 'Script (dans SCRIPTS_DIR)',
      args: 'Arguments (liste JSON)',
      env: 'Variables transmises (liste JSON de noms)',
    },
    paramHints: {
      table:
        'Refusées : les tables de chronops, et les tables référencées par une clé étrangère d’une autre table (le nettoyage supprimerait leurs lignes en cascade).',
    },
    yes: 'Oui',
  },
  dateNever: 'non planifiée',
  inZone: (zone: string) => `(${zone})`,
  dst: frDst,
  triggers: frTriggers,
  pauseModal: frPauseModal,
  rejectModal: {
    title: 'Rejeter la tâche',
    intro: (task: string) => `Rejeter *${task}* ? Son auteur verra votre raison.`,
    label: 'Raison',
    placeholder: "Que faut-il changer avant de pouvoir l'approuver ?",
    submit: 'Rejeter',
    close: 'Annuler',
  },
  why: {
    title: (task: string) => `Pourquoi ${task} s'est exécutée ou non`,
    paused: (by: string | undefined, when: string | undefined, reason: string | undefined) =>
      `:double_vertical_bar: *En pause*${by ? ` par <@${by}>` : ''}${when ? ` ${when}` : ''}${reason ? ` — ${reason}` : ''}. Une tâche en pause ne planifie rien ; les exécutions manquées ne sont pas rattrapées à la reprise.`,
    pendingApproval:
      ":lock: *En attente d'approbation* par un admin autre que son auteur : ses créneaux sont enregistrés comme non approuvés et ne s'exécutent pas.",
    rejected: (reason: string | undefined) =>
      `:no_entry_sign: *Rejetée*${reason ? ` — ${reason}` : ''} : ses créneaux ne s'exécutent pas avant modification et approbation.`,
    active: (next: string) => `:calendar: Active ; prochaine exécution ${next}.`,
    slotsTitle: 'Derniers créneaux',
    noSlots: 'Aucun créneau décidé pour le moment.',
    verdict: {
      succeeded: 'exécutée avec succès',
      failed: 'exécutée, en échec',
      timed_out: 'exécutée, délai dépassé',
      running: 'en cours',
      queued: 'en attente de démarrage',
      overlap_skipped: "sautée : l'exécution précédente tournait encore (politique de chevauchement)",
      misfire_skipped: 'sautée : manquée pendant que aucune instance ne tournait (politique de rattrapage)',
      caught_up: 'rattrapée en retard après un arrêt (politique de rattrapage)',
      not_approved: "non exécutée : la tâche n'était pas approuvée",
      worker_lost: "perdue : l'instance qui l'exécutait s'est arrêtée ; relancée selon la politique",
      cancelled: 'annulée par quelqu’un',
      skipped: 'sautée',
    },
    slot: (when: string, verdict: string, attempt: number) =>
      `• ${when} — ${verdict}${attempt > 1 ? ` (tentative ${attempt})` : ''}`,
    by: (user: string) => ` — par <@${user}>`,
    dst: (message: string) => `    :clock2: Heure d'été : ${message}`,
    missedTitle: "Manquées pendant l'arrêt",
    missed: (count: number, first: string, last: string, policy: string, ran: number, skipped: number) =>
      `• ${count} manquée(s) (${first} → ${last}) ; politique *${policy}* : ${ran} exécutée(s), ${skipped} enregistrée(s) sautée(s).`,
    upcomingDst: "Changements d'heure à venir",
  },
};
