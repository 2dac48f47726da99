package pgwire

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A query typed into psql is not a pipeline to deploy: lints that only say
// "Atlas refuses this weir extension" (LIMIT on a stream is one) are not sent
// to it, while EXPLAIN, which shows the pipeline, still gets them.
func TestSelectGetsNoExtensionNotices(t *testing.T) {
	_, addr := testServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(connString(addr))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var notices []string
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		mu.Lock()
		notices = append(notices, n.Message)
		mu.Unlock()
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT orderId FROM default.orders LIMIT 1", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(notices) != 0 {
		t.Errorf("SELECT … LIMIT sent notices: %q", notices)
	}
	mu.Unlock()
	if _, err := conn.Exec(ctx, "EXPLAIN SELECT orderId FROM default.orders LIMIT 1", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notices) == 0 || !strings.Contains(notices[0], "weir extension") {
		t.Errorf("EXPLAIN should still warn about the extension: %q", notices)
	}
}

// A row a query can't process (an error evaluating it) is skipped, as a
// stream processor sends it to its DLQ, but not silently: each of the
// first few gets a WARNING (22000) with the operator and the reason, and
// the rest are counted in one at the end. The other rows still come.
func TestSkippedRowsGetWarnings(t *testing.T) {
	_, addr := testServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(connString(addr))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var notices []*pgconn.Notice
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		mu.Lock()
		notices = append(notices, n)
		mu.Unlock()
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec} {
		notices = nil
		rows, err := conn.Query(ctx, "SELECT customer, (amount / (orderId - 2))::text AS r FROM default.orders", mode)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var c, r string
			if err := rows.Scan(&c, &r); err != nil {
				t.Fatal(err)
			}
			got = append(got, c+"="+r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, " ") != "ana=-250 cy=2400 ana=37" {
			t.Errorf("mode %v: rows %v", mode, got)
		}
		mu.Lock()
		if len(notices) != 1 || notices[0].Severity != "WARNING" || notices[0].Code != "22000" ||
			notices[0].Message != "a row could not be processed and was skipped: $project: can't $divide by zero" {
			t.Errorf("mode %v: notices %+v", mode, notices)
		}
		mu.Unlock()
	}

	// More skipped rows than get a notice each: the rest are counted.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s.jsonl"), []byte(strings.Repeat(`{"s": "x"}`+"\n", 7)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE CONNECTION f TO FILE (dir = '"+dir+"')"); err != nil {
		t.Fatal(err)
	}
	notices = nil
	rows, err := conn.Query(ctx, "SELECT (length(s) / (length(s) - 1))::text AS y FROM f.s", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var msgs []string
	for _, n := range notices {
		msgs = append(msgs, n.Message)
	}
	if len(notices) != shownSkips+1 || !strings.HasPrefix(msgs[shownSkips], "7 rows in all could not be processed and were skipped (2 more than shown)") {
		t.Errorf("notices:\n%s", strings.Join(msgs, "\n"))
	}
}
