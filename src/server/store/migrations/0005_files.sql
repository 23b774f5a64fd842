-- Issue 19: files games upload (uploadFile) and versions' custom-control bundles. Interactive bans
-- need no table: they are the `banned` rows of channel_roles.

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

-- A version's custom-control bundle (protocol 1.6): the participant page runs it instead of the
-- built-in controls. `digest` (SHA-256 of every path and its bytes) names it in its addresses, so
-- a changed bundle gets new addresses and browsers may cache each file for good.
CREATE TABLE version_bundles (
    version_id  INTEGER PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE,
    digest      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    uploaded_at INTEGER NOT NULL
);

CREATE TABLE bundle_files (
    version_id   INTEGER NOT NULL REFERENCES version_bundles(version_id) ON DELETE CASCADE,
    path         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    PRIMARY KEY (version_id, path)
) WITHOUT ROWID;
