// Package eventstest validates events in tests against the CDEvents v0.5.1
// JSON schemas, which live outside the repository in ../shared (beside the
// clone in CI). Every test that writes an event checks it here, so that an
// event a schema refuses fails the test that made it.
package eventstest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaDir is where the schemas are, relative to the directory that holds
// the repository: X/../shared/cdevents-v0.5.1/schemas for a clone at X.
const schemaDir = "shared/cdevents-v0.5.1/schemas"

var (
	once    sync.Once
	schemas map[string]*jsonschema.Schema // by context.type
	loadErr error
)

// SchemaDir finds the schemas: $ORDO_SHARED_DIR/cdevents-v0.5.1/schemas if
// set, else ../shared beside the module root, else ../shared beside the
// main worktree when the module is a linked git worktree.
func SchemaDir() (string, error) {
	if d := os.Getenv("ORDO_SHARED_DIR"); d != "" {
		return filepath.Join(d, "cdevents-v0.5.1", "schemas"), nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	tried := []string{filepath.Join(filepath.Dir(root), schemaDir)}
	if out, err := exec.Command("git", "-C", root, "rev-parse", "--path-format=absolute", "--git-common-dir").Output(); err == nil {
		main := filepath.Dir(strings.TrimSpace(string(out))) // the main worktree holds .git
		tried = append(tried, filepath.Join(filepath.Dir(main), schemaDir))
	}
	for _, d := range tried {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d, nil
		}
	}
	return "", fmt.Errorf("the CDEvents schemas are not at %s: put shared/ beside the clone (CI does) or set ORDO_SHARED_DIR", strings.Join(tried, " nor "))
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
	}
}

// load compiles every schema, links included, with formats asserted. Each
// schema is added under its own $id, so that "links/x" references resolve
// to the files in links/ and nothing is fetched.
func load() (map[string]*jsonschema.Schema, error) {
	dir, err := SchemaDir()
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	types := map[string]string{} // context.type -> $id
	for _, pattern := range []string{"*.json", "links/*.json"} {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			var head struct {
				ID         string `json:"$id"`
				Properties struct {
					Context struct {
						Properties struct {
							Type struct {
								Enum []string `json:"enum"`
							} `json:"type"`
						} `json:"properties"`
					} `json:"context"`
				} `json:"properties"`
			}
			if err := json.Unmarshal(data, &head); err != nil || head.ID == "" {
				return nil, fmt.Errorf("%s: no $id", f)
			}
			if err := c.AddResource(head.ID, doc); err != nil {
				return nil, err
			}
			if e := head.Properties.Context.Properties.Type.Enum; len(e) == 1 {
				types[e[0]] = head.ID
			}
		}
	}
	if len(types) < 10 {
		return nil, fmt.Errorf("%s holds %d event schemas, want the 11 of CDEvents v0.5.1's subset", dir, len(types))
	}
	out := map[string]*jsonschema.Schema{}
	for typ, id := range types {
		s, err := c.Compile(id)
		if err != nil {
			return nil, fmt.Errorf("compile %s: %w", id, err)
		}
		out[typ] = s
	}
	return out, nil
}

// Check checks one event (its JSON) against the schema its context.type
// names; an unknown type is an error.
func Check(event []byte) error {
	once.Do(func() { schemas, loadErr = load() })
	if loadErr != nil {
		return fmt.Errorf("CDEvents schemas: %w", loadErr)
	}
	var head struct {
		Context struct {
			Type string `json:"type"`
		} `json:"context"`
	}
	if err := json.Unmarshal(event, &head); err != nil {
		return fmt.Errorf("event is not JSON: %w\n%s", err, event)
	}
	s, ok := schemas[head.Context.Type]
	if !ok {
		return fmt.Errorf("event type %q has no CDEvents v0.5.1 schema\n%s", head.Context.Type, event)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(event))
	if err != nil {
		return err
	}
	if err := s.Validate(doc); err != nil {
		return fmt.Errorf("event does not validate against %s: %w\n%s", head.Context.Type, err, event)
	}
	return nil
}

// CheckFile checks every line of an events file and returns the number of
// events; a blank line, or a file without events, is an error.
func CheckFile(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var errs []error
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		n++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			errs = append(errs, fmt.Errorf("%s:%d: blank line", path, n))
			continue
		}
		if err := Check(sc.Bytes()); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", path, n, err))
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	if n == 0 {
		errs = append(errs, fmt.Errorf("%s holds no events", path))
	}
	return n, errors.Join(errs...)
}

// Validate checks one event with Check and fails tb if it does not pass.
func Validate(tb testing.TB, event []byte) {
	tb.Helper()
	if err := Check(event); err != nil {
		tb.Error(err)
	}
}

// ValidateFile checks an events file with CheckFile and fails tb if any
// line does not pass; it returns the number of events.
func ValidateFile(tb testing.TB, path string) int {
	tb.Helper()
	n, err := CheckFile(path)
	if err != nil {
		tb.Error(err)
	}
	return n
}
