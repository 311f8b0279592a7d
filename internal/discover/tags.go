package discover

import (
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// tagForms are the tag patterns SuggestTags recognizes, most specific
// first: {dir} is the service's directory (Go's path/vX.Y.Z), {name} one of
// its names.
var tagForms = []string{"{dir}/v{version}", "{name}@{version}", "{name}-v{version}", "{name}/v{version}", "v{version}"}

// SuggestTags sets f.ReleaseTag and each service's Tag from the
// repository's existing tags, so that `ordo versions` continues their
// numbering instead of starting at initial_version. A form with {name}
// filled by the catalog name of every tagged service becomes release.tag;
// any other tagged service (a directory path, an npm scope, a crate name
// that is not the service's) gets its own tag:. v{version} alone is taken
// only for a repository with one service, or for the root Go module.
func SuggestTags(f *Found, tags []string) {
	if len(tags) == 0 || len(f.Services) == 0 {
		return
	}
	type choice struct {
		form, tmpl string // the form, and the template with the service's names filled in
	}
	chosen := map[int]choice{}
	for i, s := range f.Services {
		names := append([]string{s.Name}, s.TagNames...)
		for _, form := range tagForms {
			var tmpls []string
			switch {
			case strings.Contains(form, "{dir}"):
				if s.Dir != "." {
					tmpls = []string{strings.ReplaceAll(form, "{dir}", s.Dir)}
				}
			case strings.Contains(form, "{name}"):
				for _, n := range names {
					tmpls = append(tmpls, strings.ReplaceAll(form, "{name}", n))
				}
			default:
				if len(f.Services) == 1 || s.Dir == "." {
					tmpls = []string{form}
				}
			}
			for _, t := range tmpls {
				if anyTag(tags, t) {
					chosen[i] = choice{form, t}
					break
				}
			}
			if _, ok := chosen[i]; ok {
				break
			}
		}
	}
	if len(chosen) == 0 {
		return
	}
	// release.tag: the {name} form most services use with their catalog name.
	count := map[string]int{}
	for i, c := range chosen {
		if strings.Contains(c.form, "{name}") && c.tmpl == strings.ReplaceAll(c.form, "{name}", f.Services[i].Name) {
			count[c.form]++
		}
	}
	best := ""
	for _, form := range tagForms {
		if count[form] > count[best] {
			best = form
		}
	}
	if best != "" {
		f.ReleaseTag = strings.ReplaceAll(best, "{name}", "{service}")
	}
	for i, c := range chosen {
		if best != "" && c.form == best && c.tmpl == strings.ReplaceAll(best, "{name}", f.Services[i].Name) {
			continue
		}
		f.Services[i].Tag = c.tmpl
	}
}

func anyTag(tags []string, tmpl string) bool {
	for _, t := range tags {
		if _, ok := catalog.MatchTag(tmpl, "", t); ok {
			return true
		}
	}
	return false
}
