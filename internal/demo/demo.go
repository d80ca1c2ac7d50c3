// Package demo creates the demo account `chatspot dev` starts with, so a
// newcomer can log in and see a conversation flow at once.
package demo

import (
	"context"
	"encoding/json"
	"errors"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/internal/auth"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/channels/webchat"
	"github.com/chatspot/chatspot/internal/store"
)

// AdminEmail is the demo administrator's login.
const AdminEmail = "admin@demo.chatspot.local"

// Credentials are shown once, when the demo account is created.
type Credentials struct {
	AccountID     string
	AdminEmail    string
	AdminPassword string
	APIChannelID  string
	APIToken      string // the API channel's inbound token
}

// WebchatChannel returns the id of the demo account's webchat, "" if none.
func WebchatChannel(ctx context.Context, db *gorm.DB) (string, error) {
	var ch store.Channel
	err := db.WithContext(ctx).Joins("JOIN users ON users.account_id = channels.account_id").
		Where("users.email = ? AND channels.kind = ?", AdminEmail, channels.KindWebchat).Take(&ch).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	return ch.ID, err
}

// Ensure creates the demo account, its admin and an API channel unless an
// account already exists. It returns nil credentials when nothing was
// created: passwords are never stored in clear, so they can be printed only
// the first time.
func Ensure(ctx context.Context, db *gorm.DB) (*Credentials, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&store.Account{}).Count(&n).Error; err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, nil
	}
	creds := &Credentials{AccountID: store.NewID(), AdminEmail: AdminEmail, AdminPassword: auth.RandomPassword(16), APIChannelID: store.NewID()}
	hash, err := auth.HashPassword(creds.AdminPassword)
	if err != nil {
		return nil, err
	}
	token, settings := apichannel.NewToken()
	creds.APIToken = token
	rawSettings, err := json.Marshal(settings)
	if err != nil {
		return nil, err
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		acc := store.Account{ID: creds.AccountID, Name: "Demo", Seats: 5, Modules: "api,ai,crm", Timezone: "America/Sao_Paulo"}
		profiles, err := auth.CreateAccount(tx, &acc)
		if err != nil {
			return err
		}
		admin := store.User{ID: store.NewID(), AccountID: acc.ID, Email: AdminEmail, Name: "Admin", PasswordHash: hash,
			ProfileID: profiles[auth.ProfileAdmin].ID, Active: true, Status: "offline", Capacity: 10}
		if err := tx.Create(&admin).Error; err != nil {
			return err
		}
		if err := tx.Create(&store.Team{ID: store.NewID(), AccountID: acc.ID, Name: "Atendimento"}).Error; err != nil {
			return err
		}
		ch := store.Channel{ID: creds.APIChannelID, AccountID: acc.ID, Kind: channels.KindAPI, Name: "API", Settings: string(rawSettings), Active: true}
		if err := tx.Create(&ch).Error; err != nil {
			return err
		}
		wc, err := json.Marshal(webchat.DefaultSettings())
		if err != nil {
			return err
		}
		if err := tx.Create(&store.Channel{ID: store.NewID(), AccountID: acc.ID, Kind: channels.KindWebchat, Name: "Site", Settings: string(wc), Active: true}).Error; err != nil {
			return err
		}
		for shortcut, text := range map[string]string{
			"ola":     "Olá! Obrigado por falar com a gente. Como posso ajudar?",
			"horario": "Nosso horário de atendimento é de segunda a sexta, das 9h às 18h.",
			"pix":     "Aceitamos Pix, cartão de crédito em até 12x e boleto.",
		} {
			if err := tx.Create(&store.QuickReply{ID: store.NewID(), AccountID: acc.ID, Shortcut: shortcut, Text: text}).Error; err != nil {
				return err
			}
		}
		return salesPipeline(tx, acc.ID)
	})
	if store.IsDuplicate(err) || errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, nil // another process created it at the same moment
	}
	if err != nil {
		return nil, err
	}
	return creds, nil
}

// salesPipeline gives the demo a sales funnel to try the CRM on.
func salesPipeline(tx *gorm.DB, accountID string) error {
	p := store.Pipeline{ID: store.NewID(), AccountID: accountID, Name: "Vendas"}
	if err := tx.Create(&p).Error; err != nil {
		return err
	}
	for i, name := range []string{"Novo lead", "Proposta", "Negociação", "Fechamento"} {
		st := store.Stage{ID: store.NewID(), AccountID: accountID, PipelineID: p.ID, Name: name, Position: i}
		if name == "Proposta" {
			st.StaleDays = 7
		}
		if err := tx.Create(&st).Error; err != nil {
			return err
		}
		if name == "Proposta" {
			qr := store.StageQuickReply{ID: store.NewID(), AccountID: accountID, StageID: st.ID, Title: "Enviar proposta",
				Text: "Olá {{contact.first_name}}, segue a proposta que combinamos. Qualquer dúvida, estou à disposição!"}
			if err := tx.Create(&qr).Error; err != nil {
				return err
			}
		}
	}
	return nil
}
