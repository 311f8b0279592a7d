package verify

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ordo-ci/ordo/internal/exit"
)

// Vars are the values of a check's placeholders for one service: {service},
// {env}, {wave}, {version}, {sha} and {with.KEY}.
type Vars struct {
	Service string
	Env     string
	Wave    *int // nil: the service is verified outside a wave
	Version string
	SHA     string
	With    map[string]string
}

// tokenRE finds what expand replaces, in one pass so that nothing replaced
// is scanned again: $$ (a literal $), $VAR and ${VAR} (the environment), and
// {name} (a placeholder; the catalog refuses unknown names at load, so
// anything else between braces, such as a PromQL label matcher, is text).
var tokenRE = regexp.MustCompile(`\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{(?:service|env|wave|version|sha|with\.[A-Za-z0-9_.-]+)\}`)

// Secrets holds the values $VAR took. They are never printed: in GitHub
// Actions each is masked before any other output, and Redact takes them
// out of everything ordo writes.
type Secrets struct {
	mu     sync.Mutex
	values []string // longest first, so a value containing another goes first
}

func (s *Secrets) add(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v == "" || slices.Contains(s.values, v) {
		return
	}
	s.values = append(s.values, v)
	slices.SortStableFunc(s.values, func(a, b string) int { return len(b) - len(a) })
}

// Values returns every secret value, longest first.
func (s *Secrets) Values() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.values)
}

// Redact replaces every secret value in text with ***.
func (s *Secrets) Redact(text string) string {
	if s == nil {
		return text
	}
	for _, v := range s.Values() {
		text = strings.ReplaceAll(text, v, "***")
	}
	return text
}

// UnsetError says that a check uses a placeholder that has no value for
// the service verified: {wave} outside a wave, {version} or {sha} when
// neither the plan nor the record says which. It comes as bad input (an
// exit.Error); the command line says how to verify so that it has one.
type UnsetError struct {
	What        string // the field, as expand's what
	Placeholder string // "wave", "version" or "sha"
	Service     string
}

func (e *UnsetError) Error() string {
	return fmt.Sprintf("%s: {%s} has no value for %s", e.What, e.Placeholder, e.Service)
}

func (x *expander) unset(what, placeholder string) error {
	return &exit.Error{Code: exit.BadInput, Err: &UnsetError{What: what, Placeholder: placeholder, Service: x.vars.Service}}
}

// expander expands one service's strings.
type expander struct {
	vars    Vars
	getenv  func(string) string
	secrets *Secrets
}

// expand replaces placeholders and environment variables in s. what names
// the field for errors ("check \"healthz\" url").
func (x *expander) expand(s, what string) (string, error) {
	var err error
	out := tokenRE.ReplaceAllStringFunc(s, func(tok string) string {
		if err != nil {
			return ""
		}
		switch {
		case tok == "$$":
			return "$"
		case strings.HasPrefix(tok, "$"):
			name := strings.Trim(tok, "${}")
			v := x.getenv(name)
			if v == "" {
				err = exit.BadInputf("%s: $%s is not set: set it in the environment of ordo verify (a CI secret or variable)", what, name)
				return ""
			}
			x.secrets.add(v)
			return v
		}
		name := tok[1 : len(tok)-1]
		switch name {
		case "service":
			return x.vars.Service
		case "env":
			return x.vars.Env
		case "version", "sha":
			v := x.vars.Version
			if name == "sha" {
				v = x.vars.SHA
			}
			if v == "" {
				err = x.unset(what, name)
			}
			return v
		case "wave":
			if x.vars.Wave == nil {
				err = x.unset(what, name)
				return ""
			}
			return strconv.Itoa(*x.vars.Wave)
		}
		key := strings.TrimPrefix(name, "with.")
		v, ok := x.vars.With[key]
		if !ok {
			err = exit.BadInputf("%s: {with.%s}: service %s has no with key %q: add it under the service's with:", what, key, x.vars.Service, key)
		}
		return v
	})
	if err != nil {
		return "", err
	}
	return out, nil
}

func (x *expander) expandAll(list []string, what string) ([]string, error) {
	out := make([]string, len(list))
	for i, s := range list {
		v, err := x.expand(s, fmt.Sprintf("%s[%d]", what, i))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
