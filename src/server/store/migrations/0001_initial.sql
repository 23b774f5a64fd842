-- The mediator's first schema. Times are milliseconds since the Unix epoch; secrets (tokens,
-- short-code handles, authorization codes) are stored only as SHA-256 hashes.

-- People. `sparks` always equals the sum of the user's ledger rows.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,
    username_key  TEXT NOT NULL UNIQUE,      -- lower-case: names are unique whatever their case
    password_hash TEXT,                      -- argon2id (PHC string); NULL: no password sign-in
    level         INTEGER NOT NULL DEFAULT 0,
    sparks        INTEGER NOT NULL DEFAULT 0 CHECK (sparks >= 0),
    pro           INTEGER NOT NULL DEFAULT 0,
    admin         INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- Every credential that signs a user in: personal access keys (world-file tokens), login tokens,
-- browser sessions, OAuth access and refresh tokens.
CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('key', 'login', 'session', 'access', 'refresh')),
    client_id  TEXT,                          -- OAuth: the app the token was issued to
    scope      TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER                        -- NULL: until revoked
) WITHOUT ROWID;
CREATE INDEX tokens_user ON tokens(user_id);
CREATE INDEX tokens_expiry ON tokens(expires_at) WHERE expires_at IS NOT NULL;

-- Every user owns exactly one channel.
CREATE TABLE channels (
    id           INTEGER PRIMARY KEY,
    owner_id     INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    slow_chat_ms INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);

-- A channel's mods and bans.
CREATE TABLE channel_roles (
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('mod', 'banned')),
    PRIMARY KEY (channel_id, user_id, role)
) WITHOUT ROWID;

-- Who subscribes to which channel (read by the sparks economy).
CREATE TABLE subscriptions (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, channel_id)
) WITHOUT ROWID;

-- Interactive projects ("games") and who they are shared with.
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    share_code  TEXT,                          -- anyone presenting it may run the project's versions
    created_at  INTEGER NOT NULL
);
CREATE INDEX projects_owner ON projects(owner_id);
CREATE TABLE project_shares (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, user_id)
) WITHOUT ROWID;

-- A project's versions: what a game client gets when it connects with the version's id.
CREATE TABLE versions (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,               -- 1, 2, … within the project
    state      TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'pending', 'published')),
    scenes     TEXT NOT NULL DEFAULT '[]',     -- JSON: the scenes with their controls
    groups     TEXT NOT NULL DEFAULT '[]',     -- JSON: the groups with their scene
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (project_id, number)
);

-- Every change to a balance, append-only: grants and sparks earned by watching (+), captures (-),
-- expired transactions (0).
CREATE TABLE ledger (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    delta          INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('grant', 'earn', 'capture', 'expire')),
    reason         TEXT NOT NULL DEFAULT '',
    channel_id     INTEGER,
    control_id     TEXT,
    transaction_id TEXT,
    created_at     INTEGER NOT NULL
);
CREATE INDEX ledger_user ON ledger(user_id, id);

-- Spark transactions a costed input opened and the game has not captured yet.
CREATE TABLE spark_transactions (
    id         TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL,
    control_id TEXT NOT NULL,
    cost       INTEGER NOT NULL CHECK (cost > 0),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX spark_transactions_expiry ON spark_transactions(expires_at);

-- The last messages of each channel's chat (`data` is the ChatMessage event's JSON).
CREATE TABLE chat_messages (
    seq        INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    id         TEXT NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL,
    data       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX chat_messages_channel ON chat_messages(channel_id, seq);

-- OAuth short codes a person has yet to answer on /go, and their answers.
CREATE TABLE oauth_codes (
    handle_hash BLOB PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    client_id   TEXT NOT NULL,
    scope       TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    decision    TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'approved', 'denied')),
    user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Authorization codes of approved short codes, exchanged once for tokens.
CREATE TABLE oauth_grants (
    hash        BLOB PRIMARY KEY,
    handle_hash BLOB NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL,
    scope       TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX oauth_grants_handle ON oauth_grants(handle_hash);
