-- +goose Up
-- The sweep (functions/sweep) looks for pending uploads whose presigned
-- POST has expired, and removes uploads past their retention.
CREATE INDEX images_pending_expiry ON images (expires_at) WHERE status = 'pending';
CREATE INDEX images_upload_created ON images (created_at) WHERE source = 'upload';

-- +goose Down
DROP INDEX images_upload_created;
DROP INDEX images_pending_expiry;
