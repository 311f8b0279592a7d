package catalog

import (
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// goccy/go-yaml parses the entries of one block mapping recursively and
// copies the entries parsed so far at every level, so a mapping of n keys
// costs O(n²) time and memory (goccy/go-yaml#889): 4,000 services took
// 95 ms and 120 MB. Until that is fixed upstream, a large services: mapping
// is parsed in chunks of chunkSize entries, each a document of its own whose
// tokens are moved down to the lines they have in the file, and the chunks'
// entries are joined into one mapping. Anything unusual (flow style, tabs,
// anchors, several documents) is parsed whole, as before.
const (
	chunkSize     = 50
	chunkMinCount = 2 * chunkSize
)

// chunk is a part of the file that parses on its own: `services:` and some
// of its entries. Its first line is line 1+offset of the file.
type chunk struct {
	src    string
	offset int
}

// splitServices returns src with the entries of its top-level block
// services: mapping blanked out, and those entries in chunks. ok is false
// when the file is better parsed whole.
func splitServices(src string) (rest string, chunks []chunk, ok bool) {
	if strings.ContainsAny(src, "\t&") || strings.Contains(src, "<<") {
		return "", nil, false
	}
	lines := strings.SplitAfter(src, "\n")
	header := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "---") || strings.HasPrefix(l, "...") || strings.HasPrefix(l, "%") {
			return "", nil, false
		}
		key, after, found := strings.Cut(strings.TrimRight(l, "\r\n"), ":")
		if found && key == "services" && (strings.TrimSpace(after) == "" || strings.HasPrefix(strings.TrimSpace(after), "#")) {
			if header >= 0 {
				return "", nil, false
			}
			header = i
		}
	}
	if header < 0 {
		return "", nil, false
	}
	var starts []int // line index of each entry
	end, indent := len(lines), -1
	for j := header + 1; j < len(lines); j++ {
		l := strings.TrimRight(lines[j], "\r\n")
		text := strings.TrimLeft(l, " ")
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		n := len(l) - len(text)
		if n == 0 {
			end = j
			break
		}
		if indent < 0 {
			indent = n
		}
		switch {
		case n < indent || (n == indent && strings.HasPrefix(text, "-")):
			return "", nil, false
		case n == indent:
			starts = append(starts, j)
		}
	}
	if len(starts) < chunkMinCount {
		return "", nil, false
	}
	// Comment and blank lines before the next top-level key stay with the
	// last entry; they parse the same in either place.
	blank := func(from, to int) string { return strings.Repeat("\n", to-from) }
	rest = strings.Join(lines[:header+1], "") + blank(header+1, end) + strings.Join(lines[end:], "")
	for c := 0; c < len(starts); c += chunkSize {
		first := starts[c]
		last := end
		if c+chunkSize < len(starts) {
			last = starts[c+chunkSize]
		}
		chunks = append(chunks, chunk{src: "services:\n" + strings.Join(lines[first:last], ""), offset: first - 1})
	}
	return rest, chunks, true
}

// chunkEntries returns the services: mapping of a parsed chunk.
func chunkEntries(root ast.Node) (*ast.MappingNode, bool) {
	var mv *ast.MappingValueNode
	switch v := root.(type) {
	case *ast.MappingValueNode:
		mv = v
	case *ast.MappingNode:
		if len(v.Values) != 1 {
			return nil, false
		}
		mv = v.Values[0]
	default:
		return nil, false
	}
	switch v := mv.Value.(type) {
	case *ast.MappingNode:
		return v, true
	case *ast.MappingValueNode:
		return &ast.MappingNode{BaseNode: &ast.BaseNode{}, Start: v.GetToken(), Values: []*ast.MappingValueNode{v}}, true
	}
	return nil, false
}
