package api

import (
	"reflect"
	"sync"

	"github.com/gin-gonic/gin"
)

// ResponseTypes exposes the documented response bodies to the tests.
func ResponseTypes() map[string]any { return responseTypes }

// RequestTypes exposes the documented request bodies to the tests.
func RequestTypes() map[string]any { return requestTypes }

// RecordBinds notes, until stop is called, the type each route decodes
// its JSON body into ("POST /api/v1/..." → type).
func RecordBinds() (seen func() map[string]reflect.Type, stop func()) {
	var mu sync.Mutex
	got := map[string]reflect.Type{}
	bindHook = func(c *gin.Context, v any) {
		mu.Lock()
		defer mu.Unlock()
		got[c.Request.Method+" "+c.FullPath()] = reflect.TypeOf(v).Elem()
	}
	return func() map[string]reflect.Type {
			mu.Lock()
			defer mu.Unlock()
			return got
		}, func() {
			bindHook = nil
		}
}
