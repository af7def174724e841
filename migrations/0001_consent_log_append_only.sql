-- The consent log is evidence: rows are never deleted or rewritten. The one change allowed
-- is erasing the personal data in a row (ip, user agent) when a subscriber deletes their data.
CREATE FUNCTION consent_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.id = OLD.id
     AND NEW.subscriber_id = OLD.subscriber_id
     AND NEW.kind = OLD.kind
     AND NEW.occurred_at = OLD.occurred_at
     AND NEW.details IS NOT DISTINCT FROM OLD.details
     AND NEW.ip IS NULL
     AND NEW.user_agent IS NULL THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'consent_events is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER consent_events_append_only
BEFORE UPDATE OR DELETE ON consent_events
FOR EACH ROW EXECUTE FUNCTION consent_events_append_only();
