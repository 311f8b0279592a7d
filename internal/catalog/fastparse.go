package catalog

// fastParse reads the plain YAML most catalogs are written in — block
// mappings and sequences, flow collections of scalars, comments — straight
// from the text into nodes, with the positions goccy/go-yaml's tree would
// give them (goccy.go). Anything else (anchors, aliases, tags, block
// scalars, explicit keys, documents, and every syntax error) returns
// false, and the caller parses the document with goccy, which also words
// the errors. Tests parse every catalog under testdata both ways and
// compare the nodes; FuzzFastParse compares nodes and catalogs on any input.
func (d *decoder) fastParse(src string, lineOffset int) (*node, bool) {
	a := d.arena
	if a == nil {
		a = &arena{}
	}
	p := &fastParser{lx: newFastLexer(d, src, lineOffset), arena: a, buf: a.buf[:0]}
	p.lx.plains = &a.plains
	defer func() { a.buf = p.buf[:0] }()
	first := p.peek()
	if first == nil || !p.isKey(0) || first.col != 1 {
		return nil, false
	}
	root, ok := p.blockMapping(1)
	if !ok || p.peek() != nil || p.lx.failed {
		return nil, false
	}
	return root, true
}

type fastParser struct {
	lx  *fastLexer
	buf []ftok // tokens lexed and not yet read: a line or two
	i   int
	*arena
	depth int
}

// arena is where fastParse's nodes live. Nodes, pairs and items come from
// blocks of many, not one allocation each; a collection's pairs wait on a
// stack until it ends, and are then copied to a slice of their exact
// length. A chunk's worker reuses one arena for each of its chunks once
// the chunk's services are decoded (nothing decoded points into nodes), so
// that reading services touches a chunk's worth of memory, not the whole
// tree's: the pages a process first touches are a good part of its time.
type arena struct {
	nodes       slab[node]
	entries     chunks[pair]
	items       chunks[item]
	openEntries []pair
	openItems   []item
	buf         []ftok
	plains      map[string]plain // see fastLexer
}

// reset makes the arena's memory free for the next document: its nodes
// must no longer be used.
func (a *arena) reset() {
	a.nodes.reset()
	a.entries.reset()
	a.items.reset()
}

// peekAt returns the token k ahead, lexing lines as needed.
func (p *fastParser) peekAt(k int) *ftok {
	for len(p.buf)-p.i <= k {
		if p.i == len(p.buf) {
			p.buf, p.i = p.buf[:0], 0
		}
		if !p.lx.next(&p.buf) {
			return nil
		}
	}
	return &p.buf[p.i+k]
}

func (p *fastParser) peek() *ftok { return p.peekAt(0) }

// isKey reports whether the token k ahead starts `key:` on one line.
func (p *fastParser) isKey(k int) bool {
	t := p.peekAt(k)
	if t == nil || t.typ != 's' || t.scalar != nil {
		return false
	}
	line := t.line // peekAt(k+1) may move the buffer
	colon := p.peekAt(k + 1)
	return colon != nil && colon.typ == ':' && colon.line == line
}

func (p *fastParser) at(typ byte) bool {
	t := p.peek()
	return t != nil && t.typ == typ
}

func (p *fastParser) take(typ byte) bool {
	if p.at(typ) {
		p.i++
		return true
	}
	return false
}

func (p *fastParser) newNode(k kind, at Pos) *node {
	n := p.nodes.next()
	*n = node{kind: k, pos: at}
	return n
}

func (t *ftok) pos() Pos { return Pos{Line: int(t.line), Col: int(t.col)} }

func (p *fastParser) null() *node {
	n := p.nodes.next()
	*n = node{kind: nullKind}
	return n
}

// scalar is the node of the scalar token t.
func (p *fastParser) scalar(t *ftok) *node {
	n := p.nodes.next()
	if t.scalar != nil {
		*n = *t.scalar
	} else {
		*n = node{kind: stringKind, text: t.text}
	}
	if n.kind != nullKind {
		n.pos = t.pos()
	}
	return n
}

// nest counts a level of collections; past MaxDepth the fast path gives
// up, and goccy's path reports it.
func (p *fastParser) nest() bool {
	p.depth++
	return p.depth <= MaxDepth
}

// closeMapping gives m the entries opened since from.
func (p *fastParser) closeMapping(m *node, from int) {
	m.entries = p.entries.take(p.openEntries[from:])
	p.openEntries = p.openEntries[:from]
	p.depth--
}

func (p *fastParser) closeSequence(s *node, from int) {
	s.items = p.items.take(p.openItems[from:])
	p.openItems = p.openItems[:from]
	p.depth--
}

// openEntry reads `key:` and returns the pair with its key, and the
// colon's position.
func (p *fastParser) openEntry() (pair, Pos) {
	key := p.peek()
	e := pair{key: key.text, keyPos: key.pos()}
	colon := p.peekAt(1).pos()
	p.i += 2
	return e, colon
}

// closeEntry gives e its value and puts it on the stack of open pairs.
func (p *fastParser) closeEntry(e pair, value *node) {
	e.value, e.valPos = value, posOr(value, e.keyPos)
	p.openEntries = append(p.openEntries, e)
}

