import type { KnownBlock, ModalView } from '@slack/types';
import { actions, button, context, plain, section } from '../../blockkit/kit.js';
import { SLACK_LIMITS } from '../../blockkit/limits.js';
import { codeBlock, escapeMrkdwn, truncateText } from '../../blockkit/mrkdwn.js';
import { type ApprovalRef, formatApprovalRef } from '../../domain/approval-ref.js';
import { displayChunks } from '../../domain/display-chunks.js';
import { ACTION, CALLBACK } from './ids.js';
import type { Ui } from './ui.js';

/**
 * Code sections per page of the modal: with the intro and the navigation, 12 sections of up to 3,000
 * characters stay far below a view's 100 blocks and keep one page readable; the longest code a task
 * accepts (100,000 characters of SQL) takes a handful of pages.
 */
export const FULL_TEXT_SECTIONS_PER_PAGE = 12;

/** The code of one approval card cut into pages of sections; together they are the whole text. */
export function fullTextPages(code: string): string[][] {
  const chunks = displayChunks(code, SLACK_LIMITS.sectionText, codeBlock);
  const pages: string[][] = [];
  for (let at = 0; at < chunks.length; at += FULL_TEXT_SECTIONS_PER_PAGE) {
    pages.push(chunks.slice(at, at + FULL_TEXT_SECTIONS_PER_PAGE));
  }
  return pages.length > 0 ? pages : [['']];
}

/**
 * The View full text modal of an approval card: every character of the version the card asks about,
 * page by page (Previous / Next update the view in place), with Approve / Reject for that version.
 * `stillPending` is false when the task was saved again or decided since: the modal says so and has no
 * decision buttons, so nobody reads old code believing it is the current one.
 */
export function buildFullTextModal(
  card: { taskName: string; code: string },
  ref: ApprovalRef,
  page: number,
  stillPending: boolean,
  ui: Ui,
): ModalView {
  const { m, locale } = ui;
  const pages = fullTextPages(card.code);
  const index = Math.min(Math.max(page, 0), pages.length - 1);
  const chars = Array.from(card.code).length.toLocaleString(locale === 'fr' ? 'fr-FR' : 'en-US');
  const blocks: KnownBlock[] = [
    section(m.fullText.intro(escapeMrkdwn(truncateText(card.taskName, 80)), ref.version, chars)),
  ];
  if (!stillPending) blocks.push(context([m.fullText.superseded]));
  if (card.code.includes('```')) blocks.push(context([m.fullText.backticks]));
  for (const chunk of pages[index] ?? []) blocks.push(section(codeBlock(chunk)));
  if (stillPending) {
    blocks.push(
      actions(
        [
          button(m.actions.approve, ACTION.approve, formatApprovalRef(ref), { style: 'primary' }),
          button(m.actions.reject, ACTION.reject, formatApprovalRef(ref), { style: 'danger' }),
        ],
        'full_text_decision',
      ),
    );
  }
  if (pages.length > 1) {
    blocks.push(context([m.fullText.page(index + 1, pages.length)]));
    const value = (to: number) => `${formatApprovalRef(ref)}:${to}`;
    const nav = [
      ...(index > 0 ? [button(m.fullText.previous, `${ACTION.fullTextPage}_prev`, value(index - 1))] : []),
      ...(index < pages.length - 1
        ? [button(m.fullText.next, `${ACTION.fullTextPage}_next`, value(index + 1))]
        : []),
    ];
    blocks.push(actions(nav, 'full_text_pages'));
  }
  return {
    type: 'modal',
    callback_id: CALLBACK.fullTextModal,
    title: plain(m.fullText.title, SLACK_LIMITS.modalTitle),
    close: plain(m.fullText.close, SLACK_LIMITS.modalTitle),
    blocks,
  };
}

/** Reads a page button's value `<taskId>:<version>:<page>`. */
export function parseFullTextPage(value: string): { ref: string; page: number } | undefined {
  const match = /^(.+):(\d{1,4})$/.exec(value);
  if (!match?.[1] || match[2] === undefined) return undefined;
  return { ref: match[1], page: Number(match[2]) };
}
