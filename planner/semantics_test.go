package planner_test

// Semantics tests: plan SQL, run the pipeline with exec's reference runner
// over small inputs with NULL, missing and mixed-type values, and compare
// the rows with what PostgreSQL returns for the same query.
//
// The expected rows were produced by PostgreSQL 15 over the table that
// pgSetup creates (the same rows as the JSON Lines input, with a missing
// field as NULL). Every case also runs against a live PostgreSQL when one
// is available (internal/pgtest: WEIR_PG_URL, or a private server started
// from Debian's postgresql package, as CI installs it); the test then fails
// where PostgreSQL's answer differs from the one written here.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	wexec "github.com/weir-stream/weir/exec"
	"github.com/weir-stream/weir/internal/pgtest"
	"github.com/weir-stream/weir/planner"
	"github.com/weir-stream/weir/planner/mql"
)

// rowsT is table t: ints a and b, text s, boolean p, with NULL and
// missing values in every column.
const rowsT = `{"id": 1, "a": 1, "b": 1, "s": "x", "p": true}
{"id": 2, "a": 1, "b": 2, "s": "ab", "p": false}
{"id": 3, "a": null, "b": 1, "s": null, "p": null}
{"id": 4, "b": 1}
{"id": 5, "a": 2, "b": null, "s": "a%b", "p": true}
{"id": 6, "a": null, "b": null, "s": null}
{"id": 7}
{"id": 8, "a": -7, "b": 2, "s": "A_c", "p": false}
{"id": 9, "a": 0, "b": 3, "s": "a\nb", "p": true}
{"id": 10, "a": 3, "b": -2, "s": "a.c"}
{"id": 11, "a": 5, "b": -3, "s": "abc"}
`

// pgSetup is table t in PostgreSQL.
const pgSetup = `CREATE TEMP TABLE t (id int, a int, b int, s text, p boolean);
INSERT INTO t VALUES (1, 1, 1, 'x', true), (2, 1, 2, 'ab', false), (3, NULL, 1, NULL, NULL),
 (4, NULL, 1, NULL, NULL), (5, 2, NULL, 'a%b', true), (6, NULL, NULL, NULL, NULL),
 (7, NULL, NULL, NULL, NULL), (8, -7, 2, 'A_c', false), (9, 0, 3, E'a\nb', true),
 (10, 3, -2, 'a.c', NULL), (11, 5, -3, 'abc', NULL);
`

