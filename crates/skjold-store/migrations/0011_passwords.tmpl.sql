-- Passwords: an administrator can require a user to choose a new password. Until the user
-- has, a sign-in ends in a waiting session (stage 'password') that signs nothing in.
ALTER TABLE app_user ADD COLUMN password_reset_required BOOL NOT NULL DEFAULT FALSE;
