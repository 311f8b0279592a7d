package release

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseMessage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		msg  string
		want Commit
	}{
		{
			name: "type and subject",
			msg:  "fix: handle nil pointer\n",
			want: Commit{Conventional: true, Type: "fix", Subject: "handle nil pointer"},
		},
		{
			name: "scope and bang",
			msg:  "feat(parser)!: support arrays",
			want: Commit{Conventional: true, Type: "feat", Scope: "parser", Subject: "support arrays", Breaking: true, BreakingNote: "support arrays"},
		},
		{
			name: "type is case-insensitive (spec item 15)",
			msg:  "FEAT(API): add users",
			want: Commit{Conventional: true, Type: "feat", Scope: "API", Subject: "add users"},
		},
		{
			name: "no space after the colon, as release-please allows",
			msg:  "fix:typo",
			want: Commit{Conventional: true, Type: "fix", Subject: "typo"},
		},
		{
			name: "body, then footers with both separators",
			msg:  "fix: crash\n\nThe parser crashed on empty input.\nIt no longer does.\n\nReviewed-by: Z\nRefs #133\n",
			want: Commit{
				Conventional: true, Type: "fix", Subject: "crash",
				Body:     "The parser crashed on empty input.\nIt no longer does.",
				Trailers: []Trailer{{"Reviewed-by", "Z"}, {"Refs", "#133"}},
			},
		},
		{
			name: "BREAKING CHANGE footer with a multi-line value",
			msg: "feat: allow provided config object to extend other configs\n\n" +
				"BREAKING CHANGE: `extends` key in config file is now used\nfor extending other config files\nContract: users@3.0.0\n",
			want: Commit{
				Conventional: true, Type: "feat", Subject: "allow provided config object to extend other configs",
				Breaking: true, BreakingNote: "`extends` key in config file is now used\nfor extending other config files",
				Trailers: []Trailer{
					{"BREAKING CHANGE", "`extends` key in config file is now used\nfor extending other config files"},
					{"Contract", "users@3.0.0"},
				},
			},
		},
		{
			name: "BREAKING-CHANGE is a synonym (spec item 16)",
			msg:  "refactor: drop v1\n\nBREAKING-CHANGE: v1 endpoints are gone",
			want: Commit{
				Conventional: true, Type: "refactor", Subject: "drop v1", Breaking: true, BreakingNote: "v1 endpoints are gone",
				Trailers: []Trailer{{"BREAKING-CHANGE", "v1 endpoints are gone"}},
			},
		},
		{
			name: "breaking token must be upper case",
			msg:  "fix: x\n\nBreaking-Change: not breaking",
			want: Commit{Conventional: true, Type: "fix", Subject: "x", Trailers: []Trailer{{"Breaking-Change", "not breaking"}}},
		},
		{
			name: "footer value on the next lines",
			msg:  "feat: x\n\nBREAKING CHANGE:\n  #### Deleted endpoints\n  - /v1/users",
			want: Commit{
				Conventional: true, Type: "feat", Subject: "x", Breaking: true,
				BreakingNote: "#### Deleted endpoints\n  - /v1/users",
				Trailers:     []Trailer{{"BREAKING CHANGE", "#### Deleted endpoints\n  - /v1/users"}},
			},
		},
		{
			name: "BREAKING CHANGE paragraph in the body, as release-please reads it",
			msg:  "feat: x\n\nBREAKING CHANGE: the config moved.\n\nMore words about it.",
			want: Commit{
				Conventional: true, Type: "feat", Subject: "x", Breaking: true, BreakingNote: "the config moved.",
				Body: "BREAKING CHANGE: the config moved.\n\nMore words about it.",
			},
		},
		{
			name: "Release-As, any case, first one kept",
			msg:  "chore: release 2.0.0\n\nrelease-as: 2.0.0\nRelease-As: 3.0.0",
			want: Commit{
				Conventional: true, Type: "chore", Subject: "release 2.0.0", ReleaseAs: "2.0.0",
				Trailers: []Trailer{{"release-as", "2.0.0"}, {"Release-As", "3.0.0"}},
			},
		},
		{
			name: "only trailing footer paragraphs are footers",
			msg:  "fix: x\n\nNote: this paragraph is body\n\nbecause this one is not a footer",
			want: Commit{Conventional: true, Type: "fix", Subject: "x", Body: "Note: this paragraph is body\n\nbecause this one is not a footer"},
		},
		{
			name: "several footer paragraphs",
			msg:  "fix: x\n\nbody\n\nMigration: 0042-add-index\n\nSigned-off-by: A <a@example.com>",
			want: Commit{
				Conventional: true, Type: "fix", Subject: "x", Body: "body",
				Trailers: []Trailer{{"Migration", "0042-add-index"}, {"Signed-off-by", "A <a@example.com>"}},
			},
		},
		{
			name: "CRLF line endings",
			msg:  "fix: x\r\n\r\nbody\r\n\r\nRefs: #1\r\n",
			want: Commit{Conventional: true, Type: "fix", Subject: "x", Body: "body", Trailers: []Trailer{{"Refs", "#1"}}},
		},
		{
			name: "squash-merge pull request number",
			msg:  "feat(api): add users (#123)",
			want: Commit{Conventional: true, Type: "feat", Scope: "api", Subject: "add users (#123)", PR: 123},
		},
		{
			// Its body "feat: x" has the shape of a footer, and is read as one.
			name: "GitHub merge commit is kept but not conventional",
			msg:  "Merge pull request #42 from org/feat-x\n\nfeat: x",
			want: Commit{Subject: "Merge pull request #42 from org/feat-x", Trailers: []Trailer{{"feat", "x"}}, PR: 42},
		},
		{
			name: "GitLab merge commit",
			msg:  "Merge branch 'feat-x' into 'main'\n\nfeat: x\n\nSee merge request group/project!7",
			want: Commit{Subject: "Merge branch 'feat-x' into 'main'", Body: "feat: x\n\nSee merge request group/project!7", PR: 7},
		},
		{
			name: "not conventional: trailers kept, never breaking",
			msg:  "Add index\n\nMigration: 0042\nBREAKING CHANGE: ignored\nRelease-As: 9.0.0",
			want: Commit{
				Subject:  "Add index",
				Trailers: []Trailer{{"Migration", "0042"}, {"BREAKING CHANGE", "ignored"}, {"Release-As", "9.0.0"}},
			},
		},
		{
			name: "empty scope is not conventional",
			msg:  "feat(): x",
			want: Commit{Subject: "feat(): x"},
		},
		{
			name: "empty description is not conventional",
			msg:  "feat:   ",
			want: Commit{Subject: "feat:"},
		},
		{
			name: "empty message",
			msg:  "",
			want: Commit{},
		},
		{
			name: "header alone on a later line does not count",
			msg:  "\n\n  fix: leading blank lines are trimmed",
			want: Commit{Conventional: true, Type: "fix", Subject: "leading blank lines are trimmed"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ParseMessage(tc.msg)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseMessage(%q)\n got %#v\nwant %#v", tc.msg, got, tc.want)
			}
		})
	}
}

