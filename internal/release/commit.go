package release

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Commit is one commit message read as a Conventional Commit
// (https://www.conventionalcommits.org/en/v1.0.0/).
type Commit struct {
	SHA string `json:"sha"`
	// Type is lower case ("feat", "fix", ...); empty when the message is not
	// conventional.
	Type  string `json:"type"`
	Scope string `json:"scope"`
	// Subject is the description after "type(scope): ", or the whole first
	// line of a message that is not conventional.
	Subject string `json:"subject"`
	// Body is the text between the subject and the footers.
	Body     string `json:"body,omitempty"`
	Breaking bool   `json:"breaking"`
	// BreakingNote says what broke: the BREAKING CHANGE footer, or the
	// subject when only "!" marks the break.
	BreakingNote string `json:"breaking_note,omitempty"`
	// Trailers are the footers, in order, BREAKING CHANGE and Release-As
	// included; a footer may repeat.
	Trailers []Trailer `json:"trailers"`
	// ReleaseAs is the value of the first Release-As footer, unvalidated.
	ReleaseAs    string `json:"release_as,omitempty"`
	Conventional bool   `json:"conventional"`
	// PR is the pull or merge request the commit came from, read from a
	// "(#123)" suffix of the subject or a merge commit's message; 0 if none.
	PR int `json:"pr,omitempty"`
}

// Trailer is one footer: "Contract: users@3.0.0" or "Fixes #12" (whose value
// keeps its "#"). Continuation lines stay in Value, joined by newlines.
type Trailer struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

const (
	breakingChange       = "BREAKING CHANGE"
	breakingChangeHyphen = "BREAKING-CHANGE"
)

