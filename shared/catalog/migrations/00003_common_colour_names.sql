-- +goose Up
-- The foreground method's everyday colour name (white, grey, black, brown,
-- beige, red, ...; veglens.CommonNames), as the upper-case hex of its swatch,
-- searched like the wheel columns. A neutral subject (no measurable tint) is
-- found by this name only: its wheel columns are NULL.
ALTER TABLE images ADD COLUMN fg_common text;
CREATE INDEX images_search_fg_common ON images (fg_common, kind, confidence DESC, id) WHERE searchable;
DROP INDEX images_search_kind;
CREATE INDEX images_search_kind ON images (kind, confidence DESC, id)
    INCLUDE (fg_rgb, fg_ryb, fg_common, ref_rgb, ref_ryb) WHERE searchable;
-- Rows labelled before this rule: a neutral subject leaves hue searches now;
-- its common name arrives when it is labelled again (the model that ships
-- with this rule has a new version, and a new version relabels every image).
UPDATE images SET fg_rgb = NULL, fg_ryb = NULL
    WHERE (colours -> 'foreground' -> 'rgb' ->> 'neutral')::boolean;

-- +goose Down
UPDATE images SET fg_rgb = colours -> 'foreground' -> 'rgb' -> 'dominant' ->> 'hex',
                  fg_ryb = colours -> 'foreground' -> 'ryb' -> 'dominant' ->> 'hex'
    WHERE (colours -> 'foreground' -> 'rgb' ->> 'neutral')::boolean;
DROP INDEX images_search_kind;
CREATE INDEX images_search_kind ON images (kind, confidence DESC, id)
    INCLUDE (fg_rgb, fg_ryb, ref_rgb, ref_ryb) WHERE searchable;
DROP INDEX images_search_fg_common;
ALTER TABLE images DROP COLUMN fg_common;
