package notify

import (
	"fmt"
	"strings"

	"github.com/ordo-ci/ordo/internal/english"
)

// TeamsMaxBytes is the largest message Teams takes from a webhook.
// https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-messages-using-curl-and-powershell
const TeamsMaxBytes = 28 * 1024

var teamsColor = map[Status]string{Info: "Accent", Good: "Good", Bad: "Attention"}

// Teams renders m as the payload of a Teams Workflows webhook ("Post to a
// channel when a webhook request is received"): a message whose one
// attachment is an Adaptive Card 1.4. Lists are shortened, and counted,
// until the payload fits in TeamsMaxBytes.
// https://learn.microsoft.com/en-us/connectors/teams/?tabs=text1#microsoft-teams-webhook
func Teams(m *Message) ([]byte, error) {
	for items := 64; ; items /= 2 {
		sections := len(m.Sections)
		for {
			b, err := marshal(teamsMessage(m, items, sections))
			if err != nil {
				return nil, err
			}
			if len(b) <= TeamsMaxBytes {
				return b, nil
			}
			if items > 1 {
				break // fewer items per list first
			}
			if sections == 0 {
				return nil, fmt.Errorf("the Teams card is %d bytes even without its lists, over Teams' %d", len(b), TeamsMaxBytes)
			}
			sections /= 2
		}
	}
}

type card = map[string]any

func teamsMessage(m *Message, items, sections int) card {
	body := []card{{
		"type": "TextBlock", "text": teamsEscape(truncate(oneLine(m.Title), 300)), "wrap": true,
		"size": "Large", "weight": "Bolder", "color": teamsColor[m.Status],
	}}
	if len(m.Facts) > 0 {
		var facts []card
		for _, f := range m.Facts {
			facts = append(facts, card{"title": teamsEscape(f.Label), "value": teamsEscape(truncate(oneLine(f.Value), 300))})
		}
		body = append(body, card{"type": "FactSet", "facts": facts})
	}
	shown := m.Sections[:min(sections, len(m.Sections))]
	for _, s := range shown {
		var lines []string
		for _, it := range s.Items[:min(items, len(s.Items))] {
			lines = append(lines, "- "+teamsEscape(truncate(oneLine(it), 500)))
		}
		if len(s.Items) == 0 {
			lines = append(lines, "none")
		}
		c := card{"type": "Container", "separator": true, "items": []card{
			{"type": "TextBlock", "text": teamsEscape(truncate(oneLine(s.Title), 300)), "weight": "Bolder", "wrap": true},
			{"type": "TextBlock", "text": strings.Join(lines, "\n"), "wrap": true, "spacing": "Small"},
		}}
		if left := len(s.Items) - items; left > 0 {
			c["items"] = append(c["items"].([]card), card{"type": "TextBlock", "text": fmt.Sprintf("… and %d more", left), "isSubtle": true, "wrap": true, "spacing": "None"})
		}
		body = append(body, c)
	}
	if rest := len(m.Sections) - len(shown); rest > 0 {
		body = append(body, card{"type": "TextBlock", "text": fmt.Sprintf("… and %s more not shown", english.Count(rest, "section")), "isSubtle": true, "wrap": true})
	}
	return card{
		"type": "message",
		"attachments": []card{{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"contentUrl":  nil,
			"content": card{
				"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
				"type":    "AdaptiveCard",
				"version": "1.4",
				"msteams": card{"width": "Full"},
				"body":    body,
			},
		}},
	}
}
