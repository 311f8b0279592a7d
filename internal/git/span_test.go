package git

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// TestResolveSpan checks that one rev-parse says what RevParse twice and
// MergeBase say, and that it declines every case it cannot answer plainly.
func TestResolveSpan(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	root := r.Commit("root", gittest.Files{"a": "1"})
	r.AnnotatedTag("v1.0.0")
	// A criss-cross: a and b each merge the other's first commit, so a2 and
	// b2 have two merge bases, and git picks one.
	r.Branch("a")
	a1 := r.Commit("a1", gittest.Files{"a": "a1"})
	r.Checkout(root)
	r.Branch("b")
	b1 := r.Commit("b1", gittest.Files{"b": "b1"})
	r.Checkout("a")
	a2 := r.Merge(b1)
	r.Checkout("b")
	b2 := r.Merge(a1)
	r.Git("checkout", "--quiet", "--orphan", "unrelated")
	unrelated := r.Commit("unrelated", gittest.Files{"z": "1"})
	r.Checkout("a")
	// A file named like the argument ResolveSpan gives git: without the
	// final "--", rev-parse would print it as a path and succeed.
	if err := os.WriteFile(filepath.Join(r.Dir, "nope^{commit}...HEAD^{commit}"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	repo := Repo{Dir: r.Dir}
	ctx := context.Background()

	tests := []struct {
		base, head string
		ok         bool
	}{
		{base: "main", head: "a", ok: true},
		{base: "v1.0.0", head: "HEAD", ok: true}, // annotated tags peel
		{base: "HEAD~1", head: "HEAD", ok: true},
		{base: a1[:9], head: strings.ToUpper(b2), ok: true},
		{base: "a", head: "a", ok: true},
		{base: a2, head: b2, ok: true}, // criss-cross
		{base: b2, head: a2, ok: true},
		{base: b2, head: root, ok: true}, // head behind base
		{base: "nope", head: "HEAD"},
		{base: "HEAD", head: "nope"},
		{base: "-h", head: "HEAD"},
		{base: "HEAD", head: "--all"},
		{base: "main..a", head: "HEAD"},
		{base: "HEAD", head: "main...a"},
		{base: "^main", head: "HEAD"},
		{base: "", head: "HEAD"},
		{base: unrelated, head: "a"},                   // no merge base
		{base: strings.Repeat("ab", 20), head: "HEAD"}, // not in the clone
	}
	for _, tt := range tests {
		t.Run(tt.base+"..."+tt.head, func(t *testing.T) {
			t.Parallel()
			got, ok := repo.ResolveSpan(ctx, tt.base, tt.head)
			if !tt.ok {
				if ok {
					t.Fatalf("ResolveSpan(%q, %q) = %+v; want it to decline", tt.base, tt.head, got)
				}
				return
			}
			if !ok {
				t.Fatalf("ResolveSpan(%q, %q) declined", tt.base, tt.head)
			}
			base, err1 := repo.RevParse(ctx, tt.base)
			head, err2 := repo.RevParse(ctx, tt.head)
			mb, err3 := repo.MergeBase(ctx, base, head)
			if err1 != nil || err2 != nil || err3 != nil {
				t.Fatal(err1, err2, err3)
			}
			if want := (Span{Base: base, Head: head, MergeBase: mb}); got != want {
				t.Errorf("ResolveSpan(%q, %q) = %+v; want %+v (RevParse and MergeBase)", tt.base, tt.head, got, want)
			}
		})
		t.Run("DiffSpan "+tt.base+"..."+tt.head, func(t *testing.T) {
			t.Parallel()
			span, files, ok := repo.DiffSpan(ctx, tt.base, tt.head)
			all, _ := repo.Output(ctx, "merge-base", "--all", "--end-of-options", tt.base, tt.head)
			if want := tt.ok && len(strings.Fields(all)) == 1; ok != want {
				t.Fatalf("DiffSpan(%q, %q) ok = %v; want %v (merge bases %q)", tt.base, tt.head, ok, want, all)
			}
			if !ok {
				return
			}
			if s, _ := repo.ResolveSpan(ctx, tt.base, tt.head); span != s {
				t.Errorf("DiffSpan(%q, %q) = %+v; ResolveSpan says %+v", tt.base, tt.head, span, s)
			}
			if want, err := repo.DiffFiles(ctx, span.MergeBase, span.Head); err != nil || !slices.Equal(files, want) {
				t.Errorf("DiffSpan(%q, %q) files = %q; DiffFiles from the merge base: %q, %v", tt.base, tt.head, files, want, err)
			}
		})
	}
	// The criss-cross really has two merge bases, so the case above tests
	// that ResolveSpan picks the one git merge-base picks.
	if all, _ := repo.Output(ctx, "merge-base", "--all", a2, b2); len(strings.Fields(all)) != 2 {
		t.Errorf("merge-base --all of the criss-cross = %q; want two commits", all)
	}
}
