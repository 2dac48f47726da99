package pgwire

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected output of the psql scripts")

// TestPsqlScripts runs each testdata/pgwire/psql/*.sql with psql 15 (the
// simple protocol, its cursors for FETCH_COUNT, COPY, its catalog queries
// for \l \dn \dt \d) and compares what psql prints with the .expected file
// beside it; -update rewrites those.
func TestPsqlScripts(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed (apt-get install -y postgresql-client)")
	}
	scripts, _ := filepath.Glob("../testdata/pgwire/psql/*.sql")
	for _, script := range scripts {
		t.Run(filepath.Base(script), func(t *testing.T) {
			_, addr := testServer(t, nil)
			host, port, _ := splitAddr(addr)
			cmd := exec.Command(psql, "-h", host, "-p", port, "-U", "weir", "-X", "-v", "ON_ERROR_STOP=0", "-f", filepath.Base(script))
			cmd.Dir = filepath.Dir(script)
			cmd.Env = append(os.Environ(), "PGSSLMODE=prefer", "PGCONNECT_TIMEOUT=5", "LC_ALL=C.UTF-8")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("psql: %v\n%s", err, out)
			}
			golden := strings.TrimSuffix(script, ".sql") + ".expected"
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./pgwire -run TestPsqlScripts -update)", err)
			}
			if string(out) != string(want) {
				t.Fatalf("psql output differs from %s:\n%s", golden, out)
			}
		})
	}
}
