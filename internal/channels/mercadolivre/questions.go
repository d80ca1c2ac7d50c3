package mercadolivre

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// question is a question as the API (api_version=4) gives it.
type question struct {
	ID                 int64     `json:"id"`
	ItemID             string    `json:"item_id"`
	SellerID           int64     `json:"seller_id"`
	Status             string    `json:"status"` // UNANSWERED, ANSWERED, CLOSED_UNANSWERED, UNDER_REVIEW, BANNED, DELETED, DISABLED
	Text               string    `json:"text"`
	DateCreated        time.Time `json:"date_created"`
	DeletedFromListing bool      `json:"deleted_from_listing"`
	Answer             *struct {
		Text        string    `json:"text"`
		Status      string    `json:"status"` // ACTIVE, DISABLED, BANNED
		DateCreated time.Time `json:"date_created"`
	} `json:"answer"`
	From struct {
		ID int64 `json:"id"`
	} `json:"from"`
}

// answerID is the provider id of a question's answer.
func answerID(questionID string) string { return "answer:" + questionID }

// FetchResource reads a notified question.
func (a *Adapter) FetchResource(ctx context.Context, ch store.Channel, ref string) (channels.Batch, error) {
	_, tok, err := token(ch)
	if err != nil {
		return channels.Batch{}, err
	}
	if !strings.HasPrefix(ref, "/questions/") {
		return channels.Batch{}, nil
	}
	var q question
	if err := a.call(ctx, tok, http.MethodGet, ref+"?api_version=4", nil, &q); err != nil {
		var e *apiError
		if errors.As(err, &e) && e.Status == http.StatusNotFound {
			return channels.Batch{}, nil // gone before we read it: its removal has its own notification
		}
		return channels.Batch{}, refusal(err)
	}
	s, _ := channels.ParseSettings(ch.Settings)
	if strconv.FormatInt(q.SellerID, 10) != s.String(keyUserID) {
		return channels.Batch{}, nil // another seller's (a forged notification): not ours to show
	}
	return a.questionBatch(ctx, ch, tok, q), nil
}

// questionBatch is what a question holds for the inbox: the question,
// the answer given outside CHATSPOT (on Mercado Livre's site or app; our
// own is recognised by its id), or its removal.
func (a *Adapter) questionBatch(ctx context.Context, ch store.Channel, tok string, q question) channels.Batch {
	id := strconv.FormatInt(q.ID, 10)
	buyer := strconv.FormatInt(q.From.ID, 10)
	contact := channels.InboundContact{ExternalID: buyer, Name: a.nickname(ctx, tok, buyer)}
	in := channels.Inbound{ChannelID: ch.ID, ExternalID: id, Contact: contact, ThreadKey: threadPrefix + q.ItemID, Text: q.Text, At: q.DateCreated}
	switch {
	case q.Status == "BANNED" || q.Status == "DELETED" || q.Status == "DISABLED" || q.DeletedFromListing:
		in.Revoke = true
		return channels.Batch{Messages: []channels.Inbound{in}}
	}
	b := channels.Batch{Messages: []channels.Inbound{in}}
	if q.Answer != nil && q.Answer.Text != "" {
		b.Messages = append(b.Messages, channels.Inbound{ChannelID: ch.ID, ExternalID: answerID(id), Contact: contact, ThreadKey: in.ThreadKey,
			Text: q.Answer.Text, At: q.Answer.DateCreated, FromBusiness: true, ReplyTo: id})
	}
	return b
}

// nickname is a buyer's public nickname, looked up once.
func (a *Adapter) nickname(ctx context.Context, tok, buyer string) string {
	a.mu.Lock()
	name, ok := a.names[buyer]
	a.mu.Unlock()
	if ok {
		return name
	}
	var u struct {
		Nickname string `json:"nickname"`
	}
	if err := a.call(ctx, tok, http.MethodGet, "/users/"+url.PathEscape(buyer), nil, &u); err != nil {
		return ""
	}
	a.mu.Lock()
	if a.names == nil {
		a.names = map[string]string{}
	}
	a.names[buyer] = u.Nickname
	a.mu.Unlock()
	return u.Nickname
}

// Send answers the question the agent's message replies to (the latest
// by default). A retry after a lost answer finds the question answered
// with our text and takes that as sent.
func (a *Adapter) Send(ctx context.Context, out channels.Outbound) (string, error) {
	_, tok, err := token(out.Channel)
	if err != nil {
		return "", err
	}
	if len(out.Files) > 0 {
		return "", &channels.PermanentError{Reason: "answers on Mercado Livre carry text only"}
	}
	if n := utf8.RuneCountInString(out.Text); n > MaxAnswer {
		return "", &channels.PermanentError{Reason: fmt.Sprintf("Mercado Livre takes answers of at most %d characters (this one has %d)", MaxAnswer, n)}
	}
	qid, err := strconv.ParseInt(out.ReplyTo, 10, 64)
	if err != nil {
		return "", &channels.PermanentError{Reason: "there is no question to answer in this conversation"}
	}
	err = a.call(ctx, tok, http.MethodPost, "/answers", map[string]any{"question_id": qid, "text": out.Text}, nil)
	var e *apiError
	if errors.As(err, &e) && e.Status >= 400 && e.Status < 500 && e.Status != http.StatusUnauthorized && e.Status != http.StatusTooManyRequests {
		var q question
		if a.call(ctx, tok, http.MethodGet, "/questions/"+out.ReplyTo+"?api_version=4", nil, &q) == nil && q.Answer != nil && q.Answer.Text == out.Text {
			return answerID(out.ReplyTo), nil // our earlier attempt got through
		}
	}
	if err != nil {
		return "", refusal(err)
	}
	return answerID(out.ReplyTo), nil
}

