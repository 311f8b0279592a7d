package events_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/ordo-ci/ordo/internal/events"
)

// FuzzParse: any bytes give events and warnings, never a panic; every line
// is either an event or a warning, and an event read back marshals again.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"context":{"specversion":"0.5.1","id":"1","source":"ordo","type":"dev.cdevents.pipelinerun.queued.0.3.0","timestamp":"2026-11-29T10:00:00Z","chainId":"r"},"subject":{"id":"r","content":{"pipelineName":"ordo/staging"}},"customData":{"waves":[{"index":0,"services":["a"]}],"wave":0}}` + "\n"))
	f.Add([]byte("{\"context\":\n\n{}\nnot json\n"))
	f.Add([]byte(`{"context":{"type":"x"},"customData":"aGVsbG8="}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, warnings := events.Parse("events.jsonl", data)
		lines := 0
		for _, l := range bytes.Split(data, []byte{'\n'}) {
			if len(bytes.TrimSpace(l)) > 0 {
				lines++
			}
		}
		if len(evs)+len(warnings) != lines {
			t.Fatalf("%d events and %d warnings for %d lines", len(evs), len(warnings), lines)
		}
		for _, ev := range evs {
			if _, err := json.Marshal(ev); err != nil {
				t.Fatal(err)
			}
		}
	})
}
