CREATE TABLE "scheduler_workers" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"liveness_key" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL
);
