-- CR-25: a department's own music on hold (a licensed .mp3), played instead of the ringback while the caller waits
-- for its agents. Null: the flow's, or the switch's default ringback.
ALTER TABLE callrouter.departments ADD COLUMN music_on_hold text CHECK (char_length(music_on_hold) BETWEEN 5 AND 200);
