package board

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"strings"
	"sync"
	"time"
)

//go:embed board.css
var style string

//go:embed board.js
var script string

//go:embed board.html.tmpl
var page string

// tmpl is parsed when the first board is written, not at every start of
// the binary.
var tmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("board").Funcs(template.FuncMap{
		"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"when":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"slug":    func(s string) string { return strings.ReplaceAll(s, " ", "-") },
		"symbol":  symbol,
		"add":     func(a, b int) int { return a + b },
		"half":    func(a int) int { return a / 2 },
	}).Parse(page))
})

// symbol marks a state with text as well as colour.
func symbol(state string) string {
	switch state {
	case "verified":
		return "✓"
	case "deployed":
		return "●"
	case "failed":
		return "✗"
	case "rolled back":
		return "↺"
	case "deploying", "in progress":
		return "…"
	}
	return "○"
}

// csp is the page's Content-Security-Policy: nothing from anywhere, except
// its own inline style and script, named by their hashes. A browser
// therefore loads nothing from the network even if a name on the page
// tried to make it.
func csp() string {
	return "default-src 'none'; style-src " + hash(style) + "; script-src " + hash(script) + "; img-src data:; base-uri 'none'; form-action 'none'"
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// HTML writes the board as one self-contained page.
func HTML(w io.Writer, b *Board) error {
	return tmpl().Execute(w, struct {
		*Board
		CSP    string
		Style  template.CSS
		Script template.JS
	}{b, csp(), template.CSS(style), template.JS(script)})
}
