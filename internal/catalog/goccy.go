package catalog

import (
	"errors"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// parseGoccy parses src, whose first line is line 1+lineOffset of the file,
// with goccy/go-yaml: all of YAML, and the wording of its syntax errors.
func (d *decoder) parseGoccy(src string, lineOffset int) (*node, bool) {
	tokens := lexer.Tokenize(src)
	for _, t := range tokens {
		t.Position.Line += lineOffset
	}
	if !d.checkDepth(tokens) {
		return nil, false
	}
	f, err := parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		p := Pos{}
		msg := err.Error()
		var se yaml.Error
		if errors.As(err, &se) {
			if t := se.GetToken(); t != nil {
				p = Pos{Line: t.Position.Line, Col: t.Position.Column}
			}
			msg = se.GetMessage()
		}
		d.errorf(p, "syntax", "not valid YAML: %s", msg)
		return nil, false
	}
	var docs []ast.Node
	for _, doc := range f.Docs {
		if doc.Body != nil {
			docs = append(docs, doc.Body)
		}
	}
	switch {
	case len(docs) == 0:
		d.errorf(Pos{}, "empty", "the catalog has no content: start it with `version: 1` and a services: mapping, or run `ordo init`")
		return nil, false
	case len(docs) > 1:
		d.errorf(astPos(docs[1]), "syntax", "the catalog must be a single YAML document: remove the second `---`")
		return nil, false
	}
	return d.fromAST(docs[0]), true
}

// checkDepth runs goccy's tokens through the nesting limits before its
// parser, whose memory grows steeply with them, sees them.
func (d *decoder) checkDepth(tokens token.Tokens) bool {
	var n nesting
	for _, t := range tokens {
		var k nestKind
		switch t.Type {
		case token.CommentType:
			continue
		case token.SequenceStartType, token.MappingStartType:
			k = nestOpen
		case token.SequenceEndType, token.MappingEndType:
			k = nestClose
		case token.SequenceEntryType:
			k = nestEntry
		}
		if !n.see(d, t.Position.Line, t.Position.Column, k) {
			return false
		}
	}
	return true
}

// astPos is where a node of goccy's tree starts: its token, which for a
// block mapping is the first key's `:`.
func astPos(n ast.Node) Pos {
	if n == nil || n.GetToken() == nil {
		return Pos{}
	}
	p := n.GetToken().Position
	return Pos{Line: p.Line, Col: p.Column}
}

// fromAST converts goccy's tree to nodes, resolving tags, anchors and
// aliases on the way. A node an anchor names is converted once and shared,
// so a document of aliases of aliases cannot grow exponentially here.
func (d *decoder) fromAST(n ast.Node) *node {
	n, named := d.resolve(n)
	if n == nil {
		return nil
	}
	if named {
		if c, ok := d.converted[n]; ok {
			if c == nil {
				d.errorf(astPos(n), "syntax", "an alias inside the value it names would never end: write the value out")
			}
			return c
		}
		if d.converted == nil {
			d.converted = map[ast.Node]*node{}
		}
		d.converted[n] = nil // in progress
	}
	out := &node{pos: astPos(n)}
	switch v := n.(type) {
	case *ast.MappingNode:
		out.kind = mappingKind
		for _, mv := range v.Values {
			out.entries = append(out.entries, d.entryFromAST(mv))
		}
	case *ast.MappingValueNode:
		out.kind = mappingKind
		out.entries = []pair{d.entryFromAST(v)}
	case *ast.SequenceNode:
		out.kind = sequenceKind
		for _, e := range v.Values {
			r := d.fromAST(e)
			out.items = append(out.items, item{value: r, pos: posOr(r, astPos(e))})
		}
	default:
		*out = scalarFromAST(n)
	}
	if named {
		d.converted[n] = out
	}
	return out
}

func (d *decoder) entryFromAST(mv *ast.MappingValueNode) pair {
	e := pair{keyPos: astPos(mv.Key), value: d.fromAST(mv.Value)}
	e.valPos = posOr(e.value, e.keyPos)
	if mv.Key != nil && mv.Key.IsMergeKey() {
		e.merge, e.valPos = true, astPos(mv)
	} else if k, _ := d.resolve(mv.Key); k != nil {
		e.key = scalarText(k)
	}
	return e
}

// scalarFromAST is the node of one of goccy's scalars.
func scalarFromAST(n ast.Node) node {
	out := node{pos: astPos(n), text: scalarText(n), kind: stringKind}
	switch v := n.(type) {
	case *ast.NullNode:
		out.kind, out.pos = nullKind, Pos{} // goccy's varies, and nothing reads it
	case *ast.BoolNode:
		out.kind, out.b = boolKind, v.Value
	case *ast.IntegerNode:
		out.kind = intKind
		switch i := v.Value.(type) {
		case int64:
			out.num, out.fits = i, true
		case uint64:
			out.num, out.fits = int64(i), i <= 1<<31
		}
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		out.kind = numberKind
	}
	return out
}

// resolve looks through tags, anchors and aliases to the node that holds
// the value; named is whether an anchor or alias was among them.
func (d *decoder) resolve(n ast.Node) (_ ast.Node, named bool) {
	for depth := 0; n != nil && depth < 100; depth++ {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			if name, ok := v.Name.(*ast.StringNode); ok {
				d.anchors[name.Value] = v.Value
			}
			n, named = v.Value, true
		case *ast.AliasNode:
			name := ""
			if v.Value != nil {
				name = v.Value.GetToken().Value
			}
			target, ok := d.anchors[name]
			if !ok {
				d.errorf(astPos(v), "syntax", "unknown alias %q: define the anchor &%s before using it", name, name)
				return nil, false
			}
			n, named = target, true
		default:
			return n, named
		}
	}
	return n, named
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
