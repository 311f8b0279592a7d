// Package notify turns any ordo JSON document (a plan, a verification, a
// rollback, a drill, a report) into a chat message: a Slack Block Kit
// message or a Microsoft Teams Adaptive Card, within each platform's limits,
// and posts it to an incoming webhook (SPEC section 15).
//
// A document becomes a Message first: a title, a status, facts and titled
// lists of plain text. The platforms' renderers (Slack, Teams) escape that
// text for their own markup and cut it to their own limits, so a document
// kind is written once and a platform once. Everything in a Message may come
// from a pull request (service names, versions, check errors, release ids)
// and is treated as hostile by the renderers.
package notify

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/exit"
)

// Status is how a message looks: its emoji on Slack, its colour on Teams.
type Status int

const (
	// Info is a plan or a drill: nothing happened yet.
	Info Status = iota
	// Good is a passed verification or a successful release.
	Good
	// Bad is a tripped breaker, a rollback or a failed release.
	Bad
)

// Message is a document reduced to what a chat message shows.
type Message struct {
	// Title is one line: what happened, where.
	Title  string
	Status Status
	// Facts are short label/value pairs (environment, release, counts).
	Facts []Fact
	// Sections are titled lists; a renderer shows as many items as fit and
	// summarizes the rest with a count.
	Sections []Section
}

// Fact is one label and its value.
type Fact struct{ Label, Value string }

// Section is a titled list of one-line items.
type Section struct {
	Title string
	Items []string
}

// document is one kind of ordo document: its schema and how it becomes a
// Message. Adding a kind adds one entry to documents.
type document struct {
	schema string
	build  func(data []byte) (*Message, error)
}

var documents = []document{
	{"ordo.plan/v1", fromPlan},
	{"ordo.verify/v1", fromVerify},
	{"ordo.rollback/v1", fromRollback},
	{"ordo.drill/v1", fromDrill},
	{"ordo.report/v1", fromReport},
}

// Schemas returns the schemas Decode knows, sorted.
func Schemas() []string {
	out := make([]string, len(documents))
	for i, d := range documents {
		out[i] = d.schema
	}
	slices.Sort(out)
	return out
}

// Decode reads an ordo document and returns its message. name is where the
// document came from, for errors. A document that is not JSON, has no
// schema or one Decode does not know is bad input.
func Decode(name string, data []byte) (*Message, error) {
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, exit.BadInputf("%s: not an ordo JSON document: %v: pass the JSON output of an ordo command (--format json)", name, jsonError(data, err))
	}
	for _, d := range documents {
		if d.schema == head.Schema {
			m, err := d.build(data)
			if err != nil {
				return nil, exit.BadInputf("%s: not a valid %s document: %v", name, d.schema, jsonError(data, err))
			}
			return m, nil
		}
	}
	if head.Schema == "" {
		return nil, exit.BadInputf("%s: the document has no \"schema\": notify knows %s", name, strings.Join(Schemas(), ", "))
	}
	return nil, exit.BadInputf("%s: unknown schema %q: notify knows %s", name, head.Schema, strings.Join(Schemas(), ", "))
}

// jsonError adds the line and column to a JSON syntax or type error.
func jsonError(data []byte, err error) error {
	var off int64
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
	default:
		return err
	}
	line, col := 1, 1
	for _, b := range data[:min(int(off), len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("%d:%d: %w", line, col, err)
}
