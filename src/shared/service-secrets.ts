/**
 * The variables that hold chronops's own credentials: never echoed in configuration errors
 * (config/problems.ts), and never passed to a task's script even when its `env` lists them
 * (domain/task-params.ts; docs/SECURITY.md). A script needing the target database's password lists
 * PGPASSWORD, which is that password and nothing more.
 */
export const SERVICE_SECRET_VARIABLES: readonly string[] = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DATABASE_URL',
  'TARGET_DATABASE_URL',
  'TASK_DATABASE_URL',
  // The dead man's switch URL usually carries its own token.
  'HEARTBEAT_URL',
];
