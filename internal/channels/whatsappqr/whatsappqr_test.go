package whatsappqr_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/whatsappqr"
	"github.com/chatspot/chatspot/internal/channels/whatsappqr/meowtest"
	"github.com/chatspot/chatspot/internal/store"
)

var (
	business = types.NewJID("5511900001111", types.DefaultUserServer)
	customer = types.NewJID("5511987654321", types.DefaultUserServer)
)

func TestE164AddsTheNinthDigitToBrazilianMobiles(t *testing.T) {
	cases := map[string]string{
		"551187654321":         "+5511987654321", // a mobile WhatsApp still knows without the 9
		"5511987654321":        "+5511987654321",
		"551133334444":         "+551133334444", // a landline: no ninth digit
		"14155550100":          "+14155550100",
		"+55 (21) 9 8765-4321": "+5521987654321",
	}
	for in, want := range cases {
		if got := whatsappqr.E164(in); got != want {
			t.Errorf("E164(%q) = %q, want %q", in, got, want)
		}
	}
}

func info(id string) types.MessageInfo {
	return types.MessageInfo{ID: id, PushName: "Maria", Timestamp: time.Unix(1764700000, 0),
		MessageSource: types.MessageSource{Chat: customer, Sender: customer}}
}

// session connects a paired channel to a phone and returns the client
// WhatsApp talks to, and the sink that records what reached the inbox.
func session(t *testing.T, a *whatsappqr.Adapter, phone *meowtest.Phone, settings string) (*meowtest.Client, *sink, func() error) {
	t.Helper()
	phone.Link(business)
	ch := store.Channel{ID: "ch1", Kind: channels.KindWhatsAppQR, Settings: settings}
	if ch.Settings == "" {
		ch.Settings = `{"jid":"` + business.String() + `","number":"+5511900001111"}`
	}
	snk := &sink{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Connect(ctx, channels.Env{}, ch, snk) }()
	var cli *meowtest.Client
	waitFor(t, func() bool { cli = phone.Connected(business); return cli != nil })
	waitFor(t, func() bool { return snk.lastStatus() == store.ChannelConnected })
	stop := func() error {
		cancel()
		return <-done
	}
	t.Cleanup(func() { cancel() })
	return cli, snk, stop
}

