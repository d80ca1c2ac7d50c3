package whatsappcloud_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/whatsappcloud"
	"github.com/chatspot/chatspot/internal/channels/whatsappcloud/graphtest"
	"github.com/chatspot/chatspot/internal/store"
)

// Templates are read page by page until Meta gives no next page.
func TestListTemplatesFollowsPages(t *testing.T) {
	g := graphtest.New("v25.0", "1065", "1022", "tok")
	defer g.Close()
	for i := range 230 {
		g.AddTemplate(fmt.Sprintf("t_%03d", i), "pt_BR", "UTILITY", "APPROVED", "Olá {{1}}")
	}
	a := whatsappcloud.Adapter{BaseURL: g.URL, Version: "v25.0"}
	ch := store.Channel{Settings: `{"phone_number_id":"1065","waba_id":"1022","access_token":"tok"}`}
	list, err := a.ListTemplates(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 230 || list[229].Name != "t_229" || list[0].Body != "Olá {{1}}" {
		t.Fatalf("%d templates, last %+v", len(list), list[len(list)-1])
	}
}

// Templates CHATSPOT cannot fill in (a media header, a button with a
// variable) are listed, saying why they cannot be sent.
func TestUnsupportedTemplatesSayWhy(t *testing.T) {
	g := graphtest.New("v25.0", "1065", "1022", "tok")
	defer g.Close()
	g.AddRawTemplate(graphtest.Template{ID: "1", Name: "com_foto", Language: "pt_BR", Category: "MARKETING", Status: "APPROVED",
		Components: []map[string]any{{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Novidades!"}}})
	g.AddRawTemplate(graphtest.Template{ID: "2", Name: "rastreio", Language: "pt_BR", Category: "UTILITY", Status: "APPROVED",
		Components: []map[string]any{{"type": "BODY", "text": "Seu pedido saiu"}, {"type": "BUTTONS", "buttons": []any{
			map[string]any{"type": "URL", "text": "Rastrear", "url": "https://loja.example.com/r/{{1}}"}}}}})
	g.AddRawTemplate(graphtest.Template{ID: "3", Name: "simples", Language: "pt_BR", Category: "UTILITY", Status: "APPROVED",
		Components: []map[string]any{{"type": "HEADER", "format": "TEXT", "text": "Loja"}, {"type": "BODY", "text": "Oi"}, {"type": "FOOTER", "text": "Até"}}})
	a := whatsappcloud.Adapter{BaseURL: g.URL, Version: "v25.0"}
	list, err := a.ListTemplates(context.Background(), store.Channel{Settings: `{"phone_number_id":"1065","waba_id":"1022","access_token":"tok"}`})
	if err != nil || len(list) != 3 {
		t.Fatalf("%v %v", list, err)
	}
	if list[0].Unsupported == "" || list[1].Unsupported == "" {
		t.Errorf("media header / button variable not flagged: %+v", list[:2])
	}
	if s := list[2]; s.Unsupported != "" || s.Header != "Loja" || s.Footer != "Até" {
		t.Errorf("a plain template: %+v", s)
	}
}

func TestTemplateVariables(t *testing.T) {
	if n := channels.TemplateVariables("Olá {{1}}, pedido {{ 2 }} e {{2}} de novo"); n != 2 {
		t.Errorf("variables %d", n)
	}
	if s := channels.RenderTemplate("Olá {{1}}, pedido {{2}} ({{3}})", []string{"Rita", "42"}); s != "Olá Rita, pedido 42 ({{3}})" {
		t.Errorf("rendered %q", s)
	}
}
