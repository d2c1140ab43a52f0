-- +goose Up
-- Keyset pagination (veglens.Search.After) reads each search index from a
-- cursor with the row comparison (confidence, id) < (c, i), which a btree
-- answers directly when both columns run the same way: the search indexes
-- now end in (confidence DESC, id DESC) and results tie by id, highest
-- first. A search by colour alone gets its own indexes (colour, confidence,
-- id): before, it sorted every image of that colour to find the first page.
-- A search with neither kind nor colour reads images_search_all.
DROP INDEX images_search_fg_rgb;
DROP INDEX images_search_fg_ryb;
DROP INDEX images_search_fg_common;
DROP INDEX images_search_ref_rgb;
DROP INDEX images_search_ref_ryb;
DROP INDEX images_search_kind;
CREATE INDEX images_search_fg_rgb     ON images (fg_rgb,    kind, confidence DESC, id DESC) WHERE searchable;
CREATE INDEX images_search_fg_ryb     ON images (fg_ryb,    kind, confidence DESC, id DESC) WHERE searchable;
CREATE INDEX images_search_fg_common  ON images (fg_common, kind, confidence DESC, id DESC) WHERE searchable;
CREATE INDEX images_search_ref_rgb    ON images (ref_rgb,   kind, confidence DESC, id DESC) WHERE searchable;
CREATE INDEX images_search_ref_ryb    ON images (ref_ryb,   kind, confidence DESC, id DESC) WHERE searchable;
CREATE INDEX images_search_kind ON images (kind, confidence DESC, id DESC)
    INCLUDE (fg_rgb, fg_ryb, fg_common, ref_rgb, ref_ryb) WHERE searchable;
CREATE INDEX images_colour_fg_rgb     ON images (fg_rgb,    confidence DESC, id DESC) WHERE searchable;
CREATE INDEX images_colour_fg_ryb     ON images (fg_ryb,    confidence DESC, id DESC) WHERE searchable;
CREATE INDEX images_colour_fg_common  ON images (fg_common, confidence DESC, id DESC) WHERE searchable;
CREATE INDEX images_colour_ref_rgb    ON images (ref_rgb,   confidence DESC, id DESC) WHERE searchable;
CREATE INDEX images_colour_ref_ryb    ON images (ref_ryb,   confidence DESC, id DESC) WHERE searchable;
CREATE INDEX images_search_all        ON images (confidence DESC, id DESC) WHERE searchable;

-- +goose Down
DROP INDEX images_search_all;
DROP INDEX images_colour_ref_ryb;
DROP INDEX images_colour_ref_rgb;
DROP INDEX images_colour_fg_common;
DROP INDEX images_colour_fg_ryb;
DROP INDEX images_colour_fg_rgb;
DROP INDEX images_search_kind;
DROP INDEX images_search_ref_ryb;
DROP INDEX images_search_ref_rgb;
DROP INDEX images_search_fg_common;
DROP INDEX images_search_fg_ryb;
DROP INDEX images_search_fg_rgb;
CREATE INDEX images_search_fg_rgb     ON images (fg_rgb,    kind, confidence DESC, id) WHERE searchable;
CREATE INDEX images_search_fg_ryb     ON images (fg_ryb,    kind, confidence DESC, id) WHERE searchable;
CREATE INDEX images_search_fg_common  ON images (fg_common, kind, confidence DESC, id) WHERE searchable;
CREATE INDEX images_search_ref_rgb    ON images (ref_rgb,   kind, confidence DESC, id) WHERE searchable;
CREATE INDEX images_search_ref_ryb    ON images (ref_ryb,   kind, confidence DESC, id) WHERE searchable;
CREATE INDEX images_search_kind ON images (kind, confidence DESC, id)
    INCLUDE (fg_rgb, fg_ryb, fg_common, ref_rgb, ref_ryb) WHERE searchable;
