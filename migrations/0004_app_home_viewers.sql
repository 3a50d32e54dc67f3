CREATE TABLE "app_home_viewers" (
	"user_id" text PRIMARY KEY NOT NULL,
	"page_offset" integer DEFAULT 0 NOT NULL,
	"opened_at" timestamp with time zone NOT NULL
);
