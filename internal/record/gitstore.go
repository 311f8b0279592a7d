package record

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
)

// DefaultRefPrefix is where the git store keeps its refs unless the catalog's
// record: {ref_prefix: ...} says otherwise.
const DefaultRefPrefix = "refs/ordo/record/"

// fileName is the one file in each record commit's tree.
const fileName = "record.jsonl"

// identity is the author and committer of record commits: CI runners have no
// git identity, and the record is ordo's, not the user's.
var identity = []string{
	"GIT_AUTHOR_NAME=ordo", "GIT_AUTHOR_EMAIL=ordo@localhost",
	"GIT_COMMITTER_NAME=ordo", "GIT_COMMITTER_EMAIL=ordo@localhost",
}

// Git is the git store: per (environment, service) one ref,
// <Prefix><env>/<service>, pointing at a chain of commits whose tree holds
// record.jsonl. Each append is a new commit on that ref alone, pushed with
// compare-and-swap, so writers of different services never contend and
// writers of the same one retry until each has landed.
type Git struct {
	Repo git.Repo
	// Prefix is the ref prefix, ending in "/".
	Prefix string
	// Remote is the remote that holds the record; "" keeps it in local refs.
	Remote string
	// Token, when set (ORDO_GIT_TOKEN), authenticates fetches and pushes
	// over HTTPS, for servers where the CI job's own token cannot push.
	Token string
	// TokenUser is the user name sent with Token.
	TokenUser string
}

// GitOptions configure NewGit.
type GitOptions struct {
	Prefix    string // default DefaultRefPrefix
	Remote    string // default "origin" when the repository has it, else local refs
	Token     string
	TokenUser string // default "oauth2", which GitLab and GitHub both accept with a token
}

// NewGit returns the git store of the repository at dir.
func NewGit(ctx context.Context, dir string, o GitOptions) (*Git, error) {
	g := &Git{Repo: git.Repo{Dir: dir}, Prefix: o.Prefix, Remote: o.Remote, Token: o.Token, TokenUser: o.TokenUser}
	if g.Prefix == "" {
		g.Prefix = DefaultRefPrefix
	}
	if !strings.HasPrefix(g.Prefix, "refs/") || !strings.HasSuffix(g.Prefix, "/") {
		return nil, exit.BadInputf("record: ref prefix %q must start with refs/ and end with /", g.Prefix)
	}
	if g.TokenUser == "" {
		g.TokenUser = "oauth2"
	}
	if g.Remote == "" {
		out, err := g.Repo.Output(ctx, "remote")
		if err != nil {
			return nil, exitEnv(fmt.Errorf("record: %w", err))
		}
		if slices.Contains(strings.Fields(out), "origin") {
			g.Remote = "origin"
		}
	}
	return g, nil
}

func (g *Git) ref(env, service string) string { return g.Prefix + env + "/" + service }

// auth returns the environment that sends Token as HTTP basic credentials,
// through GIT_CONFIG_* so that it never appears in a process's arguments.
func (g *Git) auth() []string {
	if g.Token == "" {
		return nil
	}
	cred := base64.StdEncoding.EncodeToString([]byte(g.TokenUser + ":" + g.Token))
	return []string{"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.extraHeader", "GIT_CONFIG_VALUE_0=Authorization: Basic " + cred}
}

func (g *Git) run(ctx context.Context, env []string, stdin []byte, args ...string) ([]byte, error) {
	return g.Repo.RunWith(ctx, append(g.auth(), env...), stdin, args...)
}

