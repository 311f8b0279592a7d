package discover

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
)

// Render writes f as a commented ordo.yaml that catalog.Parse accepts.
// schemaHint, when set, is written as a yaml-language-server modeline so that
// editors validate and complete the file against ordo's JSON Schema.
//
// Nothing is ignored by default: Nx and Turborepo count every file of a
// package, a README included, and a catalog that ignores a file a build
// embeds misses a deploy. The comment shows how to ignore documentation.
func Render(w io.Writer, f *Found, schemaHint string) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	if schemaHint != "" {
		p("# yaml-language-server: $schema=%s\n", schemaHint)
	}
	p(`# ordo.yaml: the service catalog, written by ordo init from this repository's
# manifests. Review it before you commit it:
#   - kind: service means something deploys it (a Dockerfile, a Compose
#     service built from it, a Go main package a Dockerfile names);
#     everything else is a library, never deployed on its own.
#   - depends_on lists what the manifests say. Add what they cannot know (an
#     API a service calls), as {service: name, propagate: false} when a change
#     there should only order the deploy, not redeploy this service.
# ordo validate --strict reports where this file and the manifests drift apart.
version: 1
`)
	if len(f.Diags) > 0 {
		p("\n# ordo init skipped or changed these; fix them and run it again:\n")
		for _, d := range f.Diags {
			p("#   %s\n", oneLine(d.String()))
		}
	}
	if len(f.Notes) > 0 {
		p("\n# ordo init left these out on purpose:\n")
		for _, n := range f.Notes {
			p("#   %s\n", oneLine(n))
		}
	}
	p("\n# A change to one of these files affects every service.\n")
	if len(f.Lockfiles) > 0 {
		p(`# Lockfiles are among them: a lockfile change may touch any package. To
# narrow it, move a lockfile from here to ignore: and rely on each package's
# own manifest changing with its dependencies.
`)
	}
	if len(f.Global) == 0 {
		p("global: []\n")
	} else {
		p("global:\n")
		for _, g := range f.Global {
			p("  - %s\n", scalar(escapeGlob(g)))
		}
	}
	p(`
# Changes to files matching these affect nothing. Nothing is ignored by
# default, as in Nx and Turborepo; to stop documentation changes from
# deploying, use:
#   ignore: ["**/*.md", docs/**]
ignore: []

# What a changed file that no service owns does: ignore | all | fail.
unowned: ignore
`)
	if f.ReleaseTag != "" {
		p("\n# The repository's tags follow this template (ordo versions continues them).\nrelease:\n  tag: %s\n", scalar(f.ReleaseTag))
	}
	if len(f.Services) == 0 {
		p("\n# ordo init found no service: add them by hand, each with the paths it owns.\nservices: {}\n")
		return bw.Flush()
	}
	p("\nservices:\n")
	for i, s := range f.Services {
		if i > 0 {
			p("\n")
		}
		p("  # %s: %s\n", oneLine(s.Dir), oneLine(strings.Join(s.Sources, ", ")))
		p("  %s:\n", scalar(s.Name))
		p("    kind: %s\n", s.Kind)
		list(bw, "paths", s.Paths)
		if len(s.DependsOn) > 0 {
			deps := make([]string, len(s.DependsOn))
			for i, d := range s.DependsOn {
				deps[i] = scalar(d)
				if slices.Contains(s.OrderOnly, d) {
					deps[i] = "{service: " + scalar(d) + ", propagate: false}"
				}
			}
			rawList(bw, "depends_on", deps)
		}
		if s.Tag != "" {
			p("    tag: %s\n", scalar(s.Tag))
		}
		if s.NoRelease {
			p("    release: false  # %s\n", noReleaseWhy(s))
		}
	}
	return bw.Flush()
}

func noReleaseWhy(s Service) string {
	for _, src := range s.Sources {
		switch {
		case strings.HasSuffix(src, "package.json"):
			return "private: true in " + src
		case strings.HasSuffix(src, "Cargo.toml"):
			return "publish = false in " + src
		}
	}
	return "its manifest says it is not published"
}

// list writes key: [a, b] when it fits on a line, else a block sequence.
func list(w io.Writer, key string, items []string) {
	q := make([]string, len(items))
	for i, it := range items {
		q[i] = scalar(it)
	}
	rawList(w, key, q)
}

// rawList is list for items already written as YAML.
func rawList(w io.Writer, key string, q []string) {
	n := 0
	for _, it := range q {
		n += len(it) + 2
	}
	if n+len(key) < 90 {
		fmt.Fprintf(w, "    %s: [%s]\n", key, strings.Join(q, ", "))
		return
	}
	fmt.Fprintf(w, "    %s:\n", key)
	for _, s := range q {
		fmt.Fprintf(w, "      - %s\n", s)
	}
}

var plainRE = regexp.MustCompile(`^[A-Za-z0-9_./@][A-Za-z0-9_./*@+-]*$`)

// scalar writes s as a YAML scalar: plain when that reads back as the same
// string, double-quoted otherwise (a leading "!" or "*", a space, a colon, or
// a word YAML would read as a number, boolean or null).
func scalar(s string) string {
	if plainRE.MatchString(s) {
		var v map[string]any
		if err := yaml.Unmarshal([]byte("k: "+s), &v); err == nil {
			if got, ok := v["k"].(string); ok && got == s {
				return s
			}
		}
	}
	return strconv.Quote(s)
}

// oneLine keeps a comment on one line.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}
