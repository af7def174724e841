CREATE TYPE "public"."digest_run_trigger" AS ENUM('schedule', 'admin');--> statement-breakpoint
DROP INDEX "digest_runs_period_unique";--> statement-breakpoint
ALTER TABLE "digest_runs" ADD COLUMN "trigger" "digest_run_trigger" DEFAULT 'admin' NOT NULL;--> statement-breakpoint
ALTER TABLE "digest_runs" ADD COLUMN "max_failure_ratio" real DEFAULT 0.1 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "digest_runs_scheduled_period_unique" ON "digest_runs" USING btree ("frequency","period_key") WHERE "digest_runs"."trigger" = 'schedule' and not "digest_runs"."is_dry_run";