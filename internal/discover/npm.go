package discover

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/goccy/go-yaml"
)

// packageJSON is what discovery needs from a package.json.
type packageJSON struct {
	Name       string
	Workspaces []string          // patterns; nil when the file declares none
	HasWS      bool              // the file has a workspaces field (even an empty one)
	Deps       []string          // names from dependencies, devDependencies, peerDependencies, optionalDependencies
	Specs      map[string]string // version spec by dependency name
}

// npmDepFields are the package.json fields whose entries name packages the
// package needs. Nx reads all four; Turborepo reads all but peerDependencies.
// A workspace package named in any of them is a dependency here: a catalog
// that over-approximates deploys too much, one that under-approximates misses
// a deploy.
var npmDepFields = []string{"dependencies", "devDependencies", "peerDependencies", "optionalDependencies"}

// posError is a malformed manifest at a 1-based position (0 when unknown).
type posError struct {
	Line, Col int
	Msg       string
}

func (e *posError) Error() string { return e.Msg }

// parsePackageJSON reads a package.json. Malformed JSON and fields of the
// wrong type are errors with the position json reports.
func parsePackageJSON(src []byte) (*packageJSON, error) {
	src = bytes.TrimPrefix(src, []byte("\uFEFF")) // npm reads files saved with a BOM
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(src, &raw); err != nil {
		return nil, jsonError(src, err, "")
	}
	if raw == nil {
		return nil, &posError{1, 1, "package.json must be a JSON object"}
	}
	p := &packageJSON{Specs: map[string]string{}}
	field := func(name string, v any) error {
		r, ok := raw[name]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(r, v); err != nil {
			return jsonError(src, err, name)
		}
		return nil
	}
	if err := field("name", &p.Name); err != nil {
		return nil, err
	}
	if r, ok := raw["workspaces"]; ok {
		p.HasWS = true
		var list []string
		if err := json.Unmarshal(r, &list); err != nil {
			// Yarn's object form: {"packages": [...], "nohoist": [...]}.
			var obj struct {
				Packages []string `json:"packages"`
			}
			if err2 := json.Unmarshal(r, &obj); err2 != nil {
				e := jsonError(src, err, "workspaces").(*posError)
				e.Msg = "workspaces must be a list of patterns or {\"packages\": [patterns]}"
				return nil, e
			}
			list = obj.Packages
		}
		p.Workspaces = list
	}
	for _, f := range npmDepFields {
		var deps map[string]json.RawMessage
		if err := field(f, &deps); err != nil {
			return nil, err
		}
		for name, spec := range deps {
			if _, seen := p.Specs[name]; !seen {
				p.Deps = append(p.Deps, name)
			}
			var s string
			_ = json.Unmarshal(spec, &s) // a non-string spec names no path
			p.Specs[name] = s
		}
	}
	return p, nil
}

// jsonError turns an encoding/json error into a posError. field is the
// top-level field whose value err is about ("" for the whole document); the
// error's offsets are then relative to that value, so the field's key is the
// position reported.
func jsonError(src []byte, err error, field string) error {
	off := 0
	if field != "" {
		off = fieldOffset(src, field)
	}
	msg := err.Error()
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = int(se.Offset) - 1
		msg = "not valid JSON: " + se.Error()
	case errors.As(err, &te):
		what := field
		if field == "" {
			off = int(te.Offset)
			what = "package.json"
		}
		msg = fmt.Sprintf("%s must be %s, not %s", what, jsonType(te.Type.String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = len(src)
		msg = "not valid JSON: unexpected end of file"
	}
	line, col := lineCol(src, off)
	return &posError{line, col, msg}
}

func jsonType(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "map["):
		return "an object"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	}
	return goType
}

// fieldOffset finds the offset of the top-level key name in a JSON object,
// for errors that encoding/json reports without one.
func fieldOffset(src []byte, name string) int {
	dec := json.NewDecoder(bytes.NewReader(src))
	depth, expectKey := 0, false
	for {
		off := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return 0
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
			if depth == 1 {
				expectKey = true
			}
			continue
		}
		if depth != 1 {
			continue
		}
		if expectKey && tok == name {
			// The offset before a token may point at the separator before it.
			for off < len(src) && src[off] != '"' {
				off++
			}
			return off
		}
		expectKey = !expectKey
	}
}

// lineCol converts a byte offset into a 1-based line and column (in runes).
func lineCol(src []byte, off int) (int, int) {
	off = max(0, min(off, len(src)))
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(src[start:off])
}

// pnpmWorkspace reads the packages list of a pnpm-workspace.yaml.
func parsePnpmWorkspace(src []byte) ([]string, error) {
	var doc struct {
		Packages []string `yaml:"packages"`
	}
	if err := unmarshalYAML(src, &doc); err != nil {
		return nil, err
	}
	return doc.Packages, nil
}

// unmarshalYAML decodes src into v. goccy/go-yaml panics on some malformed
// input (found by fuzzing: "packages:  ! "); a repository's broken file must
// not stop discovery, so a panic becomes an error like any other.
func unmarshalYAML(src []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &posError{1, 1, fmt.Sprintf("not valid YAML: the YAML parser failed on it (%v)", r)}
		}
	}()
	if err := yaml.Unmarshal(src, v); err != nil {
		return yamlError(err)
	}
	return nil
}

func yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		line, col := 0, 0
		if t := ye.GetToken(); t != nil && t.Position != nil {
			line, col = t.Position.Line, t.Position.Column
		}
		return &posError{line, col, "not valid YAML: " + ye.GetMessage()}
	}
	return &posError{0, 0, "not valid YAML: " + err.Error()}
}

// workspacePatterns is a workspace's member patterns, split into includes and
// "!" excludes, cleaned of "./" and trailing slashes.
type workspacePatterns struct {
	include, exclude []string
}

func newWorkspacePatterns(patterns []string) (workspacePatterns, []string) {
	var w workspacePatterns
	var bad []string
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		p = strings.TrimSuffix(strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(p, "./")), "/"), "/")
		if p == "" || !doublestar.ValidatePattern(p) {
			bad = append(bad, p)
			continue
		}
		if neg {
			w.exclude = append(w.exclude, p)
		} else {
			w.include = append(w.include, p)
		}
	}
	return w, bad
}

// member reports whether rel, a directory relative to the workspace root, is
// one of the workspace's packages.
func (w workspacePatterns) member(rel string) bool {
	in := false
	for _, p := range w.include {
		if ok, _ := doublestar.Match(p, rel); ok {
			in = true
			break
		}
	}
	if !in {
		return false
	}
	for _, p := range w.exclude {
		if ok, _ := doublestar.Match(p, rel); ok {
			return false
		}
	}
	return true
}

// npmLocalSpec returns the directory a file:, link: or portal: dependency
// points at, relative to the depending package.
func npmLocalSpec(spec string) (string, bool) {
	for _, pre := range []string{"file:", "link:", "portal:"} {
		if rest, ok := strings.CutPrefix(spec, pre); ok {
			return rest, true
		}
	}
	return "", false
}
