import { frDstNotice } from '../../domain/i18n/dst-fr.js';
import type { enDst } from './en-dst.js';

/** Les phrases du changement d'heure : l'avis lui-même vient de domain/i18n (partagé avec le rapport). */
export const frDst: typeof enDst = {
  notice: frDstNotice,
  nextRunNotice: (when: string, notice: string) =>
    `:clock2: Changement d'heure, prochaine exécution ${when} : ${notice}`,
};