// runSQL plans one statement and runs it over files (path → JSON lines)
// served by the connections k and m.
func runSQL(t *testing.T, sql string, files map[string]string) *wexec.Result {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plans, err := planner.PlanSQL("q.sql", sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	conns := map[string]connectors.File{"k": {Dir: dir}, "m": {Dir: dir}}
	res, err := (&wexec.Reference{Conns: conns}).Run(plans[0].Processor)
	if err != nil {
		t.Fatalf("%s: run: %v", sql, err)
	}
	if len(res.DLQ) > 0 {
		t.Errorf("%s: %d documents went to the DLQ: %v", sql, len(res.DLQ), res.DLQ)
	}
	return res
}

// text prints a value as PostgreSQL's ::text does, NULL for null and
// missing.
func text(v any, ok bool) string {
	if !ok {
		return "NULL"
	}
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		return strconv.FormatBool(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return strings.ReplaceAll(x, "\n", `\n`)
	case bson.A:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = text(e, true)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprintf("%v", v)
}

func get(d bson.D, k string) (any, bool) {
	for _, e := range d {
		if e.Key == k {
			return e.Value, true
		}
	}
	return nil, false
}

// rowsText prints rows as "c1|c2|…" lines, the way psql -At does, sorted
// unless ordered.
func rowsText(docs []bson.D, cols []string, ordered bool) string {
	var lines []string
	for _, d := range docs {
		var cells []string
		for _, c := range cols {
			v, ok := get(d, c)
			cells = append(cells, text(v, ok))
		}
		lines = append(lines, strings.Join(cells, "|"))
	}
	if !ordered {
		sort.Strings(lines)
	}
	return strings.Join(lines, "\n")
}

// psql runs sql after setup in a real PostgreSQL (internal/pgtest: the
// server at WEIR_PG_URL, or a private one started from Debian's postgresql
// package), printing each row as "c1|c2|…" with NULL for nulls. It
// reports false when there is no PostgreSQL; the recorded answers are
// still checked then.
func psql(t *testing.T, setup, sql string, ordered bool) (string, bool) {
	url, why := pgtest.Lookup(t)
	if url == "" {
		pgMissing.Do(func() { t.Logf("not comparing with a live PostgreSQL: %s", why) })
		return "", false
	}
	lines := pgtest.Query(t, url, setup+"\n"+sql+";\n")
	if !ordered {
		sort.Strings(lines)
	}
	return strings.Join(lines, "\n"), true
}

var pgMissing sync.Once

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// ids is "1,2,3" as the rows psql prints for SELECT id.
func ids(s string) string { return strings.ReplaceAll(s, ",", "\n") }

// TestSemanticsWhere checks which rows a WHERE condition passes: exactly
// those where PostgreSQL's answer is TRUE, never where it is NULL.
func TestSemanticsWhere(t *testing.T) {
	cases := []struct{ cond, want string }{
		{"a = b", "1"},
		{"NOT (a = b)", "2,8,9,10,11"},
		{"a <> b", "2,8,9,10,11"},
		{"a < b", "2,8,9"},
		{"NOT (a < b)", "1,10,11"},
		{"a = 1", "1,2"},
		{"NOT (a = 1)", "5,8,9,10,11"},
		{"a <> 1", "5,8,9,10,11"},
		{"1 < a", "5,10,11"},
		{"a IN (1, 2)", "1,2,5"},
		{"a NOT IN (1, 2)", "8,9,10,11"},
		{"a IN (1, NULL)", "1,2"},
		{"a NOT IN (1, NULL)", ""},
		{"a IN (1, b)", "1,2"},
		{"a NOT IN (1, b)", "8,9,10,11"},
		{"NOT (a IN (1, b))", "8,9,10,11"},
		{"2 IN (a, b)", "2,5,8"},
		{"2 NOT IN (a, b)", "1,9,10,11"},
		{"a BETWEEN 0 AND 1", "1,2,9"},
		{"a NOT BETWEEN 0 AND 1", "5,8,10,11"},
		{"a BETWEEN b AND 2", "1"},
		{"NOT (a BETWEEN b AND 2)", "2,8,9,10,11"},
		{"a IS NULL", "3,4,6,7"},
		{"a IS NOT NULL", "1,2,5,8,9,10,11"},
		{"NOT (a IS NULL)", "1,2,5,8,9,10,11"},
		{"a = 1 OR b = 1", "1,2,3,4"},
		{"NOT (a = 1 OR b = 1)", "8,9,10,11"},
		{"NOT (a = 1 AND b = 1)", "2,5,8,9,10,11"},
		{"a = 1 OR NOT (b = 1)", "1,2,8,9,10,11"},
		{"(a = b) IS NULL", "3,4,5,6,7"},
		{"(a = b) IS NOT TRUE", "2,3,4,5,6,7,8,9,10,11"},
		{"(a = b) IS FALSE", "2,8,9,10,11"},
		{"(a = b) IS NOT FALSE", "1,3,4,5,6,7"},
		{"NOT ((a = b) IS TRUE)", "2,3,4,5,6,7,8,9,10,11"},
		{"(a = 1) = (b = 1)", "1,8,9,10,11"},
		{"(a > 0) <> (b > 0)", "8,9,10,11"},
		{"p", "1,5,9"},
		{"NOT p", "2,8"},
		{"p IS NOT TRUE", "2,3,4,6,7,8,10,11"},
		{"p = true", "1,5,9"},
		{"p AND a > 0", "1,5"},
		{"NOT (p AND a > 0)", "2,8,9"},
		{"p OR a > 4", "1,5,9,11"},
		{"NOT (p OR a > 4)", "2,8"},
		{"s LIKE 'a%'", "2,5,9,10,11"},
		{"s NOT LIKE 'a%'", "1,8"},
		{"NOT (s LIKE 'a%')", "1,8"},
		{"s LIKE 'a\\%b'", "5"},
		{"s LIKE 'A\\_c'", "8"},
		{"s LIKE 'a_b'", "5,9"},
		{"s LIKE 'a.c'", "10"},
		{"s ILIKE 'a%'", "2,5,8,9,10,11"},
		{"s NOT ILIKE 'a_c'", "1,2,5,9"},
		{"s LIKE '%'", "1,2,5,8,9,10,11"},
		{"(s LIKE 'a%') IS NULL", "3,4,6,7"},
		{"CASE WHEN a = 1 THEN true END", "1,2"},
		{"NOT CASE WHEN a = 1 THEN false END", "1,2"},
		{"COALESCE(a, 0) = 0", "3,4,6,7,9"},
		{"NULLIF(a, 1) IS NULL", "1,2,3,4,6,7"},
		{"a + b > 2", "2,9"},
		{"a / b = 0", "2,9"},
		{"a / b < 0", "8,10,11"},
		{"a % b = 1", "2,10"},
		{"-a > 0", "8"},
		{"GREATEST(a, b) = 2", "2,5,8"},
		{"LEAST(a, b) = 1", "1,2,3,4"},
		{"a::text = '1'", "1,2"},
		{"s || 'z' = 'xz'", "1"},
	}
	for _, c := range cases {
		t.Run(c.cond, func(t *testing.T) {
			res := runSQL(t, "SELECT id FROM k.t WHERE "+c.cond, map[string]string{"t.jsonl": rowsT})
			got := rowsText(res.Stdout, []string{"id"}, false)
			want := ids(c.want)
			sorted := strings.Split(want, "\n")
			sort.Strings(sorted)
			want = strings.Join(sorted, "\n")
			if pg, ok := psql(t, pgSetup, "SELECT id FROM t WHERE "+c.cond, false); ok && pg != want {
				t.Errorf("PostgreSQL says\n%s\nthe test says\n%s", pg, want)
			}
			if got != want {
				t.Errorf("WHERE %s\ngot  %q\nwant %q", c.cond, got, want)
			}
		})
	}
}

// TestSemanticsValues checks expressions in the select list: each row's
// value, NULL where PostgreSQL's is NULL.
func TestSemanticsValues(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"a = b", "10|false,11|false,1|true,2|false,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|false,9|false"},
		{"a <> b", "10|true,11|true,1|false,2|true,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|true,9|true"},
		{"NOT (a = b)", "10|true,11|true,1|false,2|true,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|true,9|true"},
		{"a > 1 OR b > 1", "10|true,11|true,1|false,2|true,3|NULL,4|NULL,5|true,6|NULL,7|NULL,8|true,9|true"},
		{"a > 1 AND b > 1", "10|false,11|false,1|false,2|false,3|false,4|false,5|NULL,6|NULL,7|NULL,8|false,9|false"},
		{"NOT (a > 1 AND b > 1)", "10|true,11|true,1|true,2|true,3|true,4|true,5|NULL,6|NULL,7|NULL,8|true,9|true"},
		{"a IN (1, b)", "10|false,11|false,1|true,2|true,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|false,9|false"},
		{"a NOT IN (1, b)", "10|true,11|true,1|false,2|false,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|true,9|true"},
		{"a IN (1, NULL)", "10|NULL,11|NULL,1|true,2|true,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|NULL,9|NULL"},
		{"a NOT IN (2, NULL)", "10|NULL,11|NULL,1|NULL,2|NULL,3|NULL,4|NULL,5|false,6|NULL,7|NULL,8|NULL,9|NULL"},
		{"a BETWEEN 0 AND b", "10|false,11|false,1|true,2|true,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|false,9|true"},
		{"a NOT BETWEEN 0 AND b", "10|true,11|true,1|false,2|false,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|true,9|false"},
		{"a IS NULL", "10|false,11|false,1|false,2|false,3|true,4|true,5|false,6|true,7|true,8|false,9|false"},
		{"(a = b) IS NOT TRUE", "10|true,11|true,1|false,2|true,3|true,4|true,5|true,6|true,7|true,8|true,9|true"},
		{"(a = b) IS FALSE", "10|true,11|true,1|false,2|true,3|false,4|false,5|false,6|false,7|false,8|true,9|true"},
		{"s LIKE 'a%'", "10|true,11|true,1|false,2|true,3|NULL,4|NULL,5|true,6|NULL,7|NULL,8|false,9|true"},
		{"s NOT LIKE 'a%'", "10|false,11|false,1|true,2|false,3|NULL,4|NULL,5|false,6|NULL,7|NULL,8|true,9|false"},
		{"s ILIKE 'A%'", "10|true,11|true,1|false,2|true,3|NULL,4|NULL,5|true,6|NULL,7|NULL,8|true,9|true"},
		{"a / b", "10|-1,11|-1,1|1,2|0,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|-3,9|0"},
		{"a % b", "10|1,11|2,1|0,2|1,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|-1,9|0"},
		{"-a", "10|-3,11|-5,1|-1,2|-1,3|NULL,4|NULL,5|-2,6|NULL,7|NULL,8|7,9|0"},
		{"a / 2", "10|1,11|2,1|0,2|0,3|NULL,4|NULL,5|1,6|NULL,7|NULL,8|-3,9|0"},
		{"a * b - 1", "10|-7,11|-16,1|0,2|1,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|-15,9|-1"},
		{"s || 'z'", "10|a.cz,11|abcz,1|xz,2|abz,3|NULL,4|NULL,5|a%bz,6|NULL,7|NULL,8|A_cz,9|a\\nbz"},
		{"'<' || s || '>'", "10|<a.c>,11|<abc>,1|<x>,2|<ab>,3|NULL,4|NULL,5|<a%b>,6|NULL,7|NULL,8|<A_c>,9|<a\\nb>"},
		{"COALESCE(a, b)", "10|3,11|5,1|1,2|1,3|1,4|1,5|2,6|NULL,7|NULL,8|-7,9|0"},
		{"COALESCE(a, b, 0)", "10|3,11|5,1|1,2|1,3|1,4|1,5|2,6|0,7|0,8|-7,9|0"},
		{"NULLIF(a, 1)", "10|3,11|5,1|NULL,2|NULL,3|NULL,4|NULL,5|2,6|NULL,7|NULL,8|-7,9|0"},
		{"NULLIF(a, b)", "10|3,11|5,1|NULL,2|1,3|NULL,4|NULL,5|2,6|NULL,7|NULL,8|-7,9|0"},
		{"GREATEST(a, b)", "10|3,11|5,1|1,2|2,3|1,4|1,5|2,6|NULL,7|NULL,8|2,9|3"},
		{"LEAST(a, b, 0)", "10|-2,11|-3,1|0,2|0,3|0,4|0,5|0,6|0,7|0,8|-7,9|0"},
		{"CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' END", "10|pos,11|pos,1|pos,2|pos,3|NULL,4|NULL,5|pos,6|NULL,7|NULL,8|neg,9|NULL"},
		{"CASE a WHEN 1 THEN 'one' WHEN NULL THEN 'null' END", "10|NULL,11|NULL,1|one,2|one,3|NULL,4|NULL,5|NULL,6|NULL,7|NULL,8|NULL,9|NULL"},
		{"CASE WHEN a = b THEN 1 ELSE 0 END", "10|0,11|0,1|1,2|0,3|0,4|0,5|0,6|0,7|0,8|0,9|0"},
		{"CASE WHEN p THEN 'yes' WHEN NOT p THEN 'no' ELSE 'unknown' END", "10|unknown,11|unknown,1|yes,2|no,3|unknown,4|unknown,5|yes,6|unknown,7|unknown,8|no,9|yes"},
		{"CAST(a AS TEXT)", "10|3,11|5,1|1,2|1,3|NULL,4|NULL,5|2,6|NULL,7|NULL,8|-7,9|0"},
		{"a::BIGINT", "10|3,11|5,1|1,2|1,3|NULL,4|NULL,5|2,6|NULL,7|NULL,8|-7,9|0"},
		{"p AND a = 1", "10|false,11|false,1|true,2|false,3|NULL,4|NULL,5|false,6|NULL,7|NULL,8|false,9|false"},
		{"NOT p", "10|NULL,11|NULL,1|false,2|true,3|NULL,4|NULL,5|false,6|NULL,7|NULL,8|true,9|false"},
		{"p OR a = 1", "10|NULL,11|NULL,1|true,2|true,3|NULL,4|NULL,5|true,6|NULL,7|NULL,8|false,9|true"},
		{"p = (a > 0)", "10|NULL,11|NULL,1|true,2|false,3|NULL,4|NULL,5|true,6|NULL,7|NULL,8|true,9|false"},
		{"CONCAT(s, a)", "10|a.c3,11|abc5,1|x1,2|ab1,3|,4|,5|a%b2,6|,7|,8|A_c-7,9|a\\nb0"},
		{"CONCAT(s, '-', b)", "10|a.c--2,11|abc--3,1|x-1,2|ab-2,3|-1,4|-1,5|a%b-,6|-,7|-,8|A_c-2,9|a\\nb-3"},
		{"LENGTH(s)", "10|3,11|3,1|1,2|2,3|NULL,4|NULL,5|3,6|NULL,7|NULL,8|3,9|3"},
		{"UPPER(s)", "10|A.C,11|ABC,1|X,2|AB,3|NULL,4|NULL,5|A%B,6|NULL,7|NULL,8|A_C,9|A\\nB"},
		{"LOWER(s)", "10|a.c,11|abc,1|x,2|ab,3|NULL,4|NULL,5|a%b,6|NULL,7|NULL,8|a_c,9|a\\nb"},
		{"SUBSTRING(s, 2)", "10|.c,11|bc,1|,2|b,3|NULL,4|NULL,5|%b,6|NULL,7|NULL,8|_c,9|\\nb"},
		{"SUBSTRING(s, 0, 2)", "10|a,11|a,1|x,2|a,3|NULL,4|NULL,5|a,6|NULL,7|NULL,8|A,9|a"},
		{"SUBSTRING(s, 2, 1)", "10|.,11|b,1|,2|b,3|NULL,4|NULL,5|%,6|NULL,7|NULL,8|_,9|\\n"},
		{"ABS(a)", "10|3,11|5,1|1,2|1,3|NULL,4|NULL,5|2,6|NULL,7|NULL,8|7,9|0"},
		{"REPLACE(s, 'a', 'X')", "10|X.c,11|Xbc,1|x,2|Xb,3|NULL,4|NULL,5|X%b,6|NULL,7|NULL,8|A_c,9|X\\nb"},
		{"STRPOS(s, 'b')", "10|0,11|2,1|0,2|2,3|NULL,4|NULL,5|3,6|NULL,7|NULL,8|0,9|3"},
		{"TRIM(s)", "10|a.c,11|abc,1|x,2|ab,3|NULL,4|NULL,5|a%b,6|NULL,7|NULL,8|A_c,9|a\\nb"},
		{"(a > 0) IS NULL", "10|false,11|false,1|false,2|false,3|true,4|true,5|false,6|true,7|true,8|false,9|false"},
		{"p IS NOT FALSE", "10|true,11|true,1|true,2|false,3|true,4|true,5|true,6|true,7|true,8|false,9|true"},
		{"a = 1 IS TRUE", "10|false,11|false,1|true,2|true,3|false,4|false,5|false,6|false,7|false,8|false,9|false"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			res := runSQL(t, "SELECT id, "+c.expr+" AS v FROM k.t", map[string]string{"t.jsonl": rowsT})
			got := rowsText(res.Stdout, []string{"id", "v"}, false)
			want := strings.ReplaceAll(c.want, ",", "\n")
			sorted := strings.Split(want, "\n")
			sort.Strings(sorted)
			want = strings.Join(sorted, "\n")
			if pg, ok := psql(t, pgSetup, "SELECT id, replace(("+c.expr+")::text, E'\\n', '\\n') FROM t", false); ok && pg != want {
				t.Errorf("PostgreSQL says\n%q\nthe test says\n%q", pg, want)
			}
			if got != want {
				t.Errorf("SELECT %s\ngot  %q\nwant %q", c.expr, got, want)
			}
		})
	}
}

