package pgwire

import (
	"context"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/exec"
)

// catalogSeeds are the catalog queries the tests send (psql 15's, captured
// with log_statement=all, and pgJDBC's getTables): the string literals of
// catalog_test.go that read the catalog, and the attacks of
// catalog_limits_test.go.
func catalogSeeds(tb testing.TB) []string {
	var out []string
	for _, file := range []string{"catalog_test.go", "catalog_limits_test.go"} {
		f, err := parser.ParseFile(gotoken.NewFileSet(), file, nil, 0)
		if err != nil {
			tb.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == gotoken.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && (strings.Contains(s, "pg_") || strings.Contains(s, "information_schema")) {
					out = append(out, s)
				}
			}
			return true
		})
	}
	if len(out) < 40 {
		tb.Fatalf("only %d seed queries", len(out))
	}
	return out
}

// fuzzCatalog is a session over an engine with one file connection, and a
// catalog database to compile translations in.
var fuzzCatalog = sync.OnceValues(func() (*session, *catalogDB) {
	dir, err := os.MkdirTemp("", "weir-fuzz-catalog")
	if err != nil {
		panic(err)
	}
	data, err := os.ReadFile("../testdata/pgwire/data/orders.jsonl")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "orders.jsonl"), data, 0o644); err != nil {
		panic(err)
	}
	eng, err := exec.OpenEngine(exec.EngineConfig{StateDir: filepath.Join(dir, "state"), Files: map[string]connectors.File{"default": {Dir: dir}}})
	if err != nil {
		panic(err)
	}
	s := &session{srv: &Server{Engine: eng}, user: "weir", database: "weir", pid: 1, settings: defaultSettings(), ctx: context.Background()}
	db, err := openCatalogDB(context.Background())
	if err != nil {
		panic(err)
	}
	rows, _ := s.catalogRows()
	if err := db.load(context.Background(), rows); err != nil {
		panic(err)
	}
	return s, db
})

// writeOps are the SQLite opcodes of statements that write or reach
// outside the database.
var writeOps = map[string]bool{"OpenWrite": true, "Vacuum": true, "CreateBtree": true, "Destroy": true, "Clear": true,
	"ParseSchema": true, "SqlExec": true, "DropTable": true, "DropIndex": true, "DropTrigger": true, "JournalMode": true,
	"LoadAnalysis": true, "Expire": true}

// readOnlyProgram compiles q with EXPLAIN (which runs nothing) and reports
// what in its program writes; "" when nothing does, or when SQLite refuses
// to compile it.
func readOnlyProgram(db *catalogDB, q string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rows, err := db.conn.QueryContext(ctx, "EXPLAIN "+q)
	if err != nil {
		return ""
	}
	defer rows.Close()
	for rows.Next() {
		var addr, p1, p2, p3, p5 any
		var op, p4, comment any
		if err := rows.Scan(&addr, &op, &p1, &p2, &p3, &p4, &p5, &comment); err != nil {
			return ""
		}
		o, p4s := str(op), strings.ToLower(str(p4))
		switch {
		case writeOps[o]:
			return o
		case o == "Transaction" && str(p2) != "0":
			return "a write transaction"
		case (o == "Function" || o == "PureFunc") && (strings.Contains(p4s, "attach") || strings.Contains(p4s, "detach")):
			return "ATTACH"
		}
	}
	return ""
}

// FuzzCatalogSQL: no input makes the catalog's translation (or what reads
// the select list) panic, and every translation it accepts is one SQLite
// statement that only reads, by checkCatalogSQL and by SQLite's compiler.
//
//	go test ./pgwire -run '^$' -fuzz FuzzCatalogSQL -fuzztime 120s
func FuzzCatalogSQL(f *testing.F) {
	for _, q := range catalogSeeds(f) {
		f.Add(q)
	}
	s, db := fuzzCatalog()
	_, cs := s.catalogRows()
	f.Fuzz(func(t *testing.T, q string) {
		for _, st := range splitStatements(q) {
			isCatalogQuery(st.toks)
			selectItems(st.toks)
			sqlText, err := translateCatalog(st, s, cs)
			if err != nil {
				if toPgError(err, q, st.off).code == codeInternal {
					t.Fatalf("%q: internal error %v", st.sql, err)
				}
				continue
			}
			if err := checkCatalogSQL(sqlText); err != nil {
				t.Fatalf("%q translates to %q: %v", st.sql, sqlText, err)
			}
			if w := readOnlyProgram(db, sqlText); w != "" {
				t.Fatalf("%q translates to %q, which has %s", st.sql, sqlText, w)
			}
		}
	})
}

// TestCatalogSeedsReadOnly: the seeds themselves translate to read-only
// statements (the fuzz target checks the same over its corpus).
func TestCatalogSeedsReadOnly(t *testing.T) {
	s, db := fuzzCatalog()
	_, cs := s.catalogRows()
	translated := 0
	for _, q := range catalogSeeds(t) {
		for _, st := range splitStatements(q) {
			sqlText, err := translateCatalog(st, s, cs)
			if err != nil {
				continue
			}
			translated++
			if err := checkCatalogSQL(sqlText); err != nil {
				t.Errorf("%q: %v", sqlText, err)
			}
			if w := readOnlyProgram(db, sqlText); w != "" {
				t.Errorf("%q has %s", sqlText, w)
			}
		}
	}
	if translated < 20 {
		t.Fatalf("only %d seeds translate", translated)
	}
	// And the check refuses what a translation must never be.
	for _, bad := range []string{"SELECT 1; ATTACH 'x' AS y", "SELECT 1 -- x", "SELECT /* x */ 1", "ATTACH 'x' AS y",
		"WITH a AS (SELECT 1) REPLACE INTO t VALUES (1)", "WITH a AS (SELECT 1) DELETE FROM t", "SELECT ?1", "SELECT :x",
		"SELECT 'a\x00'", "PRAGMA query_only = 0", "VACUUM INTO 'x'", "SELECT 'x", "'x' SELECT 1", ""} {
		if err := checkCatalogSQL(bad); err == nil {
			t.Errorf("checkCatalogSQL(%q) accepted it", bad)
		}
	}
	for _, good := range []string{"SELECT replace(a, 'b', 'c') FROM t", `SELECT "x;y" FROM t WHERE a = 'it''s -- ; /*'`,
		"(SELECT 1)", "VALUES (1)", "WITH RECURSIVE a(v) AS (SELECT 1) SELECT v FROM a", "SELECT t.delete FROM t"} {
		if err := checkCatalogSQL(good); err != nil {
			t.Errorf("checkCatalogSQL(%q): %v", good, err)
		}
	}
}
