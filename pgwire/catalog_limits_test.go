package pgwire

import (
	"context"
	"database/sql/driver"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func catalogCount(t *testing.T, ctx context.Context, conn *pgx.Conn) {
	t.Helper()
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_catalog.pg_am`, pgx.QueryExecModeSimpleProtocol).Scan(&n); err != nil || n != 7 {
		t.Fatalf("catalog after the error: %d, %v", n, err)
	}
}

// TestCatalogAttacks: what a catalog query can't reach or build is an
// error with a SQLSTATE, quickly, and the session goes on.
func TestCatalogAttacks(t *testing.T) {
	_, addr := testServer(t, nil)
	conn := connect(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, tc := range []struct{ query, code string }{
		// SQLite's own tables and functions are not the catalog.
		{`SELECT * FROM pg_am, pragma_database_list`, "42P01"},
		{`SELECT * FROM pg_am, "SQLITE_MASTER"`, "42P01"},
		{`SELECT name FROM pg_am, main.sqlite_schema`, "42P01"},
		{`SELECT * FROM pg_am, sqlite_dbpage`, "42P01"},
		{`SELECT sqlite_version() FROM pg_am`, "42883"},
		{`SELECT load_extension('/tmp/x') FROM pg_am`, "42883"},
		{`ATTACH 'file:/etc/passwd' AS pg_x`, "0A000"},
		{`SELECT 1 FROM pg_am; ATTACH '/tmp/x' AS pg_y`, "0A000"},
		{`WITH x AS (SELECT 1) REPLACE INTO pg_catalog.pg_am VALUES (1, 'x', 1, 'x')`, "42501"},
		{`VACUUM pg_catalog INTO '/tmp/weir-catalog.db'`, "42501"},
		// Nesting that would recurse or copy without bound.
		{`SELECT ` + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000) + ` FROM pg_am`, "54001"},
		{`SELECT 1` + strings.Repeat("::int", 5000) + ` FROM pg_am`, "54001"},
		{`SELECT ARRAY[1]` + strings.Repeat("[1]", 5000) + ` FROM pg_am`, "54001"},
		// Values, rows and function results are bounded.
		{`SELECT hex(zeroblob(600000)) FROM pg_am`, "54000"},
		{`SELECT regexp_replace(hex(zeroblob(1000)), '', hex(zeroblob(400000)), 'g') FROM pg_am`, "54000"},
		{`SELECT regexp_replace(hex(zeroblob(200000)), '(.*)', '` + strings.Repeat(`\1`, 100) + `') FROM pg_am`, "54000"},
		{`SELECT array_to_string(json_array(1, 2, 3, 4, 5, 6, 7, 8, 9), hex(zeroblob(400000))) FROM pg_am`, "54000"},
		{`SELECT format('%s%s%s%s', hex(zeroblob(400000)), hex(zeroblob(400000)), hex(zeroblob(400000)), hex(zeroblob(400000))) FROM pg_am`, "54000"},
		{`SELECT hex(zeroblob(400000)) FROM pg_type a, pg_type b`, "54000"},
		{`SELECT relname ~ hex(zeroblob(300000)) FROM pg_class WHERE hex(zeroblob(500000)) ~ hex(zeroblob(300000))`, "54000"},
	} {
		start := time.Now()
		_, err := conn.Exec(ctx, tc.query, pgx.QueryExecModeSimpleProtocol)
		q := tc.query
		if len(q) > 100 {
			q = q[:100] + "…"
		}
		if code := pgCode(err); code != tc.code {
			t.Errorf("%s: got %v, want %s", q, err, tc.code)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: took %v", q, d)
		}
		catalogCount(t, ctx, conn)
	}
	// PostgreSQL's LIKE backtracks into every % no more: this took
	// forever, now it is linear in the text for each segment.
	start := time.Now()
	var m bool
	q := `SELECT '` + strings.Repeat("a", 2000) + `' LIKE '` + strings.Repeat("%a", 30) + `%b' FROM pg_am LIMIT 1`
	if err := conn.QueryRow(ctx, q, pgx.QueryExecModeSimpleProtocol).Scan(&m); err != nil || m {
		t.Fatalf("LIKE: %v %v", m, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("LIKE took %v", d)
	}
}

// TestCatalogTimeout: a catalog query that would run forever ends with
// 57014 at the timeout, and one a CancelRequest interrupts with 57014 at
// once; the session goes on after both.
func TestCatalogTimeout(t *testing.T) {
	defer func(d time.Duration) { catalogTimeout = d }(catalogTimeout)
	catalogTimeout = 500 * time.Millisecond
	_, addr := testServer(t, nil)
	conn := connect(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, q := range []string{
		`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r, pg_am`,
		`SELECT count(*) FROM pg_type a, pg_type b, pg_type c, pg_type d`,
		`SELECT a.typname FROM pg_type a, pg_type b, pg_type c ORDER BY a.typname || b.typname || c.typname DESC LIMIT 1`,
	} {
		start := time.Now()
		_, err := conn.Exec(ctx, q, pgx.QueryExecModeSimpleProtocol)
		if pgCode(err) != "57014" || !strings.Contains(err.Error(), "statement timeout") {
			t.Errorf("%s: got %v, want 57014", q, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: ended after %v", q, d)
		}
		catalogCount(t, ctx, conn)
	}

	catalogTimeout = time.Minute
	go func() {
		time.Sleep(300 * time.Millisecond)
		conn.PgConn().CancelRequest(context.Background())
	}()
	start := time.Now()
	_, err := conn.Exec(ctx, `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r, pg_am`, pgx.QueryExecModeSimpleProtocol)
	if pgCode(err) != "57014" || time.Since(start) > 5*time.Second {
		t.Fatalf("cancel: %v after %v, want 57014", err, time.Since(start))
	}
	catalogCount(t, ctx, conn)
}

// TestCatalogDBClosed: a session's catalog database is closed however
// the session ends: Terminate, a vanished client in the middle of a
// catalog query, and the server's shutdown.
func TestCatalogDBClosed(t *testing.T) {
	waitOpen := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for openCatalogDBs.Load() != want {
			if time.Now().After(deadline) {
				t.Fatalf("%d catalog databases open, want %d", openCatalogDBs.Load(), want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	base := openCatalogDBs.Load()
	srv, addr := testServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	open := func() *pgx.Conn {
		c, err := pgx.Connect(ctx, connString(addr))
		if err != nil {
			t.Fatal(err)
		}
		catalogCount(t, ctx, c)
		return c
	}

	// Terminate.
	c := open()
	waitOpen(base + 1)
	c.Close(ctx)
	waitOpen(base)

	// A canceled query leaves the session, and its database, open; the
	// client vanishing in the middle of an endless query closes both.
	c = open()
	go func() {
		time.Sleep(200 * time.Millisecond)
		c.PgConn().CancelRequest(context.Background())
	}()
	endless := `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r, pg_am`
	if _, err := c.Exec(ctx, endless, pgx.QueryExecModeSimpleProtocol); pgCode(err) != "57014" {
		t.Fatalf("cancel: %v", err)
	}
	waitOpen(base + 1)
	go func() {
		time.Sleep(200 * time.Millisecond)
		c.PgConn().Conn().Close()
	}()
	c.Exec(ctx, endless, pgx.QueryExecModeSimpleProtocol)
	waitOpen(base)

	// Shutdown.
	c = open()
	c2 := open()
	waitOpen(base + 2)
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	waitOpen(base)
	c.Close(ctx)
	c2.Close(ctx)
}

// TestCatalogPanics: a panic in a catalog query, or in a Go function
// SQLite calls, is that query's XX000, not the server's end.
func TestCatalogPanics(t *testing.T) {
	v, err := callCatalogFunc("boom", func([]driver.Value) (driver.Value, error) { panic("boom") }, nil)
	if v != nil || err == nil || !strings.Contains(err.Error(), "weir:XX000:") {
		t.Errorf("callCatalogFunc: %v, %v", v, err)
	}
	// A session without an engine panics reading the catalog.
	s := &session{srv: &Server{}, user: "weir", database: "weir", settings: defaultSettings(), ctx: context.Background()}
	st := splitStatements(`SELECT relname FROM pg_class`)[0]
	res, err := s.catalog(st)
	if res != nil || toPgError(err, st.sql, 0).code != codeInternal {
		t.Errorf("catalog: %v, %v; want XX000", res, err)
	}
}

// likeBacktrack is the LIKE the catalog had, backtracking into every %:
// right, and exponential.
func likeBacktrack(p, s []rune, esc rune) bool {
	for len(p) > 0 {
		switch {
		case p[0] == esc && len(p) > 1:
			if len(s) == 0 || s[0] != p[1] {
				return false
			}
			p, s = p[2:], s[1:]
		case p[0] == '%':
			for len(p) > 0 && p[0] == '%' {
				p = p[1:]
			}
			if len(p) == 0 {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if likeBacktrack(p, s[i:], esc) {
					return true
				}
			}
			return false
		case p[0] == '_':
			if len(s) == 0 {
				return false
			}
			p, s = p[1:], s[1:]
		default:
			if len(s) == 0 || s[0] != p[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return len(s) == 0
}

// TestLikeMatch: the linear LIKE agrees with the backtracking one.
func TestLikeMatch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func(alphabet string, n int) []rune {
		out := make([]rune, r.IntN(n+1))
		for i := range out {
			out[i] = rune(alphabet[r.IntN(len(alphabet))])
		}
		return out
	}
	for range 200000 {
		p, s := word(`ab%_\`, 7), word(`ab_%\`, 8)
		if got, want := likeMatch(p, s, '\\'), likeBacktrack(p, s, '\\'); got != want {
			t.Fatalf("%q LIKE %q: %v, want %v", string(s), string(p), got, want)
		}
	}
}

// TestRegexpReplace: PostgreSQL's replacement syntax.
func TestRegexpReplace(t *testing.T) {
	for _, tc := range []struct{ s, pat, repl, flags, want string }{
		{"abcabc", "b", "X", "", "aXcabc"},
		{"abcabc", "b", "X", "g", "aXcaXc"},
		{"abc", "(b)(c)", `\2\1`, "", "acb"},
		{"abc", "b", `[\&]`, "", "a[b]c"},
		{"abc", "b", `$1\\`, "", `a$1\c`},
		{"abc", "", "-", "g", "-a-b-c-"},
	} {
		re, err := compileRegex(tc.pat, false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := regexpReplace(re, tc.s, tc.repl, strings.Contains(tc.flags, "g"))
		if err != nil || got != tc.want {
			t.Errorf("regexp_replace(%q, %q, %q, %q) = %v, %v; want %q", tc.s, tc.pat, tc.repl, tc.flags, got, err, tc.want)
		}
	}
}

// TestDeepNesting: a statement nested deeper than the planner's parser
// can recurse (its stack overflow is fatal to the process) is 54001, over
// both protocols, and the session goes on.
func TestDeepNesting(t *testing.T) {
	_, addr := testServer(t, nil)
	conn := connect(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	deep := strings.Repeat("(", 200000) + "1" + strings.Repeat(")", 200000)
	for _, q := range []string{"SELECT " + deep, "CREATE STREAM PROCESSOR p AS INSERT INTO default.x SELECT " + deep + " FROM default.orders"} {
		for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeDescribeExec} {
			if _, err := conn.Exec(ctx, q, mode); pgCode(err) != "54001" {
				t.Errorf("%.40s… (%v): %v, want 54001", q, mode, err)
			}
			var one int
			if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Fatalf("after: %v", err)
			}
		}
	}
}
