package record

import (
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
)

const (
	sha1 = "1111111111111111111111111111111111111111"
	sha2 = "2222222222222222222222222222222222222222"
	sha3 = "3333333333333333333333333333333333333333"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)

// entry builds a valid entry; its time runs backwards on purpose in some
// tests, to show that order never comes from it.
func entry(service, phase, state, sha string) Entry {
	return Entry{Env: "staging", Service: service, Phase: phase, State: state, SHA: sha, Time: t0}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	wave := func(n int) *int { return &n }
	ok := entry("api", PhaseDeploy, StateSuccess, sha1)
	tests := []struct {
		name string
		edit func(e *Entry)
		want string // "" = valid
	}{
		{"valid", func(*Entry) {}, ""},
		{"every deploy state", func(e *Entry) { e.State = StateInProgress }, ""},
		{"verify verified", func(e *Entry) { e.Phase, e.State = PhaseVerify, StateVerified }, ""},
		{"verify failure", func(e *Entry) { e.Phase, e.State = PhaseVerify, StateFailure }, ""},
		{"rollback rolled_back", func(e *Entry) { e.Phase, e.State = PhaseRollback, StateRolledBack }, ""},
		{"rollback success", func(e *Entry) { e.Phase, e.State = PhaseRollback, StateSuccess }, ""},
		{"wave 0", func(e *Entry) { e.Wave = wave(0) }, ""},
		{"unknown phase", func(e *Entry) { e.Phase = "promote" }, `unknown phase "promote": use deploy, verify, rollback`},
		{"state of another phase", func(e *Entry) { e.State = StateVerified }, `phase deploy has no state "verified": use in_progress, success, failure`},
		{"rolled_back in deploy", func(e *Entry) { e.State = StateRolledBack }, `has no state "rolled_back"`},
		{"in_progress in verify", func(e *Entry) { e.Phase, e.State = PhaseVerify, StateInProgress }, `phase verify has no state "in_progress"`},
		{"short sha", func(e *Entry) { e.SHA = "abc123" }, `sha "abc123" is not a full commit sha`},
		{"upper-case sha", func(e *Entry) { e.SHA = strings.ToUpper("abcdef1111111111111111111111111111111111") }, "not a full commit sha"},
		{"bad env", func(e *Entry) { e.Env = "Prod" }, `environment "Prod" is not a valid name`},
		{"ref escape in service", func(e *Entry) { e.Service = "a/../../heads/main" }, "is not a valid name"},
		{"dot-dot service", func(e *Entry) { e.Service = "a..b" }, "is not a valid name"},
		{".lock service", func(e *Entry) { e.Service = "api.lock" }, "is not a valid name"},
		{"negative wave", func(e *Entry) { e.Wave = wave(-1) }, "wave -1 is negative"},
		{"no time", func(e *Entry) { e.Time = time.Time{} }, "has no time"},
		{"newline in version", func(e *Entry) { e.Version = "1.0.0\n{}" }, "single-line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := ok
			tt.edit(&e)
			err := e.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.want)
			}
			if exit.Code(err) != exit.BadInput {
				t.Errorf("exit code %d, want %d", exit.Code(err), exit.BadInput)
			}
		})
	}
}

func TestQueries(t *testing.T) {
	t.Parallel()
	at := func(e Entry, d time.Duration) Entry { e.Time = t0.Add(d); return e }
	tests := []struct {
		name        string
		entries     []Entry
		running     string // sha, "" = none
		runningRel  string
		last        string // "phase/state@sha"
		verified    []string
		notVerified []string
	}{
		{name: "empty", entries: nil, notVerified: []string{sha1}},
		{
			name:    "in_progress only is not running",
			entries: []Entry{entry("api", PhaseDeploy, StateInProgress, sha1)},
			last:    "deploy/in_progress@" + sha1, notVerified: []string{sha1},
		},
		{
			name: "newest is last written, not latest time",
			entries: []Entry{
				at(entry("api", PhaseDeploy, StateSuccess, sha1), time.Hour),
				at(entry("api", PhaseDeploy, StateSuccess, sha2), -time.Hour),
			},
			running: sha2, last: "deploy/success@" + sha2,
		},
		{
			name: "a failed deploy leaves the previous success running",
			entries: []Entry{
				entry("api", PhaseDeploy, StateSuccess, sha1),
				entry("api", PhaseDeploy, StateInProgress, sha2),
				entry("api", PhaseDeploy, StateFailure, sha2),
			},
			running: sha1, last: "deploy/failure@" + sha2,
		},
		{
			name: "a rollback success runs",
			entries: []Entry{
				entry("api", PhaseDeploy, StateSuccess, sha1),
				entry("api", PhaseDeploy, StateSuccess, sha2),
				entry("api", PhaseVerify, StateFailure, sha2),
				entry("api", PhaseRollback, StateRolledBack, sha2),
				entry("api", PhaseRollback, StateSuccess, sha1),
			},
			running: sha1, last: "rollback/success@" + sha1, notVerified: []string{sha1, sha2},
		},
		{
			name: "verify success is not a running entry",
			entries: []Entry{
				entry("api", PhaseDeploy, StateSuccess, sha1),
				entry("api", PhaseVerify, StateVerified, sha1),
			},
			running: sha1, last: "verify/verified@" + sha1, verified: []string{sha1},
		},
		{
			name: "the newest verify entry at a sha decides it",
			entries: []Entry{
				entry("api", PhaseVerify, StateVerified, sha1),
				entry("api", PhaseVerify, StateFailure, sha1),
				entry("api", PhaseVerify, StateFailure, sha2),
				entry("api", PhaseVerify, StateVerified, sha2),
				entry("api", PhaseVerify, StateVerified, sha3),
			},
			last: "verify/verified@" + sha3, verified: []string{sha2, sha3}, notVerified: []string{sha1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run, ok := Running(tt.entries)
			if got := map[bool]string{true: run.SHA}[ok]; got != tt.running {
				t.Errorf("Running = %q, want %q", got, tt.running)
			}
			last, ok := Last(tt.entries)
			got := ""
			if ok {
				got = last.Phase + "/" + last.State + "@" + last.SHA
			}
			if got != tt.last {
				t.Errorf("Last = %q, want %q", got, tt.last)
			}
			for _, s := range tt.verified {
				if !VerifiedAt(tt.entries, s) {
					t.Errorf("VerifiedAt(%s) = false, want true", s[:4])
				}
			}
			for _, s := range tt.notVerified {
				if VerifiedAt(tt.entries, s) {
					t.Errorf("VerifiedAt(%s) = true, want false", s[:4])
				}
			}
			var vs []string
			for _, v := range Verifications(tt.entries) {
				vs = append(vs, v.SHA)
			}
			if strings.Join(vs, ",") != strings.Join(tt.verified, ",") {
				t.Errorf("Verifications = %v, want %v", vs, tt.verified)
			}
		})
	}
}

func TestVerificationsFirstTime(t *testing.T) {
	t.Parallel()
	e1 := entry("api", PhaseVerify, StateVerified, sha1)
	e2 := e1
	e2.Time = t0.Add(time.Hour)
	vs := Verifications([]Entry{e1, e2})
	if len(vs) != 1 || !vs[0].First.Equal(t0) {
		t.Fatalf("Verifications = %+v, want one at %v (the first verified entry)", vs, t0)
	}
}
