package forge

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"
	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// The sticky comment belongs to ordo alone: a comment is ordo's when it has
// the marker AND the token's own account wrote it. Anyone can paste the
// marker into a comment of theirs; ordo must never edit or delete that.

// actionsBot is the account the workflow's GITHUB_TOKEN writes as.
// https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication
const actionsBot = "github-actions[bot]"

// ghAuthor matches comment authors against the token's account: a user's
// login, or for a GitHub App installation token (the workflow's
// GITHUB_TOKEN among them) the app's bot, "<slug>[bot]".
type ghAuthor struct{ login, bot string }

func (a ghAuthor) wrote(c *github.IssueComment) bool {
	l := c.GetUser().GetLogin()
	if a.bot != "" {
		return strings.EqualFold(l, a.bot) && c.GetUser().GetType() == "Bot"
	}
	return l != "" && strings.EqualFold(l, a.login)
}

// whoami finds the token's account. GET /user answers for personal and
// OAuth tokens; an installation token gets 403 "Resource not accessible by
// integration" there, and GraphQL's viewer names its bot instead (without
// the "[bot]" that REST shows). When neither answers, a token read from
// GITHUB_TOKEN is taken to be the workflow's, which writes as
// github-actions[bot].
//
// https://docs.github.com/en/rest/users/users#get-the-authenticated-user
// https://docs.github.com/en/graphql/reference/queries#viewer
func (g *gitHub) whoami(ctx context.Context) (ghAuthor, error) {
	u, resp, err := g.c.Users.Get(ctx, "")
	if err == nil && u.GetLogin() != "" {
		return ghAuthor{login: u.GetLogin()}, nil
	}
	if resp != nil && resp.StatusCode == http.StatusUnauthorized {
		return ghAuthor{}, g.fail(err, "find whose token this is", "", "")
	}
	if login, err := g.viewer(ctx); err == nil && login != "" {
		return ghAuthor{bot: strings.TrimSuffix(login, "[bot]") + "[bot]"}, nil
	}
	if g.tokenEnv == "GITHUB_TOKEN" {
		return ghAuthor{bot: actionsBot}, nil
	}
	return ghAuthor{}, envError(err, "github: find whose token %s is (GET /user and GraphQL viewer both failed), so as not to edit someone else's comment: use a token that may read its own user", tokenName(g.tokenEnv))
}

// viewer asks GraphQL for the token's login. GraphQL lives at /graphql on
// github.com and GHE.com, and at /api/graphql on GitHub Enterprise Server.
func (g *gitHub) viewer(ctx context.Context) (string, error) {
	endpoint := "graphql"
	if strings.HasSuffix(g.c.BaseURL.Path, "/api/v3/") {
		endpoint = "../graphql"
	}
	req, err := g.c.NewRequest(http.MethodPost, endpoint, map[string]string{"query": "query{viewer{login}}"})
	if err != nil {
		return "", err
	}
	var out struct {
		Data struct {
			Viewer struct {
				Login string `json:"login"`
			} `json:"viewer"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if _, err := g.c.Do(retrySafe(ctx), req, &out); err != nil {
		return "", err
	}
	if len(out.Errors) > 0 {
		return "", errors.New(out.Errors[0].Message)
	}
	return out.Data.Viewer.Login, nil
}

// whoami finds the GitLab user the token belongs to (a project or group
// access token has a bot user of its own).
// https://docs.gitlab.com/api/users/#get-the-current-user
func (g *gitLab) whoami(ctx context.Context) (int64, error) {
	u, _, err := g.c.Users.CurrentUser(gitlab.WithContext(ctx))
	if err != nil {
		return 0, g.fail(err, "find whose token this is, so as not to edit someone else's comment", "")
	}
	return int64(u.ID), nil
}
