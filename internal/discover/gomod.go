package discover

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// goMod is what discovery needs from a go.mod or go.work file. The full
// grammar lives in golang.org/x/mod/modfile, which is not in ordo's module
// graph; this parser reads the same line-and-block syntax, checks the
// directives ordo uses, and only tokenizes the rest.
type goMod struct {
	Module   string
	Requires []goReq
	Replaces []goReplace
	Uses     []goUse // go.work only
}

type goReq struct {
	Path      string
	Line, Col int
}

type goReplace struct {
	Old     string // module path; the version, if any, is dropped
	New     string // a module path or, when Local, a file path
	Local   bool
	Line    int
	Col     int
	NewLine int
}

type goUse struct {
	Dir       string
	Line, Col int
}

// goModError is a malformed line, with its 1-based position.
type goModError struct {
	Line, Col int
	Msg       string
}

func (e *goModError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

type goToken struct {
	text      string // unquoted
	line, col int
	end       int // the column after the token
	quoted    bool
}

var (
	goModVerbs  = []string{"module", "go", "toolchain", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore"}
	goWorkVerbs = []string{"go", "toolchain", "godebug", "use", "replace"}
)

// parseGoMod parses a go.mod file (work false) or a go.work file (work true).
func parseGoMod(src []byte, work bool) (*goMod, error) {
	lines, err := goLines(src)
	if err != nil {
		return nil, err
	}
	verbs := goModVerbs
	kind := "go.mod"
	if work {
		verbs, kind = goWorkVerbs, "go.work"
	}
	m := &goMod{}
	var block *goToken // the verb of the open block
	for _, toks := range lines {
		if block != nil {
			if len(toks) == 1 && toks[0].text == ")" && !toks[0].quoted {
				block = nil
				continue
			}
			if err := m.directive(*block, toks, kind); err != nil {
				return nil, err
			}
			continue
		}
		verb := toks[0]
		if verb.quoted || !contains(verbs, verb.text) {
			return nil, &goModError{verb.line, verb.col, fmt.Sprintf("unknown directive %q in %s: use one of %s", verb.text, kind, strings.Join(verbs, ", "))}
		}
		args := toks[1:]
		if len(args) == 1 && args[0].text == "(" && !args[0].quoted {
			b := verb
			block = &b
			continue
		}
		if len(args) > 0 && args[0].text == "(" && !args[0].quoted {
			return nil, &goModError{args[0].line, args[0].col, fmt.Sprintf("%s ( must end its line", verb.text)}
		}
		if err := m.directive(verb, args, kind); err != nil {
			return nil, err
		}
	}
	if block != nil {
		return nil, &goModError{block.line, block.col, fmt.Sprintf("%s block is not closed: add a line with )", block.text)}
	}
	return m, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// directive checks one directive (or one line of a block) of verb.
func (m *goMod) directive(verb goToken, args []goToken, kind string) error {
	// at is where argument i is, or would be when it is missing.
	at := func(i int) (int, int) {
		switch {
		case i < len(args):
			return args[i].line, args[i].col
		case len(args) > 0:
			return args[len(args)-1].line, args[len(args)-1].end + 1
		case verb.end > 0 && !strings.HasSuffix(verb.text, "("):
			return verb.line, verb.end + 1
		}
		return verb.line, verb.col
	}
	bad := func(i int, format string, a ...any) error {
		l, c := at(i)
		return &goModError{l, c, fmt.Sprintf(format, a...)}
	}
	for _, a := range args {
		if !a.quoted && (a.text == "(" || a.text == ")") {
			return &goModError{a.line, a.col, fmt.Sprintf("unexpected %q in %s", a.text, verb.text)}
		}
	}
	switch verb.text {
	case "module":
		if len(args) != 1 {
			return bad(1, "module takes one module path, as in `module example.com/x`")
		}
		if m.Module != "" {
			return bad(0, "%s has a second module directive: keep one", kind)
		}
		m.Module = args[0].text
	case "require":
		if len(args) != 2 {
			return bad(min(len(args), 2), "require takes a module path and a version, as in `require example.com/x v1.2.3`")
		}
		m.Requires = append(m.Requires, goReq{Path: args[0].text, Line: args[0].line, Col: args[0].col})
	case "use":
		if len(args) != 1 {
			return bad(min(len(args), 1), "use takes one directory, as in `use ./services/api`")
		}
		m.Uses = append(m.Uses, goUse{Dir: args[0].text, Line: args[0].line, Col: args[0].col})
	case "replace":
		arrow := -1
		for i, a := range args {
			if a.text == "=>" && !a.quoted {
				arrow = i
				break
			}
		}
		if arrow < 1 || arrow > 2 || len(args)-arrow-1 < 1 || len(args)-arrow-1 > 2 {
			return bad(0, "replace takes `path [version] => path [version]`")
		}
		r := goReplace{Old: args[0].text, New: args[arrow+1].text, Line: args[0].line, Col: args[0].col, NewLine: args[arrow+1].line}
		r.Local = isLocalPath(r.New)
		if r.Local && len(args)-arrow-1 != 1 {
			return bad(arrow+2, "a replacement directory takes no version")
		}
		m.Replaces = append(m.Replaces, r)
	case "go", "toolchain":
		if len(args) != 1 {
			return bad(min(len(args), 1), "%s takes one version", verb.text)
		}
	}
	return nil
}

// isLocalPath reports whether a replacement target is a directory rather than
// a module path, by the rule cmd/go uses: it starts with ./ or ../ or is absolute.
func isLocalPath(p string) bool {
	return p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") ||
		strings.HasPrefix(p, "/") || strings.HasPrefix(p, `.\`) || strings.HasPrefix(p, `..\`)
}

// goLines splits src into lines of tokens, dropping comments and blank lines.
func goLines(src []byte) ([][]goToken, error) {
	var out [][]goToken
	var cur []goToken
	line, col := 1, 1
	s := string(src)
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\n':
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			line, col = line+1, 1
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
			col++
		case strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '"' || c == '`':
			j := i + 1
			for j < len(s) && s[j] != c && s[j] != '\n' {
				if c == '"' && s[j] == '\\' && j+1 < len(s) && s[j+1] != '\n' {
					j++
				}
				j++
			}
			if j >= len(s) || s[j] != c {
				return nil, &goModError{line, col, "unterminated quoted string"}
			}
			raw := s[i : j+1]
			text, err := strconv.Unquote(raw)
			if err != nil {
				return nil, &goModError{line, col, fmt.Sprintf("invalid quoted string %s", raw)}
			}
			n := utf8.RuneCountInString(raw)
			cur = append(cur, goToken{text: text, line: line, col: col, end: col + n, quoted: true})
			col += n
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n\"`", rune(s[j])) && !strings.HasPrefix(s[j:], "//") {
				if j > i && (s[j] == '(' || s[j] == ')') {
					break
				}
				j++
				if s[j-1] == '(' || s[j-1] == ')' {
					break
				}
			}
			word := s[i:j]
			if !utf8.ValidString(word) {
				return nil, &goModError{line, col, "invalid UTF-8"}
			}
			n := utf8.RuneCountInString(word)
			cur = append(cur, goToken{text: word, line: line, col: col, end: col + n})
			col += n
			i = j
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out, nil
}
