package forge

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestRequiredChecks reads what must pass on a branch from both places
// GitHub keeps it: rulesets (paged) and classic branch protection.
func TestRequiredChecks(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	var want []string
	for i := range 40 {
		c := "ordo/svc-" + strconv.Itoa(100+i)
		fake.Require("main", c)
		want = append(want, c)
	}
	fake.Protect("main", "ordo", "ordo/svc-100")
	want = append(want, "ordo")
	slices.Sort(want)
	s := &sleeps{}
	f, err := New(ghConfig(fake, s))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := AsReader(f)
	if !ok {
		t.Fatal("the GitHub forge is no Reader")
	}
	got, err := r.RequiredChecks(context.Background(), "main")
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("RequiredChecks(main) = %v, %v\nwant %v", got, err, want)
	}
	if got, err := r.RequiredChecks(context.Background(), "topic"); err != nil || len(got) != 0 {
		t.Errorf("RequiredChecks(topic) = %v, %v, want none", got, err)
	}
}

// TestLiveLabels reads labels and the pull requests of a commit from the
// API, as they are now.
func TestLiveLabels(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	fake.SetLabels(7, "ordo:override:policy.freeze", "bug")
	fake.SetPulls(sha, 9, 7, 7)
	f, err := New(ghConfig(fake, &sleeps{}))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := AsReader(f)
	if got, err := r.Labels(context.Background(), 7); err != nil || !slices.Equal(got, []string{"bug", "ordo:override:policy.freeze"}) {
		t.Errorf("Labels(7) = %v, %v", got, err)
	}
	if got, err := r.CommitPullRequests(context.Background(), sha); err != nil || !slices.Equal(got, []int{7, 9}) {
		t.Errorf("CommitPullRequests = %v, %v", got, err)
	}
}

// TestStatusWritesArePaced holds GitHub's secondary limit of about 80
// content-creating requests a minute: past a burst of 20, writes are spaced.
// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
func TestStatusWritesArePaced(t *testing.T) {
	t.Parallel()
	fake := newFakeGitHub(t)
	s := &sleeps{}
	f, err := New(ghConfig(fake, s))
	if err != nil {
		t.Fatal(err)
	}
	var statuses []Status
	for i := range 100 {
		statuses = append(statuses, Status{Context: "ordo/svc-" + strconv.Itoa(i), State: StateSuccess})
	}
	if err := f.SetStatuses(context.Background(), sha, statuses); err != nil {
		t.Fatal(err)
	}
	var total time.Duration
	for _, d := range s.all() {
		total += d
	}
	if want := WriteTime(100); total < want || want < 59*time.Second {
		t.Errorf("waited %s for 100 statuses, want at least %s (80 a minute after 20)", total, want)
	}
	if WriteTime(20) != 0 {
		t.Errorf("WriteTime(20) = %s, want no wait within the burst", WriteTime(20))
	}
}
