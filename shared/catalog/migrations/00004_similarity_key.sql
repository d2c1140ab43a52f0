-- +goose Up
-- "More like this photo": each labelled image's similarity key (the model's
-- embedding projected onto its first principal components, unit length;
-- veglens.SimilarityKey), as a point of PostgreSQL's cube extension (contrib,
-- trusted: a database owner may create it). A GiST index over the public
-- images answers "the n nearest to this point" (ORDER BY key <-> point) by a
-- best-first walk of the index, without reading every row. Rows labelled
-- before this migration have no key until they are labelled again.
CREATE EXTENSION IF NOT EXISTS cube;
ALTER TABLE images ADD COLUMN similarity_key cube;
CREATE INDEX images_similar ON images USING gist (similarity_key) WHERE searchable;

-- +goose Down
DROP INDEX images_similar;
ALTER TABLE images DROP COLUMN similarity_key;
