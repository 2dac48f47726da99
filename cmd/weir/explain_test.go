package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weir-stream/weir/planner/mql"
)

// weir runs the command in-process and returns its exit status and output.
func weir(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := mainExit(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExplainJSONNormalizesAndRoundTrips(t *testing.T) {
	code, out, errOut := weir(t, "", "explain", "../../examples/customer_spending.json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The seed's range alias is normalized, and said so on stderr.
	if !strings.Contains(out, `"current"`) || strings.Contains(out, `"range": [
              -5,
              "minute"`) {
		t.Errorf("range [-5, \"minute\"] was not normalized to [-5, \"current\"]:\n%s", out)
	}
	if !strings.Contains(errOut, `read range [-5, "minute"] with unit "minute" as [-5, "current"]`) {
		t.Errorf("no warning about the range alias on stderr: %q", errOut)
	}
	// What explain prints decodes to the same pipeline, and prints the same.
	p, _, err := mql.Decode([]byte(out))
	if err != nil {
		t.Fatalf("explain output does not decode: %v", err)
	}
	again, err := mql.Encode(p, false)
	if err != nil {
		t.Fatal(err)
	}
	if string(again)+"\n" != out {
		t.Errorf("explain output is not stable:\n%s\nthen\n%s", out, again)
	}
}

func TestExplainSQLMatchesTheSeedPipeline(t *testing.T) {
	code, out, errOut := weir(t, "", "explain", "../../examples/customer_spending.sql")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{`"$lookup"`, `"localField": "customerId"`, `"foreignField": "_id"`, `"$setWindowFields"`, `"unit": "minute"`, `"topic": "customer-spending"`} {
		if !strings.Contains(out, want) {
			t.Errorf("SQL plan lacks %s:\n%s", want, out)
		}
	}
}

func TestExplainStdinAndErrors(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		code        int
		stderr      string
	}{
		{"json from stdin", `[{"$source": {"connectionName": "k", "topic": "t"}}, {"$match": {"a": {"$gt": 1}}}]`, []string{"explain", "-"}, exitOK, ""},
		{"sql from stdin", `SELECT a FROM k.t WHERE a > 1`, []string{"explain", "-"}, exitOK, ""},
		{"bad unit", `[{"$source": {"connectionName": "k", "topic": "t"}}, {"$tumblingWindow": {"interval": {"size": 5, "unit": "minutes"}, "pipeline": [{"$group": {"_id": null, "n": {"$sum": 1}}}]}}]`,
			[]string{"explain", "-"}, exitBadInput, `pipeline[1].$tumblingWindow.interval.unit: "minutes" is not a unit`},
		{"sql syntax error", "SELECT a\nFROM k.t\nWHERE a >", []string{"explain", "-"}, exitBadInput, "<stdin>:3:"},
		{"no file", "", []string{"explain", "/nonexistent/q.sql"}, exitBadInput, "no such file"},
		{"no argument", "", []string{"explain"}, exitBadInput, "expected one FILE"},
		{"unknown command", "", []string{"frobnicate"}, exitBadInput, `unknown command "frobnicate"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := weir(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.code, errOut)
			}
			if !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr %q lacks %q", errOut, tc.stderr)
			}
		})
	}
}

func TestExplainPrintsEveryPipelineOfASQLFile(t *testing.T) {
	path := writeFile(t, "two.sql", `-- two statements
SELECT a FROM k.t;
/* and another */ INSERT INTO k.out SELECT b FROM k.t WHERE b IS NOT NULL;
`)
	code, out, errOut := weir(t, "", "explain", path)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, `"$source"`); n != 2 {
		t.Errorf("want two pipelines, got %d:\n%s", n, out)
	}
}

func TestDemoRunsTheSeeds(t *testing.T) {
	code, out, errOut := weir(t, "", "demo", "--examples", "../../examples")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		// Seed 1 as written reads change events: nothing matches, and the lint says why.
		"amount is not a field of change events",
		"-- merged into default.store.highValueSales: 0 document(s)",
		// With the fix, and in SQL, the four sales over 1000 arrive.
		"-- merged into default.store.highValueSales: 4 document(s)",
		"-- merged into mongo.store.highValueSales: 4 document(s)",
		`{"_id":505,"store":"lisbon","amount":4200,`,
		// Seed 2: c5 has no customer, so 18 of the 24 orders are enriched.
		"-- emitted to kafkaAnalytics.customer-spending: 18 document(s)",
		`{"customerId":"c4","totalSpent":2318.5,"customerName":"Barbara Liskov",`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}
