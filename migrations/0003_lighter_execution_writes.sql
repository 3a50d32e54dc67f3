DROP INDEX "task_executions_lease_idx";--> statement-breakpoint
DROP INDEX "task_executions_finished_idx";--> statement-breakpoint
CREATE INDEX "task_executions_finished_idx" ON "task_executions" USING btree ("finished_at","status") WHERE "task_executions"."finished_at" is not null;--> statement-breakpoint
-- Each execution updates its task row (next run, is_running on, is_running off): free space on the page
-- lets those updates that change no indexed column be HOT (no new index entries). Not modelled by drizzle.
ALTER TABLE "scheduled_tasks" SET (fillfactor = 70);
