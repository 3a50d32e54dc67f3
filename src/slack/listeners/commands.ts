import type { App } from '@slack/bolt';
import { escapeMrkdwn, truncateText } from '../../blockkit/mrkdwn.js';
import { closestMatches } from '../../domain/fuzzy-match.js';
import { isTemplateId, TEMPLATE_IDS } from '../../domain/templates.js';
import { explainSlots } from '../../domain/why.js';
import { listExecutionHistory } from '../../store/executions.js';
import { countTasksByStatus, getDashboardStats } from '../../store/stats.js';
import { countTasks, listTasks } from '../../store/tasks.js';
import { loadWhyInputs } from '../../store/why.js';
import { ALERTS_LIST_LIMIT, buildDeadAlertsMessage } from '../blocks/dead-alerts.js';
import {
  buildDeletePrompt,
  buildHelpMessage,
  buildHistoryMessage,
  buildLogsMessage,
  buildStatsMessage,
  buildTemplatesMessage,
} from '../blocks/messages.js';
import { buildTaskListMessage, LIST_PAGE_SIZE } from '../blocks/task-list.js';
import { buildWhyMessage } from '../blocks/why.js';
import { requiredUsage } from '../command-catalog.js';
import { loadDeadAlertsView } from '../dead-alerts-view.js';
import { type SlackClient, type SlackDeps, uiOf } from '../deps.js';
import {
  deleteTaskFor,
  forbiddenMessage,
  pauseTaskFor,
  resumeTaskFor,
  retryExecutionFor,
  runTaskNow,
  taskLabel,
} from '../operations.js';
import { parseTasksCommand } from '../parse-command.js';
import { answerAfterAck, makeReplier, type Replier, type Respond } from '../reply.js';
import { answerTaskAudit } from '../task-audit.js';
import { openCreateModal, openEditModal } from '../task-modal-flow.js';
import { lookupTask, lookupTaskPrefix } from '../task-ref.js';

/** The slash command: `/tasks <subcommand> …` (docs/ARCHITECTURE.md §2). */
export const COMMAND = '/tasks';

export interface CommandArgs {
  command: { text: string; user_id: string; channel_id: string; trigger_id: string };
  ack: () => Promise<void>;
  respond: Respond;
  client: SlackClient;
}

export function register(app: App, deps: SlackDeps): void {
  const handler = makeTasksCommandHandler(deps);
  app.command(COMMAND, async (args) => handler(args as unknown as CommandArgs));
}

/**
 * Acks at once, then answers (in the after-ack queue); every failure ends as a sentence to the user and a
 * log line.
 */
export function makeTasksCommandHandler(deps: SlackDeps) {
  return async ({ command, ack, respond, client }: CommandArgs): Promise<void> => {
    await ack();
    const reply = makeReplier(deps, client, {
      respond,
      userId: command.user_id,
      channelId: command.channel_id,
    });
    await answerAfterAck(deps, reply, { message: '/tasks failed', logFields: { text: command.text } }, () =>
      dispatch(deps, { command, client, reply }),
    );
  };
}

interface Context {
  command: CommandArgs['command'];
  client: SlackClient;
  reply: Replier;
}

