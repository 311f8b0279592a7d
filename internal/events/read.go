package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/record"
)

// ReadFile reads an events file, in written order. A file that does not
// exist holds no events. A line that is not an event (a killed writer's
// half line, another tool's line) is skipped with a warning naming
// file:line: the events file is a log of the release, not its truth (the
// record is), so one bad line must not hide the rest. A file that cannot be
// read is an environment failure.
func ReadFile(path string) ([]CDEvent, []string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, exit.Envf("read events %s: %w", path, err)
	}
	defer f.Close()
	unlock, err := record.LockShared(f)
	if err != nil {
		return nil, nil, exit.Envf("read events %s: lock: %w", path, err)
	}
	defer unlock()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, nil, exit.Envf("read events %s: %w", path, err)
	}
	evs, warnings := Parse(path, data)
	return evs, warnings, nil
}

// Parse reads JSON-lines events from data, name being its file for the
// warnings: see ReadFile.
func Parse(name string, data []byte) ([]CDEvent, []string) {
	var (
		out      []CDEvent
		warnings []string
	)
	for line := 1; len(data) > 0; line++ {
		var text []byte
		text, data, _ = bytes.Cut(data, []byte{'\n'})
		text = bytes.TrimSpace(text)
		if len(text) == 0 {
			continue
		}
		var ev CDEvent
		if err := json.Unmarshal(text, &ev); err != nil || ev.Context.Type == "" {
			if err == nil {
				err = errors.New("no context.type")
			}
			warnings = append(warnings, fmt.Sprintf("%s:%d: not a CDEvent, skipped: %v", name, line, err))
			continue
		}
		out = append(out, ev)
	}
	return out, warnings
}