// blockMapping reads `key: value` entries whose keys start at column col.
// Its position is its first `:`'s, as in goccy's tree.
func (p *fastParser) blockMapping(col int) (*node, bool) {
	if !p.nest() {
		return nil, false
	}
	var m *node
	from := len(p.openEntries)
	for {
		t := p.peek()
		if t == nil || int(t.col) < col {
			break
		}
		if int(t.col) > col || !p.isKey(0) {
			return nil, false
		}
		e, colon := p.openEntry()
		if m == nil {
			m = p.newNode(mappingKind, colon)
		}
		value, ok := p.blockValue(col, colon.Line)
		if !ok {
			return nil, false
		}
		p.closeEntry(e, value)
	}
	if m == nil {
		return nil, false
	}
	p.closeMapping(m, from)
	return m, true
}

// blockValue reads what follows `key:` (at column col, colon on line line):
// a scalar or flow collection on the same line, a block collection below,
// or nothing (null).
func (p *fastParser) blockValue(col, line int) (*node, bool) {
	t := p.peek()
	switch {
	case t == nil:
		return p.null(), true
	case int(t.line) == line:
		v, ok := p.flowNode()
		if !ok {
			return nil, false
		}
		if n := p.peek(); n != nil && int(n.line) == line {
			return nil, false // `a: b: c`, `a: b c` and the like: goccy decides
		}
		return v, true
	case t.typ == '-' && int(t.col) >= col:
		return p.blockSequence(int(t.col))
	case int(t.col) > col && p.isKey(0):
		return p.blockMapping(int(t.col))
	case int(t.col) > col:
		return nil, false // a scalar on the next line
	}
	return p.null(), true
}

// blockSequence reads `- item` entries whose dashes are at column col.
func (p *fastParser) blockSequence(col int) (*node, bool) {
	if !p.nest() {
		return nil, false
	}
	var s *node
	from := len(p.openItems)
	for {
		t := p.peek()
		if t == nil || int(t.col) < col {
			break
		}
		if int(t.col) > col {
			return nil, false
		}
		if t.typ != '-' {
			break // the next key of the mapping this sequence is the value of
		}
		if s == nil {
			s = p.newNode(sequenceKind, t.pos())
		}
		dashLine := t.line
		p.i++
		n := p.peek()
		if n == nil || n.line != dashLine || p.isKey(0) {
			return nil, false // empty items and nested blocks: goccy decides
		}
		at := n.pos()
		v, ok := p.flowNode()
		if !ok {
			return nil, false
		}
		if after := p.peek(); after != nil && int(after.line) == at.Line {
			return nil, false
		}
		p.openItems = append(p.openItems, item{value: v, pos: at})
	}
	if s == nil {
		return nil, false
	}
	p.closeSequence(s, from)
	return s, true
}

// flowNode reads a scalar, [ ... ] or { ... }.
func (p *fastParser) flowNode() (*node, bool) {
	t := p.peek()
	if t == nil {
		return nil, false
	}
	switch t.typ {
	case 's':
		p.i++
		return p.scalar(t), true
	case '[':
		if !p.nest() {
			return nil, false
		}
		s := p.newNode(sequenceKind, t.pos())
		p.i++
		from := len(p.openItems)
		for !p.at(']') {
			if len(p.openItems) > from && !p.take(',') {
				return nil, false
			}
			first := p.peek()
			if first == nil || first.typ == ']' || first.typ == ',' || p.isKey(0) {
				return nil, false // the end, trailing commas, empty items, pairs: goccy decides
			}
			at := first.pos()
			v, ok := p.flowNode()
			if !ok {
				return nil, false
			}
			p.openItems = append(p.openItems, item{value: v, pos: at})
		}
		p.i++
		p.closeSequence(s, from)
		return s, true
	case '{':
		if !p.nest() {
			return nil, false
		}
		m := p.newNode(mappingKind, t.pos())
		p.i++
		from := len(p.openEntries)
		for !p.at('}') {
			if len(p.openEntries) > from && !p.take(',') {
				return nil, false
			}
			if !p.isKey(0) {
				return nil, false
			}
			e, _ := p.openEntry()
			if p.at(',') || p.at('}') {
				return nil, false // {a: } and {a:, b: c}: goccy decides
			}
			v, ok := p.flowNode()
			if !ok {
				return nil, false
			}
			p.closeEntry(e, v)
		}
		p.i++
		p.closeMapping(m, from)
		return m, true
	}
	return nil, false
}

// slab hands out pointers into blocks of Ts that never move.
type slab[T any] struct {
	blocks [][]T
	cur    int // the block being filled
}

func (s *slab[T]) next() *T {
	for {
		if s.cur == len(s.blocks) {
			s.blocks = append(s.blocks, make([]T, 0, 512))
		}
		if b := s.blocks[s.cur]; len(b) < cap(b) {
			b = b[:len(b)+1]
			s.blocks[s.cur] = b
			return &b[len(b)-1]
		}
		s.cur++
	}
}

func (s *slab[T]) reset() {
	for i := range s.blocks {
		s.blocks[i] = s.blocks[i][:0]
	}
	s.cur = 0
}

// chunks hands out copies of slices, carved from blocks of many.
type chunks[T any] struct {
	blocks [][]T
	cur    int // the block being filled
}

func (c *chunks[T]) take(from []T) []T {
	if len(from) == 0 {
		return nil
	}
	for {
		if c.cur == len(c.blocks) {
			c.blocks = append(c.blocks, make([]T, 0, max(1024, len(from))))
		}
		if b := c.blocks[c.cur]; cap(b)-len(b) >= len(from) {
			n := len(b)
			b = append(b, from...)
			c.blocks[c.cur] = b
			return b[n:len(b):len(b)]
		}
		c.cur++
	}
}

func (c *chunks[T]) reset() {
	for i := range c.blocks {
		c.blocks[i] = c.blocks[i][:0]
	}
	c.cur = 0
}
