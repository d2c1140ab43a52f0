-- +goose Up
-- One row per image: the single record of what veglens knows about it.
CREATE TABLE images (
    id            uuid        PRIMARY KEY,
    bucket        text        NOT NULL,
    object_key    text        NOT NULL UNIQUE,   -- writes are idempotent on this
    source        text        NOT NULL CHECK (source IN ('upload', 'dataset')),
    listed        boolean     NOT NULL DEFAULT false, -- uploads opt in to public search
    status        text        NOT NULL CHECK (status IN ('pending', 'done', 'rejected')),
    reason        text,                          -- why it was rejected, for people
    etag          text,                          -- of the object that was labelled
    true_kind     text,                          -- dataset images: their folder
    kind          text,                          -- predicted (top-1)
    confidence    real,                          -- probability of kind
    refused       boolean     NOT NULL DEFAULT false,
    score         real,                          -- the refusal score
    top           jsonb       NOT NULL DEFAULT '[]',
    -- Dominant colour (upper-case hex of a wheel entry) per method and palette:
    -- the columns searches filter on. The full result, with shares, is in colours.
    fg_rgb        text,
    fg_ryb        text,
    ref_rgb       text,
    ref_ryb       text,
    colours       jsonb,
    width         integer,
    height        integer,
    thumbnail_key text,
    fetch_ms      real,
    decode_ms     real,
    inference_ms  real,
    colour_ms     real,
    total_ms      real,
    model_version text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- What public search may show: labelled, named, and public (gallery, or an
    -- upload whose owner opted in).
    searchable    boolean     GENERATED ALWAYS AS (
                      status = 'done' AND NOT refused AND (source = 'dataset' OR listed)
                  ) STORED
);

-- The search path is
--   WHERE searchable AND <colour column> = $colour AND kind = $kind
--   ORDER BY confidence DESC, id LIMIT $count   (+ count(*) of the same WHERE)
-- with the colour column chosen by method and palette. One partial index per
-- colour column, keyed (colour, kind, confidence DESC, id), answers both the
-- page (an index range already in result order: no sort, stops after $count)
-- and the total (a count over that same narrow range, index-only when the
-- visibility map is current). Colour-only searches use the prefix; the
-- partial predicate keeps pending, rejected, refused and private rows out of
-- the index entirely.
CREATE INDEX images_search_fg_rgb  ON images (fg_rgb,  kind, confidence DESC, id) WHERE searchable;
CREATE INDEX images_search_fg_ryb  ON images (fg_ryb,  kind, confidence DESC, id) WHERE searchable;
CREATE INDEX images_search_ref_rgb ON images (ref_rgb, kind, confidence DESC, id) WHERE searchable;
CREATE INDEX images_search_ref_ryb ON images (ref_ryb, kind, confidence DESC, id) WHERE searchable;
-- Kind-only searches and the "other colours of this kind" alternatives.
CREATE INDEX images_search_kind ON images (kind, confidence DESC, id) WHERE searchable;
-- Labelling-speed statistics read the most recently labelled images.
CREATE INDEX images_labelled ON images (updated_at DESC) WHERE status = 'done';

-- Counts are index-only scans only where the visibility map is current; vacuum
-- this table after 5% new or changed rows rather than the default 20%.
ALTER TABLE images SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_insert_scale_factor = 0.05);

-- +goose Down
DROP TABLE images;
