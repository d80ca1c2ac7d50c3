// Package workflows holds CHATSPOT's workflow definitions: deterministic
// code only. Side effects live in package activities.
package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// TaskQueue is the queue every CHATSPOT workflow and activity runs on.
const TaskQueue = "chatspot"

// Custom search attributes, so operators can find a tenant's or a
// contact's workflows in the Temporal UI.
var (
	AccountIDKey          = temporal.NewSearchAttributeKeyKeyword("ChatspotAccountId")
	ChannelIDKey          = temporal.NewSearchAttributeKeyKeyword("ChatspotChannelId")
	ContactIDKey          = temporal.NewSearchAttributeKeyKeyword("ChatspotContactId")
	ConversationStatusKey = temporal.NewSearchAttributeKeyKeyword("ChatspotConversationStatus")
)

// SearchAttributes lists the custom search attributes to register on the
// namespace at start-up.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	out := map[string]enumspb.IndexedValueType{}
	for _, k := range []temporal.SearchAttributeKey{AccountIDKey, ChannelIDKey, ContactIDKey, ConversationStatusKey} {
		out[k.GetName()] = k.GetValueType()
	}
	return out
}
