package api

// ResponseTypes exposes the documented response bodies to the tests.
func ResponseTypes() map[string]any { return responseTypes }
