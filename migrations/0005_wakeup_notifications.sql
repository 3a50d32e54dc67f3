-- Wake-ups by NOTIFY, so an idle scheduler can sleep until its next due instant instead of polling
-- (docs/ENGINE.md, "Idle"). A notification is only a hint to look again: the loop then reads the
-- database, and its safety poll (POLL_INTERVAL_MS) still finds the work when notifications are lost.
-- Several notifications of one transaction with the same payload are delivered once.
CREATE OR REPLACE FUNCTION chronops_notify_wakeup() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM pg_notify('chronops_wakeup', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--> statement-breakpoint

-- A task created, resumed, approved, or edited so that it is due earlier than before. The claim moves
-- next_run_at later and so never notifies (it runs thousands of times a second under load).
CREATE TRIGGER scheduled_tasks_wakeup_on_insert
  AFTER INSERT ON scheduled_tasks
  FOR EACH ROW WHEN (NEW.enabled)
  EXECUTE FUNCTION chronops_notify_wakeup();
--> statement-breakpoint
CREATE TRIGGER scheduled_tasks_wakeup_on_update
  AFTER UPDATE OF next_run_at, enabled, approval_state ON scheduled_tasks
  FOR EACH ROW WHEN (
    NEW.enabled AND NEW.approval_state = 'approved' AND NEW.next_run_at IS NOT NULL
    AND (OLD.next_run_at IS NULL OR NEW.next_run_at < OLD.next_run_at
         OR NOT OLD.enabled OR OLD.approval_state <> 'approved'))
  EXECUTE FUNCTION chronops_notify_wakeup();
--> statement-breakpoint

-- A run queued for any replica to take (a retry, a catch-up, a manual run written by SQL). Rows a
-- replica inserts for itself (worker_id set) do not notify.
CREATE TRIGGER task_executions_wakeup_on_queue
  AFTER INSERT ON task_executions
  FOR EACH ROW WHEN (NEW.status = 'queued' AND NEW.worker_id IS NULL)
  EXECUTE FUNCTION chronops_notify_wakeup();
--> statement-breakpoint

-- Alerts to deliver, or to deliver again (someone acted on one and it must be re-rendered).
CREATE OR REPLACE FUNCTION chronops_notify_outbox() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM pg_notify('chronops_outbox', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER notification_outbox_wakeup_on_insert
  AFTER INSERT ON notification_outbox
  FOR EACH STATEMENT
  EXECUTE FUNCTION chronops_notify_outbox();
--> statement-breakpoint
CREATE TRIGGER notification_outbox_wakeup_on_pending
  AFTER UPDATE OF status ON notification_outbox
  FOR EACH ROW WHEN (NEW.status = 'pending' AND OLD.status <> 'pending')
  EXECUTE FUNCTION chronops_notify_outbox();
