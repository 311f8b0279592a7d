package record

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// File is the JSON-lines store (--record FILE, ORDO_RECORD): one entry per
// line, every environment in one file, for tests, drills and air-gapped use.
// A file that does not exist is an empty record and the first append creates
// it. Appends take an exclusive lock and write the whole line with one write
// call, so parallel writers interleave whole lines and a killed writer leaves
// either its line or nothing.
type File struct {
	Path string
}

// NewFile returns the store in the file at path.
func NewFile(path string) *File { return &File{Path: path} }

// Read returns env's entries per service, in file order. A file that cannot
// be read or parsed is an environment failure naming file:line.
func (f *File) Read(_ context.Context, env string) (map[string][]Entry, error) {
	all, err := f.readAll()
	if err != nil {
		return nil, err
	}
	out := map[string][]Entry{}
	for _, e := range all {
		if e.Env == env {
			out[e.Service] = append(out[e.Service], e)
		}
	}
	return out, nil
}

func (f *File) readAll() ([]Entry, error) {
	fh, err := os.Open(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, f.envErr(err)
	}
	defer fh.Close()
	if err := lockShared(fh); err != nil {
		return nil, f.envErr(fmt.Errorf("lock: %w", err))
	}
	defer unlock(fh)
	data, err := io.ReadAll(fh)
	if err != nil {
		return nil, f.envErr(err)
	}
	return parseLines(f.Path, data)
}

// parseLines reads JSON lines, each a valid entry. Blank lines are skipped.
func parseLines(name string, data []byte) ([]Entry, error) {
	out := make([]Entry, 0, bytes.Count(data, []byte{'\n'})+1)
	for line := 1; len(data) > 0; line++ {
		var text []byte
		text, data, _ = bytes.Cut(data, []byte{'\n'})
		text = bytes.TrimSpace(text)
		if len(text) == 0 {
			continue
		}
		e, err := ParseEntry(text)
		if err != nil {
			return nil, lineErr(name, line, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// ParseEntry decodes one JSON entry and validates it. Unknown fields are
// accepted, so that a newer ordo's record stays readable by an older one.
func ParseEntry(data []byte) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil {
		return Entry{}, fmt.Errorf("not a record entry: %w", err)
	}
	if err := e.Validate(); err != nil {
		return Entry{}, errors.Unwrap(err) // the exit code is the caller's to decide
	}
	return e, nil
}

func lineErr(name string, line int, err error) error {
	return exitEnv(fmt.Errorf("%s:%d: %w: the record must be ordo's JSON lines; restore the file or move it away", name, line, err))
}

func (f *File) envErr(err error) error {
	return exitEnv(fmt.Errorf("record %s: %w", f.Path, err))
}

// Append adds e as one line at the end of the file, creating it if needed.
func (f *File) Append(_ context.Context, e Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	data, err := jsonLine(e)
	if err != nil {
		return err
	}
	fh, err := os.OpenFile(f.Path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return f.envErr(fmt.Errorf("%w: check that its directory exists and is writable", err))
	}
	defer fh.Close()
	if err := lockExclusive(fh); err != nil {
		return f.envErr(fmt.Errorf("lock: %w", err))
	}
	defer unlock(fh)
	if err := f.checkTail(fh); err != nil {
		return err
	}
	// One write: O_APPEND puts it at the end atomically with respect to
	// other appenders, and a process killed around it leaves the line whole
	// or absent.
	if _, err := fh.Write(data); err != nil {
		return f.envErr(err)
	}
	if err := fh.Sync(); err != nil {
		return f.envErr(err)
	}
	return nil
}

// checkTail refuses to append after a last line without its newline (a file
// truncated by a crash or edited by hand): the new entry would be glued to
// it and both lost.
func (f *File) checkTail(fh *os.File) error {
	fi, err := fh.Stat()
	if err != nil {
		return f.envErr(err)
	}
	if fi.Size() == 0 {
		return nil
	}
	last := make([]byte, 1)
	if _, err := fh.ReadAt(last, fi.Size()-1); err != nil {
		return f.envErr(err)
	}
	if last[0] == '\n' {
		return nil
	}
	// Name the line, as a read would.
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return f.envErr(err)
	}
	content, err := io.ReadAll(fh)
	if err != nil {
		return f.envErr(err)
	}
	line := bytes.Count(content, []byte{'\n'}) + 1
	return lineErr(f.Path, line, errors.New("the last line has no newline (a truncated write?)"))
}

func jsonLine(e Entry) ([]byte, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