// rowsG is table g: a group key k that is a string, null or missing, and
// a value v that is an int, null or missing; all rows fall in one window.
const rowsG = `{"k": "x", "v": 1, "ts": "2026-01-01T00:00:01Z"}
{"k": "x", "v": null, "ts": "2026-01-01T00:00:02Z"}
{"k": "x", "ts": "2026-01-01T00:00:03Z"}
{"k": null, "v": 2, "ts": "2026-01-01T00:00:04Z"}
{"v": 3, "ts": "2026-01-01T00:00:05Z"}
{"k": "y", "v": null, "ts": "2026-01-01T00:00:06Z"}
{"k": "y", "ts": "2026-01-01T00:00:07Z"}
{"k": "z", "v": 5, "ts": "2026-01-01T00:00:08Z"}
{"k": "z", "v": 5, "ts": "2026-01-01T00:00:09Z"}
{"k": "z", "v": -1, "ts": "2026-01-01T00:00:10Z"}
`

const pgSetupG = `CREATE TEMP TABLE g (k text, v int);
INSERT INTO g VALUES ('x', 1), ('x', NULL), ('x', NULL), (NULL, 2), (NULL, 3), ('y', NULL), ('y', NULL),
 ('z', 5), ('z', 5), ('z', -1);
`

// TestSemanticsAggregates checks GROUP BY (a null and a missing key are
// one group), aggregates over no non-null input (NULL, except COUNT),
// FILTER, HAVING, and ORDER BY's NULL placement inside a window.
func TestSemanticsAggregates(t *testing.T) {
	cases := []struct {
		// sql is the query's select list and the clauses after FROM;
		// weir's query has the window, PostgreSQL's reads table g.
		sel, rest string
		cols      []string
		ordered   bool
		want      string
	}{
		{"k, COUNT(*) AS n, COUNT(v) AS c, COUNT(DISTINCT v) AS d, SUM(v) AS s, MIN(v) AS mi, MAX(v) AS ma", "GROUP BY k",
			[]string{"k", "n", "c", "d", "s", "mi", "ma"}, false, "NULL|2|2|2|5|2|3,x|3|1|1|1|1|1,y|2|0|0|NULL|NULL|NULL,z|3|3|2|9|-1|5"},
		{"k, CAST(AVG(v) AS DOUBLE PRECISION) AS a, SUM(DISTINCT v) AS sd, CAST(AVG(DISTINCT v) AS DOUBLE PRECISION) AS ad", "GROUP BY k",
			[]string{"k", "a", "sd", "ad"}, false, "NULL|2.5|5|2.5,x|1|1|1,y|NULL|NULL|NULL,z|3|4|2"},
		{"k, COUNT(*) FILTER (WHERE v > 1) AS n, SUM(v) FILTER (WHERE v > 100) AS s, COUNT(v) FILTER (WHERE v IS NULL) AS c", "GROUP BY k",
			[]string{"k", "n", "s", "c"}, false, "NULL|2|NULL|0,x|0|NULL|0,y|0|NULL|0,z|2|NULL|0"},
		{"k, SUM(v) AS s", "GROUP BY k HAVING SUM(v) IS NULL", []string{"k", "s"}, false, "y|NULL"},
		{"k, SUM(v) AS s", "GROUP BY k HAVING COUNT(v) > 0 AND SUM(v) < 5", []string{"k", "s"}, false, "x|1"},
		{"k, SUM(v) AS s", "GROUP BY k HAVING NOT (SUM(v) > 2)", []string{"k", "s"}, false, "x|1"},
		{"k, COUNT(*) AS n", "GROUP BY k ORDER BY k", []string{"k", "n"}, true, "x|3,y|2,z|3,NULL|2"},
		{"k, COUNT(*) AS n", "GROUP BY k ORDER BY k DESC", []string{"k", "n"}, true, "NULL|2,z|3,y|2,x|3"},
		{"k, COUNT(*) AS n", "GROUP BY k ORDER BY k NULLS FIRST", []string{"k", "n"}, true, "NULL|2,x|3,y|2,z|3"},
		{"k, SUM(v) AS s", "GROUP BY k ORDER BY s, k", []string{"k", "s"}, true, "x|1,NULL|5,z|9,y|NULL"},
		{"k, SUM(v) AS s", "GROUP BY k ORDER BY SUM(v) DESC, k", []string{"k", "s"}, true, "y|NULL,z|9,NULL|5,x|1"},
		{"k, SUM(v) AS s", "GROUP BY k ORDER BY 2 DESC NULLS LAST, 1 LIMIT 2", []string{"k", "s"}, true, "z|9,NULL|5"},
		{"k, MAX(v) AS m", "GROUP BY k ORDER BY MAX(v) - 1 NULLS FIRST, k DESC", []string{"k", "m"}, true, "y|NULL,x|1,NULL|3,z|5"},
		{"COUNT(*) AS n, COUNT(k) AS c, COUNT(DISTINCT k) AS d, SUM(v) AS s", "", []string{"n", "c", "d", "s"}, false, "10|8|3|15"},
		{"SUM(v) AS s, COUNT(v) AS c, MAX(v) AS m, CAST(AVG(v) AS DOUBLE PRECISION) AS a", "@k = 'y'", []string{"s", "c", "m", "a"}, false, "NULL|0|NULL|NULL"},
		{"DISTINCT k", "", []string{"k"}, false, "NULL,x,y,z"},
		{"CAST(k IS NULL AS TEXT) AS nk, COUNT(*) AS n", "GROUP BY k IS NULL", []string{"nk", "n"}, false, "false|8,true|2"},
		{"COALESCE(k, '?') AS k2, COUNT(*) AS n", "GROUP BY COALESCE(k, '?')", []string{"k2", "n"}, false, "?|2,x|3,y|2,z|3"},
		{"v % 2 AS odd, COUNT(*) AS n", "GROUP BY v % 2", []string{"odd", "n"}, false, "-1|1,0|1,1|4,NULL|4"},
		{"k, v, COUNT(*) AS n", "GROUP BY k, v", []string{"k", "v", "n"}, false, "NULL|2|1,NULL|3|1,x|1|1,x|NULL|2,y|NULL|2,z|-1|1,z|5|2"},
	}
	for _, c := range cases {
		t.Run(c.sel+" "+c.rest, func(t *testing.T) {
			// rest is "@cond" for a WHERE condition, which goes before
			// weir's WINDOW clause.
			where, rest := "", c.rest
			if strings.HasPrefix(rest, "@") {
				where, rest = " WHERE "+rest[1:], ""
			}
			res := runSQL(t, "SELECT "+c.sel+" FROM k.g TIMESTAMP BY ts"+where+" WINDOW TUMBLE(INTERVAL '1' HOUR) "+rest, map[string]string{"g.jsonl": rowsG})
			got := rowsText(res.Stdout, c.cols, c.ordered)
			want := strings.ReplaceAll(c.want, ",", "\n")
			if !c.ordered {
				sorted := strings.Split(want, "\n")
				sort.Strings(sorted)
				want = strings.Join(sorted, "\n")
			}
			if pg, ok := psql(t, pgSetupG, "SELECT "+c.sel+" FROM g"+where+" "+rest, c.ordered); ok && pg != want {
				t.Errorf("PostgreSQL says\n%q\nthe test says\n%q", pg, want)
			}
			if got != want {
				t.Errorf("SELECT %s … %s\ngot  %q\nwant %q", c.sel, c.rest, got, want)
			}
		})
	}
}

