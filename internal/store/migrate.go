package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Migrations are plain SQL files named NNNN_description.sql, applied in
// order and recorded in schema_migrations. The same files run on PostgreSQL
// and SQLite: the few types that differ are written as placeholders.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one versioned schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".sql")
		num, desc, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: desc, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two migrations with version %d", out[i].Version)
		}
	}
	return out, nil
}

// placeholders maps the portable type names used in migrations to each
// dialect's own.
var placeholders = map[string]map[string]string{
	"postgres": {"{{timestamp}}": "TIMESTAMPTZ", "{{json}}": "JSONB", "{{serial}}": "BIGSERIAL PRIMARY KEY", "{{blob}}": "BYTEA"},
	"sqlite":   {"{{timestamp}}": "DATETIME", "{{json}}": "TEXT", "{{serial}}": "INTEGER PRIMARY KEY AUTOINCREMENT", "{{blob}}": "BLOB"},
}

// Migrate applies every migration not yet recorded, each in its own
// transaction. On PostgreSQL an advisory lock makes concurrent starts of
// several processes safe. It returns the versions it applied.
func Migrate(ctx context.Context, db *gorm.DB) ([]int, error) {
	migrations, err := Migrations()
	if err != nil {
		return nil, err
	}
	dialect := db.Dialector.Name()
	if _, ok := placeholders[dialect]; !ok {
		return nil, fmt.Errorf("migrate: unsupported database %q", dialect)
	}
	conn, err := db.DB()
	if err != nil {
		return nil, err
	}
	// Pin one connection so the advisory lock and the work share a session.
	sqlConn, err := conn.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer sqlConn.Close()
	if dialect == "postgres" {
		const lockKey = 7_233_080 // any constant shared by all chatspot processes
		if _, err := sqlConn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
			return nil, fmt.Errorf("migrate: lock: %w", err)
		}
		defer sqlConn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey)
	}
	ts := placeholders[dialect]["{{timestamp}}"]
	if _, err := sqlConn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at "+ts+" NOT NULL)"); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	applied := map[int]bool{}
	rows, err := sqlConn.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		applied[v] = true
	}
	rows.Close()

	var done []int
	for _, m := range migrations {
		if applied[m.Version] {
			continue
		}
		tx, err := sqlConn.BeginTx(ctx, nil)
		if err != nil {
			return done, err
		}
		sqlText := m.SQL
		for k, v := range placeholders[dialect] {
			sqlText = strings.ReplaceAll(sqlText, k, v)
		}
		if _, err := tx.ExecContext(ctx, sqlText); err != nil {
			tx.Rollback()
			return done, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		insert := "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
		if dialect == "postgres" {
			insert = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)"
		}
		if _, err := tx.ExecContext(ctx, insert, m.Version, m.Name, time.Now().UTC()); err != nil {
			tx.Rollback()
			return done, fmt.Errorf("migration %04d_%s: record: %w", m.Version, m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return done, fmt.Errorf("migration %04d_%s: commit: %w", m.Version, m.Name, err)
		}
		done = append(done, m.Version)
	}
	return done, nil
}
