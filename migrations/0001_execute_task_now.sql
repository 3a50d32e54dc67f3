-- execute_task_now(task_id, user_id): the troubleshooting guide's way to run a task from psql.
--   SELECT execute_task_now('TASK_ID', NULL);
-- Queues a manual execution (trigger 'sql' when no Slack user is given) and wakes the schedulers with
-- NOTIFY, so the run starts within milliseconds instead of at the next poll. Returns the execution id.
-- The scheduler claims queued executions with the same rules as scheduled ones (overlap policy aside:
-- a person asked for this run), so a run queued here is executed exactly once.
CREATE OR REPLACE FUNCTION execute_task_now(p_task_id uuid, p_user_id text)
RETURNS uuid
LANGUAGE plpgsql
AS $$
DECLARE
  v_task scheduled_tasks%ROWTYPE;
  v_execution_id uuid;
BEGIN
  IF p_task_id IS NULL THEN
    RAISE EXCEPTION 'execute_task_now: task id must not be null'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;

  SELECT * INTO v_task FROM scheduled_tasks WHERE id = p_task_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'execute_task_now: no scheduled task has id %', p_task_id
      USING ERRCODE = 'no_data_found',
            HINT = 'List the tasks with: SELECT id, name FROM scheduled_tasks ORDER BY name;';
  END IF;

  IF v_task.approval_state <> 'approved' THEN
    RAISE EXCEPTION 'execute_task_now: task "%" is % approval and cannot run', v_task.name,
      CASE v_task.approval_state WHEN 'pending' THEN 'awaiting' ELSE 'rejected for' END
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;

  INSERT INTO task_executions (task_id, trigger, status, attempt, run_after, triggered_by)
  VALUES (p_task_id,
          CASE WHEN p_user_id IS NULL THEN 'sql' ELSE 'manual' END,
          'queued', 1, now(),
          COALESCE(p_user_id, 'sql:' || current_user))
  RETURNING id INTO v_execution_id;

  PERFORM pg_notify('chronops_wakeup', v_execution_id::text);
  RETURN v_execution_id;
END;
$$;
