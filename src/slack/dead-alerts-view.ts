import { listDeadAlerts } from '../store/dead-alerts.js';
import type { DeadAlertsView } from './blocks/dead-alerts.js';
import type { SlackDeps } from './deps.js';
import { roleAllows } from './permissions.js';

/**
 * The newest `limit` undeliverable alerts as `userId` sees them: everyone may read them (as logs and
 * history), only operators and admins get the Redeliver button.
 */
export async function loadDeadAlertsView(
  deps: Pick<SlackDeps, 'pool' | 'roles' | 'config'>,
  userId: string,
  limit: number,
): Promise<DeadAlertsView> {
  const [dead, role] = await Promise.all([listDeadAlerts(deps.pool, { limit }), deps.roles.roleOf(userId)]);
  return {
    ...dead,
    timezone: deps.config.defaultTimezone,
    canRedeliver: roleAllows(role, 'redeliver'),
  };
}