// TestSemanticsOver checks window functions (OVER) over table t.
func TestSemanticsOver(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"ROW_NUMBER() OVER (ORDER BY id DESC)", "10|2,11|1,1|11,2|10,3|9,4|8,5|7,6|6,7|5,8|4,9|3"},
		{"ROW_NUMBER() OVER (PARTITION BY b ORDER BY id)", "10|1,11|1,1|1,2|1,3|2,4|3,5|1,6|2,7|3,8|2,9|1"},
		{"RANK() OVER (ORDER BY b NULLS FIRST)", "10|5,11|4,1|6,2|9,3|6,4|6,5|1,6|1,7|1,8|9,9|11"},
		{"DENSE_RANK() OVER (ORDER BY b DESC NULLS LAST)", "10|4,11|5,1|3,2|2,3|3,4|3,5|6,6|6,7|6,8|2,9|1"},
		{"SUM(a) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)", "10|3,11|8,1|1,2|2,3|1,4|NULL,5|2,6|2,7|NULL,8|-7,9|-7"},
		{"SUM(a) OVER (PARTITION BY b ORDER BY id)", "10|3,11|5,1|1,2|1,3|1,4|1,5|2,6|2,7|2,8|-6,9|0"},
		{"SUM(a) OVER (PARTITION BY b)", "10|3,11|5,1|1,2|-6,3|1,4|1,5|2,6|2,7|2,8|-6,9|0"},
		{"SUM(a) OVER (ORDER BY b NULLS FIRST, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)", "10|10,11|7,1|11,2|12,3|11,4|11,5|2,6|2,7|2,8|5,9|5"},
		{"CAST(AVG(a) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS DOUBLE PRECISION)", "10|1.5,11|4,1|1,2|1,3|1,4|NULL,5|2,6|2,7|NULL,8|-7,9|-3.5"},
		{"COUNT(a) OVER (PARTITION BY b)", "10|1,11|1,1|1,2|2,3|1,4|1,5|1,6|1,7|1,8|2,9|1"},
		{"COUNT(*) OVER (PARTITION BY b)", "10|1,11|1,1|3,2|2,3|3,4|3,5|3,6|3,7|3,8|2,9|1"},
		{"MAX(a) OVER (PARTITION BY b)", "10|3,11|5,1|1,2|1,3|1,4|1,5|2,6|2,7|2,8|1,9|0"},
		{"MIN(a) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING)", "10|3,11|5,1|1,2|1,3|NULL,4|2,5|2,6|NULL,7|-7,8|-7,9|0"},
		{"LAG(a) OVER (ORDER BY id)", "10|0,11|3,1|NULL,2|1,3|1,4|NULL,5|NULL,6|2,7|NULL,8|NULL,9|-7"},
		{"LEAD(a, 2, -1) OVER (ORDER BY id)", "10|-1,11|-1,1|NULL,2|NULL,3|2,4|NULL,5|NULL,6|-7,7|0,8|3,9|5"},
		{"FIRST_VALUE(a) OVER (ORDER BY id)", "10|1,11|1,1|1,2|1,3|1,4|1,5|1,6|1,7|1,8|1,9|1"},
		{"LAST_VALUE(a) OVER (ORDER BY id)", "10|3,11|5,1|1,2|1,3|NULL,4|NULL,5|2,6|NULL,7|NULL,8|-7,9|0"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			res := runSQL(t, "SELECT id, "+c.expr+" AS v FROM k.t", map[string]string{"t.jsonl": rowsT})
			got := rowsText(res.Stdout, []string{"id", "v"}, false)
			want := strings.ReplaceAll(c.want, ",", "\n")
			sorted := strings.Split(want, "\n")
			sort.Strings(sorted)
			want = strings.Join(sorted, "\n")
			if pg, ok := psql(t, pgSetup, "SELECT id, ("+c.expr+")::text FROM t", false); ok && pg != want {
				t.Errorf("PostgreSQL says\n%q\nthe test says\n%q", pg, want)
			}
			if got != want {
				t.Errorf("SELECT %s\ngot  %q\nwant %q", c.expr, got, want)
			}
		})
	}
}

