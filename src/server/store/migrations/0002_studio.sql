-- The Studio (issue 14): sharing modes, project editors and the review of submitted versions.

-- How a project is shared; the three modes exclude each other: `owner` (nobody else may run it
-- until published), `shareCode` (anyone presenting projects.share_code), `explicit` (the users
-- in project_shares). Switching mode deletes the previous mode's settings.
ALTER TABLE projects ADD COLUMN sharing TEXT NOT NULL DEFAULT 'owner'
    CHECK (sharing IN ('owner', 'shareCode', 'explicit'));
UPDATE projects SET sharing = 'shareCode' WHERE share_code IS NOT NULL;
UPDATE projects SET sharing = 'explicit'
    WHERE share_code IS NULL AND id IN (SELECT project_id FROM project_shares);

-- Users who see and edit a project as if they owned it (they cannot delete it or manage editors).
CREATE TABLE project_editors (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, user_id)
) WITHOUT ROWID;
CREATE INDEX project_editors_user ON project_editors(user_id);

-- The last review of a version: the reviewer's words to the owner, who and when.
ALTER TABLE versions ADD COLUMN feedback TEXT NOT NULL DEFAULT '';
ALTER TABLE versions ADD COLUMN submitted_at INTEGER;
ALTER TABLE versions ADD COLUMN reviewed_at INTEGER;
ALTER TABLE versions ADD COLUMN reviewer_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX versions_pending ON versions(submitted_at) WHERE state = 'pending';