// format writes a commit back as a message: what ParseMessage reads back
// into the same Commit.
func format(c Commit) string {
	var b strings.Builder
	if c.Conventional {
		b.WriteString(c.Type)
		if c.Scope != "" {
			b.WriteString("(" + c.Scope + ")")
		}
		// "!" is lost when a footer or the body also says it broke; it
		// changes nothing then.
		if c.Breaking && !breakingFromFooterOrBody(c) {
			b.WriteString("!")
		}
		b.WriteString(": ")
	}
	b.WriteString(c.Subject)
	if c.Body != "" {
		b.WriteString("\n\n" + c.Body)
	}
	if len(c.Trailers) > 0 {
		b.WriteString("\n")
		for _, t := range c.Trailers {
			b.WriteString("\n" + t.Key + ": " + t.Value)
		}
	}
	return b.String()
}

func hasBreakingFooter(c Commit) bool {
	for _, t := range c.Trailers {
		if t.Key == breakingChange || t.Key == breakingChangeHyphen {
			return true
		}
	}
	return false
}

func FuzzParseMessage(f *testing.F) {
	for _, seed := range []string{
		"",
		"fix: x",
		"feat(scope)!: y\n\nbody\n\nBREAKING CHANGE: z\nRefs #1",
		"chore: release\n\nRelease-As: 2.0.0",
		"Merge pull request #12 from a/b\n\nfeat: c",
		"feat: x\n\nBREAKING CHANGE:\n  - a\n  - b\n\nSigned-off-by: A <a@b>",
		"fix:\tx (#9)\r\n\r\nKey: v\r\n continued",
		"feat: x\n\nBREAKING CHANGE: in body\n\nplain text",
		"\x00\xff: \u0085\n\nA: \u00a0",
		"feat(a(b)): x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		c := ParseMessage(msg) // must not panic

		// What a conventional commit always has.
		if c.Conventional {
			if c.Type == "" || c.Type != strings.ToLower(c.Type) || c.Subject == "" {
				t.Fatalf("conventional commit without a lower-case type or a subject: %#v", c)
			}
			if c.Breaking != (c.BreakingNote != "") {
				t.Fatalf("a breaking change needs a note, and only a breaking change has one: %#v", c)
			}
		} else if c.Type != "" || c.Scope != "" || c.Breaking || c.ReleaseAs != "" || c.bump() != bumpNone {
			// A message that is not conventional never bumps.
			t.Fatalf("not conventional but carries meaning: %#v", c)
		}
		for _, s := range []string{c.Type, c.Scope, c.Subject} {
			if strings.Contains(s, "\n") {
				t.Fatalf("single-line field holds a newline: %#v", c)
			}
		}
		for _, tr := range c.Trailers {
			if tr.Key == "" || (strings.ContainsAny(tr.Key, " \t\n") && tr.Key != breakingChange) {
				t.Fatalf("bad trailer key %q", tr.Key)
			}
		}
		if c.ReleaseAs != "" && !hasKey(c.Trailers, "release-as") {
			t.Fatalf("Release-As without its trailer: %#v", c)
		}

		// Parsing is idempotent: the message written back from a Commit reads
		// as the same Commit.
		if again := ParseMessage(format(c)); !reflect.DeepEqual(again, c) {
			t.Fatalf("round trip changed the commit\nmessage %q\nformat  %q\n first %#v\nsecond %#v", msg, format(c), c, again)
		}
	})
}

func breakingFromFooterOrBody(c Commit) bool {
	_, inBody := bodyBreakingNote(c.Body)
	return hasBreakingFooter(c) || inBody
}

func hasKey(ts []Trailer, key string) bool {
	for _, t := range ts {
		if strings.EqualFold(t.Key, key) {
			return true
		}
	}
	return false
}
