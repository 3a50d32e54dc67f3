CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"task_id" uuid,
	"task_name" text,
	"execution_id" uuid,
	"before" jsonb,
	"after" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"channel" text,
	"payload" jsonb NOT NULL,
	"task_id" uuid,
	"execution_id" uuid,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"slack_channel" text,
	"slack_ts" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "scheduled_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"type" text NOT NULL,
	"template" text,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"cron" text NOT NULL,
	"timezone" text DEFAULT 'Europe/Paris' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"is_system" boolean DEFAULT false NOT NULL,
	"is_running" boolean DEFAULT false NOT NULL,
	"next_run_at" timestamp with time zone,
	"last_run_at" timestamp with time zone,
	"last_status" text,
	"timeout_seconds" integer DEFAULT 3600 NOT NULL,
	"max_retries" integer DEFAULT 3 NOT NULL,
	"overlap_policy" text DEFAULT 'skip' NOT NULL,
	"misfire_policy" text DEFAULT 'run_once' NOT NULL,
	"overdue_grace_seconds" integer DEFAULT 300 NOT NULL,
	"overdue_notified_for" timestamp with time zone,
	"alert_channel" text,
	"notify_on_success" boolean DEFAULT false NOT NULL,
	"approval_state" text DEFAULT 'approved' NOT NULL,
	"approved_by" text,
	"rejection_reason" text,
	"paused_reason" text,
	"paused_by" text,
	"paused_at" timestamp with time zone,
	"created_by" text,
	"updated_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "scheduled_tasks_name_length" CHECK (char_length("scheduled_tasks"."name") between 1 and 80),
	CONSTRAINT "scheduled_tasks_type_check" CHECK ("scheduled_tasks"."type" in ('backup', 'cleanup', 'report', 'notification', 'custom')),
	CONSTRAINT "scheduled_tasks_overlap_check" CHECK ("scheduled_tasks"."overlap_policy" in ('skip', 'queue', 'allow')),
	CONSTRAINT "scheduled_tasks_misfire_check" CHECK ("scheduled_tasks"."misfire_policy" in ('run_once', 'skip', 'run_all')),
	CONSTRAINT "scheduled_tasks_approval_check" CHECK ("scheduled_tasks"."approval_state" in ('approved', 'pending', 'rejected')),
	CONSTRAINT "scheduled_tasks_timeout_check" CHECK ("scheduled_tasks"."timeout_seconds" between 1 and 86400),
	CONSTRAINT "scheduled_tasks_retries_check" CHECK ("scheduled_tasks"."max_retries" between 0 and 3),
	CONSTRAINT "scheduled_tasks_grace_check" CHECK ("scheduled_tasks"."overdue_grace_seconds" >= 0)
);
--> statement-breakpoint
CREATE TABLE "task_executions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"scheduled_for" timestamp with time zone,
	"status" text NOT NULL,
	"reason" text,
	"attempt" integer DEFAULT 1 NOT NULL,
	"parent_execution_id" uuid,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"worker_id" text,
	"lease_until" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"cancel_requested_at" timestamp with time zone,
	"cancel_requested_by" text,
	"logs" text DEFAULT '' NOT NULL,
	"error" text,
	"result" jsonb,
	"triggered_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_executions_status_check" CHECK ("task_executions"."status" in ('queued', 'running', 'success', 'failed', 'timed_out', 'cancelled', 'skipped')),
	CONSTRAINT "task_executions_trigger_check" CHECK ("task_executions"."trigger" in ('schedule', 'manual', 'retry', 'catchup', 'sql')),
	CONSTRAINT "task_executions_attempt_check" CHECK ("task_executions"."attempt" >= 1)
);
--> statement-breakpoint
ALTER TABLE "task_executions" ADD CONSTRAINT "task_executions_task_id_scheduled_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."scheduled_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_task_idx" ON "audit_log" USING btree ("task_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "notification_outbox_dedupe_key" ON "notification_outbox" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "notification_outbox_pending_idx" ON "notification_outbox" USING btree ("next_attempt_at") WHERE "notification_outbox"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "scheduled_tasks_name_key" ON "scheduled_tasks" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "scheduled_tasks_due_idx" ON "scheduled_tasks" USING btree ("next_run_at") WHERE "scheduled_tasks"."enabled";--> statement-breakpoint
CREATE UNIQUE INDEX "task_executions_occurrence_key" ON "task_executions" USING btree ("task_id","scheduled_for") WHERE "task_executions"."trigger" in ('schedule', 'catchup') and "task_executions"."scheduled_for" is not null;--> statement-breakpoint
CREATE INDEX "task_executions_task_history_idx" ON "task_executions" USING btree ("task_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "task_executions_queue_idx" ON "task_executions" USING btree ("run_after") WHERE "task_executions"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "task_executions_lease_idx" ON "task_executions" USING btree ("lease_until") WHERE "task_executions"."status" = 'running';--> statement-breakpoint
CREATE INDEX "task_executions_finished_idx" ON "task_executions" USING btree ("finished_at","status");--> statement-breakpoint
CREATE INDEX "task_executions_failed_created_idx" ON "task_executions" USING btree ("created_at" DESC NULLS LAST) WHERE "task_executions"."status" in ('failed', 'timed_out');