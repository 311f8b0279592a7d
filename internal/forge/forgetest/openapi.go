package forgetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Base is where the fake mounts GitHub's API: GitHub Enterprise Server's root.
const Base = "/api/v3"

// SubsetFile is the subset of GitHub's OpenAPI description that
// ../testdata/gensubset cut from @octokit/openapi: the operations ordo calls.
var SubsetFile = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "github-openapi-subset.json")
}()

// router loads SubsetFile once per test binary.
var router = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromFile(SubsetFile)
	if err != nil {
		return nil, err
	}
	// doc.Validate is skipped on purpose: GitHub's own examples fail it.
	doc.Servers = nil // match any host
	return gorillamux.NewRouter(doc)
})

// validateGitHub checks a request against GitHub's OpenAPI description,
// with the Enterprise /api/v3 prefix taken off the path.
func validateGitHub(r *http.Request, body []byte) error {
	rt, err := router()
	if err != nil {
		return fmt.Errorf("load GitHub's OpenAPI subset: %w", err)
	}
	rr := r.Clone(context.Background())
	rr.URL.Path = strings.TrimPrefix(r.URL.Path, Base)
	rr.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, Base)
	rr.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := rt.FindRoute(rr)
	if err != nil {
		return fmt.Errorf("no such operation in GitHub's API (or not in testdata/github-openapi-subset.json): %w", err)
	}
	return openapi3filter.ValidateRequest(rr.Context(), &openapi3filter.RequestValidationInput{
		Request: rr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	})
}
