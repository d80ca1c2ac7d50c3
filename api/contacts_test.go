package api_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
)

// Integrators keep their customers in sync: create, upsert by phone or
// e-mail (the same person is never added twice, even by concurrent
// calls on PostgreSQL), search and edit, with clear refusals.
func TestContactsCreateUpsertSearch(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect)
			a := e.tenant(5)
			admin := e.as(a.admin)

			r := admin.do(http.MethodPost, "/api/v1/contacts", map[string]any{"name": "Maria Silva", "phone": "+55 (11) 99999-0000", "email": "Maria@Example.com"})
			if r.status != http.StatusCreated || r.body["phone"] != "+5511999990000" || r.body["email"] != "maria@example.com" {
				t.Fatalf("create: %d %s", r.status, r.raw)
			}
			id := r.body["id"]
			up := admin.do(http.MethodPut, "/api/v1/contacts", map[string]any{"name": "Maria S. Souza", "phone": "+5511999990000"})
			if up.status != http.StatusOK || up.body["id"] != id || up.body["name"] != "Maria S. Souza" || up.body["email"] != "maria@example.com" {
				t.Errorf("upsert by phone: %d %s, want the same contact renamed", up.status, up.raw)
			}
			byMail := admin.do(http.MethodPost, "/api/v1/contacts?upsert=true", map[string]any{"email": "MARIA@example.com"})
			if byMail.status != http.StatusOK || byMail.body["id"] != id {
				t.Errorf("upsert by e-mail: %d %s", byMail.status, byMail.raw)
			}
			if dialect == "postgres" {
				var wg sync.WaitGroup
				for range 5 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						admin.do(http.MethodPut, "/api/v1/contacts", map[string]any{"name": "João", "phone": "+5521988887777"})
					}()
				}
				wg.Wait()
				var n int64
				e.db.Model(&store.Contact{}).Where("account_id = ? AND phone = ?", a.f.Account.ID, "+5521988887777").Count(&n)
				if n != 1 {
					t.Errorf("5 concurrent upserts stored %d contacts", n)
				}
			}
			for _, bad := range []struct {
				body  map[string]any
				field string
			}{
				{map[string]any{"email": "not-an-email"}, "email"},
				{map[string]any{"phone": "call me"}, "phone"},
				{map[string]any{}, "name"},
			} {
				if r := admin.do(http.MethodPost, "/api/v1/contacts", bad.body); r.status != http.StatusUnprocessableEntity || r.body["field"] != bad.field {
					t.Errorf("create %v: %d %s, want 422 on %s", bad.body, r.status, r.raw, bad.field)
				}
			}
			if r := admin.do(http.MethodPut, "/api/v1/contacts", map[string]any{"name": "Sem chave"}); r.status != http.StatusUnprocessableEntity {
				t.Errorf("upsert without phone or e-mail: %d %s", r.status, r.raw)
			}

			found := admin.do(http.MethodGet, "/api/v1/contacts?q=souza", nil)
			if items := found.body["items"].([]any); found.status != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["id"] != id {
				t.Errorf("search: %d %s", found.status, found.raw)
			}
			if r := admin.do(http.MethodGet, "/api/v1/contacts?phone=%2B5511999990000", nil); len(r.body["items"].([]any)) != 1 {
				t.Errorf("by phone: %s", r.raw)
			}
			ed := admin.do(http.MethodPatch, "/api/v1/contacts/"+id.(string), map[string]any{"email": ""})
			if ed.status != http.StatusOK || ed.body["email"] != "" || ed.body["name"] != "Maria S. Souza" {
				t.Errorf("edit: %d %s", ed.status, ed.raw)
			}
			// Pages follow the cursor to the end.
			for i := range 55 {
				admin.do(http.MethodPost, "/api/v1/contacts", map[string]any{"name": "Cliente " + string(rune('A'+i%26))})
			}
			seen, cursor := 0, ""
			for page := 0; page < 5; page++ {
				r := admin.do(http.MethodGet, "/api/v1/contacts?cursor="+cursor, nil)
				seen += len(r.body["items"].([]any))
				if cursor = r.body["next_cursor"].(string); cursor == "" {
					break
				}
			}
			var total int64
			e.db.Model(&store.Contact{}).Where("account_id = ?", a.f.Account.ID).Count(&total)
			if int64(seen) != total {
				t.Errorf("paging saw %d of %d contacts", seen, total)
			}
		})
	}
}
