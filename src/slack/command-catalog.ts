import { TASK_TEMPLATES, TEMPLATE_IDS } from '../domain/templates.js';
import { SUBCOMMANDS, type Subcommand } from './parse-command.js';

/**
 * What `/tasks` takes, for whoever suggests it as it is typed (the sandbox page's autocompletion) and
 * for the usage reply to a subcommand missing its argument. One entry per subcommand, checked against
 * SUBCOMMANDS by the type, so a new subcommand cannot be left out.
 */
const ARGUMENTS_AND_DESCRIPTIONS: Readonly<Record<Subcommand, { args: string; description: string }>> = {
  help: { args: '', description: 'What /tasks can do' },
  list: { args: '', description: 'Every task with its status' },
  new: { args: '[template]', description: 'Create a task (optionally from a template)' },
  edit: { args: '<task>', description: 'Edit a task' },
  run: { args: '<task>', description: 'Run a task now' },
  pause: { args: '<task> [reason]', description: 'Pause a task' },
  resume: { args: '<task>', description: 'Resume a paused task' },
  delete: { args: '<task>', description: 'Delete a task (asks for confirmation)' },
  logs: { args: '<task>', description: 'Logs of the last run' },
  history: { args: '<task>', description: 'Recent runs' },
  retry: { args: '<execution id>', description: 'Retry a failed run' },
  stats: { args: '', description: 'Figures for the last 24 h' },
  templates: { args: '', description: 'Task templates' },
  audit: { args: '<task>', description: 'Who changed what' },
  why: { args: '<task>', description: 'Why the last slot did or did not run' },
  alerts: { args: '', description: 'Alerts that could not be delivered, with Redeliver' },
};

export interface CommandCatalog {
  /** In SUBCOMMANDS' order; `usage` is the arguments, e.g. `<task> [reason]` (empty when none). */
  readonly subcommands: ReadonlyArray<{ name: Subcommand; usage: string; description: string }>;
  /** In TEMPLATE_IDS' order, with the English name. */
  readonly templates: ReadonlyArray<{ id: string; name: string }>;
}

export function commandCatalog(): CommandCatalog {
  return {
    subcommands: SUBCOMMANDS.map((name) => ({
      name,
      usage: ARGUMENTS_AND_DESCRIPTIONS[name].args,
      description: ARGUMENTS_AND_DESCRIPTIONS[name].description,
    })),
    templates: TEMPLATE_IDS.map((id) => ({ id, name: TASK_TEMPLATES[id].name.en })),
  };
}

/** `run <task>` for a subcommand whose argument is required, so its absence gets the usage as reply. */
export function requiredUsage(name: Subcommand): string | undefined {
  const { args } = ARGUMENTS_AND_DESCRIPTIONS[name];
  return args.startsWith('<') ? `${name} ${args}` : undefined;
}
