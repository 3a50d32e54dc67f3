import type { ValidationMessages } from './validation-en.js';

/** Les erreurs du formulaire de tâche, en français ; le même objet que validation-en.ts, clé pour clé. */
export const frValidation: ValidationMessages = {
  nameRequired: 'Le nom est obligatoire.',
  nameTooLong: (max) => `Le nom doit faire au plus ${max} caractères.`,
  nameControl: 'Le nom ne doit pas contenir de caractères de contrôle.',
  descriptionTooLong: 'La description doit faire au plus 2000 caractères.',
  typeOneOf: (types) => `Le type doit être l'un de ${types}.`,
  cronRequired: "L'expression cron est obligatoire.",
  cronTooLong: "L'expression cron est trop longue.",
  timezoneTooLong: 'Le fuseau horaire est trop long.',
  timeoutNumber: 'Le délai doit être un nombre de secondes.',
  timeoutWhole: 'Le délai doit être un nombre entier de secondes.',
  timeoutMin: "Le délai doit être d'au moins 1 seconde.",
  timeoutMax: "Le délai doit être d'au plus 86400 secondes (24 h).",
  retriesNumber: 'Les relances doivent être un nombre.',
  retriesWhole: 'Les relances doivent être un nombre entier.',
  retriesRange: (max) => `Les relances doivent être entre 0 et ${max}.`,
  overlapOneOf: (policies) => `La règle de chevauchement doit être l'une de ${policies}.`,
  misfireOneOf: (policies) => `La règle des exécutions manquées doit être l'une de ${policies}.`,
  graceNumber: 'La tolérance de retard doit être un nombre de secondes.',
  graceWhole: 'La tolérance de retard doit être un nombre entier de secondes.',
  graceNegative: 'La tolérance de retard ne peut pas être négative.',
  graceMax: "La tolérance de retard doit être d'au plus 7 jours.",
  alertChannel: "Le canal d'alerte doit être un identifiant de canal Slack comme C0123456789.",
  unknownTimezone: 'Fuseau horaire inconnu.',
  invalidCron: 'Expression cron invalide.',
  invalidTask: 'Tâche invalide.',
  unknownTemplate: (template) => `template : « ${template} » n'est pas un modèle connu.`,
  templateType: (template, made, type) =>
    `template : « ${template} » crée des tâches ${made}, pas des tâches ${type}.`,
  paramsObject: 'params : doit être un objet de paramètres nommés.',
  variantRequired: (field, choices) => `${field} : obligatoire ; choisissez parmi ${choices}.`,
  variantInvalid: (field, value, choices) =>
    `${field} : ${value} n'est pas valable ; choisissez parmi ${choices}.`,
  notAParameter: (key, type) => `${key} : n'est pas un paramètre des tâches ${type}.`,
  protectedTable: (table, entry, history) =>
    `table : « ${table} » est l'une des tables de chronops (${entry}) ; un nettoyage ne peut pas y supprimer de lignes.${history ? ' Utilisez le mode execution_history pour purger les exécutions.' : ''}`,
};
