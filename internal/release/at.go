package release

import (
	"context"

	"github.com/ordo-ci/ordo/internal/git"
)

// VersionsAt returns the version of each service at commit opts.Head (SPEC
// section 12, "Versions"): the highest non-prerelease tag of its template
// reachable from that commit; for a service without one, the next version
// section 7 computes (initial_version when nothing is releasable) with build
// metadata +<sha12>, which semver constraints ignore. opts.Services limits
// the services as for Compute.
func VersionsAt(ctx context.Context, repo git.Repo, cfg Config, services []Service, opts Options) (map[string]string, error) {
	p, err := newComputation(cfg, services, opts)
	if err != nil {
		return nil, err
	}
	head, err := resolveHead(ctx, repo, p.head)
	if err != nil {
		return nil, err
	}
	tags, err := listTags(ctx, repo, head)
	if err != nil {
		return nil, err
	}
	p.findCurrent(tags)
	out := map[string]string{}
	var untagged []string
	for i, sel := range p.selected {
		switch {
		case !sel:
		case p.current[i] != nil:
			out[services[i].Name] = p.current[i].String()
		default:
			untagged = append(untagged, services[i].Name)
		}
	}
	if len(untagged) == 0 {
		return out, nil
	}
	build := "+" + head[:min(12, len(head))]
	res, err := Compute(ctx, repo, cfg, services, Options{Head: head, Services: untagged})
	if err != nil {
		return nil, err
	}
	for _, r := range res.Releases {
		out[r.Service] = r.Next + build
	}
	for _, name := range untagged {
		if _, ok := out[name]; !ok {
			out[name] = p.initial.String() + build
		}
	}
	return out, nil
}
