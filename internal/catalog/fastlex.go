package catalog

import (
	"strings"

	"github.com/goccy/go-yaml/token"
)

// fastLex splits plain catalog YAML into tokens, as goccy/go-yaml's lexer
// would, for fastParse: keys, `- ` entries, flow brackets and commas,
// scalars on one line (plain, or quoted without escapes), comments. The
// lexer was the larger half of reading a 4,000-service catalog. Every
// scalar's type is still goccy's (token.New). Anything it is not sure of —
// tabs, non-ASCII text, escapes, multi-line or special scalars (&, *, !, |,
// >, %, @, `, ?, <<) — returns false, and the caller uses goccy's lexer.
// FuzzFastParse compares the two ways on any input.
func fastLex(src string, lineOffset int) (token.Tokens, bool) {
	for i := 0; i < len(src); i++ {
		if c := src[i]; c >= 0x80 || c == '\t' || c == '\r' || (c < 0x20 && c != '\n') {
			return nil, false
		}
	}
	toks := make(token.Tokens, 0, len(src)/6)
	l := &lineLexer{line: lineOffset}
	for len(src) > 0 {
		l.text, src, _ = strings.Cut(src, "\n")
		l.line++
		l.i = 0
		if strings.HasPrefix(l.text, "---") || strings.HasPrefix(l.text, "...") {
			return nil, false // document markers
		}
		if !l.run(&toks) {
			return nil, false
		}
	}
	if l.flow != 0 {
		return nil, false
	}
	return toks, true
}

type lineLexer struct {
	text string
	line int
	i    int // byte offset in text; the column is i+1
	flow int // depth of flow collections, across lines

	// Positions and tokens come from blocks of many, not one allocation
	// each: allocating was most of the time left.
	positions slab[token.Position]
	tokens    slab[token.Token]
	// scalars holds what token.New made of each short plain scalar seen
	// (keys such as paths, kind, with), which depends on the text alone:
	// token.New's failing number parse allocates an error every time.
	scalars map[string]token.Token
}

// add appends a copy of t from the lexer's blocks; t is a goccy
// constructor's token, so the fields stay goccy's.
func (l *lineLexer) add(toks *token.Tokens, t token.Token) {
	p := l.tokens.next()
	*p = t
	*toks = append(*toks, p)
}

func (l *lineLexer) pos() *token.Position {
	return l.posAt(l.i)
}

func (l *lineLexer) posAt(i int) *token.Position {
	p := l.positions.next()
	p.Line, p.Column = l.line, i+1
	return p
}

// slab hands out pointers into blocks of Ts that never move.
type slab[T any] struct{ block []T }

func (s *slab[T]) next() *T {
	if len(s.block) == cap(s.block) {
		s.block = make([]T, 0, 512)
	}
	s.block = s.block[:len(s.block)+1]
	return &s.block[len(s.block)-1]
}

// run appends the tokens of one line.
func (l *lineLexer) run(toks *token.Tokens) bool {
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
			if l.i > 0 && l.text[l.i-1] != ' ' {
				return false
			}
			return true // a comment: fastParse and checkDepth skip them anyway
		case c == '-' && next == ' ' && l.flow == 0 && start:
			l.add(toks, *token.SequenceEntry("-", l.pos()))
			l.i++
			continue
		case c == '[' || c == '{':
			if l.flow == 0 && !start {
				return false
			}
			p := l.pos()
			if c == '[' {
				l.add(toks, *token.SequenceStart("[", p))
			} else {
				l.add(toks, *token.MappingStart("{", p))
			}
			l.flow++
			l.i++
			continue
		case c == ']' || c == '}' || c == ',':
			if l.flow == 0 {
				return false
			}
			p := l.pos()
			switch c {
			case ']':
				l.add(toks, *token.SequenceEnd("]", p))
				l.flow--
			case '}':
				l.add(toks, *token.MappingEnd("}", p))
				l.flow--
			default:
				l.add(toks, *token.CollectEntry(",", p))
			}
			l.i++
			start = l.flow > 0
			continue
		case c == ':' && (next == ' ' || l.i+1 == len(l.text)):
			l.add(toks, *token.MappingValue(l.pos()))
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
			org := l.text[l.i : l.i+2+end]
			if c == '"' {
				l.add(toks, *token.DoubleQuote(value, org, l.pos()))
			} else {
				l.add(toks, *token.SingleQuote(value, org, l.pos()))
			}
			l.i += len(org)
		case strings.IndexByte("&*!|>%@`?:-", c) >= 0 && !(c == '-' && next != ' '):
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
func (l *lineLexer) plain(toks *token.Tokens) bool {
	from := l.i
	for l.i < len(l.text) {
		c := l.text[l.i]
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
	l.i = from + len(value)
	pos := l.posAt(from)
	if c := value[0]; len(value) > 5 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		// Not a number, and longer than goccy's keywords (null, true,
		// False, ...): a string, without token.New's failing number parse.
		// The fields are token.String's.
		l.add(toks, token.Token{Type: token.StringType, CharacterType: token.CharacterTypeMiscellaneous,
			Indicator: token.NotIndicator, Value: value, Origin: value, Position: pos})
	} else {
		t, ok := l.scalars[value]
		if !ok {
			t = *token.New(value, value, nil)
			if l.scalars == nil {
				l.scalars = make(map[string]token.Token)
			}
			l.scalars[value] = t
		}
		t.Position = pos
		l.add(toks, t)
	}
	return true
}
