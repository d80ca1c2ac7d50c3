package mercadopago

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chatspot/chatspot/internal/billing"
)

// The manifest as Mercado Pago documents it: id (lower-cased, from the
// query), request-id and ts; the HMAC computed independently (Python's
// hmac.new(b"secret", b"id:123456;request-id:bb56a2f1-6aae-46ac-982e-9dcd3581d08e;ts:1742505638683;", "sha256")).
func TestVerify(t *testing.T) {
	c := &Client{WebhookSecret: "secret"}
	body := []byte(`{"action":"payment.updated","api_version":"v1","data":{"id":"123456"},"date_created":"2026-12-07T10:00:00Z","id":1,"live_mode":true,"type":"payment","user_id":"42"}`)
	req := func(sig string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/hooks/billing/mercadopago?data.id=123456&type=payment", nil)
		r.Header.Set("x-request-id", "bb56a2f1-6aae-46ac-982e-9dcd3581d08e")
		r.Header.Set("x-signature", sig)
		return r
	}
	good := "ts=1742505638683,v1=" + wantV1
	n, err := c.Verify(req(good), body)
	if err != nil || n.PaymentID != "123456" {
		t.Fatalf("%+v %v", n, err)
	}
	if Sign("secret", "123456", "bb56a2f1-6aae-46ac-982e-9dcd3581d08e", 1742505638683) != good {
		t.Error("Sign disagrees with the documented manifest")
	}
	for _, sig := range []string{"", "ts=1742505638683", "ts=1742505638683,v1=00", "ts=1742505638684,v1=" + wantV1} {
		if _, err := c.Verify(req(sig), body); !errors.Is(err, billing.ErrBadSignature) {
			t.Errorf("%q: %v", sig, err)
		}
	}
}

const wantV1 = "3777ef58b83642364809fce92623160ddf812c70f33dfd45167137ee4963ce50"
