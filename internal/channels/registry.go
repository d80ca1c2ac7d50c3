package channels

import (
	"fmt"
)

// Registry holds the adapter of every kind that is built, and describes
// the kinds that are not built yet.
type Registry struct {
	adapters map[string]Adapter
	order    []string
}

// NewRegistry registers adapters; a kind registered twice panics (it is a
// programming error in the one list).
func NewRegistry(adapters ...Adapter) *Registry {
	r := &Registry{adapters: map[string]Adapter{}}
	for _, a := range adapters {
		name := a.Kind().Name
		if _, dup := r.adapters[name]; dup {
			panic("channels: kind registered twice: " + name)
		}
		r.adapters[name] = a
		r.order = append(r.order, name)
	}
	return r
}

// Adapter returns the adapter of a kind.
func (r *Registry) Adapter(kind string) (Adapter, bool) {
	a, ok := r.adapters[kind]
	return a, ok
}

// Sender returns the sender of a kind, or a permanent error naming the
// kind when it cannot send.
func (r *Registry) Sender(kind string) (Sender, error) {
	if a, ok := r.adapters[kind]; ok {
		return a, nil
	}
	return nil, &PermanentError{Reason: fmt.Sprintf("sending on %s channels is not available yet", kind)}
}

// Capabilities of a kind, built or planned; unknown kinds have none.
func (r *Registry) Capabilities(kind string) Capabilities {
	if a, ok := r.adapters[kind]; ok {
		return a.Kind().Capabilities
	}
	for _, k := range planned {
		if k.Name == kind {
			return k.Capabilities
		}
	}
	return Capabilities{}
}

// KindInfo is a kind as the channel screen lists it.
type KindInfo struct {
	Kind
	Available bool // built: channels of it can be created
}

// Kinds lists the built kinds in registration order, then the planned
// ones.
func (r *Registry) Kinds() []KindInfo {
	var out []KindInfo
	for _, name := range r.order {
		out = append(out, KindInfo{Kind: r.adapters[name].Kind(), Available: true})
	}
	for _, k := range planned {
		if _, built := r.adapters[k.Name]; !built {
			out = append(out, KindInfo{Kind: k})
		}
	}
	return out
}

// planned are the kinds not built yet, with what is known of them, so the
// channel screen can list them as coming and windows apply to any channel
// row that exists of them.
var planned = []Kind{}
