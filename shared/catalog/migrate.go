package catalog

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the database at url to the newest schema. It is safe to
// call concurrently from several processes: a PostgreSQL advisory lock
// serialises them, and applied migrations are skipped.
func Migrate(ctx context.Context, url string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("migrate: parse database URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("migrate: connect: %w", classify(err))
	}
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, dir,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	results, err := p.Up(ctx)
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
	case errors.As(err, &pgErr) && pgErr.Code == "42501" && strings.Contains(pgErr.Message, "vector"):
		return fmt.Errorf("migrate: the database user may not create the pgvector extension: create it once as an administrator (CREATE EXTENSION vector; on RDS a member of rds_superuser), then migrate again: %w", err)
	case strings.Contains(err.Error(), "vector.control") || strings.Contains(err.Error(), `extension "vector" is not available`):
		return fmt.Errorf("migrate: the PostgreSQL server lacks the pgvector extension (locally: run infra/scripts/install-pgvector.sh, or make deps; on RDS it is built in): %w", err)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", classify(err))
	}
	for _, r := range results {
		log.InfoContext(ctx, "migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}
