import type { enPauseModal } from './en-pause-modal.js';

/** La fenêtre qu'ouvre le bouton Pause (blocks/pause-modal.ts). */
export const frPauseModal: typeof enPauseModal = {
  title: 'Mettre en pause',
  intro: (task: string) =>
    `Mettre *${task}* en pause ? Elle ne s'exécute plus jusqu'à sa reprise ; les exécutions manquées entre-temps ne sont pas rattrapées.`,
  label: 'Raison',
  hint: "Affichée sur la tâche et conservée dans le journal d'audit.",
  placeholder: 'Pourquoi la mettre en pause ? (facultatif)',
  submit: 'Mettre en pause',
  close: 'Annuler',
  tooLong: (max: number) => `${max} caractères au plus.`,
};
