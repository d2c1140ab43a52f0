-- +goose Up
-- Refusals explain themselves: the prediction's familiarity (the second
-- half of the refusal rule, veglens.Familiarity) is kept beside its score.
ALTER TABLE images ADD COLUMN familiarity real;

-- People's own labels ("this is a Carrot", or kind NULL: "not a
-- vegetable"), one per image, beside the prediction and never over it.
-- updated_at changes only when the label does; the model page compares
-- the last 30 days' labels with the predictions.
CREATE TABLE user_labels (
	image_id   uuid PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
	kind       text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_labels_updated ON user_labels (updated_at);

-- Token buckets of the rate limits (veglens.RateLimit), one per client
-- (a hash, never the address itself). The sweep forgets idle ones.
CREATE TABLE rate_limits (
	client     text PRIMARY KEY,
	tokens     double precision NOT NULL,
	updated_at timestamptz NOT NULL
);
CREATE INDEX rate_limits_updated ON rate_limits (updated_at);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE user_labels;
ALTER TABLE images DROP COLUMN familiarity;
