// Package md escapes text for GitHub and GitLab Markdown: step summaries,
// pull and merge request comments, release notes. Much of what ordo writes
// there comes from pull requests (file names, commit subjects, labels), and
// Markdown would let that text hide the rest of a document (<!--), add HTML,
// ping people (@team) or add links. Every Markdown writer of ordo passes
// such text through Text; the package imports nothing of ordo's, so the core
// packages that render their own Markdown (gate, release) can use it too.
package md

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// zwsp is a zero-width space, written as an entity: it keeps "@" from
// starting a mention and "://" from starting a link, and shows nothing.
const zwsp = "&#8203;"

var replacer = strings.NewReplacer(
	// HTML: no tags, no comments, no entities of the text's own. A ">"
	// alone opens nothing (but see Text for one at the start).
	"&", "&amp;", "<", "&lt;",
	// Markdown that takes over what follows: code spans, links and images,
	// table cells, a backslash escaping ordo's escapes. Emphasis (* and _)
	// is left alone: it hides nothing, and names are full of _.
	`\`, `\\`, "`", "\\`", "[", `\[`, "]", `\]`, "|", `\|`,
	"\n", "<br>",
	"\t", " ",
)

// autolink is where GitHub's and GitLab's Markdown starts a link by itself.
var autolink = regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.-]*)(:)(//)|\b(www)(\.)`)

// mention is an @ that starts a mention (@user, @org/team): one that no
// letter, digit or _ comes right before ("users@3.0.0" is none).
var mention = regexp.MustCompile(`(^|[^A-Za-z0-9_])@`)

// Text escapes s so that it shows as the same plain text wherever inline
// Markdown goes: a paragraph, a list item, a table cell, a heading. A line
// break becomes <br>; other control characters (\r among them) and invalid
// UTF-8 make the text shown Go-quoted, so that nothing in it is invisible.
func Text(s string) string {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
		return r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029')
	}) {
		s = strconv.Quote(s)
	}
	s = replacer.Replace(s)
	if strings.HasPrefix(s, ">") || strings.HasPrefix(s, "#") {
		s = `\` + s // a quote or a heading where the text starts a line
	}
	s = mention.ReplaceAllString(s, "${1}@"+zwsp)
	return autolink.ReplaceAllStringFunc(s, func(m string) string {
		if i := strings.Index(m, ":"); i >= 0 {
			return m[:i+1] + zwsp + m[i+1:]
		}
		return m[:3] + zwsp + m[3:]
	})
}

// Code writes s as inline code: literal (no HTML, mentions or links are read
// in code), in a run of backticks longer than any in s. Control characters
// make s shown Go-quoted, and | is escaped as GitHub tables need even in code.
func Code(s string) string {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		s = strconv.Quote(s)
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || s == "" {
		s = " " + s + " "
	}
	return fence + s + fence
}
