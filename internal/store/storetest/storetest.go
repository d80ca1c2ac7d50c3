// Package storetest gives tests a migrated database: SQLite in a temporary
// directory, or a fresh schema on the PostgreSQL named by
// CHATSPOT_TEST_POSTGRES.
package storetest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// PostgresDSN is the DSN of the test PostgreSQL, "" when not configured.
func PostgresDSN() string { return os.Getenv("CHATSPOT_TEST_POSTGRES") }

// Dialects lists the databases the tests run against: always "sqlite",
// and "postgres" when CHATSPOT_TEST_POSTGRES is set.
func Dialects() []string {
	if PostgresDSN() != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// Open returns a migrated, empty database of the given dialect, closed and
// (for PostgreSQL) dropped when the test ends.
func Open(t testing.TB, dialect string) *gorm.DB {
	t.Helper()
	ctx := context.Background()
	var dsn string
	if dialect == "postgres" {
		dsn = PostgresSchema(t)
	}
	db, err := store.Open(ctx, dsn, t.TempDir())
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { store.Close(db) })
	if _, err := store.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	return db
}

// PostgresSchema creates an empty schema of its own for one test on the
// test PostgreSQL and returns a DSN whose search_path points at it.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresDSN()
	admin, err := store.Open(context.Background(), base, "")
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer store.Close(admin)
	schema := fmt.Sprintf("t_%d", time.Now().UnixNano())
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := store.Open(context.Background(), base, "")
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			store.Close(db)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("CHATSPOT_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Fixture is a minimal tenant: an account with its built-in profiles and
// an API channel.
type Fixture struct {
	Account  store.Account
	Profiles map[string]store.Profile // by built-in key: admin, manager, agent
	Channel  store.Channel
}

// Seed creates an account and an API channel.
func Seed(t testing.TB, db *gorm.DB, settingsJSON string) Fixture {
	t.Helper()
	if settingsJSON == "" {
		settingsJSON = "{}"
	}
	f := Fixture{
		Account: store.Account{ID: store.NewID(), Name: "Test " + t.Name(), Seats: 3, Modules: "api", Timezone: "America/Sao_Paulo"},
	}
	f.Channel = store.Channel{ID: store.NewID(), AccountID: f.Account.ID, Kind: channels.KindAPI, Name: "API", Settings: settingsJSON, Active: true}
	profiles, err := auth.CreateAccount(db, &f.Account)
	if err != nil {
		t.Fatal(err)
	}
	f.Profiles = profiles
	if err := db.Create(&f.Channel).Error; err != nil {
		t.Fatal(err)
	}
	return f
}
