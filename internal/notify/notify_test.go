package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/golden"
	"github.com/ordo-ci/ordo/internal/testtool"
)

var kinds = []string{"plan", "verify", "rollback", "drill", "report"}

// TestGolden renders each document kind for both platforms and compares
// with testdata/<kind>.slack.json and <kind>.teams.json.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			m := decodeFile(t, filepath.Join("testdata", kind+".json"))
			for _, p := range []Platform{SlackPlatform, TeamsPlatform} {
				payload, err := Payload(p, m)
				if err != nil {
					t.Fatal(err)
				}
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, payload, "", "  "); err != nil {
					t.Fatal(err)
				}
				pretty.WriteByte('\n')
				golden.Check(t, filepath.Join("testdata", kind+"."+string(p)+".json"), pretty.Bytes())
				if p == SlackPlatform {
					checkSlack(t, payload)
				} else {
					checkTeams(t, payload)
				}
			}
		})
	}
}

func decodeFile(t testing.TB, path string) *Message {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// checkSlack decodes payload with slack-go's own types, which know every
// Block Kit block, and checks Slack's limits on what they decoded.
func checkSlack(t testing.TB, payload []byte) *slack.WebhookMessage {
	t.Helper()
	var msg slack.WebhookMessage
	if err := json.Unmarshal(payload, &msg); err != nil {
		t.Fatalf("slack-go cannot decode the payload: %v", err)
	}
	if strings.TrimSpace(msg.Text) == "" {
		t.Error("no text fallback")
	}
	if msg.Blocks == nil || len(msg.Blocks.BlockSet) == 0 {
		t.Fatal("no blocks")
	}
	if n := len(msg.Blocks.BlockSet); n > SlackMaxBlocks {
		t.Errorf("%d blocks, Slack takes at most %d", n, SlackMaxBlocks)
	}
	for i, b := range msg.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			if b.Text.Type != slack.PlainTextType || utf8.RuneCountInString(b.Text.Text) > SlackMaxHeader {
				t.Errorf("block %d: header %s of %d characters", i, b.Text.Type, utf8.RuneCountInString(b.Text.Text))
			}
		case *slack.SectionBlock:
			if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > SlackMaxSection {
				t.Errorf("block %d: section of %d characters", i, utf8.RuneCountInString(b.Text.Text))
			}
			if b.Text != nil && b.Text.Type == slack.MarkdownType && !b.Text.Verbatim {
				t.Errorf("block %d: mrkdwn without verbatim: Slack would link URLs and names", i)
			}
			if len(b.Fields) > slackMaxFields {
				t.Errorf("block %d: %d fields", i, len(b.Fields))
			}
		case *slack.ContextBlock, *slack.DividerBlock:
		default:
			t.Errorf("block %d: unexpected %T", i, b)
		}
	}
	return &msg
}

// checkTeams checks the size and has Microsoft's adaptivecards parser read
// the card (testdata/validate-card.cjs), when it is installed.
func checkTeams(t testing.TB, payload []byte) {
	t.Helper()
	if len(payload) > TeamsMaxBytes {
		t.Errorf("Teams payload of %d bytes, over %d", len(payload), TeamsMaxBytes)
	}
	dir := os.Getenv("ORDO_ADAPTIVECARDS_DIR")
	if dir == "" {
		testtool.Missing(t, "the adaptivecards npm package: set ORDO_ADAPTIVECARDS_DIR to a directory where `npm install adaptivecards@3.0.6` ran")
	}
	node := testtool.Find(t, "", "node")
	cmd := exec.Command(node, filepath.Join("testdata", "validate-card.cjs"))
	cmd.Env = append(os.Environ(), "ADAPTIVECARDS_DIR="+dir)
	cmd.Stdin = bytes.NewReader(payload)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("adaptivecards rejects the card: %v\n%s", err, out)
	}
}

// bigPlan is a plan of n services in waves waves, with names long enough to
// press on the limits.
func bigPlan(n, waves int) []byte {
	type wave struct {
		Index    int      `json:"index"`
		Services []string `json:"services"`
	}
	p := struct {
		Schema string   `json:"schema"`
		Env    string   `json:"env"`
		Deploy []string `json:"deploy"`
		Waves  []wave   `json:"waves"`
	}{Schema: "ordo.plan/v1", Env: "production"}
	for w := range waves {
		p.Waves = append(p.Waves, wave{Index: w})
	}
	for i := range n {
		name := fmt.Sprintf("service-with-a-rather-long-name-%03d", i)
		p.Deploy = append(p.Deploy, name)
		p.Waves[i%waves].Services = append(p.Waves[i%waves].Services, name)
	}
	b, _ := json.Marshal(p)
	return b
}

