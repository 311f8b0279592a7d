package notify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/ordo-ci/ordo/internal/exit"
)

// FuzzDecode: any input is a message or a bad-input error, never a panic,
// and every message renders within both platforms' limits.
func FuzzDecode(f *testing.F) {
	for _, kind := range kinds {
		data, err := os.ReadFile(filepath.Join("testdata", kind+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(bigPlan(60, 3))
	f.Add([]byte(`{"schema": "ordo.drill/v1", "drills": [{"rollback": [{"index": 0, "services": ["a", {"name": "b", "target": null}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode("doc.json", data)
		if err != nil {
			if exit.Code(err) != exit.BadInput {
				t.Fatalf("exit %d for %v", exit.Code(err), err)
			}
			return
		}
		payload, err := Payload(SlackPlatform, m)
		if err != nil {
			t.Fatal(err)
		}
		var msg slack.WebhookMessage
		if err := json.Unmarshal(payload, &msg); err != nil {
			t.Fatalf("slack-go cannot decode: %v", err)
		}
		if n := len(msg.Blocks.BlockSet); n > SlackMaxBlocks {
			t.Fatalf("%d blocks", n)
		}
		for _, b := range msg.Blocks.BlockSet {
			if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil && utf8.RuneCountInString(s.Text.Text) > SlackMaxSection {
				t.Fatalf("a section of %d characters", utf8.RuneCountInString(s.Text.Text))
			}
			if h, ok := b.(*slack.HeaderBlock); ok && utf8.RuneCountInString(h.Text.Text) > SlackMaxHeader {
				t.Fatalf("a header of %d characters", utf8.RuneCountInString(h.Text.Text))
			}
		}
		teams, err := Payload(TeamsPlatform, m)
		if err == nil && len(teams) > TeamsMaxBytes {
			t.Fatalf("Teams payload of %d bytes", len(teams))
		}
	})
}
