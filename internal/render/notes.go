package render

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/release"
	"github.com/ordo-ci/ordo/internal/render/md"
)

// Links says where a repository lives on the web, to link commits, pull
// requests and comparisons from release notes. The zero value links nothing.
type Links struct {
	// URL is the repository's web address, e.g. https://github.com/o/r.
	URL string
	// GitLab selects GitLab's paths (/-/commit/, /-/merge_requests/);
	// otherwise GitHub's (/commit/, /pull/).
	GitLab bool
}

// LinksFor returns the links of a repository web URL, guessing GitLab from a
// host name that contains "gitlab". A self-managed GitLab with another name
// must set Links.GitLab itself.
func LinksFor(repoURL string) Links {
	l := Links{URL: strings.TrimSuffix(strings.TrimSuffix(repoURL, "/"), ".git")}
	if u, err := url.Parse(l.URL); err == nil {
		l.GitLab = strings.Contains(strings.ToLower(u.Host), "gitlab")
	}
	return l
}

func (l Links) commit(sha string) string {
	if l.GitLab {
		return l.URL + "/-/commit/" + sha
	}
	return l.URL + "/commit/" + sha
}

func (l Links) pullRequest(n string) string {
	if l.GitLab {
		return l.URL + "/-/merge_requests/" + n
	}
	return l.URL + "/pull/" + n
}

func (l Links) compare(from, to string) string {
	if l.GitLab {
		return l.URL + "/-/compare/" + from + "..." + to
	}
	return l.URL + "/compare/" + from + "..." + to
}

// Sections of the notes, in order. A breaking commit is listed once, under
// Breaking changes, whatever its type.
type noteSection struct {
	title string
	holds func(release.Commit) bool
}

var sections = []noteSection{
	{"Features", func(c release.Commit) bool { return c.Type == "feat" || c.Type == "feature" }},
	{"Bug fixes", func(c release.Commit) bool { return c.Type == "fix" }},
	{"Performance", func(c release.Commit) bool { return c.Type == "perf" }},
}

// Trailers that say who, or that other sections already show, are left out
// of the Markdown trailer list (the JSON keeps every trailer).
func shownTrailer(key string) bool {
	k := strings.ToLower(key)
	return k != "breaking change" && k != "breaking-change" && k != "release-as" && !strings.HasSuffix(k, "-by")
}

// NotesMarkdown writes the release notes of every release of res, or says
// that there is nothing to release.
func NotesMarkdown(w io.Writer, res *release.Result, links Links) error {
	if len(res.Releases) == 0 {
		_, err := fmt.Fprintln(w, "Nothing to release.")
		return err
	}
	for i, r := range res.Releases {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := ReleaseMarkdown(w, r, links); err != nil {
			return err
		}
	}
	return nil
}

// ReleaseMarkdown writes the release notes of one release: breaking
// changes, features, bug fixes, performance, dependencies and trailers, each
// commit linked when links has a URL.
func ReleaseMarkdown(w io.Writer, r release.Release, links Links) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "## %s %s\n", r.Service, r.Next)
	if links.URL != "" && r.PreviousTag != "" {
		fmt.Fprintf(bw, "\n[Compare %s...%s](%s)\n", r.PreviousTag, r.Tag, links.compare(r.PreviousTag, r.Tag))
	}
	wrote := false
	section := func(title string) {
		fmt.Fprintf(bw, "\n### %s\n\n", title)
		wrote = true
	}

	var breaking []release.Commit
	for _, c := range r.Commits {
		if c.Conventional && c.Breaking {
			breaking = append(breaking, c)
		}
	}
	if len(breaking) > 0 {
		section("⚠ Breaking changes")
		for _, c := range breaking {
			bw.WriteString(item(c, links))
			if c.BreakingNote != "" && c.BreakingNote != c.Subject {
				for _, l := range strings.Split(c.BreakingNote, "\n") {
					bw.WriteString(strings.TrimRight("  "+notesEscape(l), " ") + "\n")
				}
			}
		}
	}
	for _, s := range sections {
		var in []release.Commit
		for _, c := range r.Commits {
			if c.Conventional && !c.Breaking && s.holds(c) {
				in = append(in, c)
			}
		}
		if len(in) == 0 {
			continue
		}
		section(s.title)
		for _, c := range in {
			bw.WriteString(item(c, links))
		}
	}
	if len(r.Dependencies) > 0 {
		section("Dependencies")
		for _, d := range r.Dependencies {
			fmt.Fprintf(bw, "* **%s:** %s\n", notesEscape(d.Service), notesEscape(d.Version))
		}
	}
	var trailers []string
	for _, c := range r.Commits {
		for _, t := range c.Trailers {
			if shownTrailer(t.Key) {
				v := strings.ReplaceAll(t.Value, "\n", " ")
				trailers = append(trailers, fmt.Sprintf("* %s: %s (%s)\n", notesEscape(t.Key), notesEscape(v), commitRef(c.SHA, links)))
			}
		}
	}
	if len(trailers) > 0 {
		section("Trailers")
		for _, t := range trailers {
			bw.WriteString(t)
		}
	}
	if !wrote {
		bw.WriteString("\nNo user-facing changes.\n")
	}
	// Every commit is listed above, or counted here: notes that drop
	// commits silently read as complete when they are not.
	left := 0
	for _, c := range r.Commits {
		if !c.Conventional || (!c.Breaking && !slices.ContainsFunc(sections, func(s noteSection) bool { return s.holds(c) })) {
			left++
		}
	}
	if left > 0 {
		fmt.Fprintf(bw, "\n_%s not listed: not Conventional Commits, or of types that are not user-facing (chore, docs, ci, ...)._\n", english.Count(left, "commit"))
	}
	return bw.Flush()
}

var prRef = regexp.MustCompile(`\(([#!])([0-9]+)\)$`)

// item is one commit's line: "* **scope:** subject (sha) (#pr)".
func item(c release.Commit, links Links) string {
	var b strings.Builder
	b.WriteString("* ")
	if c.Scope != "" {
		fmt.Fprintf(&b, "**%s:** ", notesEscape(c.Scope))
	}
	subject := notesEscape(c.Subject)
	if links.URL != "" {
		subject = prRef.ReplaceAllStringFunc(subject, func(m string) string {
			sm := prRef.FindStringSubmatch(m)
			return fmt.Sprintf("([%s%s](%s))", sm[1], sm[2], links.pullRequest(sm[2]))
		})
	}
	b.WriteString(subject)
	fmt.Fprintf(&b, " (%s)\n", commitRef(c.SHA, links))
	return b.String()
}

func commitRef(sha string, links Links) string {
	s := git.Short(sha)
	if links.URL == "" || sha == "" {
		return s
	}
	return fmt.Sprintf("[%s](%s)", s, links.commit(sha))
}

// notesEscape keeps commit text from turning into HTML, mentions or links
// in a release page.
func notesEscape(s string) string { return md.Text(s) }
