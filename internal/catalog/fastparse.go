package catalog

import (
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// fastParse builds the syntax tree of the plain YAML most catalogs are
// written in — block mappings and sequences, flow collections of scalars,
// comments — straight from the lexer's tokens, with the nodes goccy/go-yaml's
// parser would make (same types, same tokens, so the same positions). On a
// 4,000-service catalog goccy's parser was half of the time to read it. The
// lexer still decides what every scalar is. Anything else (anchors, aliases,
// tags, block scalars, explicit keys, documents, and every syntax error)
// returns false, and the caller hands the tokens to goccy's parser, which
// also words the errors. Tests parse every catalog under testdata both ways.
func fastParse(tokens token.Tokens) (ast.Node, bool) {
	toks := make([]*token.Token, 0, len(tokens))
	for _, t := range tokens {
		switch t.Type {
		case token.CommentType:
			continue
		case token.AnchorType, token.AliasType, token.TagType, token.LiteralType, token.FoldedType,
			token.MappingKeyType, token.MergeKeyType, token.DirectiveType, token.DocumentHeaderType,
			token.DocumentEndType, token.ImplicitNullType, token.InvalidType, token.UnknownType:
			return nil, false
		}
		toks = append(toks, t)
	}
	if len(toks) == 0 {
		return nil, false
	}
	p := &fastParser{toks: toks}
	first := p.peek()
	if !p.isKey(0) || first.Position.Column != 1 {
		return nil, false
	}
	root, ok := p.blockMapping(1)
	if !ok || p.i != len(p.toks) {
		return nil, false
	}
	return root, true
}

type fastParser struct {
	toks []*token.Token
	i    int

	strings slab[ast.StringNode]
	bases   slab[ast.BaseNode]
}

// str is ast.String(t), its node and BaseNode from blocks.
func (p *fastParser) str(t *token.Token) *ast.StringNode {
	n := p.strings.next()
	*n = ast.StringNode{BaseNode: p.bases.next(), Token: t, Value: t.Value}
	return n
}

func (p *fastParser) peek() *token.Token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return nil
}

func (p *fastParser) peekAt(k int) *token.Token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return nil
}

func isScalarToken(t *token.Token) bool {
	switch t.Type {
	case token.StringType, token.SingleQuoteType, token.DoubleQuoteType,
		token.IntegerType, token.BinaryIntegerType, token.OctetIntegerType, token.HexIntegerType,
		token.FloatType, token.BoolType, token.NullType, token.InfinityType, token.NanType:
		return true
	}
	return false
}

// isKey reports whether the token k ahead starts `key:` on one line.
func (p *fastParser) isKey(k int) bool {
	t, colon := p.peekAt(k), p.peekAt(k+1)
	return t != nil && colon != nil && isKeyScalar(t) && colon.Type == token.MappingValueType &&
		colon.Position.Line == t.Position.Line
}

func isKeyScalar(t *token.Token) bool {
	switch t.Type {
	case token.StringType, token.SingleQuoteType, token.DoubleQuoteType:
		return true
	}
	return false
}

func (p *fastParser) scalarNode(t *token.Token) ast.Node {
	switch t.Type {
	case token.NullType:
		return ast.Null(t)
	case token.BoolType:
		return ast.Bool(t)
	case token.IntegerType, token.BinaryIntegerType, token.OctetIntegerType, token.HexIntegerType:
		return ast.Integer(t)
	case token.FloatType:
		return ast.Float(t)
	case token.InfinityType:
		return ast.Infinity(t)
	case token.NanType:
		return ast.Nan(t)
	}
	return p.str(t)
}

// blockMapping reads `key: value` entries whose keys start at column col.
func (p *fastParser) blockMapping(col int) (*ast.MappingNode, bool) {
	var m *ast.MappingNode
	for {
		t := p.peek()
		if t == nil || t.Position.Column < col {
			break
		}
		if t.Position.Column > col || !p.isKey(0) {
			return nil, false
		}
		keyTok, colon := t, p.peekAt(1)
		p.i += 2
		value, ok := p.blockValue(col, colon)
		if !ok {
			return nil, false
		}
		mv := ast.MappingValue(colon, p.str(keyTok), value)
		if m == nil {
			m = ast.Mapping(colon, false, mv)
		} else {
			m.Values = append(m.Values, mv)
		}
	}
	return m, m != nil
}

