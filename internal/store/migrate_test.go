package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
)

func TestMigrationsAreOrderedAndNamed(t *testing.T) {
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.Version != i+1 || m.Name == "" {
			t.Errorf("migration %d is %04d_%s: versions must run 1, 2, 3, ... without gaps", i, m.Version, m.Name)
		}
	}
}

func TestMigrateIsIdempotentAndRecorded(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := storetest.Open(t, dialect) // migrated once
			again, err := store.Migrate(context.Background(), db)
			if err != nil || len(again) != 0 {
				t.Fatalf("second migrate applied %v, err %v; want nothing", again, err)
			}
			ms, _ := store.Migrations()
			var n int64
			db.Table("schema_migrations").Count(&n)
			if int(n) != len(ms) {
				t.Errorf("%d migrations recorded, want %d", n, len(ms))
			}
		})
	}
}

// Several processes starting at once must apply each migration once.
func TestConcurrentMigrateOnPostgres(t *testing.T) {
	if storetest.PostgresDSN() == "" {
		t.Skip("CHATSPOT_TEST_POSTGRES is not set")
	}
	dsn := storetest.PostgresSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	applied := make([][]int, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(context.Background(), dsn, "")
			if err != nil {
				errs[i] = err
				return
			}
			defer store.Close(db)
			applied[i], errs[i] = store.Migrate(context.Background(), db)
		}()
	}
	wg.Wait()
	total := 0
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("process %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	ms, _ := store.Migrations()
	if total != len(ms) {
		t.Errorf("migrations applied %d times in all, want %d", total, len(ms))
	}
}

func TestIsDuplicateOnBothDatabases(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := storetest.Open(t, dialect)
			f := storetest.Seed(t, db, "")
			dup := f.Account
			err := db.Create(&dup).Error
			if !store.IsDuplicate(err) {
				t.Errorf("inserting the same primary key twice: %v is not reported as a duplicate", err)
			}
		})
	}
}

func TestPoolSizeOnPostgres(t *testing.T) {
	if storetest.PostgresDSN() == "" {
		t.Skip("CHATSPOT_TEST_POSTGRES is not set")
	}
	db, err := store.Open(context.Background(), storetest.PostgresSchema(t), "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(db)
	sqlDB, _ := db.DB()
	if got := sqlDB.Stats().MaxOpenConnections; got != store.PostgresMaxConns {
		t.Fatalf("default pool %d, want %d", got, store.PostgresMaxConns)
	}
	store.SetPoolSize(db, 7)
	if got := sqlDB.Stats().MaxOpenConnections; got != 7 {
		t.Fatalf("pool %d after SetPoolSize(7)", got)
	}
}
