-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner, or a role with CREATE on the
-- database, may create it without superuser rights.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "scheduled_tasks_name_trgm_idx" ON "scheduled_tasks" USING gin (lower("name") gin_trgm_ops);
