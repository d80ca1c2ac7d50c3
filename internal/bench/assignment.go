package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/rules"
)

// assignment offers `arrivals` new conversations at once to an account
// with a round-robin distribution rule over a team of online agents, and
// measures how long each takes from the customer's POST until an agent is
// assigned (read from the database every 10 ms, so that is the
// resolution). The note says whether any agent went over capacity.
func assignment(ctx context.Context, db *gorm.DB, base string, arrivals, agents, capacity int) (Row, error) {
	acc := store.Account{Name: "Bench distribution", Seats: 100, Modules: "api"}
	profiles, err := auth.CreateAccount(db, &acc)
	if err != nil {
		return Row{}, err
	}
	team := store.Team{ID: store.NewID(), AccountID: acc.ID, Name: "Vendas"}
	if err := db.Create(&team).Error; err != nil {
		return Row{}, err
	}
	for i := range agents {
		u, err := auth.CreateUser(ctx, db, acc.ID, auth.NewUser{Email: fmt.Sprintf("agent%d-%s@bench.example.com", i, acc.ID), Name: fmt.Sprintf("Agent %d", i),
			Password: "bench-password-1", ProfileID: profiles[auth.ProfileAgent].ID})
		if err != nil {
			return Row{}, err
		}
		db.Model(&u).Updates(map[string]any{"status": "online", "capacity": capacity})
		db.Create(&store.TeamMember{TeamID: team.ID, UserID: u.ID, AccountID: acc.ID})
	}
	rule := store.Rule{ID: store.NewID(), AccountID: acc.ID, Kind: "distribution", Name: "Round robin", Event: rules.ConversationCreated,
		Enabled: true, Version: 1, Strategy: "round_robin", TargetTeamID: &team.ID, Actions: "[]"}
	if err := db.Create(&rule).Error; err != nil {
		return Row{}, err
	}
	token, settings := apichannel.NewToken()
	raw, _ := json.Marshal(settings)
	ch := store.Channel{ID: store.NewID(), AccountID: acc.ID, Kind: channels.KindAPI, Name: "API", Settings: string(raw), Active: true}
	if err := db.Create(&ch).Error; err != nil {
		return Row{}, err
	}

	sentAt := make([]time.Time, arrivals)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range arrivals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			payload, _ := json.Marshal(apichannel.InboundRequest{MessageID: fmt.Sprintf("a%d", i), From: apichannel.From{ID: fmt.Sprintf("lead-%d", i)}, Text: "Quero comprar"})
			req, _ := http.NewRequest(http.MethodPost, base+"/hooks/api/"+ch.ID, bytes.NewReader(payload))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			sentAt[i] = time.Now()
			res, err := http.DefaultClient.Do(req)
			if err != nil || res.StatusCode != http.StatusAccepted {
				failed.Add(1)
			}
			if res != nil {
				res.Body.Close()
			}
		}()
	}
	wg.Wait()

	lat := &latencies{}
	seen := map[string]bool{}
	deadline := time.Now().Add(3 * time.Minute)
	for len(seen) < arrivals && time.Now().Before(deadline) {
		var rows []struct{ ExternalID string }
		db.Table("conversations c").Select("ci.external_id").
			Joins("JOIN contact_identities ci ON ci.contact_id = c.contact_id AND ci.channel_id = c.channel_id").
			Where("c.channel_id = ? AND c.assignee_id IS NOT NULL", ch.ID).Scan(&rows)
		now := time.Now()
		for _, r := range rows {
			if !seen[r.ExternalID] {
				seen[r.ExternalID] = true
				var i int
				fmt.Sscanf(r.ExternalID, "lead-%d", &i)
				lat.add(now.Sub(sentAt[i]))
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(start)
	var over int64
	db.Raw(`SELECT COUNT(*) FROM (SELECT assignee_id, COUNT(*) AS n FROM conversations WHERE channel_id = ? AND assignee_id IS NOT NULL
		GROUP BY assignee_id) t WHERE n > ?`, ch.ID, capacity).Scan(&over)
	note := fmt.Sprintf("%d agents x capacity %d, round robin; %d assigned; agents over capacity: %d; requests refused: %d", agents, capacity, len(seen), over, failed.Load())
	return lat.row(fmt.Sprintf("assignment: %d new conversations at once", arrivals), 0, arrivals, elapsed, note), nil
}
