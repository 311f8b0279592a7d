package git

import (
	"context"
	"strings"
)

// Tags returns the names of the tags whose commits are reachable from rev,
// rev's own tags included: the tags that are part of rev's history. They come
// newest first by creator date (the tagger date of an annotated tag, the
// commit date of a lightweight one), then by name, which is the order in which
// they were most likely released when their names say nothing.
func (r Repo) Tags(ctx context.Context, rev string) ([]string, error) {
	// git sorts by the last --sort first.
	out, err := r.Output(ctx, "tag", "--list", "--sort=refname", "--sort=-creatordate", "--merged="+rev)
	if err != nil {
		return nil, err
	}
	if out == "" {
		return nil, nil
	}
	return strings.Split(out, "\n"), nil
}

// Show returns the content of the file at path (repository-relative, slash
// separated) in the commit rev. ok is false when rev has no file at path,
// which is how a file that was added or deleted between two commits looks from
// the other one. An unknown rev is an error wrapping ErrUnknownRev.
func (r Repo) Show(ctx context.Context, rev, path string) (content []byte, ok bool, err error) {
	if _, err := r.RevParse(ctx, rev); err != nil {
		return nil, false, err
	}
	// git reads rev:path up to the first colon, and ref names cannot contain
	// one, so any path survives. It must not start with "./", which git would
	// take relative to the current directory.
	object := rev + ":" + strings.TrimPrefix(path, "./")
	kind, err := r.Output(ctx, "cat-file", "-t", "--end-of-options", object)
	if err != nil && exitCode(err) != 128 {
		return nil, false, err
	}
	if err != nil || kind != "blob" {
		// rev exists, so the path does not, or it is a directory or submodule.
		return nil, false, nil
	}
	content, err = r.Run(ctx, "cat-file", "--end-of-options", "blob", object)
	if err != nil {
		return nil, false, err
	}
	return content, true, nil
}
