import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../shared/logger.js';
import { readBody } from '../shared/read-body.js';
import { createReplayGuard } from './replay-guard.js';

/** Slack's largest payloads (a view submission of 100 blocks with its state) are far below this. */
const MAX_SLACK_BODY_BYTES = 2 * 1024 * 1024;

/**
 * What an HTTP request to /slack/events goes through before Bolt sees it: a bounded body, then the
 * replay guard (replay-guard.ts), which refuses stale or forged signatures and answers Slack's retries
 * of deliveries this replica already handled.
 */
export function createHttpAdmission(deps: {
  receiver: HTTPReceiver;
  signingSecret: string;
  logger: Logger;
}): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  // Slack's timestamps are compared with this machine's clock, as Bolt and Slack's own examples do.
  const replayGuard = createReplayGuard({ signingSecret: deps.signingSecret, nowMs: () => Date.now() });
  const header = (request: IncomingMessage, name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };

  /** Reads the body once; Bolt reuses `rawBody` instead of reading the stream again. */
  return async (request: IncomingMessage, response: ServerResponse) => {
    let body: Buffer;
    try {
      body = await readBody(request, MAX_SLACK_BODY_BYTES);
    } catch {
      if (!response.headersSent) response.writeHead(413, { 'content-type': 'text/plain' });
      response.end('request body too large\n');
      return;
    }
    (request as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    const admission = replayGuard.admit({
      timestamp: header(request, 'x-slack-request-timestamp'),
      signature: header(request, 'x-slack-signature'),
      retryNum: header(request, 'x-slack-retry-num'),
      retryReason: header(request, 'x-slack-retry-reason'),
      body,
    });
    switch (admission.verdict) {
      case 'refuse':
        deps.logger.warn(
          { reason: admission.reason },
          `refused a Slack request: ${admission.reason.replaceAll('_', ' ')}`,
        );
        response.writeHead(401, { 'content-type': 'text/plain' });
        response.end(`${admission.reason.replaceAll('_', ' ')}\n`);
        return;
      case 'drop_retry':
        deps.logger.info(
          {
            retryNum: header(request, 'x-slack-retry-num'),
            retryReason: header(request, 'x-slack-retry-reason'),
          },
          'acknowledged a Slack retry of a delivery already handled here',
        );
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end();
        return;
      case 'process':
        response.once('finish', () => replayGuard.answered(admission.delivery, response.statusCode < 500));
        response.once('close', () => {
          if (!response.writableFinished) replayGuard.answered(admission.delivery, false);
        });
        break;
      case 'pass_to_bolt':
        break;
    }
    deps.receiver.requestListener(request, response);
  };
}
