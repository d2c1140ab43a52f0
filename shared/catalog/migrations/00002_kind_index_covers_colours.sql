-- +goose Up
-- When a search finds nothing, the API offers the colours the kind does come
-- in: SELECT <colour column>, count(*) WHERE searchable AND kind = $1 GROUP BY 1.
-- Carrying the four colour columns in the kind index makes that an
-- index-only scan of the kind's range instead of a heap read per image.
DROP INDEX images_search_kind;
CREATE INDEX images_search_kind ON images (kind, confidence DESC, id)
    INCLUDE (fg_rgb, fg_ryb, ref_rgb, ref_ryb) WHERE searchable;

-- +goose Down
DROP INDEX images_search_kind;
CREATE INDEX images_search_kind ON images (kind, confidence DESC, id) WHERE searchable;
