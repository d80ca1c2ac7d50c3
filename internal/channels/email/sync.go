package email

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// fetchBatch is how many mails are read and stored between two cursor
// saves.
const fetchBatch = 10

// rescanMargin: after a UIDVALIDITY change, mail from this long before
// the last one taken is read again (and deduplicated by Message-ID), so
// nothing that arrived around the reset is skipped.
const rescanMargin = 48 * time.Hour

// cursor is where a folder's sync stands: mail up to LastUID of this
// UIDValidity is stored.
type cursor struct {
	UIDValidity uint32    `json:"uidvalidity"`
	LastUID     imap.UID  `json:"last_uid"`
	LastDate    time.Time `json:"last_date"` // the internal date of the newest mail taken
}

// cursorName keys a folder's cursor by the mailbox it is on, so pointing
// the channel at another server or user starts afresh instead of skipping
// UIDs the old mailbox had.
func cursorName(c config, folder string) string {
	return "imap:" + c.Username + "@" + c.IMAP.Host + "/" + folder
}

// Connect watches each folder on its own IMAP connection, with IDLE where
// the server has it and polling where not. Mail is stored before the
// folder's cursor moves past it, so a restart at any point takes nothing
// twice and skips nothing.
func (a *Adapter) Connect(ctx context.Context, _ channels.Env, ch store.Channel, sink channels.Sink) error {
	s, err := channels.ParseSettings(ch.Settings)
	if err != nil {
		return err
	}
	c := configOf(s)
	if c.oauth() && c.AccessToken == "" {
		reason := "the mailbox is not connected: use \"Connect\" to sign in with " + c.Auth
		_ = sink.Status(ctx, store.ChannelNeedsReauth, reason)
		return &channels.PermanentError{Reason: reason, Reauth: true}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan string, len(c.Folders))
	done := make(chan error, len(c.Folders))
	for _, folder := range c.Folders {
		go func() { done <- a.watch(ctx, ch.ID, c, folder, sink, ready) }()
	}
	var first error
	opened := 0
	for running := len(c.Folders); running > 0; {
		select {
		case <-ready:
			if opened++; opened == len(c.Folders) {
				if err := sink.Status(ctx, store.ChannelConnected, ""); err != nil && first == nil {
					first = err
					cancel()
				}
			}
		case err := <-done:
			running--
			if err != nil && first == nil && ctx.Err() == nil {
				first = err
				cancel() // one folder failing reconnects them all
			}
		}
	}
	if first != nil {
		status := store.ChannelDisconnected
		var perm *channels.PermanentError
		if errors.As(first, &perm) && perm.Reauth {
			status = store.ChannelNeedsReauth
		}
		_ = sink.Status(context.WithoutCancel(ctx), status, first.Error())
	}
	return first
}

// watch syncs one folder until ctx ends or the connection fails.
func (a *Adapter) watch(ctx context.Context, channelID string, c config, folder string, sink channels.Sink, ready chan<- string) error {
	news := make(chan struct{}, 1)
	handler := &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
		if d.NumMessages != nil {
			select {
			case news <- struct{}{}:
			default:
			}
		}
	}}
	client, err := a.dialIMAP(c, handler)
	if err != nil {
		return err
	}
	defer client.Close()
	stop := context.AfterFunc(ctx, func() { client.Close() })
	defer stop()
	sel, err := client.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		// Retried: a folder renamed back, or a server briefly refusing.
		return fmt.Errorf("folder %q cannot be opened: %w", folder, err)
	}
	cur, err := a.startCursor(ctx, client, sink, cursorName(c, folder), sel)
	if err != nil {
		return err
	}
	ready <- folder
	idle := client.Caps().Has(imap.CapIdle) || client.Caps().Has(imap.CapIMAP4rev2)
	for {
		if err := a.syncNew(ctx, client, channelID, c, folder, &cur, sink); err != nil {
			return quiet(ctx, err)
		}
		if err := a.wait(ctx, client, idle, news); err != nil {
			return quiet(ctx, err)
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// quiet is nil when the error only comes from ctx ending.
func quiet(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// startCursor reads where the folder's sync stood. The first time, it
// starts at the mail arriving from now on (a mailbox's history is not
// turned into tickets); after a UIDVALIDITY change, it rescans from a
// little before the last mail taken.
func (a *Adapter) startCursor(ctx context.Context, client *imapclient.Client, sink channels.Sink, name string, sel *imap.SelectData) (cursor, error) {
	var cur cursor
	raw, err := sink.Cursor(ctx, name)
	if err != nil {
		return cur, err
	}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			return cur, fmt.Errorf("%s: unreadable cursor: %w", name, err)
		}
	}
	switch {
	case raw == "":
		last, err := highestUID(client, sel)
		if err != nil {
			return cur, err
		}
		cur = cursor{UIDValidity: sel.UIDValidity, LastUID: last, LastDate: time.Now().UTC()}
	case cur.UIDValidity != sel.UIDValidity:
		since := cur.LastDate.Add(-rescanMargin)
		cur = cursor{UIDValidity: sel.UIDValidity, LastDate: cur.LastDate}
		data, err := client.UIDSearch(&imap.SearchCriteria{Since: since}, nil).Wait()
		if err != nil {
			return cur, err
		}
		if uids := data.AllUIDs(); len(uids) > 0 {
			cur.LastUID = slices.Min(uids) - 1
		} else {
			cur.LastUID = max(sel.UIDNext, 1) - 1
		}
	default:
		return cur, nil
	}
	return cur, saveCursor(ctx, sink, name, cur)
}

// highestUID is the UID of the folder's newest mail (0 when empty), from
// UIDNEXT or, on servers that do not send it, by fetching the last one.
func highestUID(client *imapclient.Client, sel *imap.SelectData) (imap.UID, error) {
	if sel.UIDNext > 0 {
		return sel.UIDNext - 1, nil
	}
	if sel.NumMessages == 0 {
		return 0, nil
	}
	var last imap.SeqSet
	last.AddNum(sel.NumMessages)
	msgs, err := client.Fetch(last, &imap.FetchOptions{UID: true}).Collect()
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	return msgs[0].UID, nil
}

func saveCursor(ctx context.Context, sink channels.Sink, name string, cur cursor) error {
	b, _ := json.Marshal(cur)
	return sink.SaveCursor(ctx, name, string(b))
}

// syncNew takes in the mail after the cursor, in UID order, a batch at a
// time: stored, then the cursor saved.
func (a *Adapter) syncNew(ctx context.Context, client *imapclient.Client, channelID string, c config, folder string, cur *cursor, sink channels.Sink) error {
	// UID FETCH last+1:* answers the newest mail even when nothing is new:
	// UIDs up to the cursor are dropped.
	var set imap.UIDSet
	set.AddRange(cur.LastUID+1, 0)
	metas, err := client.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true, Envelope: true, InternalDate: true}).Collect()
	if err != nil {
		return err
	}
	var todo []*imapclient.FetchMessageBuffer
	for _, m := range metas {
		if m.UID > cur.LastUID {
			todo = append(todo, m)
		}
	}
	slices.SortFunc(todo, func(x, y *imapclient.FetchMessageBuffer) int { return int(x.UID) - int(y.UID) })
	for len(todo) > 0 && ctx.Err() == nil {
		n := min(fetchBatch, len(todo))
		batch, last, err := a.readBatch(client, channelID, c, todo[:n])
		if err != nil {
			return err
		}
		if len(batch.Messages) > 0 {
			if err := sink.Deliver(ctx, batch); err != nil {
				return err
			}
		}
		cur.LastUID, cur.LastDate = last.UID, last.InternalDate.UTC()
		if err := saveCursor(ctx, sink, cursorName(c, folder), *cur); err != nil {
			return err
		}
		todo = todo[n:]
	}
	return nil
}

