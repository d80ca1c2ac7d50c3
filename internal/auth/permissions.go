package auth

import (
	"slices"
	"strings"
)

// Permission is one thing a profile or API token may do.
type Permission string

// The permissions. Seeing conversations has three scopes; a profile holds
// the widest it needs.
const (
	ViewAllConversations      Permission = "conversations:view:all"
	ViewTeamConversations     Permission = "conversations:view:team"
	ViewAssignedConversations Permission = "conversations:view:assigned"
	Reply                     Permission = "conversations:reply"
	AssignConversations       Permission = "conversations:assign"
	CloseConversations        Permission = "conversations:close"
	ManageChannels            Permission = "channels:manage"
	ManageUsers               Permission = "users:manage"
	ManageRules               Permission = "rules:manage"
	ViewCRM                   Permission = "crm:view"
	EditCRM                   Permission = "crm:edit"
	ManagePipelines           Permission = "crm:pipelines"
	ManageAPITokens           Permission = "api:tokens"
	ViewReports               Permission = "reports:view"
	ViewOperations            Permission = "operations:view"
	// ManageBilling: see the prepaid balance and its statement, recharge
	// it by Pix, set the low-balance alert.
	ManageBilling Permission = "billing:manage"
)

// All lists every permission, in the order the admin UI shows them.
var All = []Permission{
	ViewAllConversations, ViewTeamConversations, ViewAssignedConversations, Reply, AssignConversations,
	CloseConversations, ManageChannels, ManageUsers, ManageRules, ViewCRM, EditCRM, ManagePipelines,
	ManageAPITokens, ViewReports, ViewOperations, ManageBilling,
}

// Built-in profile keys.
const (
	ProfileAdmin   = "admin"
	ProfileManager = "manager"
	ProfileAgent   = "agent"
)

// BuiltinProfiles are created with every account. Admin always holds every
// permission, so an account can never lock itself out; Manager and Agent
// start with these and can be edited.
var BuiltinProfiles = []struct {
	Key, Name string
	Perms     []Permission
}{
	{ProfileAdmin, "Admin", nil},
	{ProfileManager, "Manager", []Permission{ViewAllConversations, Reply, AssignConversations, CloseConversations,
		ManageChannels, ManageRules, ViewCRM, EditCRM, ManagePipelines, ViewReports, ViewOperations}},
	{ProfileAgent, "Agent", []Permission{ViewTeamConversations, Reply, CloseConversations, ViewCRM, EditCRM}},
}

// Set is a parsed permission list.
type Set struct {
	all   bool
	perms []Permission
}

// ParseSet reads a stored comma-separated list; "*" means every permission.
func ParseSet(s string) Set {
	if strings.TrimSpace(s) == "*" {
		return Set{all: true}
	}
	var out Set
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out.perms = append(out.perms, Permission(p))
		}
	}
	return out
}

// AllSet holds every permission.
func AllSet() Set { return Set{all: true} }

// Has reports whether the set grants p. A wider conversation scope implies
// the narrower ones.
func (s Set) Has(p Permission) bool {
	if s.all || slices.Contains(s.perms, p) {
		return true
	}
	switch p {
	case ViewTeamConversations:
		return s.Has(ViewAllConversations)
	case ViewAssignedConversations:
		return s.Has(ViewTeamConversations)
	}
	return false
}

// List returns the permissions granted, expanded.
func (s Set) List() []string {
	var out []string
	for _, p := range All {
		if s.Has(p) {
			out = append(out, string(p))
		}
	}
	return out
}

// Intersect keeps what both sets grant: an API token never exceeds its
// creator's permissions.
func (s Set) Intersect(o Set) Set {
	if s.all {
		return o
	}
	var out Set
	for _, p := range All {
		if s.Has(p) && o.Has(p) {
			out.perms = append(out.perms, p)
		}
	}
	return out
}

// String is the stored form.
func (s Set) String() string {
	if s.all {
		return "*"
	}
	parts := make([]string, len(s.perms))
	for i, p := range s.perms {
		parts[i] = string(p)
	}
	return strings.Join(parts, ",")
}

// Validate returns the first unknown permission name in names, or "".
func Validate(names []string) string {
	for _, n := range names {
		if !slices.Contains(All, Permission(n)) {
			return n
		}
	}
	return ""
}

// FromNames builds a set from validated names.
func FromNames(names []string) Set {
	var out Set
	for _, n := range names {
		out.perms = append(out.perms, Permission(n))
	}
	return out
}
