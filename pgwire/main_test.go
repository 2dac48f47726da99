package pgwire

import (
	"os"
	"testing"

	"github.com/weir-stream/weir/internal/pgtest"
)

// TestMain stops the PostgreSQL internal/pgtest may have started for the
// wire scripts' comparison.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}
