package catalog

import (
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// fastLexer splits plain catalog YAML into the tokens goccy/go-yaml's lexer
// would make of it, a line at a time, for fastParser: keys, `- ` entries,
// flow brackets and commas, scalars on one line (plain, or quoted without
// escapes); comments are dropped. Building goccy's tokens and tree was most
// of the time to read a 4,000-service catalog. Every plain scalar's type
// is still goccy's (token.New). Anything it is not sure of — tabs,
// non-ASCII text, escapes, multi-line or special scalars (&, *, !, |, >, %,
// @, `, ?, <<), document markers — fails it, and the caller parses the
// document with goccy instead. FuzzFastParse compares the two ways.
type fastLexer struct {
	src  string // what is left
	text string // the line being lexed
	line int
	i    int // byte offset in text; the column is i+1
	flow int // depth of flow collections, across lines

	failed bool
	limits nesting
	d      *decoder // reports the nesting limits

	// plains holds what goccy makes of each short plain scalar seen (keys
	// such as paths, kind, with), which depends on the text alone:
	// token.New's failing number parse allocates an error every time.
	plains *map[string]plain
}

// ftok is a token: a scalar, or one of the indicators -, [, ], {, }, ",", ":".
type ftok struct {
	typ       byte // 's' for a scalar, else the indicator
	line, col int32
	text      string // scalars: without quotes
	scalar    *node  // plain scalars that are not strings: their kind and value; nil for strings
}

// plain is what a plain scalar's text is to goccy.
type plain struct {
	scalar *node // nil: a string
	ok     bool  // false: not a scalar the fast path reads
}

func newFastLexer(d *decoder, src string, lineOffset int) *fastLexer {
	for i := 0; i < len(src); i++ {
		if notPlain[src[i]] {
			return &fastLexer{failed: true}
		}
	}
	return &fastLexer{src: src, line: lineOffset, d: d}
}

// next appends the tokens of the next line that has any to toks. It
// returns false at the end of the input or when the lexer failed.
func (l *fastLexer) next(toks *[]ftok) bool {
	for !l.failed && l.src != "" {
		l.text, l.src, _ = strings.Cut(l.src, "\n")
		l.line++
		l.i = 0
		if strings.HasPrefix(l.text, "---") || strings.HasPrefix(l.text, "...") {
			l.failed = true // document markers
			break
		}
		n := len(*toks)
		if !l.run(toks) {
			l.failed = true
			break
		}
		for _, t := range (*toks)[n:] {
			if !l.limits.see(l.d, int(t.line), int(t.col), nestKindOf(t.typ)) {
				l.failed = true
				return false
			}
		}
		if len(*toks) > n {
			return true
		}
	}
	if l.flow != 0 {
		l.failed = true
	}
	return false
}

func nestKindOf(typ byte) nestKind {
	switch typ {
	case '[', '{':
		return nestOpen
	case ']', '}':
		return nestClose
	case '-':
		return nestEntry
	}
	return nestOther
}

func (l *fastLexer) add(toks *[]ftok, typ byte) {
	*toks = append(*toks, ftok{typ: typ, line: int32(l.line), col: int32(l.i + 1)})
}

// run appends the tokens of one line.
func (l *fastLexer) run(toks *[]ftok) bool {
	start := true // at the start of a node: `- ` and flow brackets may begin here
	for {
		for l.i < len(l.text) && l.text[l.i] == ' ' {
			l.i++
		}
		if l.i == len(l.text) {
			return true
		}
		c := l.text[l.i]
		next := byte(' ')
		if l.i+1 < len(l.text) {
			next = l.text[l.i+1]
		}
		switch {
		case c == '#':
			return l.i == 0 || l.text[l.i-1] == ' ' // a comment
		case c == '-' && next == ' ' && l.flow == 0 && start:
			l.add(toks, '-')
			l.i++
			continue
		case c == '[' || c == '{':
			if l.flow == 0 && !start {
				return false
			}
			l.add(toks, c)
			l.flow++
			l.i++
			continue
		case c == ']' || c == '}' || c == ',':
			if l.flow == 0 {
				return false
			}
			l.add(toks, c)
			if c != ',' {
				l.flow--
			}
			l.i++
			start = l.flow > 0
			continue
		case c == ':' && (next == ' ' || l.i+1 == len(l.text)):
			l.add(toks, ':')
			l.i++
			start = true
			continue
		case c == '"' || c == '\'':
			end := strings.IndexByte(l.text[l.i+1:], c)
			if end < 0 {
				return false
			}
			value := l.text[l.i+1 : l.i+1+end]
			if c == '"' && strings.IndexByte(value, '\\') >= 0 {
				return false
			}
			if c == '\'' && l.i+2+end < len(l.text) && l.text[l.i+2+end] == '\'' {
				return false // '' is an escaped quote
			}
			*toks = append(*toks, ftok{typ: 's', line: int32(l.line), col: int32(l.i + 1), text: value})
			l.i += end + 2
		case startStop[c] && !(c == '-' && next != ' '):
			return false
		case c == '<' && next == '<':
			return false // goccy's lexer may read a merge key (<<:) here
		default:
			if !l.plain(toks) {
				return false
			}
		}
		start = false
		// After a node, only `:`, a flow indicator, a comment or the end.
		for l.i < len(l.text) && l.text[l.i] == ' ' {
			l.i++
		}
		if l.i < len(l.text) {
			switch c := l.text[l.i]; {
			case c == ':', c == '#', l.flow > 0 && strings.IndexByte(",]}", c) >= 0:
			default:
				return false
			}
		}
	}
}

// plain reads a plain scalar: up to `: `, ` #`, the end of the line and,
// in flow collections, a flow indicator.
func (l *fastLexer) plain(toks *[]ftok) bool {
	from := l.i
	for l.i < len(l.text) {
		c := l.text[l.i]
		if !plainStop[c] {
			l.i++
			continue
		}
		if c == ':' && (l.i+1 == len(l.text) || l.text[l.i+1] == ' ' || (l.flow > 0 && strings.IndexByte(",[]{}", l.text[l.i+1]) >= 0)) {
			break
		}
		if c == '#' && l.text[l.i-1] == ' ' {
			break
		}
		if strings.IndexByte(",[]{}", c) >= 0 {
			if l.flow > 0 {
				break
			}
			return false // legal in a block plain scalar, but leave it to goccy
		}
		l.i++
	}
	value := l.text[from:l.i]
	switch {
	case value == "", strings.HasSuffix(value, " "):
		return false // goccy counts the column of `a  # x` from its spaces
	case l.flow > 0 && strings.IndexByte(value, ':') >= 0:
		return false // goccy reads `:` inside flow scalars its own way
	}
	t := ftok{typ: 's', line: int32(l.line), col: int32(from + 1), text: value}
	// Longer than goccy's keywords (null, true, False, ...) and not a
	// number: a string, without asking token.New.
	if c := value[0]; len(value) <= 5 || !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		p, seen := (*l.plains)[value]
		if !seen {
			p = plainScalar(value)
			if *l.plains == nil {
				*l.plains = make(map[string]plain)
			}
			(*l.plains)[value] = p
		}
		if !p.ok {
			return false
		}
		t.scalar = p.scalar
	}
	*toks = append(*toks, t)
	return true
}

