-- +goose Up
-- When a pending upload's presigned POST stops being valid: after that (and
-- veglens.UploadGrace) its object can no longer arrive, and the row is
-- shown as rejected ("the upload never arrived") and no longer counted as
-- pending. Rows pending from before this migration get an hour.
ALTER TABLE images ADD COLUMN expires_at timestamptz;
UPDATE images SET expires_at = created_at + interval '1 hour' WHERE status = 'pending';

-- +goose Down
ALTER TABLE images DROP COLUMN expires_at;
