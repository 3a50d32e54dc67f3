/**
 * The task form's field errors (task.ts) and the parameter errors that do not come from one
 * parameter's schema (task-params.ts: template, variant, unknown parameter, protected table), in
 * English. validation-fr.ts is typed by this object: the compiler checks it says every one.
 */
export const enValidation = {
  nameRequired: 'Name is required.',
  nameTooLong: (max: number) => `Name must be at most ${max} characters.`,
  nameControl: 'Name must not contain control characters.',
  descriptionTooLong: 'Description must be at most 2000 characters.',
  typeOneOf: (types: string) => `Type must be one of ${types}.`,
  cronRequired: 'Cron expression is required.',
  cronTooLong: 'Cron expression is too long.',
  timezoneTooLong: 'Time zone is too long.',
  timeoutNumber: 'Timeout must be a number of seconds.',
  timeoutWhole: 'Timeout must be a whole number of seconds.',
  timeoutMin: 'Timeout must be at least 1 second.',
  timeoutMax: 'Timeout must be at most 86400 seconds (24 h).',
  retriesNumber: 'Retries must be a number.',
  retriesWhole: 'Retries must be a whole number.',
  retriesRange: (max: number) => `Retries must be between 0 and ${max}.`,
  overlapOneOf: (policies: string) => `Overlap policy must be one of ${policies}.`,
  misfireOneOf: (policies: string) => `Misfire policy must be one of ${policies}.`,
  graceNumber: 'Overdue grace must be a number of seconds.',
  graceWhole: 'Overdue grace must be a whole number of seconds.',
  graceNegative: 'Overdue grace must not be negative.',
  graceMax: 'Overdue grace must be at most 7 days.',
  alertChannel: 'Alert channel must be a Slack channel id such as C0123456789.',
  unknownTimezone: 'Unknown time zone.',
  invalidCron: 'Invalid cron expression.',
  invalidTask: 'Invalid task.',
  // task-params.ts, around the schemas
  unknownTemplate: (template: string) => `template: "${template}" is not a known template.`,
  templateType: (template: string, made: string, type: string) =>
    `template: "${template}" makes ${made} tasks, not ${type} tasks.`,
  paramsObject: 'params: must be an object of named parameters.',
  variantRequired: (field: string, choices: string) => `${field}: is required; choose one of ${choices}.`,
  variantInvalid: (field: string, value: string, choices: string) =>
    `${field}: ${value} is not valid; choose one of ${choices}.`,
  notAParameter: (key: string, type: string) => `${key}: is not a parameter of ${type} tasks.`,
  protectedTable: (table: string, entry: string, history: boolean) =>
    `table: "${table}" is one of chronops's own tables (${entry}); clean-ups may not delete from it.${history ? ' Use the execution_history mode to prune executions.' : ''}`,
};

export type ValidationMessages = typeof enValidation;
