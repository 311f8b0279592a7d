package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/ordo-ci/ordo/internal/exit"
)

// TestNotifyPosts runs ordo notify against a fake Slack webhook: the
// message arrives as Block Kit that slack-go reads, and nothing ordo prints
// holds the URL.
func TestNotifyPosts(t *testing.T) {
	t.Parallel()
	var got []slack.WebhookMessage
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var msg slack.WebhookMessage
		if err := json.Unmarshal(body, &msg); err != nil {
			t.Errorf("slack-go cannot read the message: %v", err)
		}
		got = append(got, msg)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	hook := srv.URL + "/services/T0/B0/secret"
	doc := filepath.Join(t.TempDir(), "plan.json")
	os.WriteFile(doc, []byte(`{"schema": "ordo.plan/v1", "env": "staging", "deploy": ["api"], "waves": [{"index": 0, "services": ["api"]}]}`), 0o644)
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "HOOK" {
			return hook
		}
		return ""
	}
	code := Run(context.Background(), []string{"notify", "--slack-webhook-env", "HOOK", "--from", doc}, IO{In: strings.NewReader(""), Out: &out, Err: &errb}, getenv)
	if code != exit.OK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if len(got) != 1 || !strings.Contains(got[0].Text, "Plan to staging: 1 service in 1 wave") {
		t.Fatalf("the webhook received %+v", got)
	}
	if strings.Contains(out.String()+errb.String(), "secret") || out.Len() > 0 {
		t.Errorf("stdout %q, stderr %q: want nothing on stdout and no URL anywhere", out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), `posted "Plan to staging: 1 service in 1 wave" to the slack webhook in HOOK`) {
		t.Errorf("stderr %q", errb.String())
	}
}
