package whatsappcloud

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/store"
)

// templateFields are what is read of each template.
const templateFields = "id,name,language,category,status,rejected_reason,components"

// graphTemplate is a template as the Graph API lists and takes it.
type graphTemplate struct {
	ID             string           `json:"id,omitempty"`
	Name           string           `json:"name"`
	Language       string           `json:"language"`
	Category       string           `json:"category"`
	Status         string           `json:"status,omitempty"`
	RejectedReason string           `json:"rejected_reason,omitempty"`
	Components     []graphComponent `json:"components"`
}

type graphComponent struct {
	Type    string `json:"type"`             // HEADER, BODY, FOOTER, BUTTONS
	Format  string `json:"format,omitempty"` // HEADER: TEXT, IMAGE, ...
	Text    string `json:"text,omitempty"`
	Buttons []struct {
		Type string `json:"type"`
		Text string `json:"text"`
		URL  string `json:"url,omitempty"`
	} `json:"buttons,omitempty"`
	Example *struct {
		BodyText [][]string `json:"body_text,omitempty"`
	} `json:"example,omitempty"`
}

// ListTemplates reads every template of the channel's WABA, page by page.
func (a Adapter) ListTemplates(ctx context.Context, ch store.Channel) ([]channels.Template, error) {
	g, s, err := a.graph(ch)
	if err != nil {
		return nil, err
	}
	var out []channels.Template
	after := ""
	for {
		q := url.Values{"fields": {templateFields}, "limit": {"100"}}
		if after != "" {
			q.Set("after", after)
		}
		var page struct {
			Data   []graphTemplate `json:"data"`
			Paging struct {
				Cursors struct {
					After string `json:"after"`
				} `json:"cursors"`
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := g.Do(ctx, http.MethodGet, s.String(keyWABAID)+"/message_templates?"+q.Encode(), nil, "", &page); err != nil {
			return nil, sendError(err)
		}
		for _, t := range page.Data {
			out = append(out, fromGraph(t))
		}
		if page.Paging.Next == "" || page.Paging.Cursors.After == "" {
			return out, nil
		}
		after = page.Paging.Cursors.After
	}
}

// SubmitTemplate creates a template at Meta, for review.
func (a Adapter) SubmitTemplate(ctx context.Context, ch store.Channel, t channels.Template) (channels.Template, error) {
	g, s, err := a.graph(ch)
	if err != nil {
		return t, err
	}
	body := graphTemplate{Name: t.Name, Language: t.Language, Category: t.Category}
	if t.Header != "" {
		body.Components = append(body.Components, graphComponent{Type: "HEADER", Format: "TEXT", Text: t.Header})
	}
	bodyPart := graphComponent{Type: "BODY", Text: t.Body}
	if len(t.Examples) > 0 {
		bodyPart.Example = &struct {
			BodyText [][]string `json:"body_text,omitempty"`
		}{BodyText: [][]string{t.Examples}}
	}
	body.Components = append(body.Components, bodyPart)
	if t.Footer != "" {
		body.Components = append(body.Components, graphComponent{Type: "FOOTER", Text: t.Footer})
	}
	var ans struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Category string `json:"category"`
	}
	if err := g.Do(ctx, http.MethodPost, s.String(keyWABAID)+"/message_templates", body, "", &ans); err != nil {
		return t, sendError(err)
	}
	t.ProviderID, t.Status = ans.ID, ans.Status
	if ans.Category != "" {
		t.Category = ans.Category // Meta may recategorise
	}
	return t, nil
}

func fromGraph(g graphTemplate) channels.Template {
	t := channels.Template{ProviderID: g.ID, Name: g.Name, Language: g.Language, Category: g.Category, Status: g.Status}
	if g.RejectedReason != "" && g.RejectedReason != "NONE" {
		t.Reason = g.RejectedReason
	}
	for _, c := range g.Components {
		switch c.Type {
		case "HEADER":
			switch {
			case c.Format != "" && c.Format != "TEXT":
				t.Unsupported = "its header is a " + strings.ToLower(c.Format) + ", which CHATSPOT does not send yet"
			case strings.Contains(c.Text, "{{"):
				t.Unsupported = "its header has a variable, which CHATSPOT does not fill in yet"
			default:
				t.Header = c.Text
			}
		case "BUTTONS":
			for _, b := range c.Buttons {
				if strings.Contains(b.URL, "{{") {
					t.Unsupported = "a button has a variable, which CHATSPOT does not fill in yet"
				}
			}
		case "BODY":
			t.Body = c.Text
		case "FOOTER":
			t.Footer = c.Text
		}
	}
	return t
}

func templateStatus(v Value) channels.TemplateStatus {
	st := channels.TemplateStatus{ProviderID: v.MessageTemplateID.String(), Name: v.MessageTemplateName,
		Language: v.MessageTemplateLanguage, Status: v.Event}
	if st.Status == "REINSTATED" {
		st.Status = store.TemplateApproved // back in use after a pause
	}
	if v.Reason != "" && v.Reason != "NONE" {
		st.Reason = v.Reason
	}
	return st
}

// templateMessage is the messages endpoint's body of a template send.
func templateMessage(t *channels.TemplateSend) map[string]any {
	tpl := map[string]any{"name": t.Name, "language": map[string]string{"code": t.Language}}
	if len(t.Params) > 0 {
		params := make([]map[string]string, len(t.Params))
		for i, p := range t.Params {
			params[i] = map[string]string{"type": "text", "text": strings.TrimSpace(p)}
		}
		tpl["components"] = []map[string]any{{"type": "body", "parameters": params}}
	}
	return tpl
}
