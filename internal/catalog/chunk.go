package catalog

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/Masterminds/semver/v3"
	"github.com/goccy/go-yaml/ast"

	"github.com/ordo-ci/ordo/internal/diag"
)

// goccy/go-yaml parses the entries of one block mapping recursively and
// copies the entries parsed so far at every level, so a mapping of n keys
// costs O(n²) time and memory (goccy/go-yaml#889): 4,000 services took
// 95 ms and 120 MB. Until that is fixed upstream, a large services: mapping
// is parsed in chunks of chunkSize entries, each a document of its own whose
// positions are moved down to the lines they have in the file. The chunks are
// independent, so they are lexed, parsed and their services decoded in
// parallel, one goroutine per core (CI runners have 2 to 4), and the
// services are joined in file order. Anything unusual (flow style, tabs,
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
	if strings.IndexByte(src, '\t') >= 0 || strings.IndexByte(src, '&') >= 0 || strings.Contains(src, "<<") {
		return "", nil, false
	}
	starts := make([]int, 0, len(src)/40) // of each line, and len(src)
	for i := 0; i < len(src); {
		starts = append(starts, i)
		nl := strings.IndexByte(src[i:], '\n')
		if nl < 0 {
			break
		}
		i += nl + 1
	}
	starts = append(starts, len(src))
	lines := len(starts) - 1
	line := func(i int) string { return strings.TrimRight(src[starts[i]:starts[i+1]], "\r\n") }
	header := -1
	for i := range lines {
		l := line(i)
		if strings.HasPrefix(l, "---") || strings.HasPrefix(l, "...") || strings.HasPrefix(l, "%") {
			return "", nil, false
		}
		key, after, found := strings.Cut(l, ":")
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
	var entries []int // line index of each entry
	end, indent := lines, -1
	for j := header + 1; j < lines; j++ {
		l := line(j)
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
			entries = append(entries, j)
		}
	}
	if len(entries) < chunkMinCount {
		return "", nil, false
	}
	// Comment and blank lines before the next top-level key stay with the
	// last entry; they parse the same in either place.
	rest = src[:starts[header+1]] + strings.Repeat("\n", end-header-1) + src[starts[end]:]
	for c := 0; c < len(entries); c += chunkSize {
		first := entries[c]
		last := end
		if c+chunkSize < len(entries) {
			last = entries[c+chunkSize]
		}
		chunks = append(chunks, chunk{src: "services:\n" + src[starts[first]:starts[last]], offset: first - 1})
	}
	return rest, chunks, true
}

// chunkEntries returns the services: mapping of a parsed chunk.
func chunkEntries(root *node) (*node, bool) {
	if !root.is(mappingKind) || len(root.entries) != 1 {
		return nil, false
	}
	v := root.entries[0].value
	return v, v.is(mappingKind)
}

// parseChunked parses the catalog without its services, and the services
// chunk by chunk, in parallel. The services: key stays in the root with an
// empty value; its services wait, decoded, in d.chunked.
func (d *decoder) parseChunked(rest string, chunks []chunk) (*node, bool) {
	root, ok := d.parseDocument(rest, 0)
	if !ok || !root.is(mappingKind) || !hasKey(root, "services") {
		return nil, false
	}
	type result struct {
		services []*Service
		diags    diag.List
		ok       bool
	}
	results := make([]result, len(chunks))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &arena{} // reused for each chunk, once its services are decoded
			constraints := map[string]*semver.Constraints{}
			for i := int(next.Add(1) - 1); i < len(chunks); i = int(next.Add(1) - 1) {
				a.reset()
				cd := &decoder{file: d.file, anchors: map[string]ast.Node{}, slowParse: d.slowParse, arena: a, constraints: constraints}
				r := &results[i]
				croot, ok := cd.parseDocument(chunks[i].src, chunks[i].offset)
				var entries *node
				if ok {
					entries, ok = chunkEntries(croot)
				}
				if ok {
					pairs, _ := cd.mapping(entries, Pos{}, "services")
					r.services = cd.serviceList(pairs)
				}
				r.diags, r.ok = cd.diags, ok
			}
		}()
	}
	wg.Wait()
	n := 0
	for _, r := range results {
		if !r.ok {
			return nil, false
		}
		n += len(r.services)
	}
	d.chunked = make([]*Service, 0, n)
	for _, r := range results {
		d.chunked = append(d.chunked, r.services...)
		d.diags = append(d.diags, r.diags...)
	}
	return root, true
}

// joinChunks returns the chunks' services, reporting a name that appears
// in two chunks as mapping does one that appears twice in a chunk: the
// first is kept.
func (d *decoder) joinChunks() []*Service {
	seen := make(map[string]bool, len(d.chunked))
	out := d.chunked[:0:0]
	for _, s := range d.chunked {
		if seen[s.Name] {
			d.errorf(s.Pos, "duplicate", "services has %q twice: keep one (duplicate names are not allowed)", s.Name)
			continue
		}
		seen[s.Name] = true
		out = append(out, s)
	}
	return out
}

func hasKey(m *node, key string) bool {
	for _, e := range m.entries {
		if !e.merge && e.key == key {
			return true
		}
	}
	return false
}