func TestInboundKinds(t *testing.T) {
	phone := meowtest.NewPhone()
	a := &whatsappqr.Adapter{Devices: phone}
	cli, snk, stop := session(t, a, phone, "")
	image := &waE2E.ImageMessage{Caption: proto.String("a foto"), Mimetype: proto.String("image/jpeg"), DirectPath: proto.String("/v/img"),
		MediaKey: []byte("k"), FileSHA256: []byte("s"), FileEncSHA256: []byte("e"), FileLength: proto.Uint64(3), JPEGThumbnail: []byte("thumb")}
	lid := types.NewJID("123456789", types.HiddenUserServer)
	lidInfo := info("LID1")
	lidInfo.Sender, lidInfo.Chat = lid, lid
	oldForm := info("OLD1")
	oldForm.Sender = types.NewJID("551187654321", types.DefaultUserServer)
	oldForm.Chat = oldForm.Sender
	fromMe := info("ME1")
	fromMe.IsFromMe = true
	group := info("G1")
	group.IsGroup, group.Chat = true, types.NewJID("120363000000000000", types.GroupServer)
	events := []*events.Message{
		{Info: info("T1"), Message: &waE2E.Message{Conversation: proto.String("Oi, tudo bem?")}},
		{Info: info("R1"), Message: &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("respondendo"),
			ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String("3EB0OURS"), Participant: proto.String(business.String())}}}},
		{Info: info("I1"), Message: &waE2E.Message{ImageMessage: image}},
		{Info: info("V1"), Message: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true), Mimetype: proto.String("audio/ogg; codecs=opus"), DirectPath: proto.String("/v/ptt")}}},
		{Info: info("D1"), Message: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{FileName: proto.String("boleto.pdf"), Mimetype: proto.String("application/pdf"), DirectPath: proto.String("/v/doc")}}},
		{Info: info("S1"), Message: &waE2E.Message{StickerMessage: &waE2E.StickerMessage{Mimetype: proto.String("image/webp"), DirectPath: proto.String("/v/st")}}},
		{Info: info("L1"), Message: &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-23.55052), DegreesLongitude: proto.Float64(-46.633308), Name: proto.String("Loja Centro")}}},
		{Info: info("C1"), Message: &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String("João"),
			Vcard: proto.String("BEGIN:VCARD\nVERSION:3.0\nFN:João\nTEL;type=CELL;waid=5511912345678:+55 11 91234-5678\nEND:VCARD")}}},
		{Info: info("X1"), Message: &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: &waCommon.MessageKey{ID: proto.String("3EB0OURS")}, Text: proto.String("👍")}}},
		{Info: info("E1"), Message: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
			Key: &waCommon.MessageKey{ID: proto.String("T1")}, EditedMessage: &waE2E.Message{Conversation: proto.String("Oi, tudo certo?")}}}},
		{Info: info("DEL1"), Message: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{ID: proto.String("T1")}}}},
		{Info: lidInfo, Message: &waE2E.Message{Conversation: proto.String("sem número")}},
		{Info: oldForm, Message: &waE2E.Message{Conversation: proto.String("número antigo")}},
		{Info: fromMe, Message: &waE2E.Message{Conversation: proto.String("enviado pelo celular")}},
		{Info: group, Message: &waE2E.Message{Conversation: proto.String("no grupo")}},
	}
	for _, e := range events {
		if !cli.Emit(e) {
			t.Fatalf("%s not acknowledged", e.Info.ID)
		}
	}
	got := map[string]channels.Inbound{}
	for _, in := range snk.messages() {
		if !in.Edit && !in.Revoke {
			got[in.ExternalID] = in
		}
	}
	check := func(id, text string) channels.Inbound {
		t.Helper()
		in, ok := got[id]
		if !ok {
			t.Fatalf("%s not delivered; got %v", id, got)
		}
		if in.Text != text {
			t.Errorf("%s: text %q, want %q", id, in.Text, text)
		}
		return in
	}
	if in := check("T1", "Oi, tudo bem?"); in.Contact.ExternalID != "+5511987654321" || in.Contact.Phone != "+5511987654321" || in.Contact.Name != "Maria" {
		t.Errorf("contact %+v", in.Contact)
	}
	if in := check("R1", "respondendo"); in.ReplyTo != "3EB0OURS" {
		t.Errorf("reply to %q", in.ReplyTo)
	}
	in := check("I1", "a foto")
	if len(in.Media) != 1 || in.Media[0].Kind != channels.MediaImage || in.Media[0].Name != "image.jpg" || in.Media[0].Size != 3 {
		t.Fatalf("image media %+v", in.Media)
	}
	if in := check("V1", ""); len(in.Media) != 1 || in.Media[0].Kind != channels.MediaVoice {
		t.Errorf("voice %+v", in.Media)
	}
	if in := check("D1", ""); in.Media[0].Name != "boleto.pdf" {
		t.Errorf("document %+v", in.Media)
	}
	check("S1", "")
	check("L1", "📍 Loja Centro https://maps.google.com/?q=-23.550520,-46.633308")
	check("C1", "👤 João +55 11 91234-5678")
	if in := check("X1", "👍"); in.ReplyTo != "3EB0OURS" {
		t.Errorf("reaction to %q", in.ReplyTo)
	}
	if in := check("T1", "Oi, tudo bem?"); in.Edit {
		t.Error("the original taken as an edit")
	}
	var edit *channels.Inbound
	for _, m := range snk.messages() {
		if m.Edit {
			edit = &m
		}
	}
	if edit == nil || edit.ExternalID != "T1" || edit.Text != "Oi, tudo certo?" {
		t.Errorf("edit %+v", edit)
	}
	if in := check("LID1", "sem número"); in.Contact.ExternalID != lid.String() || in.Contact.Phone != "" {
		t.Errorf("LID contact %+v", in.Contact)
	}
	if in := check("OLD1", "número antigo"); in.Contact.ExternalID != "+5511987654321" {
		t.Errorf("the old form is another contact: %+v", in.Contact)
	}
	// Sent from the phone's own WhatsApp: the business's message to the
	// customer, not the customer's.
	if in := check("ME1", "enviado pelo celular"); !in.FromBusiness || in.Contact.ExternalID != "+5511987654321" {
		t.Errorf("from the phone: %+v", in)
	}
	var revoke *channels.Inbound
	for _, m := range snk.messages() {
		if m.Revoke {
			revoke = &m
		}
	}
	if revoke == nil || revoke.ExternalID != "T1" {
		t.Errorf("deletion %+v", revoke)
	}
	for _, id := range []string{"DEL1", "G1"} {
		if _, ok := got[id]; ok {
			t.Errorf("%s should not reach the inbox", id)
		}
	}
	// The file downloads through the session, as the inbox's workflow asks.
	phone.Files["/v/img"] = []byte("JPG")
	f, err := a.FetchMedia(context.Background(), store.Channel{ID: "ch1"}, got["I1"].Media[0])
	if err != nil || string(f.Data) != "JPG" {
		t.Fatalf("fetch: %q %v", f.Data, err)
	}
	_, err = a.FetchMedia(context.Background(), store.Channel{ID: "ch1"}, got["D1"].Media[0])
	var perm *channels.PermanentError
	if !errors.As(err, &perm) {
		t.Errorf("a file gone from WhatsApp: %v, want a permanent error", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.FetchMedia(context.Background(), store.Channel{ID: "ch1"}, got["I1"].Media[0]); err == nil || errors.As(err, &perm) {
		t.Errorf("no session here: %v, want a retryable error", err)
	}
}

func TestGroupsWhenEnabled(t *testing.T) {
	phone := meowtest.NewPhone()
	a := &whatsappqr.Adapter{Devices: phone}
	cli, snk, _ := session(t, a, phone, `{"jid":"`+business.String()+`","groups":true}`)
	group := info("G1")
	group.IsGroup, group.Chat = true, types.NewJID("120363000000000000", types.GroupServer)
	cli.Emit(&events.Message{Info: group, Message: &waE2E.Message{Conversation: proto.String("no grupo")}})
	msgs := snk.messages()
	if len(msgs) != 1 || msgs[0].Contact.ExternalID != "120363000000000000@g.us" || msgs[0].Text != "Maria: no grupo" {
		t.Fatalf("group message %+v", msgs)
	}
}

func TestNotStoredIsNotAcknowledged(t *testing.T) {
	phone := meowtest.NewPhone()
	a := &whatsappqr.Adapter{Devices: phone}
	cli, snk, _ := session(t, a, phone, "")
	msg := &events.Message{Info: info("T1"), Message: &waE2E.Message{Conversation: proto.String("Oi")}}
	snk.fail(errors.New("database down"))
	if cli.Emit(msg) {
		t.Fatal("acknowledged a message the inbox did not store: WhatsApp would not deliver it again")
	}
	snk.fail(nil)
	if !cli.Emit(msg) { // WhatsApp's redelivery
		t.Fatal("the redelivery was not acknowledged")
	}
}

func TestReceipts(t *testing.T) {
	phone := meowtest.NewPhone()
	a := &whatsappqr.Adapter{Devices: phone}
	cli, snk, _ := session(t, a, phone, "")
	src := types.MessageSource{Chat: customer, Sender: customer}
	cli.Emit(&events.Receipt{MessageSource: src, MessageIDs: []string{"3EB0A", "3EB0B"}, Type: types.ReceiptTypeDelivered})
	cli.Emit(&events.Receipt{MessageSource: src, MessageIDs: []string{"3EB0A"}, Type: types.ReceiptTypeRead})
	cli.Emit(&events.Receipt{MessageSource: src, MessageIDs: []string{"3EB0C"}, Type: types.ReceiptTypePlayed})
	mine := types.MessageSource{Chat: customer, Sender: business, IsFromMe: true}
	cli.Emit(&events.Receipt{MessageSource: mine, MessageIDs: []string{"T1"}, Type: types.ReceiptTypeRead})
	cli.Emit(&events.Receipt{MessageSource: src, MessageIDs: []string{"3EB0D"}, Type: types.ReceiptTypeRetry})
	var got []string
	for _, r := range snk.receipts() {
		got = append(got, r.ExternalID+":"+r.Status)
	}
	want := []string{"3EB0A:delivered", "3EB0B:delivered", "3EB0A:read", "3EB0C:read"}
	if len(got) != len(want) {
		t.Fatalf("receipts %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("receipts %v, want %v", got, want)
		}
	}
}

func TestSessionEnds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		evt    any
		status string
	}{
		{"logged out", &events.LoggedOut{}, store.ChannelNeedsReauth},
		{"stream replaced", &events.StreamReplaced{}, store.ChannelDisconnected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			phone := meowtest.NewPhone()
			a := &whatsappqr.Adapter{Devices: phone}
			cli, snk, stop := session(t, a, phone, "")
			cli.Emit(tc.evt)
			err := stop()
			var perm *channels.PermanentError
			if !errors.As(err, &perm) {
				t.Fatalf("Connect returned %v, want the session ended for good", err)
			}
			if snk.lastStatus() != tc.status || snk.lastReason() == "" {
				t.Errorf("status %q (%q), want %q with a reason", snk.lastStatus(), snk.lastReason(), tc.status)
			}
		})
	}
	t.Run("temporary ban", func(t *testing.T) {
		phone := meowtest.NewPhone()
		a := &whatsappqr.Adapter{Devices: phone}
		cli, snk, stop := session(t, a, phone, "")
		cli.Emit(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour})
		waitFor(t, func() bool { return snk.lastStatus() == store.ChannelBanned })
		if r := snk.lastReason(); r == "" {
			t.Error("a ban without its reason")
		}
		// Waited out, not retried in a loop: the connection is still held.
		if err := stop(); err != nil {
			t.Fatalf("stopping during the ban: %v", err)
		}
	})
	t.Run("device unlinked while offline", func(t *testing.T) {
		phone := meowtest.NewPhone()
		a := &whatsappqr.Adapter{Devices: phone}
		snk := &sink{}
		ch := store.Channel{ID: "ch1", Settings: `{"jid":"` + business.String() + `"}`}
		err := a.Connect(context.Background(), channels.Env{}, ch, snk)
		var perm *channels.PermanentError
		if !errors.As(err, &perm) || snk.lastStatus() != store.ChannelNeedsReauth {
			t.Fatalf("Connect: %v, status %q", err, snk.lastStatus())
		}
	})
}

