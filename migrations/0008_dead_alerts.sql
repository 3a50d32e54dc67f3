ALTER TABLE "notification_outbox" ADD COLUMN "failing_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD COLUMN "dead_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "notification_outbox_dead_idx" ON "notification_outbox" USING btree ("dead_at" DESC NULLS LAST) WHERE "notification_outbox"."status" = 'dead';--> statement-breakpoint
-- Rows given up before this migration: their last attempt set next_attempt_at (plus a backoff of at
-- most 10 minutes), the closest record of when they died.
UPDATE "notification_outbox" SET "dead_at" = least("next_attempt_at", now()) WHERE "status" = 'dead';
