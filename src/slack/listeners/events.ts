import type { App } from '@slack/bolt';
import { toError } from '../../shared/errors.js';
import type { SlackClient, SlackDeps } from '../deps.js';

export interface HomeOpenedArgs {
  event: { user: string; tab?: string };
  client: SlackClient;
}

/**
 * app_home_opened: publish the dashboard, in the after-ack queue (Events API requests are acknowledged
 * by Bolt itself, before the listener runs).
 */
export function makeHomeOpenedHandler(deps: SlackDeps) {
  return async ({ event, client }: HomeOpenedArgs): Promise<void> => {
    if (event.tab !== undefined && event.tab !== 'home') return;
    await deps.afterAck(async () => {
      try {
        await deps.publishHome(client, event.user, 0);
      } catch (error) {
        deps.logger.error({ err: toError(error), user: event.user }, 'could not publish the App Home');
      }
    });
  };
}

export function register(app: App, deps: SlackDeps): void {
  const handler = makeHomeOpenedHandler(deps);
  app.event('app_home_opened', async (args) => handler(args as unknown as HomeOpenedArgs));
}
