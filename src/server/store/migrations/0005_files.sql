-- Issue 19: files games upload (uploadFile). Interactive bans need no table: they are the
-- `banned` rows of channel_roles.

-- A channel's uploaded files. The bytes live in the data folder (files/CHANNEL/BLOB); this is
-- what the mediator knows of each: its size, the content type read from its first bytes, and the
-- ETag (a SHA-256 prefix) browsers revalidate with. Uploading to a path again replaces the file.
CREATE TABLE channel_files (
    channel_id   INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    path         TEXT NOT NULL,
    blob         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    etag         TEXT NOT NULL,
    uploaded_at  INTEGER NOT NULL,
    PRIMARY KEY (channel_id, path)
) WITHOUT ROWID;
