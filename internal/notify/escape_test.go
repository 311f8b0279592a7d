package notify

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// hostile are names a pull request could put into a document: mentions,
// links in each platform's syntax, markup.
var hostile = []string{
	"<!here> deploy now",
	"<!channel>",
	"@here look",
	"@Channel",
	"@everyone",
	"<@U024BE7LH>",
	"<https://evil.example/|click me>",
	"https://evil.example/x",
	"www.evil.example",
	"[click](https://evil.example)",
	"<at>Megan</at>",
	"a & b < c > d",
}

func hostileVerify() []byte {
	type check struct {
		Name   string `json:"name"`
		Passed bool   `json:"passed"`
		Reason string `json:"reason"`
	}
	type service struct {
		Name   string  `json:"name"`
		Passed bool    `json:"passed"`
		Checks []check `json:"checks"`
	}
	doc := struct {
		Schema   string    `json:"schema"`
		Env      string    `json:"env"`
		Release  string    `json:"release"`
		Passed   bool      `json:"passed"`
		Services []service `json:"services"`
	}{Schema: "ordo.verify/v1", Env: "<!here>", Release: "[x](https://evil.example)"}
	for _, h := range hostile {
		doc.Services = append(doc.Services, service{Name: h, Checks: []check{{Name: h, Reason: h}}})
	}
	b, _ := json.Marshal(doc)
	return b
}

// TestEscaping: nothing a pull request wrote mentions anyone or links
// anywhere, on either platform, and the text is still there to read.
func TestEscaping(t *testing.T) {
	t.Parallel()
	m, err := Decode("verify.json", hostileVerify())
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := Payload(SlackPlatform, m)
	msg := checkSlack(t, payload)
	texts := []string{msg.Text}
	for _, b := range msg.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			texts = append(texts, b.Text.Text)
		case *slack.SectionBlock:
			if b.Text != nil {
				texts = append(texts, b.Text.Text)
			}
			for _, f := range b.Fields {
				texts = append(texts, f.Text)
			}
		}
	}
	all := strings.Join(texts, "\n")
	for _, bad := range []string{"<", ">", "@here", "@channel", "@Channel", "@everyone", "://", "www."} {
		if strings.Contains(all, bad) {
			t.Errorf("Slack text contains %q:\n%s", bad, all)
		}
	}
	if !strings.Contains(all, "a &amp; b &lt; c &gt; d") {
		t.Errorf("Slack text lost or did not escape & < >:\n%s", all)
	}
	if strings.Count(all, "&lt;!here&gt;") < 2 {
		t.Errorf("Slack text does not show <!here> as text:\n%s", all)
	}

	teams, err := Payload(TeamsPlatform, m)
	if err != nil {
		t.Fatal(err)
	}
	checkTeams(t, teams)
	var card struct {
		Attachments []struct {
			Content json.RawMessage `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(teams, &card); err != nil {
		t.Fatal(err)
	}
	var strs []string
	collectStrings(t, card.Attachments[0].Content, &strs)
	text := strings.Join(strs, "\n")
	for _, bad := range []string{"](", "<at", "</at", "@here", "@channel", "@Channel", "@everyone", "://", "www."} {
		if strings.Contains(text, bad) {
			t.Errorf("Teams text contains %q:\n%s", bad, text)
		}
	}
	if !strings.Contains(text, "a & b <"+wj+" c > d") {
		t.Errorf("Teams text lost a & b < c > d:\n%s", text)
	}
}

// collectStrings gathers the card's texts (the values of "text", "title"
// and "value"), leaving out its own keys such as $schema.
func collectStrings(t testing.TB, raw json.RawMessage, out *[]string) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && (k == "text" || k == "title" || k == "value") {
					*out = append(*out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{{"abc", 3, "abc"}, {"abcd", 3, "ab…"}, {"ééééé", 4, "ééé…"}} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
