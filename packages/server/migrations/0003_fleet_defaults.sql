-- The default alert policy every node without its own policy follows (issue 4 §5):
-- a node whose |offset| exceeds 1 ms, or that has not reported for 5 minutes, is alerted;
-- falseticker sources are alerted. Admins change it with PUT /api/policies/default.
INSERT INTO policies (id, tolerance_ns, silent_after_s, falseticker_alerts)
VALUES ('default', 1000000, 300, true)
ON CONFLICT (id) DO NOTHING;
