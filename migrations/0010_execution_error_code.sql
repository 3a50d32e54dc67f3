ALTER TABLE "task_executions" ADD COLUMN "error_code" text;--> statement-breakpoint
-- Executions recorded before the column: the cause their status and reason already tell.
UPDATE "task_executions" SET "error_code" = CASE
    WHEN "reason" = 'worker_lost' THEN 'worker_lost'
    WHEN "status" = 'timed_out' THEN 'timed_out'
    WHEN "status" = 'cancelled' THEN 'cancelled'
    ELSE 'executor_failed'
  END
 WHERE "status" IN ('failed', 'timed_out', 'cancelled');
