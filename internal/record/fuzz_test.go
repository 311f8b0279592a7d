package record

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseLines feeds the record parser arbitrary files: it never panics,
// and whatever it accepts is valid and survives a write and a read.
func FuzzParseLines(f *testing.F) {
	good := `{"env":"staging","service":"api","phase":"deploy","state":"success","sha":"` + sha1 + `","version":"1.0.0","release":"r","wave":0,"time":"2026-03-01T10:00:00.5Z","url":"u"}`
	f.Add([]byte(good + "\n"))
	f.Add([]byte(good + "\n\n" + strings.Replace(good, "deploy", "verify", 1) + "\n"))
	f.Add([]byte("{oops\n"))
	f.Add([]byte(`{"wave":-1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseLines("fuzz", data)
		if err != nil {
			return
		}
		for _, e := range entries {
			if err := e.Validate(); err != nil {
				t.Fatalf("accepted an invalid entry %+v: %v", e, err)
			}
			line, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseEntry(line)
			if err != nil || !back.Time.Equal(e.Time) || back.SHA != e.SHA || back.State != e.State {
				t.Fatalf("round trip of %s: %+v, %v", line, back, err)
			}
		}
	})
}
