import { enDstNotice } from '../../domain/i18n/dst-en.js';

/** Daylight-saving sentences: the notice itself comes from domain/i18n (shared with the report). */
export const enDst = {
  notice: enDstNotice,
  /** Appended to the confirmation of a save whose next run meets a clock change. */
  nextRunNotice: (when: string, notice: string) => `:clock2: Daylight saving, next run ${when}: ${notice}`,
};
