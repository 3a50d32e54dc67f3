import type { DstNotice } from '../cron.js';
import type { enDstNotice } from './dst-en.js';

/** Les phrases du changement d'heure, construites à partir des champs de l'avis (domain/cron.ts). */
export const frDstNotice: typeof enDstNotice = (n: DstNotice): string => {
  const one = n.from === n.to;
  if (n.kind === 'gap') {
    const what = one ? `${n.from} n'existe pas` : `${n.from} à ${n.to} n'existent pas`;
    const outcome =
      n.outcome === 'skipped'
        ? one
          ? 'cette exécution est sautée.'
          : 'ces exécutions sont sautées.'
        : `exécution ${one ? '' : 'unique '}à ${n.at} à la place.`;
    return `${what} le ${n.day} en ${n.timezone} (passage à l'heure d'été) ; ${outcome}`;
  }
  const where = `le ${n.day} en ${n.timezone} (passage à l'heure d'hiver)`;
  return n.outcome === 'first_pass'
    ? `${n.from} a lieu deux fois ${where} ; une seule exécution, au premier ${n.from} (${n.at} UTC).`
    : `${n.from} à ${n.to} a lieu deux fois ${where} ; cette planification s'exécute aux deux passages.`;
};
