-- Where a user wants "you have a new message" notices (a work address; never a citizen's).
ALTER TABLE app_user ADD COLUMN notify_email TEXT;
