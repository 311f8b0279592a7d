package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// fakeGitHub is the part of GitHub's REST API that ordo status and ordo
// release use, kept in memory, so that scripts can run the commands twice
// and check that the second run changes nothing. Any other request is
// recorded as unexpected and fails the dump.
type fakeGitHub struct {
	mu         sync.Mutex
	statuses   map[string]map[string]map[string]any // sha -> context -> status
	comments   map[int][]map[string]any             // pr -> comments
	releases   []map[string]any
	nextID     int
	writes     int
	unexpected []string
	required   map[string][]string // branch -> contexts its rules require
	labels     map[int][]string    // pull request -> labels
	pulls      []int               // the pull requests of every commit
	runs       []map[string]any    // check runs
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/api/v3/repos/acme/shop/")
	parts := strings.Split(path, "/")
	var body map[string]any
	if r.Body != nil && r.Method != http.MethodGet {
		_ = json.NewDecoder(r.Body).Decode(&body)
	}
	reply := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	if r.Header.Get("Authorization") != "Bearer s3cret-token" && r.Header.Get("Authorization") != "token s3cret-token" {
		f.unexpected = append(f.unexpected, "no token on "+r.Method+" "+r.URL.Path)
	}
	if r.Method != http.MethodGet {
		f.writes++
	}
	switch {
	// The token is the workflow's: GET /user refuses it, GraphQL names its bot.
	case r.Method == http.MethodGet && r.URL.Path == "/api/v3/user":
		reply(403, map[string]any{"message": "Resource not accessible by integration"})
	case r.Method == http.MethodPost && r.URL.Path == "/api/graphql":
		f.writes-- // a query
		reply(200, map[string]any{"data": map[string]any{"viewer": map[string]any{"login": "github-actions"}}})
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "commits" && parts[2] == "status":
		var list []map[string]any
		for _, st := range f.statuses[parts[1]] {
			list = append(list, st)
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		if per == 0 {
			per = 30
		}
		if page == 0 {
			page = 1
		}
		slices.SortFunc(list, func(a, b map[string]any) int { return strings.Compare(a["context"].(string), b["context"].(string)) })
		lo, hi := min((page-1)*per, len(list)), min(page*per, len(list))
		if hi < len(list) {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?page=%d&per_page=%d>; rel="next"`, r.Host, r.URL.Path, page+1, per))
		}
		reply(200, map[string]any{"state": "pending", "statuses": list[lo:hi], "total_count": len(list), "sha": parts[1]})
	case r.Method == http.MethodPost && len(parts) == 2 && parts[0] == "statuses":
		if f.statuses == nil {
			f.statuses = map[string]map[string]map[string]any{}
		}
		if f.statuses[parts[1]] == nil {
			f.statuses[parts[1]] = map[string]map[string]any{}
		}
		f.statuses[parts[1]][body["context"].(string)] = body
		reply(201, body)
	case len(parts) == 3 && parts[0] == "issues" && parts[2] == "comments":
		pr, _ := strconv.Atoi(parts[1])
		if r.Method == http.MethodGet {
			reply(200, f.comments[pr])
			return
		}
		f.nextID++
		c := map[string]any{"id": f.nextID, "body": body["body"], "user": map[string]any{"login": "github-actions[bot]", "type": "Bot"}}
		if f.comments == nil {
			f.comments = map[int][]map[string]any{}
		}
		f.comments[pr] = append(f.comments[pr], c)
		reply(201, c)
	case r.Method == http.MethodPatch && len(parts) == 3 && parts[0] == "issues" && parts[1] == "comments":
		id, _ := strconv.Atoi(parts[2])
		for _, cs := range f.comments {
			for _, c := range cs {
				if c["id"] == id {
					c["body"] = body["body"]
					reply(200, c)
					return
				}
			}
		}
		reply(404, map[string]any{"message": "Not Found"})
	case r.Method == http.MethodGet && len(parts) >= 3 && parts[0] == "releases" && parts[1] == "tags":
		tag := strings.TrimPrefix(r.URL.Path, "/api/v3/repos/acme/shop/releases/tags/")
		for _, rel := range f.releases {
			if rel["tag_name"] == tag {
				reply(200, rel)
				return
			}
		}
		reply(404, map[string]any{"message": "Not Found"})
	case r.Method == http.MethodPost && path == "releases":
		f.nextID++
		body["id"] = f.nextID
		body["html_url"] = fmt.Sprintf("https://github.example/acme/shop/releases/tag/%s", body["tag_name"])
		f.releases = append(f.releases, body)
		reply(201, body)
	case r.Method == http.MethodPatch && len(parts) == 2 && parts[0] == "releases":
		id, _ := strconv.Atoi(parts[1])
		for _, rel := range f.releases {
			if rel["id"] == id {
				for k, v := range body {
					rel[k] = v
				}
				reply(200, rel)
				return
			}
		}
		reply(404, map[string]any{"message": "Not Found"})
	case r.Method == http.MethodGet && len(parts) >= 3 && parts[0] == "rules" && parts[1] == "branches":
		var rules []map[string]any
		if cs := f.required[strings.Join(parts[2:], "/")]; len(cs) > 0 {
			var checks []map[string]any
			for _, c := range cs {
				checks = append(checks, map[string]any{"context": c})
			}
			rules = append(rules, map[string]any{"type": "required_status_checks", "parameters": map[string]any{"required_status_checks": checks}})
		}
		reply(200, append(rules, map[string]any{"type": "deletion"}))
	case r.Method == http.MethodGet && len(parts) >= 2 && parts[0] == "branches":
		reply(200, map[string]any{"name": strings.Join(parts[1:], "/"), "protected": false})
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "issues" && parts[2] == "labels":
		pr, _ := strconv.Atoi(parts[1])
		list := []map[string]any{}
		for _, l := range f.labels[pr] {
			list = append(list, map[string]any{"name": l})
		}
		reply(200, list)
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "commits" && parts[2] == "pulls":
		list := []map[string]any{}
		for _, n := range f.pulls {
			list = append(list, map[string]any{"number": n})
		}
		reply(200, list)
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "commits" && parts[2] == "check-runs":
		var list []map[string]any
		for _, run := range f.runs {
			if run["head_sha"] == parts[1] {
				list = append(list, run)
			}
		}
		reply(200, map[string]any{"total_count": len(list), "check_runs": list})
	case r.Method == http.MethodPost && path == "check-runs":
		f.nextID++
		body["id"] = f.nextID
		f.runs = append(f.runs, body)
		reply(201, body)
	case r.Method == http.MethodPatch && len(parts) == 2 && parts[0] == "check-runs":
		id, _ := strconv.Atoi(parts[1])
		for _, run := range f.runs {
			if run["id"] == id {
				anns := annotations(run)
				for k, v := range body {
					run[k] = v
				}
				run["output"].(map[string]any)["annotations"] = append(anns, annotations(body)...)
				reply(200, run)
				return
			}
		}
		reply(404, map[string]any{"message": "Not Found"})
	default:
		f.unexpected = append(f.unexpected, r.Method+" "+r.URL.Path)
		reply(500, map[string]any{"message": "unexpected request"})
	}
}

// dump writes the fake's state in a stable form for cmp.
func (f *fakeGitHub) dump() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, sha := range sortedKeys(f.statuses) {
		for _, ctx := range sortedKeys(f.statuses[sha]) {
			st := f.statuses[sha][ctx]
			fmt.Fprintf(&b, "status %s %s %s %q\n", sha[:7], ctx, st["state"], st["description"])
		}
	}
	for _, pr := range sortedKeys(f.comments) {
		for _, c := range f.comments[pr] {
			first, _, _ := strings.Cut(c["body"].(string), "\n")
			fmt.Fprintf(&b, "comment #%d %s\n", pr, first)
		}
	}
	for _, rel := range f.releases {
		fmt.Fprintf(&b, "release %s %q prerelease=%v\n", rel["tag_name"], rel["name"], rel["prerelease"])
	}
	for _, run := range f.runs {
		fmt.Fprintf(&b, "check-run %s %s %v %q\n", run["name"], run["status"], run["conclusion"], run["output"].(map[string]any)["title"])
		for _, a := range annotations(run) {
			fmt.Fprintf(&b, "  annotation %s:%v %s %q %q\n", a["path"], a["start_line"], a["annotation_level"], a["title"], a["message"])
		}
	}
	for _, u := range f.unexpected {
		fmt.Fprintf(&b, "UNEXPECTED %s\n", u)
	}
	return b.String()
}

// annotations are the annotations of a check run or of a request's output.
func annotations(run map[string]any) []map[string]any {
	out, _ := run["output"].(map[string]any)
	list, _ := out["annotations"].([]any)
	var anns []map[string]any
	for _, a := range list {
		if m, ok := a.(map[string]any); ok {
			anns = append(anns, m)
		}
	}
	return anns
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// fakeGitHubCmds are the script commands: `fakegithub` starts the server and
// points GITHUB_API_URL at it; `fakegithub-dump FILE` writes its state;
// `fakegithub-writes` prints how many writing requests it received.
func fakeGitHubCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	servers := map[*testscript.TestScript]*fakeGitHub{}
	var mu sync.Mutex
	get := func(ts *testscript.TestScript) *fakeGitHub {
		mu.Lock()
		defer mu.Unlock()
		f := servers[ts]
		if f == nil {
			ts.Fatalf("fakegithub was not started")
		}
		return f
	}
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"fakegithub": func(ts *testscript.TestScript, neg bool, args []string) {
			f := &fakeGitHub{}
			srv := httptest.NewServer(f)
			ts.Defer(srv.Close)
			mu.Lock()
			servers[ts] = f
			mu.Unlock()
			ts.Setenv("GITHUB_API_URL", srv.URL+"/api/v3")
		},
		"fakegithub-dump": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 1 {
				ts.Fatalf("usage: fakegithub-dump FILE")
			}
			ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(get(ts).dump()), 0o644))
		},
		// fakegithub-require BRANCH CONTEXT...: the branch's rules require the contexts.
		"fakegithub-require": func(ts *testscript.TestScript, neg bool, args []string) {
			f := get(ts)
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.required == nil {
				f.required = map[string][]string{}
			}
			f.required[args[0]] = args[1:]
		},
		// fakegithub-labels PR LABEL...: the pull request's labels now.
		"fakegithub-labels": func(ts *testscript.TestScript, neg bool, args []string) {
			f := get(ts)
			f.mu.Lock()
			defer f.mu.Unlock()
			pr, err := strconv.Atoi(args[0])
			ts.Check(err)
			if f.labels == nil {
				f.labels = map[int][]string{}
			}
			f.labels[pr] = args[1:]
		},
		// fakegithub-pulls PR...: the pull requests every commit belongs to.
		"fakegithub-pulls": func(ts *testscript.TestScript, neg bool, args []string) {
			f := get(ts)
			f.mu.Lock()
			defer f.mu.Unlock()
			f.pulls = nil
			for _, a := range args {
				n, err := strconv.Atoi(a)
				ts.Check(err)
				f.pulls = append(f.pulls, n)
			}
		},
		"fakegithub-writes": func(ts *testscript.TestScript, neg bool, args []string) {
			f := get(ts)
			f.mu.Lock()
			defer f.mu.Unlock()
			fmt.Fprintf(ts.Stdout(), "%d writes\n", f.writes)
			f.writes = 0
		},
	}
}
