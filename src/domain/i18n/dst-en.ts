import type { DstNotice } from '../cron.js';

/**
 * Daylight-saving sentences, built from a notice's fields (domain/cron.ts) so that each language says
 * it in its own words. The English sentence is the notice's own `message`, word for word. Used by the
 * modal preview and save confirmation (slack/i18n/*-dst.ts), `/tasks why` and the report's look-ahead.
 */
export const enDstNotice = (n: DstNotice): string => {
  const one = n.from === n.to;
  if (n.kind === 'gap') {
    const what = one ? `${n.from} does not exist` : `${n.from} to ${n.to} do not exist`;
    const outcome =
      n.outcome === 'skipped'
        ? one
          ? 'that run is skipped.'
          : 'those runs are skipped.'
        : `runs ${one ? '' : 'once '}at ${n.at} instead.`;
    return `${what} on ${n.day} in ${n.timezone} (clocks go forward); ${outcome}`;
  }
  const where = `on ${n.day} in ${n.timezone} (clocks go back)`;
  return n.outcome === 'first_pass'
    ? `${n.from} occurs twice ${where}; runs once, at the first ${n.from} (${n.at} UTC).`
    : `${n.from} to ${n.to} happens twice ${where}; this schedule runs in both passes.`;
};
