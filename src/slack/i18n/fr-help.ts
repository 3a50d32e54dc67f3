/** `/tasks help` : les commandes et ce qu'elles font. */
import type { enHelp } from './en-help.js';

export const frHelp: typeof enHelp = {
  title: 'chronops — tâches de maintenance planifiées',
  lines: [
    '`/tasks list` — toutes les tâches et leur statut',
    '`/tasks new [modèle]` — créer une tâche (admin)',
    '`/tasks edit <tâche>` — modifier une tâche (admin)',
    '`/tasks run <tâche>` — exécuter maintenant (opérateur)',
    '`/tasks pause <tâche> [raison]` / `/tasks resume <tâche>` (opérateur)',
    '`/tasks delete <tâche>` — supprimer, après confirmation (admin)',
    '`/tasks logs <tâche>` — logs de la dernière exécution',
    '`/tasks history <tâche>` — exécutions récentes',
    "`/tasks retry <id d'exécution>` — relancer une exécution en échec (opérateur)",
    '`/tasks why <tâche>` — pourquoi les dernières exécutions ont eu lieu, ont été sautées ou non',
    '`/tasks alerts` — les alertes non livrées, avec Relivrer (opérateur)',
    '`/tasks stats` · `/tasks templates` · `/tasks audit <tâche>`',
  ],
  footer: "Une tâche se désigne par son nom ou son id. L'onglet Accueil de l'app montre le tableau de bord.",
};
