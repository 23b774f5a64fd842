-- What a channel shows its viewers (issue 16): the title, the stream source (an HLS playlist or an
-- embeddable player page; its kind and address are set or cleared together) and the owner's
-- manual "live" switch (a channel is also live while its game client is ready).
ALTER TABLE channels ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN stream_kind TEXT CHECK (stream_kind IN ('hls', 'embed'));
ALTER TABLE channels ADD COLUMN stream_url TEXT;
ALTER TABLE channels ADD COLUMN live INTEGER NOT NULL DEFAULT 0;