// ThreadKind names listings' threads.
func (*Adapter) ThreadKind(key string) string {
	if strings.HasPrefix(key, threadPrefix) {
		return channels.ThreadListing
	}
	return ""
}

// DescribeThread reads the listing: title, photo, price, link.
func (a *Adapter) DescribeThread(ctx context.Context, ch store.Channel, key string) (channels.ThreadInfo, error) {
	_, tok, err := token(ch)
	if err != nil {
		return channels.ThreadInfo{}, err
	}
	var item struct {
		ID              string  `json:"id"`
		Title           string  `json:"title"`
		Price           float64 `json:"price"`
		CurrencyID      string  `json:"currency_id"`
		Thumbnail       string  `json:"thumbnail"`
		SecureThumbnail string  `json:"secure_thumbnail"`
		Permalink       string  `json:"permalink"`
	}
	if err := a.call(ctx, tok, http.MethodGet, "/items/"+url.PathEscape(strings.TrimPrefix(key, threadPrefix)), nil, &item); err != nil {
		return channels.ThreadInfo{}, refusal(err)
	}
	image := item.SecureThumbnail
	if image == "" {
		image = item.Thumbnail
	}
	return channels.ThreadInfo{Kind: channels.ThreadListing, Key: key, Title: item.Title, Caption: price(item.Price, item.CurrencyID),
		ImageURL: image, Link: item.Permalink}, nil
}

// price reads as Brazilians write it: R$ 1.249,90.
func price(v float64, currency string) string {
	cents := int64(v*100 + 0.5)
	whole, frac := cents/100, cents%100
	digits := strconv.FormatInt(whole, 10)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	symbol := currency
	if currency == "BRL" || currency == "" {
		symbol = "R$"
	}
	return fmt.Sprintf("%s %s,%02d", symbol, b.String(), frac)
}

// Connect reads, every PollInterval, the notifications Mercado Livre gave
// up delivering (missed feeds, kept two days) and the seller's unanswered
// questions: a lost notification, or an installation without a public
// URL, still gets every question. The inbox stores each once.
func (a *Adapter) Connect(ctx context.Context, _ channels.Env, ch store.Channel, sink channels.Sink) error {
	s, tok, err := token(ch)
	if err != nil {
		_ = sink.Status(ctx, store.ChannelNeedsReauth, err.Error())
		return err
	}
	every := a.PollInterval
	if every == 0 {
		every = 5 * time.Minute
	}
	connected := false
	for {
		b, err := a.poll(ctx, ch, s, tok)
		if len(b.Messages) > 0 {
			if derr := sink.Deliver(ctx, b); derr != nil {
				return derr // not stored: the next attempt reads them again
			}
		}
		var perm *channels.PermanentError
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &perm) && perm.Reauth:
			_ = sink.Status(ctx, store.ChannelNeedsReauth, perm.Reason)
			return err
		case err != nil:
			// Shown, and read again at the next pass: a refusal of one read
			// must not stop the watch.
			connected = false
			_ = sink.Status(ctx, store.ChannelDisconnected, "Mercado Livre: "+err.Error())
		case !connected:
			connected = true
			if err := sink.Status(ctx, store.ChannelConnected, ""); err != nil {
				return err
			}
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// poll reads the missed feeds and the unanswered questions.
func (a *Adapter) poll(ctx context.Context, ch store.Channel, s channels.Settings, tok string) (channels.Batch, error) {
	var b channels.Batch
	var feeds struct {
		Messages []notification `json:"messages"`
	}
	q := url.Values{"app_id": {s.String(keyAppID)}, "topic": {"questions"}}
	if err := a.call(ctx, tok, http.MethodGet, "/missed_feeds?"+q.Encode(), nil, &feeds); err != nil {
		return b, refusal(err)
	}
	for _, n := range feeds.Messages {
		if strconv.FormatInt(n.UserID, 10) != s.String(keyUserID) {
			continue
		}
		if _, ok := fetchOf(n); !ok {
			continue
		}
		got, err := a.FetchResource(ctx, ch, n.Resource)
		var perm *channels.PermanentError
		switch {
		case errors.As(err, &perm) && perm.Reauth:
			return b, err
		case err != nil:
			continue // this question cannot be read now: the unanswered search or the next pass brings it
		}
		b.Messages = append(b.Messages, got.Messages...)
	}
	var open struct {
		Questions []question `json:"questions"`
	}
	q = url.Values{"seller_id": {s.String(keyUserID)}, "status": {"UNANSWERED"}, "api_version": {"4"}}
	if err := a.call(ctx, tok, http.MethodGet, "/questions/search?"+q.Encode(), nil, &open); err != nil {
		return b, refusal(err)
	}
	for _, qu := range open.Questions {
		b.Messages = append(b.Messages, a.questionBatch(ctx, ch, tok, qu).Messages...)
	}
	return b, nil
}