// header is "type(scope)!: subject". release-please's parser allows any
// amount of white space after the colon, none included, and so does this one.
var header = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_-]*)(?:\(([^()\n]*)\))?(!)?:[ \t]*(.*)$`)

// footer is a token and its separator: "Key: value", "Key #value", or
// "Key:" with the value on the lines that follow. Tokens use "-" for spaces,
// except BREAKING CHANGE, which must be upper case (spec items 9, 15, 16).
var footer = regexp.MustCompile(`^(BREAKING CHANGE|[A-Za-z0-9][A-Za-z0-9-]*)(?:(:)(?:[ \t](.*))?| (#.*))$`)

var (
	crlf           = regexp.MustCompile(`\r+\n`)
	prSuffix       = regexp.MustCompile(`\((?:#|!)([0-9]+)\)$`)
	githubMerge    = regexp.MustCompile(`^Merge pull request #([0-9]+) from `)
	gitlabMergeReq = regexp.MustCompile(`(?m)^See merge request \S*!([0-9]+)\s*$`)
)

// ParseMessage reads a commit message. It never fails: a message that is not
// conventional keeps its subject, body and trailers, with Conventional false,
// and never carries a breaking change or a Release-As, so it never causes a
// release (release-please skips such commits the same way).
func ParseMessage(msg string) Commit {
	msg = strings.TrimSpace(crlf.ReplaceAllString(msg, "\n"))
	first, rest, _ := strings.Cut(msg, "\n")
	first = strings.TrimSpace(first)

	c := Commit{Subject: first}
	if m := header.FindStringSubmatchIndex(first); m != nil {
		scoped := m[4] >= 0
		scope := ""
		if scoped {
			scope = strings.TrimSpace(first[m[4]:m[5]])
		}
		subject := strings.TrimSpace(first[m[8]:m[9]])
		// "feat(): x" and "feat: " are not conventional: a scope, when given,
		// and the description are required.
		if subject != "" && (!scoped || scope != "") {
			c = Commit{
				Conventional: true,
				Type:         strings.ToLower(first[m[2]:m[3]]),
				Scope:        scope,
				Breaking:     m[6] >= 0,
				Subject:      subject,
			}
		}
	}

	body, trailers := splitFooters(rest)
	c.Body = body
	c.Trailers = trailers
	c.PR = pullRequest(c.Subject, body)
	if !c.Conventional {
		return c
	}

	var notes []string
	for _, t := range trailers {
		switch {
		case t.Key == breakingChange || t.Key == breakingChangeHyphen:
			c.Breaking = true
			if t.Value != "" {
				notes = append(notes, t.Value)
			}
		case strings.EqualFold(t.Key, "Release-As") && c.ReleaseAs == "":
			c.ReleaseAs = t.Value
		}
	}
	if note, ok := bodyBreakingNote(body); ok {
		// release-please also reads a BREAKING CHANGE paragraph in the body.
		c.Breaking = true
		if len(notes) == 0 && note != "" {
			notes = append(notes, note)
		}
	}
	switch {
	case len(notes) > 0:
		c.BreakingNote = strings.Join(notes, "\n\n")
	case c.Breaking:
		// Spec item 13: with "!" alone, the description says what broke.
		c.BreakingNote = c.Subject
	}
	return c
}

// splitFooters separates the body from the footers. The footers are the
// longest run of trailing paragraphs that each start with a footer token;
// lines of such a paragraph that are not a token continue the footer above
// them (spec item 10: a value ends where the next token starts).
func splitFooters(rest string) (string, []Trailer) {
	lines := strings.Split(rest, "\n")
	// Paragraph starts: the first non-blank line after a blank one.
	start := len(lines) // first line of the footer section
	prevBlank := true
	var starts []int
	for i, l := range lines {
		blank := isBlank(l)
		if !blank && prevBlank {
			starts = append(starts, i)
		}
		prevBlank = blank
	}
	for k := len(starts) - 1; k >= 0; k-- {
		if footerLine(lines[starts[k]]) == nil {
			break
		}
		start = starts[k]
	}
	// Blank lines around the body go, but not the indentation of its first
	// line: it is what keeps an indented "Key: value" line out of the footers.
	bodyLines := lines[:start]
	for len(bodyLines) > 0 && isBlank(bodyLines[0]) {
		bodyLines = bodyLines[1:]
	}
	body := strings.TrimRightFunc(strings.Join(bodyLines, "\n"), unicode.IsSpace)

	var trailers []Trailer
	var value []string
	flush := func() {
		if len(trailers) > 0 {
			trailers[len(trailers)-1].Value = strings.TrimSpace(strings.Join(value, "\n"))
		}
		value = value[:0]
	}
	for _, l := range lines[start:] {
		if isBlank(l) {
			continue
		}
		if m := footerLine(l); m != nil {
			flush()
			key := m[1]
			v := m[3]
			if m[2] == "" { // "Key #value"
				v = m[4]
			}
			trailers = append(trailers, Trailer{Key: key})
			value = append(value, v)
			continue
		}
		// Continuation lines keep their indentation, not trailing blanks.
		value = append(value, strings.TrimRightFunc(l, unicode.IsSpace))
	}
	flush()
	return body, trailers
}

// footerLine matches a footer token line. Trailing white space does not
// count, as it does not in the body, whose end is trimmed.
func footerLine(l string) []string {
	return footer.FindStringSubmatch(strings.TrimRightFunc(l, unicode.IsSpace))
}

// bodyBreakingNote finds a body line that starts with "BREAKING CHANGE:"
// and returns its text after the marker, up to the end of its paragraph.
func bodyBreakingNote(body string) (string, bool) {
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		for _, marker := range []string{breakingChange, breakingChangeHyphen} {
			after, ok := strings.CutPrefix(l, marker+":")
			if !ok || (after != "" && after[0] != ' ' && after[0] != '\t') {
				continue
			}
			note := []string{after}
			for _, more := range lines[i+1:] {
				if isBlank(more) {
					break
				}
				note = append(note, more)
			}
			return strings.TrimSpace(strings.Join(note, "\n")), true
		}
	}
	return "", false
}

// pullRequest reads the pull request number GitHub and GitLab write into
// squash and merge commits.
func pullRequest(subject, body string) int {
	var m []string
	if m = prSuffix.FindStringSubmatch(subject); m == nil {
		if m = githubMerge.FindStringSubmatch(subject); m == nil {
			m = gitlabMergeReq.FindStringSubmatch(body)
		}
	}
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0
	}
	return n
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// bump is the release the commit alone calls for, before the pre-major
// switches: breaking is major, feat minor, fix and perf patch, anything else
// nothing. (A Release-As is handled apart: it sets the version outright.)
func (c Commit) bump() bumpKind {
	switch {
	case !c.Conventional:
		return bumpNone
	case c.Breaking:
		return bumpMajor
	case c.Type == "feat" || c.Type == "feature": // release-please counts both
		return bumpMinor
	case c.Type == "fix" || c.Type == "perf":
		return bumpPatch
	}
	return bumpNone
}
