// Command gensubset cuts GitHub's OpenAPI description down to the operations
// ordo calls, so that the forge tests can validate every request go-github
// sends without the 13 MB description (or npm) in the repository.
//
// Regenerate after calling a new endpoint, from the repository root:
//
//	npm install --prefix /tmp/octokit @octokit/openapi@23.0.2
//	go run ./internal/forge/testdata/gensubset \
//	  /tmp/octokit/node_modules/@octokit/openapi/generated/api.github.com.json \
//	  internal/forge/testdata/github-openapi-subset.json
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// operations are the GitHub REST operations internal/forge calls.
var operations = map[string][]string{
	"/repos/{owner}/{repo}/commits/{ref}/status":                 {"get"},
	"/repos/{owner}/{repo}/statuses/{sha}":                       {"post"},
	"/repos/{owner}/{repo}/issues/{issue_number}/comments":       {"get", "post"},
	"/repos/{owner}/{repo}/issues/comments/{comment_id}":         {"patch", "delete"},
	"/repos/{owner}/{repo}/releases/tags/{tag}":                  {"get"},
	"/repos/{owner}/{repo}/releases":                             {"post"},
	"/repos/{owner}/{repo}/releases/{release_id}":                {"patch"},
	"/repos/{owner}/{repo}/commits/{ref}/check-runs":             {"get"},
	"/repos/{owner}/{repo}/check-runs":                           {"post"},
	"/repos/{owner}/{repo}/check-runs/{check_run_id}":            {"patch"},
	"/repos/{owner}/{repo}/deployments":                          {"get", "post"},
	"/repos/{owner}/{repo}/deployments/{deployment_id}/statuses": {"post"},
	"/repos/{owner}/{repo}/issues/{issue_number}/labels":         {"get"},
	"/repos/{owner}/{repo}/commits/{commit_sha}/pulls":           {"get"},
	"/repos/{owner}/{repo}/rules/branches/{branch}":              {"get"},
	"/repos/{owner}/{repo}/branches/{branch}":                    {"get"},
	"/user": {"get"},
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gensubset api.github.com.json out.json")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "gensubset:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var spec map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // keep numbers exactly as written
	if err := dec.Decode(&spec); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	allPaths, _ := spec["paths"].(map[string]any)
	allComponents, _ := spec["components"].(map[string]any)

	res := make(map[string]any, len(spec))
	for k, v := range spec {
		switch k {
		case "paths", "components", "webhooks", "x-webhooks":
		default:
			res[k] = v
		}
	}
	paths := map[string]any{}
	var queue []string
	seen := map[string]bool{}
	collect := func(node any) {
		var walk func(any)
		walk = func(n any) {
			switch n := n.(type) {
			case []any:
				for _, v := range n {
					walk(v)
				}
			case map[string]any:
				for k, v := range n {
					if ref, ok := v.(string); ok && k == "$ref" && strings.HasPrefix(ref, "#/components/") {
						if !seen[ref] {
							seen[ref] = true
							queue = append(queue, ref)
						}
						continue
					}
					walk(v)
				}
			}
		}
		walk(node)
	}
	for p, methods := range operations {
		item, ok := allPaths[p].(map[string]any)
		if !ok {
			return fmt.Errorf("path %s is not in %s", p, in)
		}
		kept := map[string]any{}
		if params, ok := item["parameters"]; ok {
			kept["parameters"] = params
		}
		for _, m := range methods {
			op, ok := item[m]
			if !ok {
				return fmt.Errorf("%s %s is not in %s", strings.ToUpper(m), p, in)
			}
			kept[m] = op
		}
		paths[p] = kept
		collect(kept)
	}
	components := map[string]any{}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
		if len(parts) != 2 {
			return fmt.Errorf("unexpected reference %s", ref)
		}
		section, _ := allComponents[parts[0]].(map[string]any)
		v, ok := section[parts[1]]
		if !ok {
			return fmt.Errorf("dangling reference %s", ref)
		}
		if components[parts[0]] == nil {
			components[parts[0]] = map[string]any{}
		}
		components[parts[0]].(map[string]any)[parts[1]] = v
		collect(v)
	}
	res["paths"] = paths
	res["components"] = components

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(res); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d paths, %d components, %d bytes\n", len(paths), len(seen), buf.Len())
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
