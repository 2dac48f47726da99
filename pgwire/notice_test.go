package pgwire

import (
	"context"
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
