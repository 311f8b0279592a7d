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

	releaseTagPos Pos // where release.tag is written, if it is

	// chunked holds the services of a catalog parsed in chunks, each
	// chunk's already decoded (see chunk.go); nil otherwise.
	chunked     []*Service
	constraints map[string]*semver.Constraints // see constraint

	chunking  bool // whether parseRoot may chunk
	slowParse bool // tests: always goccy's parser, never fastParse
}

func (d *decoder) pos(n ast.Node) Pos {
	if n == nil || n.GetToken() == nil {
		return Pos{}
	}
	p := n.GetToken().Position
	return Pos{Line: p.Line, Col: p.Column}
}

func (d *decoder) errorf(p Pos, rule, format string, args ...any) {
	d.diags = append(d.diags, diag.Diagnostic{
		File: d.file, Line: p.Line, Col: p.Col, Rule: rule,
		Message: fmt.Sprintf(format, args...),
	})
}

// resolve looks through tags, anchors and aliases to the node that holds the value.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for depth := 0; n != nil && depth < 100; depth++ {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			if name, ok := v.Name.(*ast.StringNode); ok {
				d.anchors[name.Value] = v.Value
			}
			n = v.Value
		case *ast.AliasNode:
			name := ""
			if v.Value != nil {
				name = v.Value.GetToken().Value
			}
			target, ok := d.anchors[name]
			if !ok {
				d.errorf(d.pos(v), "syntax", "unknown alias %q: define the anchor &%s before using it", name, name)
				return nil
			}
			n = target
		default:
			return n
		}
	}
	return n
}

// typeName names a node's type the way a user thinks of YAML values.
func typeName(n ast.Node) string {
	switch n.(type) {
	case nil, *ast.NullNode:
		return "null"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "mapping"
	case *ast.SequenceNode:
		return "sequence"
	case *ast.BoolNode:
		return "boolean"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "number"
	default:
		return "string"
	}
}

// pair is one key: value of a mapping.
type pair struct {
	key    string
	keyPos Pos
	value  ast.Node // resolved; nil for an empty value
	valPos Pos
}

// mapping returns the pairs of a mapping node, reporting a type error for
// anything else. A null value is an empty mapping. Keys that appear twice are
// reported once each and only their first value is kept.
func (d *decoder) mapping(n ast.Node, at Pos, what string) ([]pair, bool) {
	n = d.resolve(n)
	var values []*ast.MappingValueNode
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return nil, true
	case *ast.MappingNode:
		values = v.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{v}
	default:
		d.errorf(d.posOr(n, at), "type", "%s must be a mapping, not a %s", what, typeName(n))
		return nil, false
	}
	pairs := make([]pair, 0, len(values))
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
			seen = make(map[string]bool, len(values))
			for _, q := range pairs {
				seen[q.key] = true
			}
		} else if seen != nil {
			seen[p.key] = true
		}
	}
	for _, mv := range values {
		if mv.Key != nil && mv.Key.IsMergeKey() {
			merged, _ := d.mapping(mv.Value, d.pos(mv), what)
			for _, p := range merged {
				if !has(p.key) {
					add(p)
				}
			}
			continue
		}
		key, keyNode := "", d.resolve(mv.Key)
		if keyNode != nil {
			key = scalarText(keyNode)
		}
		kp := d.pos(mv.Key)
		if has(key) {
			d.errorf(kp, "duplicate", "%s has %q twice: keep one (duplicate names are not allowed)", what, key)
			continue
		}
		val := d.resolve(mv.Value)
		add(pair{key: key, keyPos: kp, value: val, valPos: d.posOr(val, kp)})
	}
	return pairs, true
}

// posOr is the position of n, or at when n has none (an empty value).
func (d *decoder) posOr(n ast.Node, at Pos) Pos {
	if _, null := n.(*ast.NullNode); n == nil || null {
		return at
	}
	if p := d.pos(n); p.Line > 0 {
		return p
	}
	return at
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

// scalarText is the text of a scalar node as written (without quotes).
func scalarText(n ast.Node) string {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value
	case *ast.LiteralNode:
		if v.Value != nil {
			return v.Value.Value
		}
		return ""
	case *ast.NullNode:
		return ""
	default:
		if t := n.GetToken(); t != nil {
			return t.Value
		}
		return ""
	}
}

