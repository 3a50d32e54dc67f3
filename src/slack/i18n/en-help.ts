/** `/tasks help`: the commands and what they do. */
export const enHelp = {
  title: 'chronops — scheduled maintenance tasks',
  lines: [
    '`/tasks list` — every task with its status',
    '`/tasks new [template]` — create a task (admin)',
    '`/tasks edit <task>` — edit a task (admin)',
    '`/tasks run <task>` — run now (operator)',
    '`/tasks pause <task> [reason]` / `/tasks resume <task>` (operator)',
    '`/tasks delete <task>` — delete, after confirmation (admin)',
    '`/tasks logs <task>` — logs of the last execution',
    '`/tasks history <task>` — recent executions',
    '`/tasks retry <execution id>` — retry a failed execution (operator)',
    '`/tasks why <task>` — why the last runs ran, were skipped or did not happen',
    '`/tasks alerts` — alerts that could not be delivered, with Redeliver (operator)',
    '`/tasks stats` · `/tasks templates` · `/tasks audit <task>`',
  ],
  footer: 'A task is named by its name or its id. The App Home tab shows the dashboard.',
};