func TestSend(t *testing.T) {
	phone := meowtest.NewPhone()
	phone.Registered["551187654321"] = types.NewJID("551187654321", types.DefaultUserServer) // known without the ninth digit
	clock := &fakeClock{now: time.Unix(1764700000, 0)}
	a := &whatsappqr.Adapter{Devices: phone, Clock: clock, NoJitter: true}
	_, _, _ = session(t, a, phone, "")
	files := map[string][]byte{"f1": []byte("%PDF-1.4")}
	out := channels.Outbound{MessageID: "m1", Channel: store.Channel{ID: "ch1"}, To: "+5511987654321", Text: "Segue o boleto", ReplyTo: "T1",
		Files: []channels.OutboundFile{{ID: "f1", Name: "boleto.pdf", ContentType: "application/pdf"}},
		Open:  func(_ context.Context, id string) ([]byte, error) { return files[id], nil }}
	id, err := a.Send(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if id != a.ProviderMessageID("m1") || len(id) != 22 {
		t.Fatalf("id %q, want the one derived from ours", id)
	}
	sent := phone.SentMessages()
	if len(sent) != 1 || sent[0].ID != id || sent[0].To.User != "551187654321" {
		t.Fatalf("sent %+v", sent)
	}
	doc := sent[0].Message.GetDocumentMessage()
	if doc.GetFileName() != "boleto.pdf" || doc.GetCaption() != "Segue o boleto" || doc.GetContextInfo().GetStanzaID() != "T1" || doc.GetDirectPath() == "" {
		t.Fatalf("document %v", doc)
	}
	if len(phone.Presences) == 0 || phone.Presences[0] != types.ChatPresenceComposing {
		t.Errorf("presences %v: typing should show first", phone.Presences)
	}
	// A retry (the first attempt's answer lost) sends under the same id.
	phone.FailSends = 1
	if _, err := a.Send(context.Background(), channels.Outbound{MessageID: "m2", Channel: store.Channel{ID: "ch1"}, To: "+5511987654321", Text: "oi"}); err == nil {
		t.Fatal("a dropped connection should fail the attempt")
	}
	id2, err := a.Send(context.Background(), channels.Outbound{MessageID: "m2", Channel: store.Channel{ID: "ch1"}, To: "+5511987654321", Text: "oi"})
	if err != nil || id2 != a.ProviderMessageID("m2") {
		t.Fatalf("retry: %q %v", id2, err)
	}
	// A number not on WhatsApp is refused for good.
	_, err = a.Send(context.Background(), channels.Outbound{MessageID: "m3", Channel: store.Channel{ID: "ch1"}, To: "+5511955554444", Text: "oi"})
	var perm *channels.PermanentError
	if !errors.As(err, &perm) {
		t.Fatalf("unknown number: %v", err)
	}
}

func TestBurstIsPaced(t *testing.T) {
	phone := meowtest.NewPhone()
	phone.Registered["5511987654321"] = customer
	clock := &fakeClock{now: time.Unix(1764700000, 0)}
	a := &whatsappqr.Adapter{Devices: phone, Clock: clock, NoJitter: true}
	_, _, _ = session(t, a, phone, `{"jid":"`+business.String()+`","sends_per_minute":30}`)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := channels.Outbound{MessageID: "burst-" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Channel: store.Channel{ID: "ch1"}, To: "+5511987654321", Text: "promo"}
			if _, err := a.Send(context.Background(), out); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(phone.SentMessages()); n != 100 {
		t.Fatalf("%d sent, want 100", n)
	}
	// 100 sends at 30 a minute take at least 99 × 2 s of the clock.
	if elapsed := clock.elapsed(); elapsed < 99*2*time.Second {
		t.Fatalf("100 sends took %v of the clock: faster than 30 a minute", elapsed)
	}
}

func TestValidate(t *testing.T) {
	a := &whatsappqr.Adapter{}
	s, err := a.Validate(channels.Settings{})
	if err != nil || s.String("pair_with") != "qr" || s["sends_per_minute"] != float64(20) {
		t.Fatalf("defaults: %v %v", s, err)
	}
	if _, err := a.Validate(channels.Settings{"pair_with": "phone"}); err == nil {
		t.Error("pairing by phone without a number")
	}
	s, err = a.Validate(channels.Settings{"pair_with": "phone", "phone": "+55 (11) 98765-4321"})
	if err != nil || s.String("phone") != "+5511987654321" {
		t.Fatalf("phone: %v %v", s, err)
	}
	var fe *channels.FieldError
	if _, err := a.Validate(channels.Settings{"pair_with": "phone", "phone": "123"}); !errors.As(err, &fe) || fe.Field != "settings.phone" {
		t.Errorf("a short number: %v", err)
	}
	for _, bad := range []any{"0", 61, "muito", true} {
		if _, err := a.Validate(channels.Settings{"sends_per_minute": bad}); !errors.As(err, &fe) || fe.Field != "settings.sends_per_minute" {
			t.Errorf("sends_per_minute %v: %v", bad, err)
		}
	}
}

func TestPairing(t *testing.T) {
	t.Run("qr", func(t *testing.T) {
		phone := meowtest.NewPhone()
		phone.PairAs = types.NewJID("5511900001111", types.DefaultUserServer)
		phone.PairAs.Device = 3
		phone.Pairing = []whatsmeow.QRChannelItem{
			{Event: whatsmeow.QRChannelEventCode, Code: "2@first", Timeout: 60 * time.Second},
			{Event: whatsmeow.QRChannelEventCode, Code: "2@second", Timeout: 20 * time.Second},
			whatsmeow.QRChannelSuccess,
		}
		a := &whatsappqr.Adapter{Devices: phone}
		var prompts []channels.Prompt
		env := channels.Env{Progress: func(_ context.Context, _ string, p *channels.Prompt) error { prompts = append(prompts, *p); return nil }}
		res, err := a.RunStep(context.Background(), env, store.Channel{ID: "ch1", Settings: `{"pair_with":"qr"}`}, whatsappqr.StepPair)
		if err != nil {
			t.Fatal(err)
		}
		if len(prompts) != 2 || prompts[0].Value != "2@first" || prompts[1].Value != "2@second" || prompts[0].Type != channels.PromptQR {
			t.Fatalf("prompts %+v", prompts)
		}
		if !res.Connect || res.Set.String("number") != "+5511900001111" || res.Set.String("jid") != phone.PairAs.String() {
			t.Fatalf("result %+v", res)
		}
		// Activating again keeps the linked device.
		ch := store.Channel{ID: "ch1", Settings: res.Set.JSON()}
		again, err := a.RunStep(context.Background(), env, ch, whatsappqr.StepPair)
		if err != nil || !again.Skipped || !again.Connect {
			t.Fatalf("again: %+v %v", again, err)
		}
		// Deactivating unlinks it.
		if err := a.Deactivate(context.Background(), channels.Env{}, ch); err != nil || phone.Linked(phone.PairAs) {
			t.Fatalf("deactivate: %v, still linked %v", err, phone.Linked(phone.PairAs))
		}
	})
	t.Run("phone code", func(t *testing.T) {
		phone := meowtest.NewPhone()
		phone.PairAs, phone.PairCode = business, "ABCD-EFGH"
		phone.Pairing = []whatsmeow.QRChannelItem{
			{Event: whatsmeow.QRChannelEventCode, Code: "2@first", Timeout: 60 * time.Second},
			{Event: whatsmeow.QRChannelEventCode, Code: "2@second", Timeout: 20 * time.Second},
			whatsmeow.QRChannelSuccess,
		}
		a := &whatsappqr.Adapter{Devices: phone}
		var prompts []channels.Prompt
		env := channels.Env{Progress: func(_ context.Context, _ string, p *channels.Prompt) error { prompts = append(prompts, *p); return nil }}
		_, err := a.RunStep(context.Background(), env, store.Channel{Settings: `{"pair_with":"phone","phone":"+5511900001111"}`}, whatsappqr.StepPair)
		if err != nil {
			t.Fatal(err)
		}
		if len(phone.PhoneCalls) != 1 || phone.PhoneCalls[0] != "+5511900001111" || len(prompts) != 1 || prompts[0] != (channels.Prompt{Type: channels.PromptCode, Value: "ABCD-EFGH"}) {
			t.Fatalf("calls %v prompts %+v", phone.PhoneCalls, prompts)
		}
	})
	t.Run("nobody scans", func(t *testing.T) {
		phone := meowtest.NewPhone()
		phone.Pairing = []whatsmeow.QRChannelItem{{Event: whatsmeow.QRChannelEventCode, Code: "2@only"}, whatsmeow.QRChannelTimeout}
		a := &whatsappqr.Adapter{Devices: phone}
		_, err := a.RunStep(context.Background(), channels.Env{}, store.Channel{Settings: `{}`}, whatsappqr.StepPair)
		var perm *channels.PermanentError
		if !errors.As(err, &perm) || perm.Reason == "" {
			t.Fatalf("timeout: %v, want a refusal saying what to do", err)
		}
	})
}

// TestDeviceStoreOnSQLite runs whatsmeow's sqlstore in the app's SQLite
// file through the pure-Go driver: tables created, a saved device found
// again by another client, an unknown one reported gone.
func TestDeviceStoreOnSQLite(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	testDeviceStore(t, &whatsappqr.StoreDevices{DB: db})
	if _, err := os.Stat(filepath.Join(dir, "chatspot.db")); err != nil {
		t.Fatal(err)
	}
}

func TestDeviceStoreOnPostgres(t *testing.T) {
	url := os.Getenv("CHATSPOT_TEST_POSTGRES")
	if url == "" {
		t.Skip("CHATSPOT_TEST_POSTGRES not set")
	}
	db, err := store.Open(context.Background(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	testDeviceStore(t, &whatsappqr.StoreDevices{DB: db})
}

func testDeviceStore(t *testing.T, devs *whatsappqr.StoreDevices) {
	t.Helper()
	ctx := context.Background()
	if _, err := devs.Client(ctx, ""); err != nil {
		t.Fatalf("a new device: %v", err)
	}
	// A number of its own: the PostgreSQL database outlives the test.
	jid := types.NewJID(fmt.Sprintf("55119%08d", time.Now().UnixNano()%1e8), types.DefaultUserServer)
	jid.Device = 7
	if _, err := devs.Client(ctx, jid.String()); !errors.Is(err, whatsappqr.ErrNoDevice) {
		t.Fatalf("unknown device: %v, want ErrNoDevice", err)
	}
	if err := devs.SaveForTest(ctx, jid); err != nil {
		t.Fatal(err)
	}
	cli, err := devs.Client(ctx, jid.String())
	if err != nil || cli.ID() != jid {
		t.Fatalf("saved device: %v %v", cli, err)
	}
}

// sink records what a session delivered.
type sink struct {
	mu      sync.Mutex
	batches []channels.Batch
	status  []string
	reasons []string
	err     error
}

func (s *sink) Deliver(_ context.Context, b channels.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.batches = append(s.batches, b)
	return nil
}

func (s *sink) Status(_ context.Context, status, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.reasons = append(s.status, status), append(s.reasons, reason)
	return nil
}

func (s *sink) Cursor(context.Context, string) (string, error) { return "", nil }

func (s *sink) SaveCursor(context.Context, string, string) error { return nil }

func (s *sink) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *sink) messages() []channels.Inbound {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []channels.Inbound
	for _, b := range s.batches {
		out = append(out, b.Messages...)
	}
	return out
}

func (s *sink) receipts() []channels.Receipt {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []channels.Receipt
	for _, b := range s.batches {
		out = append(out, b.Receipts...)
	}
	return out
}

func (s *sink) lastStatus() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.status) == 0 {
		return ""
	}
	return s.status[len(s.status)-1]
}