// notPlain marks the bytes the fast path leaves to goccy wherever they
// are: tabs, other control characters but the newline, and non-ASCII.
var notPlain = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 0x80 || c < 0x20 && c != '\n'
	}
	return t
}()

// startStop marks the bytes the fast path does not start a plain scalar with.
var startStop = func() (t [256]bool) {
	for _, c := range []byte("&*!|>%@`?:-") {
		t[c] = true
	}
	return t
}()

// plainStop marks the bytes that may end a plain scalar; the others never do.
var plainStop = func() (t [256]bool) {
	for _, c := range []byte(":#,[]{}") {
		t[c] = true
	}
	return t
}()

// plainScalar asks goccy what a plain scalar is.
func plainScalar(value string) plain {
	t := token.New(value, value, &token.Position{})
	var n ast.Node
	switch t.Type {
	case token.StringType:
		return plain{ok: true}
	case token.NullType:
		n = ast.Null(t)
	case token.BoolType:
		n = ast.Bool(t)
	case token.IntegerType, token.BinaryIntegerType, token.OctetIntegerType, token.HexIntegerType:
		n = ast.Integer(t)
	case token.FloatType:
		n = ast.Float(t)
	case token.InfinityType:
		n = ast.Infinity(t)
	case token.NanType:
		n = ast.Nan(t)
	default:
		return plain{}
	}
	s := scalarFromAST(n)
	s.pos = Pos{}
	return plain{scalar: &s, ok: true}
}
