-- Whether a purpose involves decisions based solely on automated processing (art. 22), and
-- if so the logic involved and its significance, in words: empty for none. The access
-- answer and the notices say so from here.
ALTER TABLE purpose ADD COLUMN automated_decision TEXT NOT NULL DEFAULT '';