func isScalar(n ast.Node) bool {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode, nil:
		return false
	}
	return true
}

// str returns a string value. Numbers and booleans are rejected so that
// `tag: 1.0` or `lock: yes` do not silently change meaning.
func (d *decoder) str(p pair, what string) (string, bool) {
	switch p.value.(type) {
	case *ast.StringNode, *ast.LiteralNode:
		return scalarText(p.value), true
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

// text returns any scalar as its text (for free-form values such as with:).
func (d *decoder) text(p pair, what string) (string, bool) {
	if p.value == nil || !isScalar(p.value) {
		d.errorf(p.valPos, "type", "%s must be a string, number or boolean, not a %s", what, typeName(p.value))
		return "", false
	}
	if _, null := p.value.(*ast.NullNode); null {
		d.errorf(p.valPos, "type", "%s must be a string, number or boolean, not null", what)
		return "", false
	}
	return scalarText(p.value), true
}

func (d *decoder) boolean(p pair, what string) (bool, bool) {
	b, ok := p.value.(*ast.BoolNode)
	if !ok {
		d.errorf(p.valPos, "type", "%s must be true or false, not a %s", what, typeName(p.value))
		return false, false
	}
	return b.Value, true
}

func (d *decoder) integer(p pair, what string) (int, bool) {
	i, ok := p.value.(*ast.IntegerNode)
	if ok {
		switch v := i.Value.(type) {
		case int64:
			return int(v), true
		case uint64:
			if v <= 1<<31 {
				return int(v), true
			}
		}
	}
	d.errorf(p.valPos, "type", "%s must be a whole number, not a %s", what, typeName(p.value))
	return 0, false
}

// item is one element of a sequence.
type item struct {
	value ast.Node
	pos   Pos
}

// sequence returns the items of a sequence node. A null value is empty.
func (d *decoder) sequence(n ast.Node, at Pos, what string) ([]item, bool) {
	n = d.resolve(n)
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return nil, true
	case *ast.SequenceNode:
		items := make([]item, 0, len(v.Values))
		for _, e := range v.Values {
			r := d.resolve(e)
			items = append(items, item{value: r, pos: d.posOr(r, d.pos(e))})
		}
		return items, true
	}
	d.errorf(d.posOr(n, at), "type", "%s must be a list, not a %s", what, typeName(n))
	return nil, false
}

// strings returns a list of strings.
func (d *decoder) strings(p pair, what string) ([]string, []Pos) {
	items, _ := d.sequence(p.value, p.valPos, what)
	var out []string
	var pos []Pos
	for _, it := range items {
		switch it.value.(type) {
		case *ast.StringNode, *ast.LiteralNode:
			out = append(out, scalarText(it.value))
			pos = append(pos, it.pos)
		default:
			d.errorf(it.pos, "type", "each item of %s must be a string, not a %s", what, typeName(it.value))
		}
	}
	return out, pos
}

// duration reads a Go duration written as a string (`30m`, `2h`, `200ms`).
// A bare number is rejected: `soak: 30` would silently mean nanoseconds.
func (d *decoder) duration(p pair, what string) (time.Duration, bool) {
	s, ok := p.value.(*ast.StringNode)
	if !ok {
		d.errorf(p.valPos, "duration", "%s must be a Go duration such as 30s, 10m or 2h, not a %s", what, typeName(p.value))
		return 0, false
	}
	v, err := time.ParseDuration(s.Value)
	if err != nil {
		d.errorf(p.valPos, "duration", "%s: %q is not a Go duration: write a number with a unit (ms, s, m, h), e.g. 30s, 10m or 1h30m", what, s.Value)
		return 0, false
	}
	if v < 0 {
		d.errorf(p.valPos, "duration", "%s must not be negative, not %q", what, s.Value)
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
