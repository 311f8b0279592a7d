// Command gen writes the reusable workflow from the template to the path it
// is given: `go generate ./internal/workflow` writes
// .github/workflows/ordo-release.yml.
package main

import (
	"fmt"
	"os"

	"github.com/ordo-ci/ordo/internal/workflow"
)

func main() {
	data, err := workflow.Generate(workflow.Waves)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen PATH")
		os.Exit(2)
	}
	path := os.Args[1]
	if err := os.WriteFile(path, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: %d waves\n", path, workflow.Waves)
}