// Stays whole: one case per subcommand, each a few lines; a table of handlers would only move them apart.
async function dispatch(deps: SlackDeps, ctx: Context): Promise<void> {
  const { m } = deps;
  const ui = uiOf(deps);
  const { command, reply, client } = ctx;
  const user = command.user_id;
  const parsed = parseTasksCommand(command.text);
  if (parsed.kind === 'unknown') {
    const intro = m.unknownSubcommand(escapeMrkdwn(truncateText(parsed.word, 40)).replace(/`/g, "'"));
    return reply.ephemeral(intro, buildHelpMessage(ui, intro));
  }
  const { name, args, rest } = parsed;
  const usage = requiredUsage(name);
  if (usage && rest === '') return reply.ephemeral(m.usage(usage));

  switch (name) {
    case 'help':
      return reply.ephemeral(m.help.title, buildHelpMessage(ui));
    case 'list': {
      const total = await countTasks(deps.db);
      const tasks = await listTasks(deps.db, { limit: LIST_PAGE_SIZE, offset: 0 });
      return reply.ephemeral(m.list.title(total), buildTaskListMessage(tasks, { offset: 0, total }, ui));
    }
    case 'stats': {
      // Independent queries: at once on the pool.
      const [stats, counts] = await Promise.all([
        getDashboardStats(deps.db, ui.now),
        countTasksByStatus(deps.db, ui.now),
      ]);
      return reply.ephemeral(m.stats.title, buildStatsMessage(stats, counts, ui));
    }
    case 'templates':
      return reply.ephemeral(m.templates.title, buildTemplatesMessage(ui));
    case 'alerts': {
      const view = await loadDeadAlertsView(deps, user, ALERTS_LIST_LIMIT);
      return reply.ephemeral(m.alerts.title(view.total), buildDeadAlertsMessage(view, ui));
    }
    case 'new': {
      const forbidden = await forbiddenMessage(deps, user, 'create');
      if (forbidden) return reply.ephemeral(forbidden);
      const template = args[0];
      if (template && !isTemplateId(template)) {
        const suggestions = closestMatches(template, TEMPLATE_IDS);
        const text = `${m.taskNotFound(escapeMrkdwn(truncateText(template, 40)))} ${
          suggestions.length > 0 ? m.didYouMean(suggestions) : ''
        }`;
        return reply.ephemeral(text, [...buildTemplatesMessage(ui)]);
      }
      return openCreateModal(deps, client, command.trigger_id, { template, channelId: command.channel_id });
    }
    case 'retry': {
      const outcome = await retryExecutionFor(deps, user, rest);
      return outcome.announce ? reply.announce(outcome.text) : reply.ephemeral(outcome.text);
    }
    case 'audit':
      // Also for a deleted task, which the live lookup below cannot find.
      return answerTaskAudit(deps, reply, args.join(' '));
    case 'pause': {
      const found = await lookupTaskPrefix(deps.db, args, m);
      if (!found.ok) return reply.ephemeral(found.message);
      const outcome = await pauseTaskFor(deps, user, found.task, found.rest || undefined);
      return outcome.announce ? reply.announce(outcome.text) : reply.ephemeral(outcome.text);
    }
    default:
      break;
  }

  // The remaining subcommands name one task.
  const found = await lookupTask(deps.db, args.join(' '), m);
  if (!found.ok) return reply.ephemeral(found.message);
  const task = found.task;
  switch (name) {
    case 'edit': {
      const forbidden = await forbiddenMessage(deps, user, 'edit');
      if (forbidden) return reply.ephemeral(forbidden);
      return openEditModal(deps, client, command.trigger_id, task, command.channel_id);
    }
    case 'run': {
      const outcome = await runTaskNow(deps, user, task);
      return outcome.announce ? reply.announce(outcome.text) : reply.ephemeral(outcome.text);
    }
    case 'resume': {
      const outcome = await resumeTaskFor(deps, user, task);
      return outcome.announce ? reply.announce(outcome.text) : reply.ephemeral(outcome.text);
    }
    case 'delete': {
      const forbidden = await forbiddenMessage(deps, user, 'delete');
      if (forbidden) return reply.ephemeral(forbidden);
      if (task.isSystem) return reply.ephemeral((await deleteTaskFor(deps, user, task)).text);
      // Nothing is deleted yet: the answer carries a Delete button behind Slack's confirmation dialog.
      return reply.ephemeral(m.deleteModal.title, buildDeletePrompt(task, ui));
    }
    case 'logs': {
      const page = await listExecutionHistory(deps.db, task.id, { limit: 1 });
      const last = page.rows[0];
      if (!last) return reply.ephemeral(m.logs.none(taskLabel(task)));
      return reply.ephemeral(
        m.logs.header(taskLabel(task)),
        buildLogsMessage(task.name, task.timezone, last, ui),
      );
    }
    case 'history': {
      const page = await listExecutionHistory(deps.db, task.id, { limit: 10 });
      return reply.ephemeral(
        m.history.title(taskLabel(task)),
        buildHistoryMessage(task.name, task.timezone, page.rows, ui),
      );
    }
    case 'why': {
      const inputs = await loadWhyInputs(deps.pool, task.id);
      const why = explainSlots(task, inputs.slots, inputs.missed, ui.now);
      return reply.ephemeral(m.why.title(taskLabel(task)), buildWhyMessage(task, why, ui));
    }
    default:
      return reply.ephemeral(m.help.title, buildHelpMessage(ui));
  }
}
