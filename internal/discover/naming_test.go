package discover

import (
	"testing"
	"testing/fstest"
)

// A Dockerfile in a layout directory (src/, app/, docker/) names its service
// after the directory above: GoogleCloudPlatform/microservices-demo keeps
// cartservice's at src/cartservice/src/Dockerfile.
func TestDockerfileInLayoutDirectory(t *testing.T) {
	t.Parallel()
	f := discover(t, fstest.MapFS{
		"src/cartservice/src/Dockerfile":     {Data: []byte("FROM scratch\n")},
		"src/frontend/Dockerfile":            {Data: []byte("FROM scratch\n")},
		"services/billing/docker/Dockerfile": {Data: []byte("FROM scratch\n")},
		"src/Dockerfile":                     {Data: []byte("FROM scratch\n")},
	})
	got := map[string]string{}
	for _, s := range f.Services {
		got[s.Dir] = s.Name
	}
	for dir, want := range map[string]string{
		"src/cartservice/src":     "cartservice",
		"src/frontend":            "frontend",
		"services/billing/docker": "billing",
		"src":                     "src",
	} {
		if got[dir] != want {
			t.Errorf("the Dockerfile in %s is service %q, want %q (all: %v)", dir, got[dir], want, got)
		}
	}
}
