-- The rules the reply check applies to a channel's replies: the accepted
-- sign-offs (one per line), the highest readability index (LIX) and texts
-- that are never personal data here (the municipality's own switchboard
-- number, its contact centre's address).
ALTER TABLE channels ADD COLUMN reply_sign_offs TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN reply_lix_limit INTEGER NOT NULL DEFAULT 45;
ALTER TABLE channels ADD COLUMN reply_allow TEXT NOT NULL DEFAULT '';
