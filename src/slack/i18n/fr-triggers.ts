import type { enTriggers } from './en-triggers.js';

/** Ce qui a lancé une exécution, tel que la fenêtre d'exécution l'affiche. */
export const frTriggers: typeof enTriggers = {
  schedule: 'planification',
  manual: 'manuel',
  retry: 'relance',
  catchup: 'rattrapage',
  sql: 'sql',
};