// readBatch fetches and parses a batch of mails; too large ones are taken
// from their envelope with a note.
func (a *Adapter) readBatch(client *imapclient.Client, channelID string, c config, metas []*imapclient.FetchMessageBuffer) (channels.Batch, *imapclient.FetchMessageBuffer, error) {
	var uids []imap.UID
	for _, m := range metas {
		if m.RFC822Size <= maxFileSize {
			uids = append(uids, m.UID)
		}
	}
	section := &imap.FetchItemBodySection{Peek: true}
	bodies := map[imap.UID][]byte{}
	if len(uids) > 0 {
		msgs, err := client.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return channels.Batch{}, nil, err
		}
		for _, m := range msgs {
			bodies[m.UID] = m.FindBodySection(section)
		}
	}
	var b channels.Batch
	for _, m := range metas {
		env := envelopeOf(m)
		raw, ok := bodies[m.UID]
		switch {
		case !ok && m.RFC822Size <= maxFileSize:
			// The server did not send this body (expunged meanwhile, or a
			// hiccup): read again on the next pass, never skipped.
			return channels.Batch{}, nil, fmt.Errorf("the server sent no body for UID %d", m.UID)
		case !ok:
			raw = []byte(fmt.Sprintf("Subject: %s\r\n\r\n[this mail has %d MB, more than CHATSPOT imports: open it in the mailbox]", env.Subject, m.RFC822Size>>20))
		}
		in, err := parseSafely(channelID, c.Address, raw, env)
		var skipped *Skipped
		if errors.As(err, &skipped) {
			continue
		}
		b.Messages = append(b.Messages, in)
	}
	return b, metas[len(metas)-1], nil
}

// parseSafely parses a mail; a parser failure on a malformed mail takes
// it from its envelope and raw text instead of stopping the connection.
func parseSafely(channelID, own string, raw []byte, env Envelope) (in channels.Inbound, err error) {
	defer func() {
		if p := recover(); p != nil {
			in, err = Parse(channelID, own, []byte("Subject: "+env.Subject+"\r\n\r\n"+clean(string(raw))), env)
		}
	}()
	return Parse(channelID, own, raw, env)
}

func envelopeOf(m *imapclient.FetchMessageBuffer) Envelope {
	env := Envelope{Date: m.InternalDate}
	if e := m.Envelope; e != nil {
		env.Subject, env.MessageID, env.InReplyTo = e.Subject, e.MessageID, e.InReplyTo
		if len(e.From) > 0 {
			env.From, env.FromName = e.From[0].Addr(), e.From[0].Name
		}
	}
	return env
}

// wait blocks until the folder may have news: IDLE until the server says
// so (or IdleRestart passes), else the poll interval.
func (a *Adapter) wait(ctx context.Context, client *imapclient.Client, idle bool, news <-chan struct{}) error {
	if !idle {
		poll := a.PollInterval
		if poll == 0 {
			poll = time.Minute
		}
		t := time.NewTimer(poll)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-news:
		}
		return client.Noop().Wait()
	}
	// News that came in while the last sync ran is reported on the next
	// command, not by every server once IDLE begins: ask first.
	if err := client.Noop().Wait(); err != nil {
		return err
	}
	select {
	case <-news:
		return nil
	default:
	}
	cmd, err := client.Idle()
	if err != nil {
		return err
	}
	restart := a.IdleRestart
	if restart == 0 {
		restart = 10 * time.Minute
	}
	t := time.NewTimer(restart)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-news:
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	return cmd.Wait()
}
