-- Issue 13 (hardening): short codes are counted per client_id and in all before a new one is
-- stored, so both counts need an index.
CREATE INDEX oauth_codes_client ON oauth_codes(client_id, expires_at);
CREATE INDEX oauth_codes_expiry ON oauth_codes(expires_at);
