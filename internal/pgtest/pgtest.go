// Package pgtest gives tests a real PostgreSQL to compare weir with.
//
// URL returns the address of a PostgreSQL server: WEIR_PG_URL when it is
// set, otherwise a private server this package starts once per test
// binary from Debian's postgresql package (initdb and postgres under
// /usr/lib/postgresql/N/bin): a fresh cluster in a temporary directory,
// C collation, UTF8, trust authentication, listening on 127.0.0.1 on a free
// port. initdb and postgres refuse to run as root, so as root they run as
// the postgres user the package creates. The server stops when the test
// binary's TestMain calls Stop.
//
// Without WEIR_PG_URL and without the binaries, URL skips the test with a
// message saying what to install; set WEIR_REQUIRE_PG=1 (CI does) to make
// that a failure instead, so a missing install can't pass silently.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

var (
	once    sync.Once
	url     string
	skipMsg string
	stop    func()
)

// URL returns a PostgreSQL connection URL (sslmode=disable), starting the
// private server on first use, or skips t when there is none.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if url == "" {
		if os.Getenv("WEIR_REQUIRE_PG") != "" {
			t.Fatalf("no PostgreSQL (WEIR_REQUIRE_PG is set): %s", skipMsg)
		}
		t.Skip(skipMsg)
	}
	return url
}

// Lookup returns the URL of the PostgreSQL URL would give, starting it on
// first use, or "" and why there is none — for tests that compare with
// PostgreSQL when they can and check recorded answers otherwise. With
// WEIR_REQUIRE_PG set, there being none fails t.
func Lookup(t testing.TB) (string, string) {
	t.Helper()
	once.Do(start)
	if url == "" && os.Getenv("WEIR_REQUIRE_PG") != "" {
		t.Fatalf("no PostgreSQL (WEIR_REQUIRE_PG is set): %s", skipMsg)
	}
	return url, skipMsg
}

// Stop stops the server URL started, if any. Call it from TestMain after
// m.Run.
func Stop() {
	if stop != nil {
		stop()
		stop = nil
	}
}

func start() {
	if u := os.Getenv("WEIR_PG_URL"); u != "" {
		url = u
		return
	}
	bin := findBin()
	if bin == "" {
		skipMsg = "no PostgreSQL: set WEIR_PG_URL, or install Debian's postgresql package (initdb under /usr/lib/postgresql/*/bin)"
		return
	}
	u, s, err := startServer(bin)
	if err != nil {
		skipMsg = "starting a private PostgreSQL from " + bin + ": " + err.Error()
		return
	}
	url, stop = u, s
}

// findBin returns the newest /usr/lib/postgresql/N/bin holding initdb.
func findBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	if len(dirs) == 0 {
		return ""
	}
	return filepath.Dir(dirs[0])
}

func version(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

func startServer(bin string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "weir-pgtest-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			cleanup()
			return "", nil, fmt.Errorf("running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			cleanup()
			return "", nil, err
		}
	}
	run := func(name string, args ...string) ([]byte, error) {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Dir = dir
		return cmd.CombinedOutput()
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		cleanup()
		return "", nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", port, dir)
	if out, err := run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		cleanup()
		return "", nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	stopFn := func() {
		_, _ = run("pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "30", "stop")
		cleanup()
	}
	u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	// pg_ctl -w waited for the server to accept connections; check the port
	// anyway so a failure reads as one.
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
	if err != nil {
		stopFn()
		return "", nil, err
	}
	c.Close()
	return u, stopFn, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Query runs sql in the PostgreSQL at url (one or more statements, simple query protocol) in a
// fresh session and returns the rows of the last statement that returned
// rows, each as its text cells joined with "|" and NULL for nulls — what
// psql -At -P null=NULL prints.
func Query(t testing.TB, url, sql string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	defer conn.Close(context.Background())
	results, err := conn.Exec(ctx, sql).ReadAll()
	if err != nil {
		t.Fatalf("PostgreSQL: %v\n%s", err, sql)
	}
	var rows []string
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("PostgreSQL: %v\n%s", r.Err, sql)
		}
		if len(r.FieldDescriptions) == 0 {
			continue
		}
		rows = rows[:0]
		for _, row := range r.Rows {
			cells := make([]string, len(row))
			for i, c := range row {
				if c == nil {
					cells[i] = "NULL"
				} else {
					cells[i] = string(c)
				}
			}
			rows = append(rows, strings.Join(cells, "|"))
		}
	}
	return rows
}
