package pgwire

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func connString(addr string) string {
	host, port, _ := splitAddr(addr)
	return fmt.Sprintf("postgres://weir@%s:%s/weir?sslmode=disable", host, port)
}

// TestPgxQueryModes runs the same queries through every pgx v5 query
// mode: each exercises a different extended-protocol path (named and
// unnamed statements, Describe S and P, binary and text formats, client
// side interpolation).
func TestPgxQueryModes(t *testing.T) {
	_, addr := testServer(t, nil)
	modes := []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeCacheDescribe,
		pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol}
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cfg, err := pgx.ParseConfig(connString(addr))
			if err != nil {
				t.Fatal(err)
			}
			cfg.DefaultQueryExecMode = mode
			conn, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			for range 2 { // the second run takes the cached path
				var one int32
				if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
					t.Fatalf("SELECT 1: %v %v", one, err)
				}
				var n int64
				if err := conn.QueryRow(ctx, "SELECT $1::int8 + $2::int8 AS s", 1, 2).Scan(&n); err != nil || n != 3 {
					t.Fatalf("params: %v %v", n, err)
				}
				rows, err := conn.Query(ctx, "SELECT orderId::int8 AS id, customer, amount::float8 AS amount, ok::boolean AS ok FROM default.orders WHERE amount > $1::float8", 100)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for rows.Next() {
					var id int64
					var cust string
					var amount float64
					var ok bool
					if err := rows.Scan(&id, &cust, &amount, &ok); err != nil {
						t.Fatal(err)
					}
					got = append(got, fmt.Sprintf("%d %s %g %v", id, cust, amount, ok))
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != "[1 ana 250 true 3 cy 2400 true]" {
					t.Fatalf("rows: %v", got)
				}
				var name string
				if err := conn.QueryRow(ctx, "SELECT customer FROM default.orders WHERE customer = $1 LIMIT 1", "bo").Scan(&name); err != nil || name != "bo" {
					t.Fatalf("text param: %q %v", name, err)
				}
			}
			_, err = conn.Exec(ctx, "SELECT nosuch FROM")
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42601" || pgErr.Position == 0 {
				t.Fatalf("syntax error: %#v", err)
			}
			// The session survives the error.
			var one int32
			if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
				t.Fatal(err)
			}
		})
	}
}
