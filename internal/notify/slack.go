package notify

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/ordo-ci/ordo/internal/english"
)

// Slack's Block Kit limits.
// https://docs.slack.dev/reference/block-kit/blocks
const (
	SlackMaxBlocks      = 50
	SlackMaxHeader      = 150  // header block plain_text
	SlackMaxSection     = 3000 // section block text
	slackMaxFields      = 10   // fields of one section
	slackMaxField       = 2000 // one field
	slackMaxFallbackLen = 3000 // the text fallback: notifications show its start only
)

var slackEmoji = map[Status]string{Info: ":clipboard:", Good: ":white_check_mark:", Bad: ":rotating_light:"}

// Every text, plain_text included, is escaped: Slack reads &amp;, &lt; and
// &gt; in all of them.

// Slack renders m as an incoming webhook message: a header, the facts as
// fields, one section per list, and a plain text fallback for
// notifications. It keeps within Block Kit's limits: sections that do not
// fit in 50 blocks are summarized in the last one, items that do not fit in
// 3,000 characters are counted.
func Slack(m *Message) *slack.WebhookMessage {
	var blocks []slack.Block
	blocks = append(blocks, slack.NewHeaderBlock(
		slack.NewTextBlockObject(slack.PlainTextType, slackTruncate(slackEmoji[m.Status]+" "+slackEscape(oneLine(m.Title)), SlackMaxHeader), true, false)))
	if len(m.Facts) > 0 {
		var fields []*slack.TextBlockObject
		for _, f := range m.Facts[:min(len(m.Facts), slackMaxFields)] {
			fields = append(fields, mrkdwn(slackTruncate("*"+slackEscape(f.Label)+"*\n"+slackEscape(oneLine(f.Value)), slackMaxField)))
		}
		blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))
	}
	if len(m.Sections) > 0 {
		blocks = append(blocks, slack.NewDividerBlock())
	}
	// One block is kept for the summary of sections that do not fit.
	room := SlackMaxBlocks - len(blocks)
	shown := m.Sections
	if len(shown) > room {
		shown = shown[:room-1]
	}
	for _, s := range shown {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(slackSection(s)), nil, nil))
	}
	if rest := m.Sections[len(shown):]; len(rest) > 0 {
		items := 0
		for _, s := range rest {
			items += len(s.Items)
		}
		text := fmt.Sprintf("_and %s more (%s) not shown_", english.Count(len(rest), "section"), english.Count(items, "item"))
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(text)))
	}
	no := false
	return &slack.WebhookMessage{
		Text:        slackFallback(m),
		Blocks:      &slack.Blocks{BlockSet: blocks},
		UnfurlLinks: &no,
		UnfurlMedia: &no,
	}
}

// mrkdwn is a mrkdwn text object with verbatim set, so that Slack does not
// turn URLs, channel names or mentions into links on its own.
// https://docs.slack.dev/reference/block-kit/composition-objects/text-object
func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, true)
}

// slackSection is a bold title and a bulleted list, as many items as fit in
// a section, then a count of the rest.
func slackSection(s Section) string {
	var b strings.Builder
	b.WriteString("*" + slackTruncate(slackEscape(oneLine(s.Title)), 300) + "*")
	for i, it := range s.Items {
		line := "\n• " + slackEscape(oneLine(it))
		more := ""
		if left := len(s.Items) - i - 1; left > 0 {
			more = fmt.Sprintf("\n_… and %d more_", left)
		}
		if b.Len()+len(line)+len(more) > SlackMaxSection {
			// A single huge item is cut rather than dropped.
			if i == 0 {
				line = slackTruncate(line, SlackMaxSection/2)
			}
			if b.Len()+len(line)+len(more) > SlackMaxSection {
				fmt.Fprintf(&b, "\n_… and %d more_", len(s.Items)-i)
				return b.String()
			}
		}
		b.WriteString(line)
	}
	if len(s.Items) == 0 {
		b.WriteString("\nnone")
	}
	return b.String()
}

// slackFallback is the message's text for notifications and clients that
// do not show blocks: the title and the facts on one line.
func slackFallback(m *Message) string {
	parts := []string{oneLine(m.Title)}
	for _, f := range m.Facts {
		parts = append(parts, f.Label+": "+oneLine(f.Value))
	}
	return slackTruncate(slackEscape(strings.Join(parts, " · ")), slackMaxFallbackLen)
}
