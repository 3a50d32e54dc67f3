/** The modal the Pause button opens (blocks/pause-modal.ts). */
export const enPauseModal = {
  title: 'Pause task',
  intro: (task: string) =>
    `Pause *${task}*? It runs no more until someone resumes it; runs missed meanwhile are not caught up.`,
  label: 'Reason',
  hint: 'Shown on the task and kept in the audit log.',
  placeholder: 'Why is it paused? (optional)',
  submit: 'Pause',
  close: 'Cancel',
  tooLong: (max: number) => `At most ${max} characters.`,
};
