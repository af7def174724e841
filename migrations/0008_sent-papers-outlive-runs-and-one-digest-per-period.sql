ALTER TABLE "sent_papers" DROP CONSTRAINT "sent_papers_delivery_id_deliveries_id_fk";
--> statement-breakpoint
ALTER TABLE "digest_runs" ALTER COLUMN "trigger" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "sent_papers" ALTER COLUMN "delivery_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "digest_runs" ADD COLUMN "already_mailed_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "digest_runs" ADD COLUMN "is_forced" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "sent_papers" ADD CONSTRAINT "sent_papers_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sent_papers_paper_idx" ON "sent_papers" USING btree ("paper_id");--> statement-breakpoint
CREATE INDEX "sent_papers_delivery_idx" ON "sent_papers" USING btree ("delivery_id");