package record

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
)

// TestMain lets the test binary play a writer process: with
// ORDO_RECORD_TEST_WRITER=FILE it appends entries to FILE until killed.
func TestMain(m *testing.M) {
	if path := os.Getenv("ORDO_RECORD_TEST_WRITER"); path != "" {
		f := NewFile(path)
		for i := 0; ; i++ {
			e := entry(fmt.Sprintf("svc-%d", i%7), PhaseDeploy, StateSuccess, sha1)
			e.URL = strings.Repeat("u", 4000) // a long line, so a kill can land inside a write
			if err := f.Append(context.Background(), e); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
	}
	mainGit(m)
}

func TestFileMissingIsEmpty(t *testing.T) {
	t.Parallel()
	f := NewFile(filepath.Join(t.TempDir(), "record.jsonl"))
	got, err := f.Read(context.Background(), "staging")
	if err != nil || len(got) != 0 {
		t.Fatalf("Read of a missing file = %v, %v; want empty, nil", got, err)
	}
	if _, err := os.Stat(f.Path); !os.IsNotExist(err) {
		t.Fatalf("Read created the file: %v", err)
	}
}

// The file holds RFC 3339 times to the nanosecond and null waves.
func TestFileFormat(t *testing.T) {
	t.Parallel()
	f := NewFile(filepath.Join(t.TempDir(), "record.jsonl"))
	mustAppend(t, f, entry("api", PhaseDeploy, StateSuccess, sha1))
	raw, _ := os.ReadFile(f.Path)
	if !strings.Contains(string(raw), `"time":"2026-03-01T10:00:00.123456789Z"`) || !strings.Contains(string(raw), `"wave":null`) {
		t.Errorf("file does not hold RFC 3339 nano times and null waves:\n%s", raw)
	}
}

func TestFileBad(t *testing.T) {
	t.Parallel()
	good := `{"env":"staging","service":"api","phase":"deploy","state":"success","sha":"` + sha1 + `","time":"2026-03-01T10:00:00Z"}`
	tests := []struct {
		name, content, want string
	}{
		{"not json", good + "\n\nnot json\n", ":3: not a record entry"},
		{"bad state", good + "\n" + strings.Replace(good, `"success"`, `"done"`, 1) + "\n", `:2: record: phase deploy has no state "done"`},
		{"short sha", strings.Replace(good, sha1, "abc", 1) + "\n", `:1: record: sha "abc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "record.jsonl")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := NewFile(path).Read(context.Background(), "staging")
			if err == nil || !strings.Contains(err.Error(), path+tt.want) {
				t.Fatalf("Read = %v, want an error containing %q", err, path+tt.want)
			}
			if exit.Code(err) != exit.Env {
				t.Errorf("exit code %d, want %d", exit.Code(err), exit.Env)
			}
		})
	}
	t.Run("unreadable", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir() // a directory where the file should be
		_, err := NewFile(dir).Read(context.Background(), "staging")
		if exit.Code(err) != exit.Env {
			t.Fatalf("Read of a directory = %v (exit %d), want exit %d", err, exit.Code(err), exit.Env)
		}
	})
	t.Run("torn last line refuses appends", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "record.jsonl")
		if err := os.WriteFile(path, []byte(good+"\n"+good[:30]), 0o644); err != nil {
			t.Fatal(err)
		}
		err := NewFile(path).Append(context.Background(), entry("api", PhaseDeploy, StateSuccess, sha2))
		if err == nil || !strings.Contains(err.Error(), path+":2: the last line has no newline") || exit.Code(err) != exit.Env {
			t.Fatalf("Append = %v, want exit 3 naming %s:2", err, path)
		}
	})
	t.Run("invalid entry is not written", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "record.jsonl")
		err := NewFile(path).Append(context.Background(), entry("api", PhaseDeploy, "done", sha2))
		if exit.Code(err) != exit.BadInput {
			t.Fatalf("Append = %v, want exit 2", err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("an invalid append created the file")
		}
	})
}

// TestFileKilledWriter kills writer processes in the middle of appending and
// checks that the file still parses: every line is whole.
func TestFileKilledWriter(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "record.jsonl")
	for round := range 3 {
		var cmds []*exec.Cmd
		for range 3 {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "ORDO_RECORD_TEST_WRITER="+path)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds = append(cmds, cmd)
		}
		time.Sleep(time.Duration(50+round*37) * time.Millisecond)
		for _, cmd := range cmds {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
	got, err := NewFile(path).Read(context.Background(), "staging")
	if err != nil {
		t.Fatalf("the record does not parse after killed writers: %v", err)
	}
	n := 0
	for _, l := range got {
		n += len(l)
	}
	if n == 0 {
		t.Fatal("the writers wrote nothing; the test proves nothing")
	}
	t.Logf("%d whole entries after 9 killed writers", n)
}
