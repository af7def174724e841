CREATE TYPE "public"."digest_frequency" AS ENUM('daily', 'weekly');--> statement-breakpoint
CREATE TYPE "public"."subscriber_status" AS ENUM('pending', 'confirmed', 'unsubscribed', 'erased');--> statement-breakpoint
CREATE TYPE "public"."consent_event_kind" AS ENUM('signup', 'confirm', 'preferences_changed', 'paused', 'unsubscribe', 'resubscribe', 'erase', 'admin_add', 'admin_remove', 'bounce');--> statement-breakpoint
CREATE TYPE "public"."delivery_state" AS ENUM('pending', 'sending', 'sent', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."digest_run_state" AS ENUM('planned', 'sending', 'paused', 'done', 'cancelled', 'failed');--> statement-breakpoint
CREATE TABLE "keywords" (
	"id" serial PRIMARY KEY NOT NULL,
	"phrase" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "keywords_phrase_unique" UNIQUE("phrase")
);
--> statement-breakpoint
CREATE TABLE "subscriber_keywords" (
	"subscriber_id" uuid NOT NULL,
	"keyword_id" integer NOT NULL,
	CONSTRAINT "subscriber_keywords_subscriber_id_keyword_id_pk" PRIMARY KEY("subscriber_id","keyword_id")
);
--> statement-breakpoint
CREATE TABLE "subscriber_topics" (
	"subscriber_id" uuid NOT NULL,
	"topic_id" integer NOT NULL,
	CONSTRAINT "subscriber_topics_subscriber_id_topic_id_pk" PRIMARY KEY("subscriber_id","topic_id")
);
--> statement-breakpoint
CREATE TABLE "subscribers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text,
	"email_hash" text NOT NULL,
	"status" "subscriber_status" DEFAULT 'pending' NOT NULL,
	"frequency" "digest_frequency" DEFAULT 'weekly' NOT NULL,
	"digest_size" smallint DEFAULT 10 NOT NULL,
	"paused_until" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"unsubscribed_at" timestamp with time zone,
	"last_confirmation_sent_at" timestamp with time zone,
	"last_digest_at" timestamp with time zone,
	"bounce_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscribers_email_hash_unique" UNIQUE("email_hash"),
	CONSTRAINT "subscribers_digest_size_check" CHECK ("subscribers"."digest_size" in (5, 10, 20)),
	CONSTRAINT "subscribers_email_present_check" CHECK ("subscribers"."status" = 'erased' or "subscribers"."email" is not null)
);
--> statement-breakpoint
CREATE TABLE "topics" (
	"id" serial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"terms" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "topics_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "paper_keywords" (
	"paper_id" bigint NOT NULL,
	"keyword_id" integer NOT NULL,
	"score" real NOT NULL,
	CONSTRAINT "paper_keywords_paper_id_keyword_id_pk" PRIMARY KEY("paper_id","keyword_id")
);
--> statement-breakpoint
CREATE TABLE "paper_topics" (
	"paper_id" bigint NOT NULL,
	"topic_id" integer NOT NULL,
	"score" real NOT NULL,
	"matched_terms" text[] DEFAULT '{}'::text[] NOT NULL,
	CONSTRAINT "paper_topics_paper_id_topic_id_pk" PRIMARY KEY("paper_id","topic_id")
);
--> statement-breakpoint
CREATE TABLE "papers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"arxiv_id" text NOT NULL,
	"title" text NOT NULL,
	"abstract" text NOT NULL,
	"authors" text[] DEFAULT '{}'::text[] NOT NULL,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"published_at" timestamp with time zone,
	"upvotes" integer DEFAULT 0 NOT NULL,
	"github_repo" text,
	"project_page" text,
	"source" text NOT NULL,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(abstract, '')), 'B')) STORED NOT NULL,
	"ingested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"matched_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "papers_arxiv_id_unique" UNIQUE("arxiv_id")
);
--> statement-breakpoint
CREATE TABLE "consent_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subscriber_id" uuid NOT NULL,
	"kind" "consent_event_kind" NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ip" text,
	"user_agent" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"subscriber_id" uuid NOT NULL,
	"state" "delivery_state" DEFAULT 'pending' NOT NULL,
	"items" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"message_id" text,
	"smtp_response" text,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "digest_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"frequency" "digest_frequency" NOT NULL,
	"period_key" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"is_dry_run" boolean DEFAULT false NOT NULL,
	"state" "digest_run_state" DEFAULT 'planned' NOT NULL,
	"planned_count" integer DEFAULT 0 NOT NULL,
	"skipped_count" integer DEFAULT 0 NOT NULL,
	"sent_count" integer DEFAULT 0 NOT NULL,
	"failed_count" integer DEFAULT 0 NOT NULL,
	"pause_reason" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sent_papers" (
	"subscriber_id" uuid NOT NULL,
	"paper_id" bigint NOT NULL,
	"delivery_id" uuid NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sent_papers_subscriber_id_paper_id_pk" PRIMARY KEY("subscriber_id","paper_id")
);
--> statement-breakpoint
ALTER TABLE "subscriber_keywords" ADD CONSTRAINT "subscriber_keywords_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriber_keywords" ADD CONSTRAINT "subscriber_keywords_keyword_id_keywords_id_fk" FOREIGN KEY ("keyword_id") REFERENCES "public"."keywords"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriber_topics" ADD CONSTRAINT "subscriber_topics_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriber_topics" ADD CONSTRAINT "subscriber_topics_topic_id_topics_id_fk" FOREIGN KEY ("topic_id") REFERENCES "public"."topics"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_keywords" ADD CONSTRAINT "paper_keywords_paper_id_papers_id_fk" FOREIGN KEY ("paper_id") REFERENCES "public"."papers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_keywords" ADD CONSTRAINT "paper_keywords_keyword_id_keywords_id_fk" FOREIGN KEY ("keyword_id") REFERENCES "public"."keywords"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_topics" ADD CONSTRAINT "paper_topics_paper_id_papers_id_fk" FOREIGN KEY ("paper_id") REFERENCES "public"."papers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_topics" ADD CONSTRAINT "paper_topics_topic_id_topics_id_fk" FOREIGN KEY ("topic_id") REFERENCES "public"."topics"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_events" ADD CONSTRAINT "consent_events_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_run_id_digest_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."digest_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sent_papers" ADD CONSTRAINT "sent_papers_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sent_papers" ADD CONSTRAINT "sent_papers_paper_id_papers_id_fk" FOREIGN KEY ("paper_id") REFERENCES "public"."papers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sent_papers" ADD CONSTRAINT "sent_papers_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "subscriber_keywords_keyword_idx" ON "subscriber_keywords" USING btree ("keyword_id");--> statement-breakpoint
CREATE INDEX "subscriber_topics_topic_idx" ON "subscriber_topics" USING btree ("topic_id");--> statement-breakpoint
CREATE INDEX "subscribers_confirmed_frequency_idx" ON "subscribers" USING btree ("frequency") WHERE "subscribers"."status" = 'confirmed';--> statement-breakpoint
CREATE INDEX "subscribers_status_created_idx" ON "subscribers" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "paper_keywords_keyword_idx" ON "paper_keywords" USING btree ("keyword_id","paper_id");--> statement-breakpoint
CREATE INDEX "paper_topics_topic_idx" ON "paper_topics" USING btree ("topic_id","paper_id");--> statement-breakpoint
CREATE INDEX "papers_search_idx" ON "papers" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "papers_ingested_at_idx" ON "papers" USING btree ("ingested_at");--> statement-breakpoint
CREATE INDEX "consent_events_subscriber_idx" ON "consent_events" USING btree ("subscriber_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_run_subscriber_unique" ON "deliveries" USING btree ("run_id","subscriber_id");--> statement-breakpoint
CREATE INDEX "deliveries_run_state_idx" ON "deliveries" USING btree ("run_id","state");--> statement-breakpoint
CREATE INDEX "deliveries_subscriber_idx" ON "deliveries" USING btree ("subscriber_id");--> statement-breakpoint
CREATE UNIQUE INDEX "digest_runs_period_unique" ON "digest_runs" USING btree ("frequency","period_key") WHERE not "digest_runs"."is_dry_run";--> statement-breakpoint
CREATE INDEX "digest_runs_created_idx" ON "digest_runs" USING btree ("created_at");