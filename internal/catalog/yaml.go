package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/goccy/go-yaml/ast"

	"github.com/ordo-ci/ordo/internal/diag"
)

// decoder walks the YAML syntax tree by hand instead of unmarshalling into
// structs, so that it can report every problem at once, each with its
// position, rather than stopping at the first.
type decoder struct {
	file    string
	diags   diag.List
	anchors map[string]ast.Node
	// converted holds the nodes that anchors name (goccy.go); nil while
	// one is being converted.
	converted map[ast.Node]*node

	releaseTagPos Pos // where release.tag is written, if it is

	// chunked holds the services of a catalog parsed in chunks, each
	// chunk's already decoded (see chunk.go); nil otherwise.
	chunked     []*Service
	constraints map[string]*semver.Constraints // see constraint

	arena     *arena // for fastParse; nil: a new one each time
	chunking  bool   // whether parseRoot may chunk
	slowParse bool   // tests: always goccy's parser, never fastParse
}

func (d *decoder) errorf(p Pos, rule, format string, args ...any) {
	d.diags = append(d.diags, diag.Diagnostic{
		File: d.file, Line: p.Line, Col: p.Col, Rule: rule,
		Message: fmt.Sprintf(format, args...),
	})
}

// pair is one key: value of a mapping.
// mapping returns the pairs of a mapping node, reporting a type error for
// anything else. A null value is an empty mapping. Keys that appear twice are
// reported once each and only their first value is kept.
func (d *decoder) mapping(n *node, at Pos, what string) ([]pair, bool) {
	switch {
	case n.is(nullKind):
		return nil, true
	case n.kind != mappingKind:
		d.errorf(posOr(n, at), "type", "%s must be a mapping, not a %s", what, typeName(n))
		return nil, false
	}
	if plainKeys(n.entries) {
		return n.entries, true // most mappings: nothing to merge or drop
	}
	pairs := make([]pair, 0, len(n.entries))
	var seen map[string]bool // the keys in pairs, once there are many
	has := func(key string) bool {
		if seen != nil {
			return seen[key]
		}
		for _, p := range pairs {
			if p.key == key {
				return true
			}
		}
		return false
	}
	add := func(p pair) {
		pairs = append(pairs, p)
		if seen == nil && len(pairs) > 16 {
			seen = make(map[string]bool, len(n.entries))
			for _, q := range pairs {
				seen[q.key] = true
			}
		} else if seen != nil {
			seen[p.key] = true
		}
	}
	// The mapping's own keys first: a key written beside `<<: *base`
	// overrides the one merged in (YAML's merge key), and is no duplicate.
	for _, e := range n.entries {
		if e.merge {
			continue
		}
		if has(e.key) {
			d.errorf(e.keyPos, "duplicate", "%s has %q twice: keep one (duplicate names are not allowed)", what, e.key)
			continue
		}
		add(e)
	}
	for _, e := range n.entries {
		if !e.merge {
			continue
		}
		merged, _ := d.mapping(e.value, e.valPos, what)
		for _, p := range merged {
			if !has(p.key) {
				add(p)
			}
		}
	}
	return pairs, true
}

// plainKeys reports whether pairs has no merge key and no key twice.
func plainKeys(pairs []pair) bool {
	if len(pairs) > 16 {
		seen := make(map[string]bool, len(pairs))
		for _, p := range pairs {
			if p.merge || seen[p.key] {
				return false
			}
			seen[p.key] = true
		}
		return true
	}
	for i, p := range pairs {
		if p.merge {
			return false
		}
		for _, q := range pairs[:i] {
			if q.key == p.key {
				return false
			}
		}
	}
	return true
}

