package pgwire

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// docStmt is one statement sent in the simple protocol and what
// docs/pgwire.md says comes back: a command tag (prefix), result columns,
// a value somewhere in the rows, or an error's SQLSTATE; tx is the
// transaction status of the ReadyForQuery after it ('I', 'T', 'E').
type docStmt struct {
	sql  string
	tag  string
	cols []string
	has  string
	code string
	tx   byte
}

// pgwireDocCases are concrete instances of every row of docs/pgwire.md's
// statement table, keyed by the row's first code span.
var pgwireDocCases = map[string][]docStmt{
	"SELECT …": {
		{sql: "SELECT orderId::int8 AS id, customer FROM default.orders LIMIT 2", tag: "SELECT 2", cols: []string{"id", "customer"}},
	},
	"EXPLAIN …": {
		{sql: "EXPLAIN SELECT customer FROM default.orders", tag: "EXPLAIN", cols: []string{"QUERY PLAN"}, has: `"$source": {`},
	},
	"CREATE CONNECTION name TO FILE (dir = 'DIR')": {
		{sql: "CREATE CONNECTION files TO FILE (dir = 'DIR')", tag: "CREATE CONNECTION"},
		{sql: "CREATE CONNECTION files TO FILE (dir = 'DIR')", code: "42710"},
	},
	"CREATE [OR REPLACE] STREAM PROCESSOR name AS INSERT … \\| AS MQL '…' [WITH (…)]": {
		{sql: "CREATE STREAM PROCESSOR big AS INSERT INTO files.big SELECT * FROM files.orders WHERE amount > 100", tag: "CREATE STREAM PROCESSOR"},
		{sql: `CREATE OR REPLACE STREAM PROCESSOR copy AS MQL '[{"$source": {"connectionName": "files", "topic": "orders"}}, {"$emit": {"connectionName": "files", "topic": "copy"}}]'`, tag: "CREATE STREAM PROCESSOR"},
		{sql: "SHOW STREAM PROCESSORS", has: "CREATED"},
	},
	"START": {
		{sql: "START STREAM PROCESSOR big", tag: "START STREAM PROCESSOR"},
		{sql: "DROP STREAM PROCESSOR IF EXISTS nope", tag: "DROP STREAM PROCESSOR"},
		{sql: "DROP STREAM PROCESSOR nope", code: "42704"},
		{sql: "DROP STREAM PROCESSOR copy", tag: "DROP STREAM PROCESSOR"},
	},
	"SHOW STREAM PROCESSORS": {
		{sql: "SHOW STREAM PROCESSORS", cols: []string{"name", "state", "input_count", "output_count", "dlq_count", "watermark", "last_error"}, has: "big"},
	},
	"SHOW CONNECTIONS": {
		{sql: "SHOW CONNECTIONS", cols: []string{"name", "type", "origin", "options"}, has: "files"},
	},
	"BEGIN": {
		{sql: "BEGIN", tag: "BEGIN", tx: 'T'},
		{sql: "SELECT nosuch(1) FROM default.orders", code: "42883", tx: 'E'},
		{sql: "SELECT 1", code: "25P02", tx: 'E'},
		{sql: "ROLLBACK", tag: "ROLLBACK", tx: 'I'},
		{sql: "START TRANSACTION", tag: "START TRANSACTION", tx: 'T'},
		{sql: "COMMIT", tag: "COMMIT", tx: 'I'},
		{sql: "BEGIN", tag: "BEGIN", tx: 'T'},
		{sql: "END", tag: "COMMIT", tx: 'I'},
		{sql: "BEGIN", tag: "BEGIN", tx: 'T'},
		{sql: "ABORT", tag: "ROLLBACK", tx: 'I'},
	},
	"SET x = v": {
		{sql: "SET application_name = 'docs'", tag: "SET"},
		{sql: "SHOW application_name", has: "docs"},
		{sql: "SET application_name TO 'docs2'", tag: "SET"},
		{sql: "RESET application_name", tag: "RESET"},
		{sql: "SET TIME ZONE 'UTC'", tag: "SET"},
		{sql: "SHOW TimeZone", has: "UTC"},
		{sql: "SHOW ALL", has: "UTF8"},
		{sql: "SET client_encoding = 'LATIN1'", code: "22023"},
	},
	"DECLARE c [NO SCROLL] CURSOR FOR query": {
		{sql: "DECLARE c CURSOR FOR SELECT orderId FROM default.orders", code: "25P01"},
		{sql: "BEGIN", tag: "BEGIN"},
		{sql: "DECLARE c NO SCROLL CURSOR FOR SELECT orderId::int8 AS id FROM default.orders", tag: "DECLARE CURSOR"},
		{sql: "FETCH 2 FROM c", tag: "FETCH 2", cols: []string{"id"}},
		{sql: "FETCH ALL c", tag: "FETCH"},
		{sql: "CLOSE c", tag: "CLOSE CURSOR"},
		{sql: "COMMIT", tag: "COMMIT"},
	},
	// COPY is checked with CopyTo below; this is its statement.
	"COPY (query) TO STDOUT [WITH (FORMAT text\\|csv, DELIMITER, NULL)]": nil,
	"SELECT version()": {
		{sql: "SELECT version() AS v", has: "PostgreSQL 15.0 (weir"},
		{sql: "SELECT current_database(), current_schema(), current_user, session_user", cols: []string{"current_database", "current_schema", "current_user", "session_user"}, has: "public"},
		{sql: "SELECT current_setting('DateStyle') AS d", has: "ISO"},
	},
	"INSERT … SELECT": {
		{sql: "INSERT INTO default.out SELECT * FROM default.orders", code: "0A000"},
	},
}

