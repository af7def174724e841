-- Deliveries keep only the ranked paper ids; the "why" line is written at render time.
-- Existing rows keep their papers, in order.
ALTER TABLE "deliveries" ADD COLUMN "paper_ids" bigint[];--> statement-breakpoint
UPDATE "deliveries" SET "paper_ids" = ARRAY(SELECT (item ->> 'paperId')::bigint FROM jsonb_array_elements("items") AS item);--> statement-breakpoint
ALTER TABLE "deliveries" ALTER COLUMN "paper_ids" SET NOT NULL;
