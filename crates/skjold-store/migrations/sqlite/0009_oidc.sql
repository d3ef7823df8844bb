-- Single sign-on with OpenID Connect: a sign-in started at the identity provider, waiting
-- for its answer. The state (in the browser's cookie and the answer) finds it; the nonce
-- and the PKCE verifier are checked against the answer once, then the row is deleted.
CREATE TABLE oidc_request (
    state TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
