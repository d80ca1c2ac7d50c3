// Package kinds is the one list of the channel kinds CHATSPOT has built:
// a new kind is its package plus one line here.
package kinds

import (
	"crypto/tls"
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/chatspot/chatspot/extension"
	"github.com/chatspot/chatspot/internal/channels"
	"github.com/chatspot/chatspot/internal/channels/apichannel"
	"github.com/chatspot/chatspot/internal/channels/email"
	"github.com/chatspot/chatspot/internal/channels/instagram"
	"github.com/chatspot/chatspot/internal/channels/linkedin"
	"github.com/chatspot/chatspot/internal/channels/mercadolivre"
	"github.com/chatspot/chatspot/internal/channels/messenger"
	"github.com/chatspot/chatspot/internal/channels/olx"
	"github.com/chatspot/chatspot/internal/channels/sms"
	"github.com/chatspot/chatspot/internal/channels/telegram"
	"github.com/chatspot/chatspot/internal/channels/webchat"
	"github.com/chatspot/chatspot/internal/channels/whatsappcloud"
	"github.com/chatspot/chatspot/internal/channels/whatsappqr"
	"github.com/chatspot/chatspot/internal/egress"
)

// Config is what the adapters need of the installation.
type Config struct {
	// AllowPrivateURLs lets URLs an account configures (the API channel's
	// outbound URL) reach loopback and private addresses.
	AllowPrivateURLs bool
	// TelegramAPIURL is the Bot API's base URL; "" is Telegram's.
	TelegramAPIURL string
	// MetaGraphURL and MetaGraphVersion address Meta's Graph API; "" is
	// https://graph.facebook.com and meta.DefaultVersion.
	MetaGraphURL, MetaGraphVersion string
	// InstagramGraphURL addresses the Instagram Graph API (Instagram
	// Login); "" is https://graph.instagram.com.
	InstagramGraphURL string
	// InstagramAPIURL is Instagram Login's code exchange host; "" is
	// https://api.instagram.com.
	InstagramAPIURL string
	// GoogleAuthURL, GoogleTokenURL and MicrosoftLoginURL are the e-mail
	// OAuth endpoints; "" are Google's and Microsoft's.
	GoogleAuthURL, GoogleTokenURL, MicrosoftLoginURL string
	// MercadoLivreAPIURL and MercadoLivreAuthURL are Mercado Livre's API
	// and consent screen; "" are Mercado Livre's.
	MercadoLivreAPIURL, MercadoLivreAuthURL string
	// OLXAuthURL and OLXAPIURL are OLX's auth and chat API hosts; "" are
	// OLX's.
	OLXAuthURL, OLXAPIURL string
	// ZenviaAPIURL and TwilioAPIURL are the SMS providers' hosts; "" are
	// theirs. SMSSegmentCents is the price of a segment (0: the default).
	ZenviaAPIURL, TwilioAPIURL string
	SMSSegmentCents            int64
	// EmailTLS is the TLS configuration of IMAP and SMTP connections
	// (tests trust their own certificate); nil is the system's.
	EmailTLS *tls.Config
	// DB is the app database, where WhatsApp (QR code) devices keep their
	// keys; nil in processes that neither pair nor connect (the API).
	DB *gorm.DB
	// WhatsAppDevices replaces the device store (tests); nil: DB's.
	WhatsAppDevices whatsappqr.Devices
}

// Registry returns every built kind's adapter.
func Registry(cfg Config) *channels.Registry {
	return channels.NewRegistry(
		apichannel.New(egress.Client(15*time.Second, cfg.AllowPrivateURLs), cfg.AllowPrivateURLs),
		webchat.Adapter{},
		telegram.Adapter{APIURL: cfg.TelegramAPIURL, HTTP: &http.Client{Timeout: 60 * time.Second}},
		whatsappcloud.Adapter{BaseURL: cfg.MetaGraphURL, Version: cfg.MetaGraphVersion, HTTP: &http.Client{Timeout: 60 * time.Second}},
		&whatsappqr.Adapter{Devices: whatsAppDevices(cfg)},
		&instagram.Adapter{BaseURL: cfg.InstagramGraphURL, APIURL: cfg.InstagramAPIURL, Version: cfg.MetaGraphVersion, HTTP: &http.Client{Timeout: 60 * time.Second}},
		&messenger.Adapter{BaseURL: cfg.MetaGraphURL, Version: cfg.MetaGraphVersion, HTTP: &http.Client{Timeout: 60 * time.Second}},
		&email.Adapter{TLS: cfg.EmailTLS, AllowPrivate: cfg.AllowPrivateURLs, GoogleAuthURL: cfg.GoogleAuthURL, GoogleTokenURL: cfg.GoogleTokenURL, MicrosoftURL: cfg.MicrosoftLoginURL,
			HTTP: &http.Client{Timeout: 30 * time.Second}},
		&mercadolivre.Adapter{APIURL: cfg.MercadoLivreAPIURL, AuthURL: cfg.MercadoLivreAuthURL, HTTP: &http.Client{Timeout: 30 * time.Second}},
		&olx.Adapter{AuthURL: cfg.OLXAuthURL, APIURL: cfg.OLXAPIURL, HTTP: &http.Client{Timeout: 30 * time.Second}},
		&linkedin.Adapter{ExtensionID: extension.LinkedInID()},
		&sms.Adapter{ZenviaURL: cfg.ZenviaAPIURL, TwilioURL: cfg.TwilioAPIURL, SegmentCents: cfg.SMSSegmentCents, HTTP: &http.Client{Timeout: 30 * time.Second}},
	)
}

func whatsAppDevices(cfg Config) whatsappqr.Devices {
	switch {
	case cfg.WhatsAppDevices != nil:
		return cfg.WhatsAppDevices
	case cfg.DB != nil:
		return &whatsappqr.StoreDevices{DB: cfg.DB}
	}
	return nil
}