// blockValue reads what follows `key:` (at column col, colon on its line):
// a scalar or flow collection on the same line, a block collection below,
// or nothing (null).
func (p *fastParser) blockValue(col int, colon *token.Token) (ast.Node, bool) {
	t := p.peek()
	switch {
	case t == nil:
		return ast.Null(colon), true
	case t.Position.Line == colon.Position.Line:
		v, ok := p.flowNode()
		if !ok {
			return nil, false
		}
		if n := p.peek(); n != nil && n.Position.Line == t.Position.Line {
			return nil, false // `a: b: c`, `a: b c` and the like: goccy decides
		}
		return v, true
	case t.Type == token.SequenceEntryType && t.Position.Column >= col:
		return p.blockSequence(t.Position.Column)
	case t.Position.Column > col && p.isKey(0):
		return p.blockMapping(t.Position.Column)
	case t.Position.Column > col:
		return nil, false // a scalar on the next line
	}
	// An empty value: goccy makes a null node (never a nil value), which
	// decoding places at its key.
	return ast.Null(colon), true
}

// blockSequence reads `- item` entries whose dashes are at column col.
func (p *fastParser) blockSequence(col int) (*ast.SequenceNode, bool) {
	var s *ast.SequenceNode
	for {
		t := p.peek()
		if t == nil || t.Position.Column < col {
			break
		}
		if t.Position.Column > col {
			return nil, false
		}
		if t.Type != token.SequenceEntryType {
			break // the next key of the mapping this sequence is the value of
		}
		if s == nil {
			s = ast.Sequence(t, false)
		}
		p.i++
		n := p.peek()
		if n == nil || n.Position.Line != t.Position.Line || p.isKey(0) {
			return nil, false // empty items and nested blocks: goccy decides
		}
		v, ok := p.flowNode()
		if !ok {
			return nil, false
		}
		if after := p.peek(); after != nil && after.Position.Line == n.Position.Line {
			return nil, false
		}
		s.Values = append(s.Values, v)
	}
	return s, s != nil
}

// flowNode reads a scalar, [ ... ] or { ... }.
func (p *fastParser) flowNode() (ast.Node, bool) {
	t := p.peek()
	if t == nil {
		return nil, false
	}
	switch {
	case isScalarToken(t):
		p.i++
		return p.scalarNode(t), true
	case t.Type == token.SequenceStartType:
		p.i++
		s := ast.Sequence(t, true)
		for !p.at(token.SequenceEndType) {
			if len(s.Values) > 0 && !p.take(token.CollectEntryType) {
				return nil, false
			}
			if p.at(token.SequenceEndType) || p.at(token.CollectEntryType) || p.isKey(0) {
				return nil, false // trailing commas, empty items, pairs: goccy decides
			}
			v, ok := p.flowNode()
			if !ok {
				return nil, false
			}
			s.Values = append(s.Values, v)
		}
		s.End = p.peek()
		p.i++
		return s, true
	case t.Type == token.MappingStartType:
		p.i++
		m := ast.Mapping(t, true)
		for !p.at(token.MappingEndType) {
			if len(m.Values) > 0 && !p.take(token.CollectEntryType) {
				return nil, false
			}
			if !p.isKey(0) {
				return nil, false
			}
			keyTok, colon := p.peek(), p.peekAt(1)
			p.i += 2
			if p.at(token.CollectEntryType) || p.at(token.MappingEndType) {
				return nil, false // {a: } and {a:, b: c}: goccy decides
			}
			v, ok := p.flowNode()
			if !ok {
				return nil, false
			}
			m.Values = append(m.Values, ast.MappingValue(colon, p.str(keyTok), v))
		}
		m.End = p.peek()
		p.i++
		return m, true
	}
	return nil, false
}

func (p *fastParser) at(typ token.Type) bool {
	t := p.peek()
	return t != nil && t.Type == typ
}

func (p *fastParser) take(typ token.Type) bool {
	if p.at(typ) {
		p.i++
		return true
	}
	return false
}
