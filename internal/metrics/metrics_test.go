package metrics

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/chatspot/chatspot/internal/store"
	"github.com/chatspot/chatspot/internal/store/storetest"
)

// The handler serves the counters and the channel states read from the
// database, in Prometheus' text format.
func TestHandler(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	f := storetest.Seed(t, db, "")
	for _, ch := range []store.Channel{
		{ID: store.NewID(), AccountID: f.Account.ID, Kind: "telegram", Name: "a", Settings: "{}", Active: true, Status: store.ChannelConnected},
		{ID: store.NewID(), AccountID: f.Account.ID, Kind: "telegram", Name: "b", Settings: "{}", Active: true, Status: store.ChannelNeedsReauth},
		{ID: store.NewID(), AccountID: f.Account.ID, Kind: "sms", Name: "c", Settings: "{}", Active: false, Status: store.ChannelConnected},
	} {
		if err := db.Create(&ch).Error; err != nil {
			t.Fatal(err)
		}
	}
	RegisterChannelStates(db)
	before := testutil.ToFloat64(HTTPRequests.WithLabelValues("/api/v1/conversations/:id", "GET", "OK"))
	Observe("/api/v1/conversations/:id", "GET", 200, 30*time.Millisecond)
	if got := testutil.ToFloat64(HTTPRequests.WithLabelValues("/api/v1/conversations/:id", "GET", "OK")); got != before+1 {
		t.Errorf("requests counted %v, want %v", got, before+1)
	}
	Inbound.WithLabelValues("sms").Inc()
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	body := string(raw)
	for _, want := range []string{
		`chatspot_http_requests_total{method="GET",route="/api/v1/conversations/:id",status="OK"}`,
		`chatspot_inbound_messages_total{kind="sms"}`,
		`chatspot_channels{kind="telegram",state="connected"} 1`,
		`chatspot_channels{kind="telegram",state="needs_reauth"} 1`,
		`chatspot_channels{kind="sms",state="inactive"} 1`,
		`chatspot_http_request_duration_seconds_bucket`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// Serve listens on the address given; without one nothing listens.
func TestServe(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	db := storetest.Open(t, "sqlite")
	storetest.Seed(t, db, "") // an account with its API channel
	stop := Serve(addr, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer stop()
	var body string
	for range 50 {
		res, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			body = string(raw)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(body, "go_goroutines") || !strings.Contains(body, "chatspot_channels{") {
		t.Fatalf("metrics: %.300s", body)
	}
	Serve("", db, nil)() // off: a no-op
}
