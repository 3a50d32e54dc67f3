import type { KnownBlock } from '@slack/types';
import { actions, button, context, divider, header, section } from '../../blockkit/kit.js';
import { ACTION } from './ids.js';
import { type TaskSummary, taskRowBlocks } from './task-row.js';
import type { Ui } from './ui.js';

/** Tasks per page of `/tasks list`: 2 blocks each, so a page stays well under 50 blocks a message. */
export const LIST_PAGE_SIZE = 15;

/**
 * One page of `/tasks list` as an ephemeral message. `offset` is the index of the first task of the
 * page in the alphabetical list of `total` tasks; Previous/Next buttons carry the neighbouring offsets.
 */
export function buildTaskListMessage(
  tasks: readonly TaskSummary[],
  page: { offset: number; total: number },
  ui: Ui,
): KnownBlock[] {
  const { m } = ui;
  if (page.total === 0) return [section(m.list.empty)];
  const blocks: KnownBlock[] = [header(m.list.title(page.total))];
  for (const task of tasks.slice(0, LIST_PAGE_SIZE)) blocks.push(...taskRowBlocks(task, ui));
  blocks.push(...paginationBlocks(page.offset, page.total, LIST_PAGE_SIZE, ACTION.listPage, ui));
  return blocks;
}

/** "Page 2 of 34" and Previous/Next buttons (value: the offset to show). */
export function paginationBlocks(
  offset: number,
  total: number,
  pageSize: number,
  actionId: string,
  ui: Ui,
): KnownBlock[] {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages === 1) return [];
  const current = Math.floor(offset / pageSize) + 1;
  const buttons = [];
  if (offset > 0) {
    buttons.push(button(ui.m.list.previous, `${actionId}_prev`, String(Math.max(0, offset - pageSize))));
  }
  if (offset + pageSize < total) {
    buttons.push(button(ui.m.list.next, `${actionId}_next`, String(offset + pageSize)));
  }
  return [divider(), context([ui.m.list.page(current, pages)]), actions(buttons, `${actionId}_nav`)];
}
