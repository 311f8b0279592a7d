package catalog

// node is a YAML value as the decoder reads it: a scalar with its type and
// text, or a collection of entries or items, each with its position in
// the file. Tags, anchors and aliases are already resolved. Two parsers
// make nodes — fastparse.go straight from the text of the plain YAML most
// catalogs are written in, goccy.go from goccy/go-yaml's syntax tree for
// everything else — and one decoder reads them, so the two cannot decode
// differently. nil is an empty value (null).
type node struct {
	kind kind
	pos  Pos    // where the value starts (see astPos); none for null
	text string // scalars: the value as written, without quotes
	num  int64  // integers that fit (fits)
	fits bool
	b    bool // booleans

	entries []pair // mappings, in order
	items   []item // sequences
}

type kind uint8

const (
	nullKind kind = iota
	stringKind
	boolKind
	intKind
	numberKind // floats, infinities, NaN
	mappingKind
	sequenceKind
)

// pair is one key: value of a mapping. A merge key (`<<: *base`) is a
// pair whose value's pairs the decoder merges in; its valPos is its `:`.
type pair struct {
	key    string
	keyPos Pos
	value  *node // nil for an empty value
	valPos Pos   // the value's position, or the key's when it is empty
	merge  bool
}

// item is one element of a sequence; pos is the value's, or the item's
// own when the value is null.
type item struct {
	value *node
	pos   Pos
}

func (n *node) is(k kind) bool {
	if n == nil {
		return k == nullKind
	}
	return n.kind == k
}

// typeName names a node's type the way a user thinks of YAML values.
func typeName(n *node) string {
	switch {
	case n.is(nullKind):
		return "null"
	case n.kind == mappingKind:
		return "mapping"
	case n.kind == sequenceKind:
		return "sequence"
	case n.kind == boolKind:
		return "boolean"
	case n.kind == intKind, n.kind == numberKind:
		return "number"
	}
	return "string"
}

func isScalar(n *node) bool {
	return n != nil && n.kind != mappingKind && n.kind != sequenceKind
}

// posOr is the position of n, or at when n has none (an empty value).
func posOr(n *node, at Pos) Pos {
	if n.is(nullKind) || n.pos.Line == 0 {
		return at
	}
	return n.pos
}
