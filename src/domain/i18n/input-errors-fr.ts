import type { InputErrorMessages } from './input-errors-en.js';

/** Les erreurs de planification et de fuseau, en français ; le même objet que input-errors-en.ts. */
type Args = Readonly<Record<string, string | number>>;
const s = (args: Args, key: string) => String(args[key] ?? '');

export const frInputErrors: InputErrorMessages = {
  cronPrefix: 'Cron invalide : ',
  fieldNames: {
    second: 'seconde',
    minute: 'minute',
    hour: 'heure',
    'day of month': 'jour du mois',
    month: 'mois',
    'day of week': 'jour de la semaine',
  },
  inField: (field, problem) => `${field} : ${problem}`,
  cron: {
    empty: () => "l'expression est vide.",
    unknownMacro: (a) =>
      `macro « ${s(a, 'macro')} » inconnue : utilisez @hourly, @daily, @midnight, @weekly, @monthly, @yearly ou @annually.`,
    fieldCount: (a) =>
      `${s(a, 'count')} champ${Number(a.count) > 1 ? 's' : ''} au lieu de 5 (minute heure jour-du-mois mois jour-de-la-semaine) ou 6 (avec les secondes en premier).`,
    neverFires: (a) =>
      `« ${s(a, 'expression')} » ne se déclenche jamais : aucune date n'a ce jour du mois dans les mois donnés.`,
    parser: (a) => `${s(a, 'detail')}.`,
    notValue: (a) =>
      `« ${s(a, 'token')} » n'est pas une valeur valable : un nombre attendu${a.names ? ` ou un nom (${s(a, 'names')})` : ''}.`,
    outOfRange: (a) => `« ${s(a, 'token')} » est hors limites (${s(a, 'min')}-${s(a, 'max')}).`,
    duplicate: (a) => `« ${s(a, 'raw')} » cite ${s(a, 'label')} plus d'une fois.`,
    hashCombined: (a) =>
      `« ${s(a, 'raw')} » ne peut pas combiner # avec d'autres valeurs : écrivez un seul j#n, par exemple 1#2.`,
    hashOccurrence: (a) => `« ${s(a, 'raw')} » : l'occurrence après # va de 1 à 5.`,
    emptyItem: (a) => `« ${s(a, 'raw')} » contient un élément de liste vide.`,
    nearestWeekday: (a) => `« ${s(a, 'item')} » utilise W (jour ouvré le plus proche), non pris en charge.`,
    lastOffset: (a) => `« ${s(a, 'item')} » n'est pas pris en charge : L désigne le dernier jour du mois.`,
    lastNeedsWeekday: () => '« L » demande un jour : écrivez 5L pour le dernier vendredi du mois.',
    notItem: (a) =>
      `« ${s(a, 'item')} » n'est pas valable : un nombre, un intervalle a-b, un pas */n ou * attendu.`,
    questionMark: () => "« ? » n'est permis que dans le jour du mois et le jour de la semaine.",
    reversed: (a) => `l'intervalle « ${s(a, 'base')} » est inversé : écrivez la plus petite valeur d'abord.`,
    stepRange: (a) => `le pas « ${s(a, 'step')} » est hors limites (1-${s(a, 'span')}).`,
  },
  unknownZone: (zone) => `Fuseau horaire « ${zone} » inconnu : utilisez un nom IANA comme Europe/Paris.`,
};
