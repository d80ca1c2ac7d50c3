package api

import (
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/chatspot/chatspot/internal/store"
)

// CostRow is one month of one channel's template messages of a category.
type CostRow struct {
	Month     string `json:"month"` // 2026-11, in the account's time zone
	ChannelID string `json:"channel_id"`
	Category  string `json:"category"` // marketing, utility, authentication, service
	Billable  int    `json:"billable"` // charged by Meta (pricing type regular)
	Free      int    `json:"free"`     // free: inside the service window, a free entry point
	// EstimatedCents is billable × the operator's rate for the category,
	// in centavos; nil when the operator set no rate.
	EstimatedCents *int64 `json:"estimated_cents"`
}

// CostReport is the WhatsApp costs of a period.
type CostReport struct {
	From  string    `json:"from"`
	To    string    `json:"to"`
	Rows  []CostRow `json:"rows"`
	Rates bool      `json:"rates"` // the operator priced the categories
	Basis string    `json:"basis"`
}

// costBasis says what Meta charges for since 2025-07-01.
const costBasis = "Meta charges per delivered template message, by category; messages inside the 24 h service window and free entry points are free"

// whatsappCosts counts, per month, channel and category, the outbound
// messages Meta reported pricing for (statuses' pricing.type and
// category), and prices the billable ones with the operator's rate card.
// ?from=YYYY-MM&to=YYYY-MM (default: this month), &channel_id= to narrow.
func (s *Server) whatsappCosts(c *gin.Context) {
	p := principal(c)
	loc := s.accountZone(c, p.AccountID)
	now := time.Now().In(loc)
	from, ok := monthParam(c, "from", now)
	if !ok {
		return
	}
	to, ok := monthParam(c, "to", from)
	if !ok {
		return
	}
	if to.Before(from) {
		problem(c, http.StatusUnprocessableEntity, "to must not be before from", "to")
		return
	}
	end := to.AddDate(0, 1, 0)
	q := s.DB.WithContext(c).Model(&store.Message{}).Select("channel_id, pricing_type, pricing_category, created_at").
		Where("account_id = ? AND direction = 'outbound' AND pricing_category <> '' AND created_at >= ? AND created_at < ?", p.AccountID, from.UTC(), end.UTC())
	if ch := c.Query("channel_id"); ch != "" {
		q = q.Where("channel_id = ?", ch)
	}
	var msgs []store.Message
	if err := q.Find(&msgs).Error; err != nil {
		s.internalError(c, "costs", err)
		return
	}
	type key struct{ month, channel, category string }
	rows := map[key]*CostRow{}
	for _, m := range msgs {
		k := key{m.CreatedAt.In(loc).Format("2006-01"), m.ChannelID, m.PricingCategory}
		r := rows[k]
		if r == nil {
			r = &CostRow{Month: k.month, ChannelID: k.channel, Category: k.category}
			rows[k] = r
		}
		if m.PricingType == "regular" {
			r.Billable++
		} else {
			r.Free++
		}
	}
	out := CostReport{From: from.Format("2006-01"), To: to.Format("2006-01"), Rows: []CostRow{}, Rates: len(s.TemplateRates) > 0, Basis: costBasis}
	for _, r := range rows {
		if rate, priced := s.TemplateRates[r.Category]; priced {
			cents := (int64(r.Billable)*rate + 50) / 100 // ten-thousandths of a real to centavos, rounded
			r.EstimatedCents = &cents
		}
		out.Rows = append(out.Rows, *r)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		if a.ChannelID != b.ChannelID {
			return a.ChannelID < b.ChannelID
		}
		return a.Category < b.Category
	})
	c.JSON(http.StatusOK, out)
}

// monthParam reads a YYYY-MM query parameter as the month's first instant
// in loc; absent, def.
func monthParam(c *gin.Context, name string, def time.Time) (time.Time, bool) {
	v := c.Query(name)
	if v == "" {
		return time.Date(def.Year(), def.Month(), 1, 0, 0, 0, 0, def.Location()), true
	}
	t, err := time.ParseInLocation("2006-01", v, def.Location())
	if err != nil {
		problem(c, http.StatusUnprocessableEntity, name+" must be a month like 2026-11", name)
		return time.Time{}, false
	}
	return t, true
}