// fields dispatches each pair of a mapping to the handler for its key and
// reports keys that have none, listing the valid ones.
func (d *decoder) fields(pairs []pair, what string, handlers map[string]func(pair)) {
	for _, p := range pairs {
		h, ok := handlers[p.key]
		if !ok {
			keys := make([]string, 0, len(handlers))
			for k := range handlers {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			d.unknownKey(p, what, keys)
			continue
		}
		h(p)
	}
}

// unknownKey reports a key that is not one of keys (sorted), with the
// closest as a hint, else the list.
func (d *decoder) unknownKey(p pair, what string, keys []string) {
	hint := "valid keys are " + strings.Join(keys, ", ")
	for _, k := range keys {
		if levenshtein(p.key, k) <= 2 {
			hint = fmt.Sprintf("did you mean %q?", k)
			break
		}
	}
	d.errorf(p.keyPos, "unknown-key", "unknown key %q in %s: %s", p.key, what, hint)
}

// str returns a string value. Numbers and booleans are rejected so that
// `tag: 1.0` or `lock: yes` do not silently change meaning.
func (d *decoder) str(p pair, what string) (string, bool) {
	if p.value.is(stringKind) {
		return p.value.text, true
	}
	d.errorf(p.valPos, "type", "%s must be a string, not a %s", what, typeName(p.value))
	return "", false
}

// enum returns a string that must be one of choices, reporting anything else
// with the choices listed.
func (d *decoder) enum(p pair, what string, choices ...string) (string, bool) {
	v, ok := d.str(p, what)
	if !ok {
		return "", false
	}
	if slices.Contains(choices, v) {
		return v, true
	}
	list := strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
	d.errorf(p.valPos, "enum", "unknown %s %q: use %s", what, v, list)
	return "", false
}

// scalarValue is what text accepts, without building the words of an
// error that hot loops (with:, consumes:) only need when there is one.
func scalarValue(n *node) (string, bool) {
	if !isScalar(n) || n.is(nullKind) {
		return "", false
	}
	return n.text, true
}

// text returns any scalar as its text (for free-form values such as with:).
func (d *decoder) text(p pair, what string) (string, bool) {
	if !isScalar(p.value) {
		d.errorf(p.valPos, "type", "%s must be a string, number or boolean, not a %s", what, typeName(p.value))
		return "", false
	}
	if p.value.is(nullKind) {
		d.errorf(p.valPos, "type", "%s must be a string, number or boolean, not null", what)
		return "", false
	}
	return p.value.text, true
}

func (d *decoder) boolean(p pair, what string) (bool, bool) {
	if !p.value.is(boolKind) {
		d.errorf(p.valPos, "type", "%s must be true or false, not a %s", what, typeName(p.value))
		return false, false
	}
	return p.value.b, true
}

func (d *decoder) integer(p pair, what string) (int, bool) {
	if p.value.is(intKind) && p.value.fits {
		return int(p.value.num), true
	}
	d.errorf(p.valPos, "type", "%s must be a whole number, not a %s", what, typeName(p.value))
	return 0, false
}

// sequence returns the items of a sequence node. A null value is empty.
func (d *decoder) sequence(n *node, at Pos, what string) ([]item, bool) {
	switch {
	case n.is(nullKind):
		return nil, true
	case n.kind == sequenceKind:
		return n.items, true
	}
	d.errorf(posOr(n, at), "type", "%s must be a list, not a %s", what, typeName(n))
	return nil, false
}

// strings returns a list of strings.
func (d *decoder) strings(p pair, what string) ([]string, []Pos) {
	items, _ := d.sequence(p.value, p.valPos, what)
	var out []string
	var pos []Pos
	for _, it := range items {
		if it.value.is(stringKind) {
			out = append(out, it.value.text)
			pos = append(pos, it.pos)
		} else {
			d.errorf(it.pos, "type", "each item of %s must be a string, not a %s", what, typeName(it.value))
		}
	}
	return out, pos
}

// duration reads a Go duration written as a string (`30m`, `2h`, `200ms`).
// A bare number is rejected: `soak: 30` would silently mean nanoseconds.
func (d *decoder) duration(p pair, what string) (time.Duration, bool) {
	if !p.value.is(stringKind) {
		d.errorf(p.valPos, "duration", "%s must be a Go duration such as 30s, 10m or 2h, not a %s", what, typeName(p.value))
		return 0, false
	}
	s := p.value.text
	v, err := time.ParseDuration(s)
	if err != nil {
		d.errorf(p.valPos, "duration", "%s: %q is not a Go duration: write a number with a unit (ms, s, m, h), e.g. 30s, 10m or 1h30m", what, s)
		return 0, false
	}
	if v < 0 {
		d.errorf(p.valPos, "duration", "%s must not be negative, not %q", what, s)
		return 0, false
	}
	return v, true
}

// names reads a list of names (environments, checks), reporting names that
// appear twice. An explicit empty list comes back non-nil, so callers can
// tell `checks: []` (none) from no checks: key at all.
func (d *decoder) names(p pair, what string) ([]string, []Pos) {
	list, pos := d.strings(p, what)
	if list == nil {
		list = []string{}
	}
	seen := make(map[string]bool, len(list))
	outList, outPos := list[:0:0], pos[:0:0]
	for i, n := range list {
		if seen[n] {
			d.errorf(pos[i], "duplicate", "%s lists %q twice: keep one", what, n)
			continue
		}
		seen[n] = true
		outList, outPos = append(outList, n), append(outPos, pos[i])
	}
	return outList, outPos
}
