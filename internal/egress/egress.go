// Package egress is how CHATSPOT calls URLs its customers configure
// (webhook endpoints, API channel deliveries, rules' webhook actions).
// Those URLs are chosen by account admins, so by default they may not
// reach the machine CHATSPOT runs on or its private network: a webhook
// pointed at 127.0.0.1, 10.x or the cloud metadata address would
// otherwise let an account probe the inside of the deployment (SSRF).
//
// The check is made twice: when the URL is saved (a clear error for the
// admin) and when the connection is dialled, on the address actually
// resolved, so DNS names that resolve inside and redirects are refused
// too.
package egress

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrPrivate is the refusal of an address inside the deployment.
var ErrPrivate = errors.New("the address is loopback, private or link-local; CHATSPOT does not call its own network (set CHATSPOT_ALLOW_PRIVATE_URLS=true to allow it)")

// cgnat is the carrier-grade NAT range, private in practice.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Private reports whether ip is an address an account's URL may not reach.
func Private(ip netip.Addr) bool {
	ip = ip.Unmap()
	return !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() || cgnat.Contains(ip)
}

// CheckURL validates a customer's URL when it is saved: http or https,
// with a host, and (unless allowPrivate) not naming a private address or
// localhost literally. Names are checked again when dialled.
func CheckURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return errors.New("must be an http(s) URL")
	}
	if u.User != nil {
		return errors.New("must not carry a user or password; the request is signed instead")
	}
	if allowPrivate {
		return nil
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return ErrPrivate
	}
	if ip, err := netip.ParseAddr(host); err == nil && Private(ip) {
		return ErrPrivate
	}
	return nil
}

// Client returns an HTTP client for customers' URLs. Unless allowPrivate,
// its connections to private addresses fail with ErrPrivate, whatever the
// name or redirect that led there, and it uses no proxy (a proxy would
// dial on its behalf, unchecked).
func Client(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if !allowPrivate {
		dialer.Control = refusePrivate
		transport.Proxy = nil
	}
	transport.DialContext = dialer.DialContext
	return &http.Client{Timeout: timeout, Transport: transport}
}

// Dialer returns a dialer for servers a customer names (an e-mail
// account's IMAP and SMTP hosts): unless allowPrivate, its connections to
// private addresses fail with ErrPrivate, whatever name led there.
func Dialer(timeout time.Duration, allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = refusePrivate
	}
	return d
}

// refusePrivate runs after name resolution, on the address about to be
// connected.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("egress: unexpected address %q: %w", address, err)
	}
	if Private(ap.Addr()) {
		return fmt.Errorf("%s: %w", ap.Addr(), ErrPrivate)
	}
	return nil
}
