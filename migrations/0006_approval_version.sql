ALTER TABLE "scheduled_tasks" ADD COLUMN "rejected_by" text;--> statement-breakpoint
ALTER TABLE "scheduled_tasks" ADD COLUMN "approval_version" integer;--> statement-breakpoint
ALTER TABLE "scheduled_tasks" ADD COLUMN "approval_requested_by" text;--> statement-breakpoint
-- Approvals decide on one saved version (docs/SECURITY.md). A task already carrying code is bound to
-- the version its latest approval card showed (or its current one when it never had a card), and to
-- the last person who saved it.
UPDATE "scheduled_tasks" t
   SET "approval_version" = coalesce(
         (SELECT (o.payload->>'version')::int FROM "notification_outbox" o
           WHERE o.kind = 'approval_requested' AND o.task_id = t.id ORDER BY o.id DESC LIMIT 1),
         t.version),
       "approval_requested_by" = coalesce(t.updated_by, t.created_by)
 WHERE t.type = 'custom' OR t.approval_state <> 'approved';--> statement-breakpoint
-- Notification tasks with a query of their own ran it with no second admin's approval: they wait for
-- one now (chronops posts their approval card at its next start).
UPDATE "scheduled_tasks"
   SET "approval_state" = 'pending', "approval_version" = "version",
       "approval_requested_by" = coalesce("updated_by", "created_by"), "approved_by" = NULL
 WHERE "type" = 'notification' AND coalesce("params"->>'query', '') <> 'low_quota'
   AND "approval_state" = 'approved';