// TestPgwireDocExamples runs a concrete instance of every statement in
// docs/pgwire.md's table against a server and checks the answer the table
// gives; a row without a case here, or a case without a row, fails.
func TestPgwireDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/pgwire.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, _ := strings.Cut(string(doc), "| statement | answer |")
	table, _, _ = strings.Cut(table, "\n\n")
	first := regexp.MustCompile("^\\| (?:an )?`([^`]*)`")
	var rows []string
	for _, line := range strings.Split(table, "\n") {
		if m := first.FindStringSubmatch(line); m != nil {
			rows = append(rows, m[1])
			if _, ok := pgwireDocCases[m[1]]; !ok {
				t.Errorf("docs/pgwire.md: statement row %q has no case in pgwireDocCases", m[1])
			}
		}
	}
	for k := range pgwireDocCases {
		if !slices.Contains(rows, k) {
			t.Errorf("pgwireDocCases: %q is not a row of docs/pgwire.md's statement table", k)
		}
	}

	if len(rows) == 0 {
		t.Fatal("docs/pgwire.md: no statement table found")
	}

	_, addr := testServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, connString(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	// A file connection of its own, with the test's orders.
	dir := t.TempDir()
	data, err := os.ReadFile("../testdata/pgwire/data/orders.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/orders.jsonl", data, 0o644); err != nil {
		t.Fatal(err)
	}

	// The rows in the order the table has them: later ones use what
	// earlier ones created.
	for _, row := range rows {
		for _, st := range pgwireDocCases[row] {
			sql := strings.ReplaceAll(st.sql, "'DIR'", "'"+dir+"'")
			results, err := conn.Exec(ctx, sql).ReadAll()
			if st.code != "" {
				if pe, ok := err.(*pgconn.PgError); !ok || pe.Code != st.code {
					t.Errorf("%s: got %v, want SQLSTATE %s", sql, err, st.code)
				}
			} else if err != nil {
				t.Errorf("%s: %v", sql, err)
				continue
			}
			if st.tx != 0 && conn.TxStatus() != st.tx {
				t.Errorf("%s: transaction status %c, want %c", sql, conn.TxStatus(), st.tx)
			}
			if st.code != "" || len(results) == 0 {
				continue
			}
			r := results[len(results)-1]
			if st.tag != "" && !strings.HasPrefix(r.CommandTag.String(), st.tag) {
				t.Errorf("%s: tag %q, want %q", sql, r.CommandTag, st.tag)
			}
			if st.cols != nil {
				var cols []string
				for _, f := range r.FieldDescriptions {
					cols = append(cols, f.Name)
				}
				if !slices.Equal(cols, st.cols) {
					t.Errorf("%s: columns %v, want %v", sql, cols, st.cols)
				}
			}
			if st.has != "" {
				var all []string
				for _, row := range r.Rows {
					for _, v := range row {
						all = append(all, string(v))
					}
				}
				if !strings.Contains(strings.Join(all, "\n"), st.has) {
					t.Errorf("%s: no %q in %q", sql, st.has, all)
				}
			}
		}
	}

	// COPY (query) TO STDOUT.
	var out bytes.Buffer
	if _, err := conn.CopyTo(ctx, &out, "COPY (SELECT orderId::int8 AS id, customer FROM default.orders LIMIT 2) TO STDOUT WITH (FORMAT csv)"); err != nil {
		t.Errorf("COPY: %v", err)
	} else if out.String() != "1,ana\n2,bo\n" {
		t.Errorf("COPY: %q", out.String())
	}
	out.Reset()
	if _, err := conn.CopyTo(ctx, &out, "COPY (SELECT orderId::int8 AS id, customer FROM default.orders LIMIT 1) TO STDOUT"); err != nil || out.String() != "1\tana\n" {
		t.Errorf("COPY text: %q %v", out.String(), err)
	}

	// Syntax and planning errors carry a position (so psql draws a caret)
	// and the session survives them.
	_, err = conn.Exec(ctx, "SELECT a FROM default.orders WHERE").ReadAll()
	if pe, ok := err.(*pgconn.PgError); !ok || pe.Code != "42601" || pe.Position == 0 {
		t.Errorf("syntax error: %#v", err)
	}
	if _, err := conn.Exec(ctx, "SELECT 1").ReadAll(); err != nil {
		t.Errorf("after an error: %v", err)
	}

	t.Run("pg_backend_pid", func(t *testing.T) {
		_, err := conn.Exec(ctx, "SELECT pg_backend_pid()").ReadAll()
		if err != nil {
			t.Errorf("docs/pgwire.md lists pg_backend_pid(): %v", err)
		}
	})
}
