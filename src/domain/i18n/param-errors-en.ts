/**
 * The messages of the parameter schemas (domain/task-params.ts), in English. Each starts with the
 * parameter's name, so it reads on its own in a modal, a log or Slack. The French catalogue mirrors
 * this one key for key (the compiler checks it through ParamErrorMessages).
 */
export const enParamErrors = {
  nameRequired: (p: { field: string; kind: string }) => `${p.field}: a ${p.kind} name is required.`,
  nameInvalid: (p: { field: string; kind: string; value: string; qualified: boolean }) =>
    `${p.field}: ${p.value} is not a valid ${p.kind} name (letters, digits and _ only${p.qualified ? ', optionally schema.table' : ''}).`,
  numberType: (p: { field: string; unit: string }) => `${p.field}: must be a number of ${p.unit}.`,
  wholeNumber: (p: { field: string; unit: string }) => `${p.field}: must be a whole number of ${p.unit}.`,
  range: (p: { field: string; unit: string; min: number; max: number }) =>
    `${p.field}: must be between ${p.min} and ${p.max} ${p.unit}.`,
  archiveNameTooLong: (p: { suffix: string; max: number }) =>
    `table: the name is too long to add "${p.suffix}" (at most ${p.max} characters).`,
  failuresKeptLonger: () =>
    'failureDays: failures must be kept at least as long as successes (failureDays ≥ successDays).',
  notAReportQuery: (p: { value: string; choices: string }) =>
    `queries: ${p.value} is not a report query; choose from ${p.choices}.`,
  queriesList: () => 'queries: must be a list of report query names.',
  queriesAtLeastOne: () => 'queries: choose at least one query.',
  trueOrFalse: (p: { field: string }) => `${p.field}: must be true or false.`,
  messageText: () => 'message: must be text.',
  messageEmpty: () => 'message: must not be empty.',
  atMostCharacters: (p: { field: string; max: number }) => `${p.field}: must be at most ${p.max} characters.`,
  sqlRequired: (p: { field: string }) => `${p.field}: a SQL query is required.`,
  scriptRequired: () => 'script: a file name inside SCRIPTS_DIR is required.',
  scriptAbsolute: (p: { value: string }) =>
    `${p.value} is an absolute path; give a file name relative to SCRIPTS_DIR.`,
  scriptLeaves: (p: { value: string }) => `${p.value} leaves SCRIPTS_DIR (".." is not allowed).`,
  scriptNotPlain: (p: { value: string }) =>
    `${p.value} is not a plain file name (letters, digits, ".", "_", "-" and "/" only).`,
  scriptPath: (p: { problem: 'scriptAbsolute' | 'scriptLeaves' | 'scriptNotPlain'; value: string }): string =>
    `script: ${enParamErrors[p.problem]({ value: p.value })}`,
  argText: () => 'args: every argument must be text.',
  argTooLong: () => 'args: an argument must be at most 1000 characters.',
  argNul: () => 'args: arguments must not contain NUL characters.',
  argsList: () => 'args: must be a list of text arguments.',
  argsTooMany: () => 'args: at most 20 arguments.',
  envEntry: () => 'env: every entry must be a variable name.',
  envName: () =>
    'env: a variable name is letters, digits and _, starting with a letter or _ (e.g. MY_API_KEY).',
  envSecret: (p: { name: string }) =>
    `env: ${p.name} is one of chronops's own credentials and is never passed to a script; give the script a credential of its own (or PGPASSWORD for the target database).`,
  envList: () => 'env: must be a list of variable names.',
  envTooMany: () => 'env: at most 20 variables.',
  envTwice: () => 'env: a variable is listed twice.',
};

export type ParamErrorMessages = typeof enParamErrors;