// Read fetches environment env's refs (one git fetch) and reads every
// service's record.jsonl (one git cat-file).
func (g *Git) Read(ctx context.Context, env string) (map[string][]Entry, error) {
	if !validName(env) {
		return nil, exit.BadInputf("record: environment %q is not a valid name", env)
	}
	pattern := g.Prefix + env + "/"
	if g.Remote != "" {
		// --prune drops local copies of refs the remote no longer has: the
		// remote is the truth.
		if _, err := g.run(ctx, nil, nil, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--prune", g.Remote,
			"+"+pattern+"*:"+pattern+"*"); err != nil {
			return nil, g.fetchErr(env, err)
		}
	}
	out, err := g.run(ctx, nil, nil, "for-each-ref", "--format=%(refname)%00%(objectname)", pattern)
	if err != nil {
		return nil, exitEnv(fmt.Errorf("record: %w", err))
	}
	type head struct{ service, commit string }
	var heads []head
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		ref, commit, ok := strings.Cut(line, "\x00")
		if !ok {
			continue
		}
		service := strings.TrimPrefix(ref, pattern)
		if strings.Contains(service, "/") {
			continue // not ours: a service name has no slash
		}
		heads = append(heads, head{service, commit})
	}
	result := map[string][]Entry{}
	if len(heads) == 0 {
		return result, nil
	}
	var in bytes.Buffer
	for _, h := range heads {
		fmt.Fprintf(&in, "%s:%s\n", h.commit, fileName)
	}
	out, err = g.run(ctx, nil, in.Bytes(), "cat-file", "--batch")
	if err != nil {
		return nil, exitEnv(fmt.Errorf("record: %w", err))
	}
	for _, h := range heads {
		content, rest, err := nextBlob(out)
		if err != nil {
			return nil, exitEnv(fmt.Errorf("record: %s: %w", pattern+h.service, err))
		}
		out = rest
		entries, err := parseLines(pattern+h.service+":"+fileName, content)
		if err != nil {
			return nil, err
		}
		for i, e := range entries {
			if e.Env != env || e.Service != h.service {
				return nil, lineErr(pattern+h.service+":"+fileName, i+1, fmt.Errorf("entry for %s/%s in the ref of %s/%s", e.Env, e.Service, env, h.service))
			}
		}
		if len(entries) > 0 {
			result[h.service] = entries
		}
	}
	return result, nil
}

// nextBlob reads one `git cat-file --batch` answer: "<oid> blob <size>\n",
// the content, "\n"; or "<name> missing\n".
func nextBlob(out []byte) (content, rest []byte, err error) {
	header, rest, ok := bytes.Cut(out, []byte{'\n'})
	if !ok {
		return nil, nil, errors.New("truncated git cat-file output")
	}
	f := strings.Fields(string(header))
	if len(f) != 3 || f[1] != "blob" {
		return nil, nil, fmt.Errorf("the commit has no %s (%s)", fileName, header)
	}
	n, err := strconv.Atoi(f[2])
	if err != nil || n < 0 || n+1 > len(rest) {
		return nil, nil, fmt.Errorf("bad git cat-file header %q", header)
	}
	return rest[:n], rest[n+1:], nil
}

// maxAttempts bounds the retries of an append that keeps losing races; with
// the jittered back-off below that is minutes of contention on one service.
const maxAttempts = 60

