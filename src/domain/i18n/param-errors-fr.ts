import type { ParamErrorMessages } from './param-errors-en.js';

const kindFr = (kind: string) => (kind === 'table' ? 'de table' : kind === 'column' ? 'de colonne' : kind);
const unitFr = (unit: string) =>
  ({ rows: 'lignes', days: 'jours', archives: 'archives', messages: 'messages' })[unit] ?? unit;

/** The parameter schemas' messages in French, key for key with param-errors-en.ts. */
export const frParamErrors: ParamErrorMessages = {
  nameRequired: (p) => `${p.field} : un nom ${kindFr(p.kind)} est requis.`,
  nameInvalid: (p) =>
    `${p.field} : ${p.value} n'est pas un nom ${kindFr(p.kind)} valide (lettres, chiffres et _ seulement${p.qualified ? ', éventuellement schéma.table' : ''}).`,
  numberType: (p) => `${p.field} : doit être un nombre de ${unitFr(p.unit)}.`,
  wholeNumber: (p) => `${p.field} : doit être un nombre entier de ${unitFr(p.unit)}.`,
  range: (p) => `${p.field} : doit être compris entre ${p.min} et ${p.max} ${unitFr(p.unit)}.`,
  archiveNameTooLong: (p) =>
    `table : le nom est trop long pour y ajouter « ${p.suffix} » (${p.max} caractères au plus).`,
  failuresKeptLonger: () =>
    'failureDays : les échecs doivent être gardés au moins aussi longtemps que les succès (failureDays ≥ successDays).',
  notAReportQuery: (p) =>
    `queries : ${p.value} n'est pas une requête de rapport ; choisissez parmi ${p.choices}.`,
  queriesList: () => 'queries : doit être une liste de noms de requêtes de rapport.',
  queriesAtLeastOne: () => 'queries : choisissez au moins une requête.',
  trueOrFalse: (p) => `${p.field} : doit valoir true ou false.`,
  messageText: () => 'message : doit être du texte.',
  messageEmpty: () => 'message : ne doit pas être vide.',
  atMostCharacters: (p) => `${p.field} : ${p.max} caractères au plus.`,
  sqlRequired: (p) => `${p.field} : une requête SQL est requise.`,
  scriptRequired: () => 'script : un nom de fichier dans SCRIPTS_DIR est requis.',
  scriptAbsolute: (p) => `${p.value} est un chemin absolu ; donnez un nom de fichier relatif à SCRIPTS_DIR.`,
  scriptLeaves: (p) => `${p.value} sort de SCRIPTS_DIR (« .. » n'est pas permis).`,
  scriptNotPlain: (p) =>
    `${p.value} n'est pas un simple nom de fichier (lettres, chiffres, « . », « _ », « - » et « / » seulement).`,
  scriptPath: (p) => `script : ${frParamErrors[p.problem]({ value: p.value })}`,
  argText: () => 'args : chaque argument doit être du texte.',
  argTooLong: () => 'args : un argument fait 1000 caractères au plus.',
  argNul: () => 'args : les arguments ne doivent pas contenir de caractère NUL.',
  argsList: () => 'args : doit être une liste d’arguments texte.',
  argsTooMany: () => 'args : 20 arguments au plus.',
  envEntry: () => 'env : chaque entrée doit être un nom de variable.',
  envName: () =>
    'env : un nom de variable est fait de lettres, de chiffres et de _, et commence par une lettre ou _ (par ex. MY_API_KEY).',
  envSecret: (p) =>
    `env : ${p.name} est l'un des identifiants de chronops et n'est jamais transmis à un script ; donnez au script un identifiant à lui (ou PGPASSWORD pour la base cible).`,
  envList: () => 'env : doit être une liste de noms de variables.',
  envTooMany: () => 'env : 20 variables au plus.',
  envTwice: () => 'env : une variable apparaît deux fois.',
};
