// Package store holds the read model: GORM models, migrations and the
// queries the API and activities share. PostgreSQL in production, an
// embedded SQLite file by default.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Open connects to PostgreSQL when databaseURL is set, otherwise to the
// SQLite file chatspot.db in dataDir, and checks the connection.
func Open(ctx context.Context, databaseURL, dataDir string) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:         logger.Default.LogMode(logger.Silent),
		TranslateError: true,
		NowFunc:        func() time.Time { return time.Now().UTC() },
	}
	var (
		db     *gorm.DB
		err    error
		target = "SQLite in " + dataDir
	)
	if databaseURL != "" {
		target = "DATABASE_URL (" + redact(databaseURL) + ")"
		db, err = gorm.Open(postgres.Open(databaseURL), cfg)
		if err != nil {
			return nil, fmt.Errorf("database: cannot connect to %s: %v", target, rootCause(err))
		}
		sqlDB, _ := db.DB()
		// A bounded pool: under a burst, requests wait for a connection
		// instead of failing with "too many clients" once PostgreSQL's
		// max_connections (100 by default) is reached by serve and worker
		// processes together.
		sqlDB.SetMaxOpenConns(PostgresMaxConns)
		sqlDB.SetMaxIdleConns(PostgresMaxConns)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("database: data directory: %w", err)
		}
		db, err = gorm.Open(sqlite.Dialector{DriverName: "sqlite", DSN: sqliteDSN(filepath.Join(dataDir, "chatspot.db"))}, cfg)
		if err != nil {
			return nil, fmt.Errorf("database: open SQLite in %s: %w", dataDir, err)
		}
		sqlDB, _ := db.DB()
		// One connection serialises writers, which SQLite does anyway, and
		// rules out "database is locked" under concurrent requests.
		sqlDB.SetMaxOpenConns(1)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("database: cannot connect to %s: %v", target, rootCause(err))
	}
	return db, nil
}

// sqliteDSN sets the pragmas every connection needs: WAL so readers do not
// block the writer, a busy timeout, foreign keys, temp_store=memory (small
// statement journals; see temporal.sqliteConfig) and immediate
// transactions so a read-then-write transaction never fails to upgrade.
func sqliteDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(1)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

// Close closes the underlying connection pool.
func Close(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}

// Ping checks the database for /readyz.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// IsDuplicate reports whether err is a unique-key violation, which is how
// idempotent inserts learn that the row already exists.
func IsDuplicate(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var se *sqlitedrv.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// PostgresMaxConns is each process's connection pool size on PostgreSQL
// unless SetPoolSize changes it.
const PostgresMaxConns = 20

// SetPoolSize bounds the PostgreSQL connection pool to n (n > 0); SQLite
// keeps its single writer connection.
func SetPoolSize(db *gorm.DB, n int) {
	if n <= 0 || db.Dialector.Name() != "postgres" {
		return
	}
	sqlDB, err := db.DB()
	if err != nil {
		return
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
}

// NewID returns a time-ordered UUID (v7), so primary keys sort by creation
// and make stable pagination cursors.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// redact hides the password in a DSN for error messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "unparseable URL"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.Redacted()
}

// rootCause returns the innermost error's message on one line: drivers
// join the errors of each address they tried with newlines.
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}
