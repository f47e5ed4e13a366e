-- Field logging that survives no signal (issue 21).
--
-- The id the client gave an activity it sent (an entry queued offline, a
-- rendered log form), so that sending it again — a retry after a lost
-- answer, two tabs, a double click — records it once: unique per user who
-- logged it. NULL for everything logged before, for imports and for the
-- demo, which the index leaves out.
ALTER TABLE support_activities ADD COLUMN client_id TEXT;
CREATE UNIQUE INDEX support_activities_client ON support_activities(created_by, client_id)
    WHERE client_id IS NOT NULL;
