package events

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/forge"
	"github.com/ordo-ci/ordo/internal/record"
)

// DefaultTimeout is the longest the HTTP sink may hold a command up, summed
// over all its events and retries.
const DefaultTimeout = 10 * time.Second

// Config says where events go and what they share.
type Config struct {
	// File is the JSON-lines events file (--events, ORDO_EVENTS); "" for none.
	File string
	// URL receives each event as a CloudEvent (--events-url); "" for none.
	URL string
	// RunURL is the CI run ("" outside CI); RepoURL the repository's web
	// page ("" when unknown). They make the source and the run uri.
	RunURL, RepoURL string
	// Timeout bounds the HTTP sink for the whole command; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// HTTPClient carries the POSTs under forge's retrying transport; nil
	// means http.DefaultTransport. Tests set it, and Sleep.
	HTTPClient *http.Client
	Sleep      func(ctx context.Context, d time.Duration) error
	// Warn receives a sink's failure; nil discards it.
	Warn func(msg string)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Emitter fills and sends events. A nil *Emitter, or one without sinks,
// emits nothing, so commands call Emit unconditionally.
type Emitter struct {
	cfg      Config
	source   string
	client   *http.Client
	deadline time.Time // of the HTTP sink, set by its first POST
	urlDown  error     // the HTTP sink's first failure; later events skip it
}

// New returns the emitter cfg describes. A URL that is not http(s) is bad
// input: the flag is wrong, not the sink.
func New(cfg Config) (*Emitter, error) {
	if cfg.URL != "" {
		u, err := url.Parse(cfg.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, exit.BadInputf("--events-url %q is not an http(s) URL: pass the CloudEvents endpoint, e.g. https://events.example.com/", cfg.URL)
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Warn == nil {
		cfg.Warn = func(string) {}
	}
	em := &Emitter{cfg: cfg, source: Source(cfg.RunURL, cfg.RepoURL)}
	if cfg.URL != "" {
		em.client = forge.RetryingClient(forge.Config{HTTPClient: cfg.HTTPClient, MaxWait: cfg.Timeout,
			RequestTimeout: min(cfg.Timeout, 5*time.Second), Sleep: cfg.Sleep})
	}
	return em, nil
}

// Source is the events' source: the CI run, else the repository + "/ordo",
// else "ordo".
func Source(runURL, repoURL string) string {
	switch {
	case runURL != "":
		return runURL
	case repoURL != "":
		return repoURL + "/ordo"
	}
	return "ordo"
}

// Enabled reports whether any sink is set.
func (em *Emitter) Enabled() bool { return em != nil && (em.cfg.File != "" || em.cfg.URL != "") }

// Emit fills evs (id, time, source, run uri) and sends them to every sink,
// in order. It never fails: a sink that cannot take them is a warning. It
// returns the events as sent, for tests and for callers that log them.
func (em *Emitter) Emit(ctx context.Context, evs ...CDEvent) []CDEvent {
	if !em.Enabled() || len(evs) == 0 {
		return nil
	}
	lines := make([][]byte, 0, len(evs))
	for i := range evs {
		em.fill(&evs[i])
		b, err := json.Marshal(evs[i])
		if err != nil { // plain structs: cannot happen
			em.cfg.Warn(fmt.Sprintf("events: %v", err))
			return nil
		}
		lines = append(lines, b)
	}
	if em.cfg.File != "" {
		if err := appendLines(em.cfg.File, lines); err != nil {
			em.cfg.Warn(fmt.Sprintf("events not written to %s: %v", em.cfg.File, err))
		}
	}
	if em.cfg.URL != "" {
		em.post(ctx, evs, lines)
	}
	return evs
}

func (em *Emitter) fill(ev *CDEvent) {
	ev.Context.SpecVersion = SpecVersion
	ev.Context.ID = newID()
	ev.Context.Source = em.source
	ev.Context.Timestamp = em.cfg.Now().UTC().Format(time.RFC3339Nano)
	if ev.Subject.Content.URI == runURIMark {
		ev.Subject.Content.URI = em.cfg.RunURL
		if ev.Subject.Content.URI == "" {
			ev.Subject.Content.URI = ReleaseURI(ev.Context.ChainID)
		}
	}
}

// newID is a random (version 4) UUID.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// appendLines appends the lines, each ending in a newline, with one write
// under the record's file lock, so that parallel jobs interleave whole
// lines. A last line left without its newline (a killed writer) is ended
// first, so the new lines stay whole.
func appendLines(path string, lines [][]byte) error {
	var buf bytes.Buffer
	for _, l := range lines {
		buf.Write(l)
		buf.WriteByte('\n')
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	err = writeLocked(f, buf.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeLocked(f *os.File, data []byte) error {
	unlock, err := record.Lock(f)
	if err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer unlock()
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
			data = append([]byte{'\n'}, data...)
		}
	}
	// One write: O_APPEND puts it at the end atomically with respect to
	// other appenders.
	_, err = f.Write(data)
	return err
}

// post sends each event as a CloudEvent in HTTP binary mode: the context
// as ce-* headers, the CDEvent JSON as the body.
// https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md#31-binary-content-mode
// https://github.com/cdevents/spec/blob/v0.5.1/cloudevents-binding.md
func (em *Emitter) post(ctx context.Context, evs []CDEvent, bodies [][]byte) {
	if em.urlDown != nil {
		return
	}
	if em.deadline.IsZero() {
		em.deadline = time.Now().Add(em.cfg.Timeout)
	}
	ctx, cancel := context.WithDeadline(ctx, em.deadline)
	defer cancel()
	// The receiver can drop a duplicate by its id, so a POST whose answer
	// was lost may be sent again.
	ctx = forge.RetrySafe(ctx)
	for i, ev := range evs {
		if err := em.postOne(ctx, ev, bodies[i]); err != nil {
			em.urlDown = err
			em.cfg.Warn(fmt.Sprintf("events not sent to %s (%d left unsent; the command goes on): %v", redactURL(em.cfg.URL), len(evs)-i, err))
			return
		}
	}
}

func (em *Emitter) postOne(ctx context.Context, ev CDEvent, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, em.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("ce-specversion", "1.0")
	h.Set("ce-id", ev.Context.ID)
	h.Set("ce-source", ev.Context.Source)
	h.Set("ce-type", ev.Context.Type)
	h.Set("ce-time", ev.Context.Timestamp)
	h.Set("ce-subject", ev.Subject.ID)
	resp, err := em.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is said once, by the caller
		}
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	return nil
}

// redactURL drops a URL's user info and query, which may hold a token.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the events URL"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}

// Sent reports whether the events file already holds an event of type typ
// in chain: for events a release sends once (pipelinerun.finished, which
// verify sends when the breaker trips and rollback only when verify did
// not). Without a file it is false: the HTTP sink cannot be asked.
func (em *Emitter) Sent(typ, chain string) bool {
	if em == nil || em.cfg.File == "" {
		return false
	}
	evs, _, err := ReadFile(em.cfg.File)
	if err != nil {
		return false
	}
	for _, ev := range evs {
		if ev.Context.Type == typ && ev.Context.ChainID == chain {
			return true
		}
	}
	return false
}
