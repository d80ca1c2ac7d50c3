package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
)

// The WhatsApp costs report against hand-counted messages: billable
// (pricing type regular) and free ones per month, channel and category in
// the account's time zone (a message at 01:30 UTC on Dec 1 is November in
// São Paulo), priced with the operator's rates, rounded to centavos;
// messages without pricing, inbound ones and other accounts' are left out.
func TestWhatsAppCostsReport(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect)
			e.srv.TemplateRates = map[string]int64{"marketing": 3125, "utility": 340} // R$ 0,3125 and R$ 0,0340
			a := e.tenant(5)
			other := e.tenant(5)
			contact := store.Contact{ID: store.NewID(), AccountID: a.f.Account.ID, Name: "Rita"}
			e.db.Create(&contact)
			at := func(s string) time.Time {
				v, _ := time.Parse(time.RFC3339, s)
				return v
			}
			add := func(accountID, direction, typ, category string, when time.Time) {
				m := store.Message{ID: store.NewID(), AccountID: accountID, ChannelID: a.f.Channel.ID, ContactID: contact.ID, Direction: direction,
					Kind: store.KindText, Body: "x", Status: store.MessageDelivered, PricingType: typ, PricingCategory: category, CreatedAt: when}
				if err := e.db.Create(&m).Error; err != nil {
					t.Fatal(err)
				}
			}
			nov := at("2026-11-10T15:00:00Z")
			for range 3 {
				add(a.f.Account.ID, store.DirectionOutbound, "regular", "marketing", nov)
			}
			add(a.f.Account.ID, store.DirectionOutbound, "regular", "marketing", at("2026-12-01T01:30:00Z")) // 22:30 on Nov 30 in São Paulo
			add(a.f.Account.ID, store.DirectionOutbound, "free_customer_service", "service", nov)
			add(a.f.Account.ID, store.DirectionOutbound, "free_entry_point", "marketing", nov)
			add(a.f.Account.ID, store.DirectionOutbound, "regular", "utility", at("2026-12-02T12:00:00Z"))
			add(a.f.Account.ID, store.DirectionOutbound, "regular", "authentication", at("2026-12-02T12:00:00Z")) // no rate set
			add(a.f.Account.ID, store.DirectionOutbound, "", "", nov)                                             // no pricing (another kind)
			add(a.f.Account.ID, store.DirectionInbound, "regular", "marketing", nov)
			add(other.f.Account.ID, store.DirectionOutbound, "regular", "marketing", nov)

			manager := e.as(a.user("gerente", a.f.Profiles[auth.ProfileManager].ID))
			r := manager.do(http.MethodGet, "/api/v1/reports/whatsapp-costs?from=2026-11&to=2026-12", nil)
			if r.status != 200 {
				t.Fatalf("report: %d %s", r.status, r.raw)
			}
			got := map[string][3]float64{} // month/category -> billable, free, cents (-1: unpriced)
			for _, row := range r.body["rows"].([]any) {
				m := row.(map[string]any)
				cents := -1.0
				if c, ok := m["estimated_cents"].(float64); ok {
					cents = c
				}
				got[m["month"].(string)+"/"+m["category"].(string)] = [3]float64{m["billable"].(float64), m["free"].(float64), cents}
			}
			want := map[string][3]float64{
				"2026-11/marketing":      {4, 1, 125}, // 4 × 0,3125 = R$ 1,25
				"2026-11/service":        {0, 1, -1},
				"2026-12/utility":        {1, 0, 3}, // R$ 0,034 → 3 centavos
				"2026-12/authentication": {1, 0, -1},
			}
			if len(got) != len(want) {
				t.Fatalf("rows %v, want %v", got, want)
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s: %v, want %v", k, got[k], w)
				}
			}
			if r.body["rates"] != true || r.body["basis"] == "" {
				t.Errorf("report header %v", r.body)
			}
			if r := manager.do(http.MethodGet, "/api/v1/reports/whatsapp-costs?from=novembro", nil); r.status != 422 || r.body["field"] != "from" {
				t.Errorf("a bad month: %d %s", r.status, r.raw)
			}
			agent := e.as(a.user("agente", a.f.Profiles[auth.ProfileAgent].ID))
			if r := agent.do(http.MethodGet, "/api/v1/reports/whatsapp-costs", nil); r.status != 403 {
				t.Errorf("an agent without reports:view: %d", r.status)
			}
		})
	}
}
