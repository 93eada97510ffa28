// Package web holds the HTML templates and static assets of Sandbank's own
// pages: the providers' hosted bank lists and the fake banks' SCA journeys
// (DESIGN.md §5). They are embedded so the binary, the Docker image and an
// in-process emulator inside a Go test all serve the same pages.
package web

import (
	"embed"
	"html/template"
	"io/fs"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static/*
var static embed.FS

// Templates parses every page template. Each page is named by its file name
// ("login.html", ...); base.html defines the shared "head", "foot" and
// "alert" blocks. It is meant to be called once at start-up, so a broken
// template stops Sandbank from starting rather than failing one request.
func Templates() (*template.Template, error) {
	// missingkey=error makes a page that asks for data it was not given fail
	// loudly in tests instead of printing "<no value>".
	return template.New("web").Option("missingkey=error").ParseFS(templates, "templates/*.html")
}

// Static is the tree of static assets (style.css), rooted so that
// "style.css" names the file.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// fs.Sub fails only for an invalid path name, and "static" is valid.
		panic(err)
	}
	return sub
}
