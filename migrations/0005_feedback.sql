ALTER TYPE "public"."consent_event_kind" ADD VALUE 'feedback';--> statement-breakpoint
ALTER TYPE "public"."consent_event_kind" ADD VALUE 'suppressed';--> statement-breakpoint
ALTER TYPE "public"."consent_event_kind" ADD VALUE 'suppression_lifted';--> statement-breakpoint
CREATE TABLE "paper_ratings" (
	"subscriber_id" uuid NOT NULL,
	"paper_id" bigint NOT NULL,
	"rating" smallint NOT NULL,
	"run_id" uuid,
	"rated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "paper_ratings_subscriber_id_paper_id_pk" PRIMARY KEY("subscriber_id","paper_id"),
	CONSTRAINT "paper_ratings_rating_check" CHECK ("paper_ratings"."rating" in (-1, 1))
);
--> statement-breakpoint
CREATE TABLE "subscriber_seed_papers" (
	"subscriber_id" uuid NOT NULL,
	"arxiv_id" text NOT NULL,
	"paper_id" bigint,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscriber_seed_papers_subscriber_id_arxiv_id_pk" PRIMARY KEY("subscriber_id","arxiv_id")
);
--> statement-breakpoint
ALTER TABLE "paper_ratings" ADD CONSTRAINT "paper_ratings_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_ratings" ADD CONSTRAINT "paper_ratings_paper_id_papers_id_fk" FOREIGN KEY ("paper_id") REFERENCES "public"."papers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_ratings" ADD CONSTRAINT "paper_ratings_run_id_digest_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."digest_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriber_seed_papers" ADD CONSTRAINT "subscriber_seed_papers_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriber_seed_papers" ADD CONSTRAINT "subscriber_seed_papers_paper_id_papers_id_fk" FOREIGN KEY ("paper_id") REFERENCES "public"."papers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "paper_ratings_paper_idx" ON "paper_ratings" USING btree ("paper_id");--> statement-breakpoint
CREATE INDEX "paper_ratings_run_idx" ON "paper_ratings" USING btree ("run_id") WHERE "paper_ratings"."run_id" is not null;--> statement-breakpoint
CREATE INDEX "subscriber_seed_papers_unresolved_idx" ON "subscriber_seed_papers" USING btree ("arxiv_id") WHERE "subscriber_seed_papers"."paper_id" is null;