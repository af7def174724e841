CREATE TYPE "public"."suppression_reason" AS ENUM('hard_bounce', 'soft_bounce_limit', 'complaint', 'manual');--> statement-breakpoint
CREATE TABLE "suppressions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email_hash" text NOT NULL,
	"reason" "suppression_reason" NOT NULL,
	"classification" text,
	"source" text NOT NULL,
	"delivery_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "suppressions_email_hash_unique" UNIQUE("email_hash"),
	CONSTRAINT "suppressions_source_check" CHECK ("suppressions"."source" ~ '^(smtp|dsn|arf|admin|webhook:[a-z0-9-]+)$')
);
--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "bounce_kind" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "bounce_classification" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "complained_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "suppressions_created_idx" ON "suppressions" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "deliveries_message_id_idx" ON "deliveries" USING btree ("message_id") WHERE "deliveries"."message_id" is not null;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_bounce_kind_check" CHECK ("deliveries"."bounce_kind" in ('hard', 'soft', 'policy'));