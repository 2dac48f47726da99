package pgwire

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// jdbcJar is pgJDBC as Debian's libpostgresql-jdbc-java installs it.
const jdbcJar = "/usr/share/java/postgresql.jar"

// TestJDBC runs testdata/pgwire/jdbc/JdbcClient.java with pgJDBC: its
// start-up (ParameterStatus, SET extra_float_digits, application_name),
// server-side prepared statements with typed parameters, an error's
// SQLSTATE and the session after it, a fetch size in a transaction
// (Execute with a row limit), the processor statements, and
// DatabaseMetaData.getTables over the catalog. It needs a JDK (java
// running a single-file program compiles it) and the driver; .ci/run
// installs default-jdk-headless and libpostgresql-jdbc-java, and without
// them the test is skipped.
func TestJDBC(t *testing.T) {
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java is not installed; install default-jdk-headless and libpostgresql-jdbc-java to run the JDBC test")
	}
	if _, err := os.Stat(jdbcJar); err != nil {
		t.Skipf("pgJDBC is not installed (%s): install libpostgresql-jdbc-java", jdbcJar)
	}
	_, addr := testServer(t, nil)
	host, port, _ := splitAddr(addr)
	src, _ := filepath.Abs("../testdata/pgwire/jdbc/JdbcClient.java")
	cmd := exec.Command(java, "-cp", jdbcJar, src, "jdbc:postgresql://"+host+":"+port+"/weir?sslmode=disable")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("java: %v\n%s", err, out)
	}
	want := strings.Join([]string{
		`product=PostgreSQL 15`,
		`one=1 s=x type=int4`,
		`over100=[ana:250, cy:2400]`,
		`over1000=[cy:2400]`,
		`error=42601`,
		`after=2`,
		`fetched=[1, 2, 3, 4]`,
		`processors=[big]`,
		// default.big is the stream the processor emitted into.
		`tables=[default.big, default.orders]`,
	}, "\n")
	if got := strings.TrimSpace(string(out)); got != want {
		t.Fatalf("pgJDBC output:\n%s\nwant:\n%s", got, want)
	}
}
