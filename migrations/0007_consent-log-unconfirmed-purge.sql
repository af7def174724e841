-- The consent log stays append-only, with one more exception: a signup that was never confirmed
-- is not consent, and once its confirmation link has expired the whole signup is deleted. Its
-- events may go with it, but only inside the clean-up's own transaction (which says so with
-- `set local paperboy.removing_expired_signups = 'on'`), only while the subscriber is still
-- pending and only when every one of its events is a signup: any confirm, resubscribe or change
-- is evidence and is kept. Any other DELETE is refused as before.
CREATE OR REPLACE FUNCTION consent_events_append_only() RETURNS trigger
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
  IF TG_OP = 'DELETE'
     AND current_setting('paperboy.removing_expired_signups', true) = 'on'
     AND OLD.kind = 'signup'
     AND EXISTS (SELECT 1 FROM subscribers s WHERE s.id = OLD.subscriber_id AND s.status = 'pending' AND s.confirmed_at IS NULL)
     AND NOT EXISTS (SELECT 1 FROM consent_events c WHERE c.subscriber_id = OLD.subscriber_id AND c.kind <> 'signup') THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'consent_events is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
