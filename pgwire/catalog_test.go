package pgwire

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// catalogConn connects to a server with a processor, so the catalog has a
// stream (default.orders), a collection (default."sales.big", once the
// processor ran) and a view (weir.big).
func catalogConn(t *testing.T) (*pgx.Conn, context.Context) {
	t.Helper()
	_, addr := testServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	cfg, err := pgx.ParseConfig(connString(addr))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	for _, q := range []string{
		"CREATE STREAM PROCESSOR big AS INSERT INTO default.sales.big SELECT orderId, amount FROM default.orders WHERE amount > 100",
		"START STREAM PROCESSOR big",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(q, err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'sales.big'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return conn, ctx
}

// queryStrings runs a query and returns its rows as text, NULL as "∅".
func queryStrings(t *testing.T, ctx context.Context, conn *pgx.Conn, q string, args ...any) [][]string {
	t.Helper()
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				row[i] = "∅"
			} else {
				row[i] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

func column0(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r[0])
	}
	return out
}

// TestCatalogTabCompletion sends the queries psql 15's tab completion
// sends (captured from psql 15.18 against PostgreSQL 15 with
// log_statement=all) for "SELECT * FROM or<TAB>", "\d <TAB>", "SELECT *
// FROM "default".<TAB>" and "\d sa<TAB>", and checks the completions.
func TestCatalogTabCompletion(t *testing.T) {
	conn, ctx := catalogConn(t)
	selectables := func(prefix string) string {
		return `SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE '` + prefix + `%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
	UNION ALL
	SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE '` + prefix + `%' AND n.nspname NOT LIKE E'pg\\_%'
	LIMIT 1000`
	}
	describables := func(prefix string) string {
		return `SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE (c.relname) LIKE '` + prefix + `%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
	UNION ALL
	SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE '` + prefix + `%' AND n.nspname NOT LIKE E'pg\\_%'
	LIMIT 1000`
	}
	inSchema := `SELECT c.relname, n.nspname FROM pg_catalog.pg_class c, pg_catalog.pg_namespace n WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE '%' AND n.nspname = 'default'
	LIMIT 1000`
	for _, tc := range []struct {
		name, query string
		want        [][]string
	}{
		{"SELECT * FROM or<TAB>", selectables("or"), [][]string{{"orders", "∅"}}},
		{"SELECT * FROM Or<TAB> (LIKE is case-sensitive)", selectables("Or"), nil},
		{`\d sa<TAB>`, describables("sa"), [][]string{{"sales.big", "∅"}}},
		{`\d <TAB>`, describables(""), [][]string{{"big", "∅"}, {"orders", "∅"}, {"sales.big", "∅"},
			{"∅", "default"}, {"∅", "information_schema"}, {"∅", "public"}, {"∅", "weir"}}},
		{`SELECT * FROM "default".<TAB>`, inSchema, [][]string{{"orders", "default"}, {"sales.big", "default"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := queryStrings(t, ctx, conn, tc.query)
			sortRows(got)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func sortRows(rows [][]string) {
	for i := range rows {
		for j := i + 1; j < len(rows); j++ {
			if strings.Join(rows[j], "\x00") < strings.Join(rows[i], "\x00") {
				rows[i], rows[j] = rows[j], rows[i]
			}
		}
	}
}

// TestCatalogQueries are catalog queries as drivers and tools write them:
// information_schema, pgJDBC-shaped metadata, functions and casts, over
// both protocols.
func TestCatalogQueries(t *testing.T) {
	conn, ctx := catalogConn(t)
	for _, tc := range []struct {
		query string
		want  string
	}{
		{`SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
			`[[default orders BASE TABLE] [default sales.big BASE TABLE] [weir big VIEW]]`},
		{`SELECT column_name, data_type, ordinal_position FROM information_schema.columns WHERE table_schema = 'default' AND table_name = 'orders' ORDER BY ordinal_position`,
			`[[orderId numeric 1] [customer text 2] [amount numeric 3] [ok boolean 4]]`},
		{`SELECT schema_name FROM information_schema.schemata ORDER BY 1`,
			`[[default] [information_schema] [pg_catalog] [public] [weir]]`},
		{`SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'weir.big'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
			`[[orderId numeric] [amount numeric]]`},
		{`SELECT 'orders'::regclass = (SELECT oid FROM pg_class WHERE relname = 'orders'), 'orders'::regclass::oid > 16383`, `[[true true]]`},
		{`SELECT c.oid::regclass FROM pg_class c WHERE c.relname = 'sales.big'`, `[["sales.big"]]`},
		{`SELECT 'orders'::regclass::oid = 'default.orders'::regclass::oid AS same, c.relkind::text FROM pg_class c WHERE c.relname = 'big'`, `[[true v]]`},
		{`SELECT pg_get_viewdef('big'::regclass) LIKE '%"$merge"%'`, `[[true]]`},
		{`SELECT relname FROM pg_class WHERE relkind = ANY (ARRAY['v']) AND relnamespace = 'weir'::regnamespace`, `[[big]]`},
		{`SELECT nspname FROM pg_namespace WHERE nspname = ANY(current_schemas(false)) ORDER BY 1`, `[[default] [public] [weir]]`},
		{`SELECT n.nspname, count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname !~ '^(pg_catalog|information_schema)$' GROUP BY 1 ORDER BY 2 DESC, 1`,
			`[[default 2] [weir 1]]`},
		{`SELECT relname FROM pg_catalog.pg_class WHERE relname ~* '^ORD' OR relname ILIKE 'SALES%' ORDER BY 1`, `[[orders] [sales.big]]`},
		{`SELECT typname, typlen FROM pg_type WHERE oid IN (16, 25, 1700, 3802) ORDER BY oid`, `[[bool 1] [text -1] [numeric -1] [jsonb -1]]`},
		{`SELECT setting FROM pg_catalog.pg_settings WHERE name = 'max_index_keys'`, `[[32]]`},
		{`SELECT rolname, rolsuper FROM pg_roles`, `[[weir true]]`},
		{`SELECT datname, pg_encoding_to_char(encoding) FROM pg_database`, `[[weir UTF8]]`},
		{`SELECT quote_ident('sales.big'), quote_ident('orders'), pg_catalog.pg_get_userbyid(10)`, `[["sales.big" orders weir]]`},
		{`SELECT trim(trailing ';' from 'x;;'), substring('orders' from 2 for 3), position('d' in 'orders') FROM pg_database`, `[[x rde 3]]`},
		{`SELECT CASE WHEN relkind = 'v' THEN 'view' ELSE 'table' END AS kind, relname FROM pg_class WHERE relnamespace <> 'pg_catalog'::regnamespace AND relnamespace IS DISTINCT FROM 'information_schema'::regnamespace ORDER BY 2 LIMIT ALL`,
			`[[view big] [table orders] [table sales.big]]`},
		{`SELECT pg_size_pretty(pg_table_size('orders'::regclass)) LIKE '% bytes', has_table_privilege('orders', 'SELECT')`, `[[true true]]`},
		{`SELECT array_to_string(ARRAY(SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pg\_%' ORDER BY 1), ',')`, `[[pg_catalog]]`},
		{`SELECT s FROM pg_catalog.generate_series(1, 3) s WHERE s <> 2`, `[[1] [3]]`},
		{`SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = 'pg_catalog.pg_class'::regclass AND attnum > 0`, `[[33]]`},
		// pgJDBC's DatabaseMetaData.getTables, in its shape.
		{`SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS TABLE_NAME,
  CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema' WHEN true THEN CASE WHEN n.nspname = 'pg_catalog' OR n.nspname = 'information_schema' THEN CASE c.relkind WHEN 'r' THEN 'SYSTEM TABLE' WHEN 'v' THEN 'SYSTEM VIEW' ELSE NULL END ELSE NULL END
  WHEN false THEN CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' ELSE NULL END ELSE NULL END AS TABLE_TYPE,
  d.description AS REMARKS, '' AS TYPE_CAT, '' AS TYPE_SCHEM, '' AS TYPE_NAME, '' AS SELF_REFERENCING_COL_NAME, '' AS REF_GENERATION
FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c
LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0 AND d.classoid = 'pg_class'::regclass)
WHERE c.relnamespace = n.oid AND c.relname LIKE '%' AND (false OR (c.relkind IN ('r','p') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema') OR (c.relkind = 'v' AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema'))
ORDER BY TABLE_TYPE, TABLE_SCHEM, TABLE_NAME`,
			`[[∅ default orders TABLE ∅     ] [∅ default sales.big TABLE ∅     ] [∅ weir big VIEW ∅     ]]`},
	} {
		for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheDescribe} {
			got := fmt.Sprint(queryStrings(t, ctx, conn, tc.query, mode))
			if got != tc.want {
				t.Errorf("%s (%v)\ngot  %s\nwant %s", tc.query, mode, got, tc.want)
			}
		}
	}
}

// TestCatalogErrors checks that what the catalog can't answer is an error
// with a SQLSTATE, and that the session goes on.
func TestCatalogErrors(t *testing.T) {
	conn, ctx := catalogConn(t)
	for _, tc := range []struct{ query, code string }{
		{`SELECT * FROM pg_catalog.pg_nosuch`, "42P01"},
		{`SELECT nosuch FROM pg_class`, "42703"},
		{`SELECT pg_catalog.pg_nosuch(1) FROM pg_class`, "42883"},
		{`SELECT 'nosuch'::regclass`, "42P01"},
		{`SELECT relname FROM pg_class WHERE relname ~ '(?<=x)'`, "2201B"},
		{`SELECT extract(epoch FROM now()) FROM pg_class`, "0A000"},
		{`SELECT DISTINCT ON (relkind) relname FROM pg_class`, "0A000"},
		{`SELECT x FROM pg_class, LATERAL (SELECT 1) y`, "0A000"},
		{`SELECT unnest(ARRAY[1]) FROM pg_class`, "0A000"},
		{`DELETE FROM pg_catalog.pg_class`, "42501"},
		{`WITH x AS (DELETE FROM pg_class RETURNING *) SELECT * FROM x`, "42501"},
		{`SELECT relname FROM pg_class WHERE relname @@ 'x'`, "0A000"},
		{`SELECT relname FROM pg_class WHERE`, "42601"},
	} {
		_, err := conn.Exec(ctx, tc.query, pgx.QueryExecModeSimpleProtocol)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want an error %s", tc.query, err, tc.code)
			continue
		}
		if pe.Code != tc.code {
			t.Errorf("%s: got %s %q, want %s", tc.query, pe.Code, pe.Message, tc.code)
		}
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relname = 'orders'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after the errors: %d, %v", n, err)
	}
}
