/**
 * Slack's hard limits on Block Kit payloads, in one place for every area that builds messages or views
 * (docs/ARCHITECTURE.md §10). Slack answers `invalid_blocks` (or cuts silently) past any of these, so the
 * constructors of kit.ts cut texts and lists to them by construction. Each number cites the page of Slack's
 * reference that states it. The sandbox's validator (sandbox/block-rules.ts) keeps its own copy on
 * purpose: it stands in for Slack, and must not agree with the code under test by importing it.
 */
export const SLACK_LIMITS = {
  /** "up to 50 blocks in each message": https://docs.slack.dev/reference/block-kit/blocks */
  blocksPerMessage: 50,
  /** "100 blocks in modals or Home tabs": https://docs.slack.dev/reference/block-kit/blocks */
  blocksPerView: 100,
  /** Section `text`, 1 to 3000 characters: https://docs.slack.dev/reference/block-kit/blocks/section-block */
  sectionText: 3000,
  /** Each section field's text: https://docs.slack.dev/reference/block-kit/blocks/section-block */
  fieldText: 2000,
  /** Section `fields`, at most 10 items: https://docs.slack.dev/reference/block-kit/blocks/section-block */
  fieldsPerSection: 10,
  /** Header `text` (plain_text): https://docs.slack.dev/reference/block-kit/blocks/header-block */
  headerText: 150,
  /** Context `elements`, at most 10: https://docs.slack.dev/reference/block-kit/blocks/context-block */
  contextElements: 10,
  /** Actions `elements`, at most 25: https://docs.slack.dev/reference/block-kit/blocks/actions-block */
  actionsElements: 25,
  /** Button `text`: https://docs.slack.dev/reference/block-kit/block-elements/button-element */
  buttonText: 75,
  /** Button `value`: https://docs.slack.dev/reference/block-kit/block-elements/button-element */
  actionValue: 2000,
  /** Option `text`: https://docs.slack.dev/reference/block-kit/composition-objects/option-object */
  optionText: 75,
  /** Option `value`: https://docs.slack.dev/reference/block-kit/composition-objects/option-object */
  optionValue: 150,
  /** Static select `options`, at most 100: https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element */
  selectOptions: 100,
  /** Overflow menu `options`, 2 to 5: https://docs.slack.dev/reference/block-kit/block-elements/overflow-menu-element */
  overflowOptions: 5,
  /** Modal `title`, `submit` and `close` texts: https://docs.slack.dev/reference/views/modal-views */
  modalTitle: 24,
  /** View `private_metadata`: https://docs.slack.dev/reference/views/modal-views */
  privateMetadata: 3000,
  /** Confirm `title`: https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object */
  confirmTitle: 100,
  /** Confirm `text`: https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object */
  confirmText: 300,
  /** Confirm `confirm` and `deny` texts: https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object */
  confirmButton: 30,
  /**
   * chat.postMessage top-level `text`, cut by Slack past 40,000 characters:
   * https://docs.slack.dev/reference/methods/chat.postMessage
   */
  messageText: 40_000,
} as const;
