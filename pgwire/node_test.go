package pgwire

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNodePostgres runs testdata/pgwire/node/test.js with node-postgres
// and pg-cursor: Parse without parameter types, text parameters, a cursor
// reading with Execute row limits. `npm ci` in that directory installs
// them (.ci/run does); without node or the modules the test is skipped.
func TestNodePostgres(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; install nodejs and npm to run the node-postgres test")
	}
	dir, _ := filepath.Abs("../testdata/pgwire/node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "pg")); err != nil {
		t.Skipf("node-postgres is not installed: run `npm ci` in %s", dir)
	}
	_, addr := testServer(t, nil)
	cmd := exec.Command(node, "test.js", connString(addr))
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	want := strings.Join([]string{
		`one=1`,
		`params={"a":"x","b":7}`,
		`where=[{"customer":"ana"}]`,
		`error=42601 position=8`,
		`after=2`,
		`cursor=[1,2,3][4]`,
	}, "\n")
	if got := strings.TrimSpace(string(out)); got != want {
		t.Fatalf("node-postgres output:\n%s\nwant:\n%s", got, want)
	}
}
