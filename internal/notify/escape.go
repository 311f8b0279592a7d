package notify

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Text in a message may come from a pull request, so it must not mention
// anyone or link anywhere, on either platform. A word joiner (U+2060, which
// renders as nothing) is put where the platform would see a mention or a
// link, so that the reader still sees the text as it was written.
const wj = "\u2060"

// mentionRE finds Slack's broadcast words and Teams' mention tags whatever
// their case.
var mentionRE = regexp.MustCompile(`(?i)@(here|channel|everyone)|<(/?at)\b`)

// defang breaks what both platforms turn into links or mentions: URLs with
// a scheme, www. hosts, broadcast mentions.
func defang(s string) string {
	s = strings.ReplaceAll(s, "://", ":"+wj+"//")
	s = strings.ReplaceAll(s, "www.", "www"+wj+".")
	return mentionRE.ReplaceAllStringFunc(s, func(m string) string {
		return m[:1] + wj + m[1:]
	})
}

// slackEscape makes s safe inside Slack mrkdwn: &, < and > are the control
// characters Slack asks to escape, which also turns <!here>, <@U123> and
// <http://x|y> into plain text.
// https://api.slack.com/reference/surfaces/formatting#escaping
func slackEscape(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(defang(s))
	return s
}

// slackTruncate cuts escaped Slack text to n characters without leaving
// half an entity (&am…) behind.
func slackTruncate(s string, n int) string {
	t := truncate(s, n)
	if t == s {
		return t
	}
	body := strings.TrimSuffix(t, "…")
	if i := strings.LastIndexByte(body, '&'); i >= 0 && !strings.Contains(body[i:], ";") {
		body = body[:i]
	}
	return body + "…"
}

// teamsEscape makes s safe inside an Adaptive Card TextBlock or FactSet,
// whose Markdown subset has links ([x](y)) and where Teams resolves
// <at>name</at> mentions. Adaptive Cards document no escape character, so
// the link syntax is broken apart with a word joiner (a backslash would be
// shown as is): emphasis may still render, but nothing links or mentions.
// https://learn.microsoft.com/en-us/adaptive-cards/authoring-cards/text-features
func teamsEscape(s string) string {
	s = defang(s)
	return strings.NewReplacer("](", "]"+wj+"(", "<", "<"+wj, "[", "["+wj).Replace(s)
}

// oneLine turns line breaks into spaces: an item is one line of a list.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n runes, ending with "…" when it cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