// Append writes e as a new commit on its service's ref and pushes it with
// compare-and-swap (locally: git update-ref with the old value), retrying
// when another writer got there first.
func (g *Git) Append(ctx context.Context, e Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	line, err := jsonLine(e)
	if err != nil {
		return err
	}
	ref := g.ref(e.Env, e.Service)
	for attempt := 1; ; attempt++ {
		lost, err := g.tryAppend(ctx, ref, e, line)
		if err != nil {
			return err
		}
		if !lost {
			return nil
		}
		if attempt == maxAttempts {
			return exitEnv(fmt.Errorf("record: %s: lost the race to other writers %d times; try again", ref, attempt))
		}
		// Full jitter, growing to about a second: parallel writers spread out.
		backoff := time.Duration(rand.Int64N(int64(min(attempt, 20)) * int64(50*time.Millisecond)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
	}
}

// tryAppend makes one attempt; lost is true when another writer moved the
// ref first.
func (g *Git) tryAppend(ctx context.Context, ref string, e Entry, line []byte) (lost bool, err error) {
	old, err := g.current(ctx, ref)
	if err != nil {
		if isLockRace(err) {
			return true, nil
		}
		return false, err
	}
	var content []byte
	if old != "" {
		content, err = g.run(ctx, nil, nil, "cat-file", "blob", old+":"+fileName)
		if err != nil {
			return false, exitEnv(fmt.Errorf("record: read %s: %w", ref, err))
		}
	}
	commit, err := g.commit(ctx, old, append(content, line...), e)
	if err != nil {
		return false, err
	}
	if g.Remote == "" {
		zero := strings.Repeat("0", len(commit))
		if _, err := g.run(ctx, nil, nil, "update-ref", ref, commit, cmp(old, zero)); err != nil {
			if isLockRace(err) {
				return true, nil
			}
			return false, exitEnv(fmt.Errorf("record: %w", err))
		}
		return false, nil
	}
	// An empty lease means "the ref must not exist yet".
	_, err = g.run(ctx, nil, nil, "push", "--quiet", "--no-verify", "--force-with-lease="+ref+":"+old, g.Remote, commit+":"+ref)
	switch {
	case err == nil:
		return false, nil
	case isPushRace(err):
		return true, nil
	}
	return false, g.pushErr(ref, err)
}

func cmp(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// current returns the commit ref points at ("" when it does not exist),
// fetched from the remote first when there is one.
func (g *Git) current(ctx context.Context, ref string) (string, error) {
	if g.Remote != "" {
		_, err := g.run(ctx, nil, nil, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", g.Remote, "+"+ref+":"+ref)
		if err != nil {
			if !strings.Contains(err.Error(), "couldn't find remote ref") {
				return "", g.fetchErr(ref, err)
			}
			// Not on the remote: a stale local copy must not become the lease.
			if _, err := g.run(ctx, nil, nil, "update-ref", "-d", ref); err != nil {
				return "", exitEnv(fmt.Errorf("record: %w", err))
			}
			return "", nil
		}
	}
	out, err := g.run(ctx, nil, nil, "for-each-ref", "--format=%(objectname)", ref)
	if err != nil {
		return "", exitEnv(fmt.Errorf("record: %w", err))
	}
	return strings.TrimSpace(string(out)), nil
}

// commit writes content as record.jsonl in a new commit whose parent is old.
func (g *Git) commit(ctx context.Context, old string, content []byte, e Entry) (string, error) {
	blob, err := g.run(ctx, nil, content, "hash-object", "-w", "--stdin")
	if err != nil {
		return "", exitEnv(fmt.Errorf("record: %w", err))
	}
	tree, err := g.run(ctx, nil, []byte("100644 blob "+strings.TrimSpace(string(blob))+"\t"+fileName+"\n"), "mktree")
	if err != nil {
		return "", exitEnv(fmt.Errorf("record: %w", err))
	}
	args := []string{"commit-tree", "--no-gpg-sign", "-m", "ordo record: " + e.Summary()}
	if old != "" {
		args = append(args, "-p", old)
	}
	args = append(args, strings.TrimSpace(string(tree)))
	commit, err := g.run(ctx, identity, nil, args...)
	if err != nil {
		return "", exitEnv(fmt.Errorf("record: %w", err))
	}
	return strings.TrimSpace(string(commit)), nil
}

// isPushRace reports a push refused because the ref moved since it was read.
func isPushRace(err error) bool {
	s := err.Error()
	return strings.Contains(s, "stale info") || strings.Contains(s, "fetch first") ||
		strings.Contains(s, "non-fast-forward") || strings.Contains(s, "already exists") || isLockRace(err)
}

// isLockRace reports a local or server-side ref lock held by another writer.
func isLockRace(err error) bool {
	s := err.Error()
	return strings.Contains(s, "cannot lock ref") || strings.Contains(s, "failed to lock") ||
		strings.Contains(s, ".lock': File exists") || strings.Contains(s, "but expected")
}

// writeHint says how to get push rights on the forges ordo runs on.
const writeHint = "writing the record needs push rights: in GitHub Actions give the job `permissions: contents: write`; " +
	"on GitLab put a token with the write_repository scope in ORDO_GIT_TOKEN (CI_JOB_TOKEN cannot push)"

func (g *Git) pushErr(ref string, err error) error {
	s := strings.ToLower(err.Error())
	for _, denied := range []string{"403", "permission to", "permission denied", "not allowed to push", "access denied",
		"authentication failed", "could not read username", "write access", "denied to"} {
		if strings.Contains(s, denied) {
			return exitEnv(fmt.Errorf("record: push %s to %s was refused: %w\n%s", ref, g.Remote, err, writeHint))
		}
	}
	if strings.Contains(s, "funny refname") || strings.Contains(s, "refusing") || strings.Contains(s, "hook declined") {
		return exitEnv(fmt.Errorf("record: push %s to %s was refused: %w\nif the server accepts only branches and tags, set `record: {ref_prefix: refs/heads/ordo-record/}` in the catalog; %s", ref, g.Remote, err, writeHint))
	}
	return exitEnv(fmt.Errorf("record: push %s to %s: %w", ref, g.Remote, err))
}

func (g *Git) fetchErr(what string, err error) error {
	return exitEnv(fmt.Errorf("record: fetch %s from %s: %w", what, g.Remote, err))
}