func (s *sink) lastReason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reasons) == 0 {
		return ""
	}
	return s.reasons[len(s.reasons)-1]
}

// fakeClock advances only when slept on.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	start time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.start.IsZero() {
		c.start = c.now
	}
	return c.now
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.start.IsZero() {
		c.start = c.now
	}
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) elapsed() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now.Sub(c.start)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Sends to people who never wrote first are counted; past the line the
// channel warns its admins, and sends to customers who wrote do not count.
func TestColdSendsWarn(t *testing.T) {
	phone := meowtest.NewPhone()
	phone.Registered["5511987654321"] = customer
	clock := &fakeClock{now: time.Unix(1764700000, 0)}
	a := &whatsappqr.Adapter{Devices: phone, Clock: clock, NoJitter: true}
	_, snk, _ := session(t, a, phone, `{"jid":"`+business.String()+`","sends_per_minute":60}`)
	send := func(id string, first bool) {
		t.Helper()
		out := channels.Outbound{MessageID: id, Channel: store.Channel{ID: "ch1"}, To: "+5511987654321", Text: "promo", FirstContact: first}
		if _, err := a.Send(context.Background(), out); err != nil {
			t.Fatal(err)
		}
	}
	for i := range whatsappqr.ColdSendsWarning - 1 {
		send(fmt.Sprint("cold-", i), true)
		send(fmt.Sprint("warm-", i), false)
	}
	if r := snk.lastReason(); strings.Contains(r, "warning") {
		t.Fatalf("warned before the line: %q", r)
	}
	send("cold-last", true)
	if r := snk.lastReason(); !strings.Contains(r, "never wrote first") || snk.lastStatus() != store.ChannelConnected {
		t.Fatalf("no warning at the line: %s %q", snk.lastStatus(), r)
	}
}
