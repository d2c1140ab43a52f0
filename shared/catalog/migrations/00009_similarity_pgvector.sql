-- +goose Up
-- "More like this" moves from cube + GiST to pgvector + HNSW (Malkov and
-- Yashunin 2018, "Efficient and robust approximate nearest neighbor search
-- using Hierarchical Navigable Small World graphs"): the similarity key
-- (veglens.SimilarityKey: the model's embedding projected onto its first 16
-- principal components, unit length) becomes a vector(16), and an HNSW index
-- over the public images answers "the n nearest to this key" by Euclidean
-- distance in a few hundred distance computations, however many rows there
-- are. RDS for PostgreSQL ships the extension; locally
-- infra/scripts/install-pgvector.sh installs it. A model whose key has
-- another length needs a migration like this one (the catalog refuses such
-- keys with a clear error); keys of rows labelled by another model are
-- converted only when they have 16 values, the others are labelled again.
CREATE EXTENSION IF NOT EXISTS vector;
ALTER TABLE images ADD COLUMN similarity_vec vector(16);
UPDATE images SET similarity_vec = ARRAY(
		SELECT cube_ll_coord(similarity_key, i) FROM generate_series(1, 16) AS i)::real[]::vector
	WHERE similarity_key IS NOT NULL AND cube_dim(similarity_key) = 16;
DROP INDEX images_similar;
ALTER TABLE images DROP COLUMN similarity_key;
ALTER TABLE images RENAME COLUMN similarity_vec TO similarity_key;
CREATE INDEX images_similar ON images USING hnsw (similarity_key vector_l2_ops) WHERE searchable;

-- +goose Down
ALTER TABLE images ADD COLUMN similarity_cube cube;
UPDATE images SET similarity_cube = cube(similarity_key::real[]::float8[]) WHERE similarity_key IS NOT NULL;
DROP INDEX images_similar;
ALTER TABLE images DROP COLUMN similarity_key;
ALTER TABLE images RENAME COLUMN similarity_cube TO similarity_key;
CREATE INDEX images_similar ON images USING gist (similarity_key) WHERE searchable;
