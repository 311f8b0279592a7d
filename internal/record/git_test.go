package record

import (
	"testing"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

func mainGit(m *testing.M) { gittest.Main(m) }
