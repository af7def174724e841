ALTER TABLE "digest_runs" ADD COLUMN "already_mailed_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "digest_runs" ADD COLUMN "is_forced" boolean DEFAULT false NOT NULL;