// TestLimits: 500 services in one wave and in 100 waves stay within both
// platforms' limits, and what is not shown is counted.
func TestLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ services, waves int }{{500, 1}, {500, 100}, {500, 49}} {
		t.Run(fmt.Sprintf("%d-in-%d", tc.services, tc.waves), func(t *testing.T) {
			t.Parallel()
			m, err := Decode("plan.json", bigPlan(tc.services, tc.waves))
			if err != nil {
				t.Fatal(err)
			}
			payload, _ := Payload(SlackPlatform, m)
			msg := checkSlack(t, payload)
			if got := shownAndCounted(t, msg); got != tc.services {
				t.Errorf("Slack shows and counts %d services, want %d", got, tc.services)
			}
			teams, err := Payload(TeamsPlatform, m)
			if err != nil {
				t.Fatal(err)
			}
			checkTeams(t, teams)
		})
	}
}

// shownAndCounted adds the bulleted items to the counts of "… and N more"
// and of the sections left out: every service must be one or the other.
func shownAndCounted(t testing.TB, msg *slack.WebhookMessage) int {
	n := 0
	for _, b := range msg.Blocks.BlockSet {
		var text string
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text == nil {
				continue
			}
			text = b.Text.Text
		case *slack.ContextBlock:
			text = b.ContextElements.Elements[0].(*slack.TextBlockObject).Text
		default:
			continue
		}
		for _, line := range strings.Split(text, "\n") {
			var k int
			switch {
			case strings.HasPrefix(line, "• "):
				n++
			case strings.HasPrefix(line, "_… and "):
				fmt.Sscanf(line, "_… and %d more_", &k)
			case strings.HasPrefix(line, "_and "):
				fmt.Sscanf(line[strings.Index(line, "(")+1:], "%d item", &k)
			}
			n += k
		}
	}
	return n
}

func TestUnknownSchema(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ doc, want string }{
		{`{"schema": "ordo.gate/v1", "passed": true}`, `unknown schema "ordo.gate/v1": notify knows ordo.drill/v1, ordo.plan/v1, ordo.report/v1, ordo.rollback/v1, ordo.verify/v1`},
		{`{"passed": true}`, `has no "schema"`},
		{`{"schema": "ordo.plan/v1",`, `not an ordo JSON document`},
		{"{\"schema\": \"ordo.plan/v1\",\n \"waves\": 3}", `not a valid ordo.plan/v1 document: 2:`},
	} {
		_, err := Decode("doc.json", []byte(tc.doc))
		if exit.Code(err) != exit.BadInput {
			t.Errorf("%s: exit %d (%v), want %d", tc.doc, exit.Code(err), err, exit.BadInput)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to say %q", tc.doc, err, tc.want)
		}
	}
}

// TestCommandsOutput decodes what ordo plan, verify, rollback, drill and
// report wrote for releases whose second wave failed (testdata/commands,
// from the commands themselves), and renders it for both platforms.
func TestCommandsOutput(t *testing.T) {
	t.Parallel()
	for kind, title := range map[string]string{
		"plan":     "Plan to production: 3 services in 2 waves",
		"verify":   "Verification of wave 1 in production: the breaker tripped",
		"rollback": "Rollback in production: 2 services in 2 waves",
		"drill":    "Drill in production: 2 rehearsed failures",
		"report":   "Release staging-20261129T092056Z-328f0395 in staging: failed",
	} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			m := decodeFile(t, filepath.Join("testdata", "commands", kind+".json"))
			if !strings.HasPrefix(m.Title, title) {
				t.Errorf("title %q, want %q", m.Title, title)
			}
			payload, _ := Payload(SlackPlatform, m)
			checkSlack(t, payload)
			teams, err := Payload(TeamsPlatform, m)
			if err != nil {
				t.Fatal(err)
			}
			checkTeams(t, teams)
		})
	}
}
