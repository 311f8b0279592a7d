package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/ordo-ci/ordo/internal/exit"
)

// Platform is where a message goes.
type Platform string

const (
	SlackPlatform Platform = "slack"
	TeamsPlatform Platform = "teams"
)

// Payload renders m for platform p as the JSON body of a webhook request.
func Payload(p Platform, m *Message) ([]byte, error) {
	if p == TeamsPlatform {
		return Teams(m)
	}
	return marshal(Slack(m))
}

// marshal is json.Marshal without escaping &, < and > as \u0026 and so on:
// the platforms read either, and people reading a --dry-run read this.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Webhook is an incoming webhook. Its URL is a secret (whoever has it can
// post): it is never printed, and every error names Var, the environment
// variable it came from, instead.
type Webhook struct {
	Platform Platform
	URL      string
	Var      string
	// Client sends the request; its transport retries 429 after
	// Retry-After, bounded (forge.RetryingClient).
	Client *http.Client
}

// CheckURL checks a webhook URL taken from variable name: an http(s) URL
// with a host. It returns a warning for plain http to a host that is not
// loopback, where the URL and the message cross the network readable.
func CheckURL(name, raw string) (warning string, err error) {
	if raw == "" {
		return "", exit.BadInputf("the webhook variable %s is empty or not set: set it to the webhook URL (from a CI secret)", name)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", exit.BadInputf("the value of %s is not an http(s) URL: set it to the webhook URL the platform gave you", name)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return fmt.Sprintf("the webhook in %s is plain http to %s: the message and the URL cross the network unencrypted; use https", name, u.Hostname()), nil
	}
	return "", nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Post sends payload. A refused message is an environment error (exit 3)
// that says what the platform answered, in words.
func (w Webhook) Post(ctx context.Context, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(payload))
	if err != nil {
		return exit.BadInputf("the value of %s is not a usable URL", w.Var)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message holds the URL
		}
		return exit.Envf("post to the %s webhook in %s: %s", w.Platform, w.Var, w.redact(err.Error()))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	what := strings.TrimSpace(string(body))
	if w.Platform == SlackPlatform {
		what = slackError(what)
	} else {
		what = teamsError(what)
	}
	return exit.Envf("the %s webhook in %s refused the message: HTTP %d: %s", w.Platform, w.Var, resp.StatusCode, w.redact(what))
}

// redact takes the URL, and its path (the secret part), out of s.
func (w Webhook) redact(s string) string {
	if w.URL == "" {
		return s
	}
	s = strings.ReplaceAll(s, w.URL, "$"+w.Var)
	if u, err := url.Parse(w.URL); err == nil && len(u.Path) > 1 {
		s = strings.ReplaceAll(s, u.Path, "/…")
		if u.RawQuery != "" {
			s = strings.ReplaceAll(s, u.RawQuery, "…")
		}
	}
	return s
}

// slackErrors are the error strings Slack's incoming webhooks answer with.
// https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks#handling-errors
var slackErrors = map[string]string{
	"invalid_payload":                   "Slack could not read the message (invalid_payload); this is ordo's fault: please report it with the document you sent",
	"no_text":                           "Slack found no text in the message (no_text); this is ordo's fault: please report it",
	"too_many_attachments":              "the message has too many attachments (too_many_attachments)",
	"user_not_found":                    "the webhook's user no longer exists (user_not_found): create a new webhook",
	"channel_not_found":                 "the webhook's channel no longer exists (channel_not_found): create a new webhook for an existing channel",
	"channel_is_archived":               "the webhook's channel is archived (channel_is_archived): unarchive it or create a webhook for another channel",
	"action_prohibited":                 "a workspace admin does not allow posting to this channel (action_prohibited)",
	"posting_to_general_channel_denied": "only admins may post to this channel (posting_to_general_channel_denied): use another channel",
	"invalid_token":                     "the webhook URL is not valid any more (invalid_token): create a new webhook and update the secret",
	"no_service":                        "the webhook is disabled or was removed (no_service): create a new webhook and update the secret",
	"no_service_id":                     "the webhook URL is incomplete (no_service_id): copy it again from Slack",
	"no_team":                           "the webhook's workspace was not found (no_team): copy the URL again from Slack",
	"team_disabled":                     "the webhook's workspace is disabled (team_disabled)",
	"rollup_error":                      "Slack failed to post the message (rollup_error): try again later",
}

func slackError(body string) string {
	if msg, ok := slackErrors[body]; ok {
		return msg
	}
	if body == "" {
		return "no explanation in the answer"
	}
	return truncate(body, 500)
}

// teamsError reads the error a Workflows webhook (an Azure Logic Apps
// trigger) answers with: {"error": {"code", "message"}}.
func teamsError(body string) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(body), &e) == nil && (e.Error.Code != "" || e.Error.Message != "") {
		msg := strings.TrimSpace(e.Error.Code + ": " + e.Error.Message)
		switch e.Error.Code {
		case "DirectApiAuthorizationRequired", "WorkflowTriggerIsNotEnabled", "AuthorizationFailed":
			msg += " (check that the workflow is turned on and the URL, with its sig parameter, is complete)"
		}
		return truncate(msg, 500)
	}
	if body == "" {
		return "no explanation in the answer"
	}
	return truncate(body, 500)
}
