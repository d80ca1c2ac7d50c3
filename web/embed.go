// Package web holds the agent UI and the webchat widget. The UI's built
// assets (web/dist, made by `make web`) and the widget (plain JavaScript,
// no build) are embedded in the binary so one file serves everything.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

//go:embed widget
var widget embed.FS

// Assets is the built UI, rooted at its index.html. In a checkout where
// the UI was not built it holds only dist/.gitkeep.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory exists
	}
	return sub
}

// Widget holds widget.js, the script a customer's site includes, and
// demo.html, the demo shop page `chatspot dev` serves.
func Widget() fs.FS {
	sub, err := fs.Sub(widget, "widget")
	if err != nil {
		panic(err)
	}
	return sub
}