// TestSemanticsCastBoolean: CAST(text AS BOOLEAN) reads the words
// PostgreSQL reads; $toBool alone would make every string true. Checked
// with PostgreSQL 15:
//
//	SELECT s, s::boolean FROM (VALUES ('true'), ('FALSE'), (' off '), ('1'), ('no'), ('Ye'), (NULL)) v(s);
func TestSemanticsCastBoolean(t *testing.T) {
	rows := `{"id": 1, "s": "true"}
{"id": 2, "s": "FALSE"}
{"id": 3, "s": " off "}
{"id": 4, "s": "1"}
{"id": 5, "s": "no"}
{"id": 6, "s": "Ye"}
{"id": 7, "s": null}
{"id": 8}
{"id": 9, "s": 0}
{"id": 10, "s": 2}
`
	res := runSQL(t, "SELECT id, s::BOOLEAN AS v FROM k.b", map[string]string{"b.jsonl": rows})
	got := rowsText(res.Stdout, []string{"id", "v"}, true)
	want := "1|true\n2|false\n3|false\n4|true\n5|false\n6|true\n7|NULL\n8|NULL\n9|false\n10|true"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	// A string that is not a boolean fails the document, as PostgreSQL
	// raises an error: it goes to the DLQ.
	plans, err := planner.PlanSQL("q.sql", "SELECT s::BOOLEAN AS v FROM k.b")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "b.jsonl"), []byte(`{"s": "maybe"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = (&wexec.Reference{Conns: map[string]connectors.File{"k": {Dir: dir}}}).Run(plans[0].Processor)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stdout) != 0 || len(res.DLQ) != 1 {
		t.Errorf("'maybe'::BOOLEAN: got rows %v and %d DLQ documents, want the document in the DLQ", res.Stdout, len(res.DLQ))
	}
}

// TestNestedCallsStayLinear: a translation that reads an argument twice
// (a null test, then the operation) binds it once with $let, so the plan
// grows linearly with nesting; it used to double per level.
func TestNestedCallsStayLinear(t *testing.T) {
	for _, tc := range []struct{ open, close string }{
		{"lower(", ")"}, {"substring(", ", 2)"}, {"(", " / 2)"}, {"(", " IN ('a'))::TEXT"}, {"(", " LIKE 'a%')::TEXT"}, {"NULLIF(", ", 'a')"},
	} {
		sql := "x"
		for i := 0; i < 9; i++ {
			sql = tc.open + sql + tc.close
		}
		plans, err := planner.PlanSQL("q.sql", "SELECT "+sql+" AS v FROM k.t")
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out, err := mql.Encode(plans[0].Processor, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) > 50_000 {
			t.Errorf("9 nested %s…%s plan to %d bytes", tc.open, tc.close, len(out))
		}
	}
}
