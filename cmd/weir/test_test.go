package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// testCase writes a case folder: a pipeline, input/ and expected/ files.
func testCase(t *testing.T, files map[string]string) string {
	t.Helper()
	return writeFiles(t, filepath.Join(t.TempDir(), "case"), files)
}

var hotCase = map[string]string{
	"hot.json": `[{"$source": {"connectionName": "sensors", "topic": "readings"}},
		{"$match": {"temp": {"$gte": 30}}},
		{"$emit": {"connectionName": "sensors", "topic": "hot"}}]`,
	"input/readings.jsonl": `{"sensor": "a", "temp": 31}
{"sensor": "b", "temp": 12}
{"sensor": "c", "temp": 45.5}
`,
	// Field order and row order don't count; _stream_meta is left out.
	"expected/hot.jsonl": `{"temp": 45.5, "sensor": "c"}
{"sensor": "a", "temp": 31}
`,
}

func TestTestPasses(t *testing.T) {
	dir := testCase(t, hotCase)
	code, stdout, stderr := weir(t, "", "test", dir)
	if code != 0 || !strings.HasPrefix(stdout, "ok   "+dir+" (") || !strings.HasSuffix(stdout, "\nPASS\n") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// The run wrote into a copy: input/ is as it was.
	if _, err := os.Stat(filepath.Join(dir, "input", "hot.jsonl")); !os.IsNotExist(err) {
		t.Errorf("weir test wrote into input/: %v", err)
	}
}

func TestTestFailureShowsTheDifference(t *testing.T) {
	files := map[string]string{}
	for k, v := range hotCase {
		files[k] = v
	}
	files["expected/hot.jsonl"] = `{"sensor": "a", "temp": 31}
{"sensor": "c", "temp": 45}
`
	dir := testCase(t, files)
	code, stdout, stderr := weir(t, "", "test", dir)
	want := "--- FAIL: " + dir + " ("
	wantDiff := `    expected/hot.jsonl: 1 document(s) missing, 1 unexpected (want 2, got 2)
      missing:    {"sensor":"c","temp":45}
      unexpected: {"sensor":"c","temp":45.5}
FAIL
`
	if code != 1 || !strings.HasPrefix(stdout, want) || !strings.HasSuffix(stdout, wantDiff) {
		t.Errorf("exit %d, stdout:\n%s\nwant exit 1, %q and:\n%s", code, stdout, want, wantDiff)
	}
	if !strings.Contains(stderr, "1 of 1 case(s) failed") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestTestIgnoresIDAndMetaUnlessExpected(t *testing.T) {
	files := map[string]string{
		"p.json":               `[{"$source": {"connectionName": "c", "topic": "in"}}, {"$emit": {"connectionName": "c", "topic": "out"}}]`,
		"input/in.jsonl":       `{"_id": 7, "x": 1}` + "\n",
		"expected/out.jsonl":   `{"x": 1}` + "\n",
		"expected/other.jsonl": "",
	}
	dir := testCase(t, files)
	if code, stdout, _ := weir(t, "", "test", dir); code != 0 {
		t.Errorf("_id and _stream_meta are not in expected, so they don't count; got exit %d:\n%s", code, stdout)
	}
	// Once expected has _id, it counts.
	writeFiles(t, dir, map[string]string{"expected/out.jsonl": `{"_id": 8, "x": 1}` + "\n"})
	if code, stdout, _ := weir(t, "", "test", dir); code != 1 || !strings.Contains(stdout, `unexpected: {"_id":7,"x":1}`) {
		t.Errorf("a wrong _id should fail; got exit %d:\n%s", code, stdout)
	}
	// So does _stream_meta.
	writeFiles(t, dir, map[string]string{"expected/out.jsonl": `{"x": 1, "_stream_meta": {"source": {"type": "kafka", "topic": "in", "partition": 0, "offset": 0}}}` + "\n"})
	if code, stdout, _ := weir(t, "", "test", dir); code != 0 {
		t.Errorf("the stream metadata as ASP writes it should pass; got exit %d:\n%s", code, stdout)
	}
}

func TestTestRowOrderCountsOnlyWhenThePipelineSorts(t *testing.T) {
	files := map[string]string{
		"p.json": `[{"$source": {"connectionName": "c", "topic": "in", "timeField": {"$toDate": "$t"}}},
			{"$tumblingWindow": {"interval": {"size": 1, "unit": "hour"}, "pipeline": [
				{"$group": {"_id": "$k", "n": {"$sum": 1}}}, {"$sort": {"n": -1}}]}}]`,
		"input/in.jsonl": `{"k": "a", "t": "2026-01-01T00:00:00Z"}
{"k": "b", "t": "2026-01-01T00:00:01Z"}
{"k": "b", "t": "2026-01-01T00:00:02Z"}
`,
		"expected/stdout.jsonl": `{"_id": "a", "n": 1}
{"_id": "b", "n": 2}
`,
	}
	dir := testCase(t, files)
	code, stdout, _ := weir(t, "", "test", dir)
	if code != 1 || !strings.Contains(stdout, "the same documents in another order, and the pipeline orders its output") {
		t.Errorf("a sorted pipeline's order counts; got exit %d:\n%s", code, stdout)
	}
	writeFiles(t, dir, map[string]string{"p.json": strings.Replace(files["p.json"], `, {"$sort": {"n": -1}}`, "", 1)})
	if code, stdout, _ := weir(t, "", "test", dir); code != 0 {
		t.Errorf("without $sort the order doesn't count; got exit %d:\n%s", code, stdout)
	}
}

func TestTestMalformedCases(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		msg   string
	}{
		{"no pipeline file", map[string]string{"input/in.jsonl": "{}\n"}, "no pipeline file"},
		{"two pipeline files", map[string]string{"a.json": "[]", "b.sql": "SELECT 1", "input/in.jsonl": "{}\n"}, "2 pipeline files (a.json, b.sql)"},
		{"bad JSON in expected", map[string]string{"p.json": hotCase["hot.json"], "input/readings.jsonl": "", "expected/hot.jsonl": "{\"a\": 1}\n{oops\n"}, "expected/hot.jsonl:2: not an Extended JSON document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testCase(t, tc.files)
			code, stdout, stderr := weir(t, "", "test", dir)
			if code != 2 || !strings.Contains(stdout, "--- MALFORMED: "+dir) || !strings.Contains(stdout, tc.msg) {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 2 and %q", code, stdout, stderr, tc.msg)
			}
		})
	}
	if code, _, stderr := weir(t, "", "test", t.TempDir()); code != 2 || !strings.Contains(stderr, "holds no case") {
		t.Errorf("a folder without cases: exit %d, %s", code, stderr)
	}
}

func TestTestUpdateRoundTrip(t *testing.T) {
	dir := testCase(t, map[string]string{
		"p.json": `{"pipeline": [{"$source": {"connectionName": "shop", "topic": "updates"}},
			{"$project": {"_id": 0, "sku": 1, "qty": 1}},
			{"$merge": {"into": {"connectionName": "shop", "db": "shop", "coll": "stock"}, "on": "sku"}}],
			"options": {"dlq": {"connectionName": "shop", "db": "ops", "coll": "dlq"}}}`,
		"input/updates.jsonl": `{"sku": "apple", "qty": 4}
{"sku": "pear", "qty": 3}
{broken
`,
		"input/shop/stock.jsonl": `{"_id": 1, "sku": "apple", "qty": 9}` + "\n",
		"expected/stale.jsonl":   `{"old": true}` + "\n",
	})
	code, stdout, stderr := weir(t, "", "test", "--update", dir)
	if code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, stdout, stderr)
	}
	for _, s := range []string{"wrote expected/shop/stock.jsonl", "wrote expected/ops/dlq.jsonl", "removed expected/stale.jsonl", "PASS"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
	// The generated _id of the inserted pear and the stream metadata stay
	// out of expected/, so the next run compares what is stable.
	want := `{"_id":1,"sku":"apple","qty":4}
{"sku":"pear","qty":3}
`
	if got := readFile(t, filepath.Join(dir, "expected/shop/stock.jsonl")); got != want {
		t.Errorf("expected/shop/stock.jsonl:\n%s\nwant:\n%s", got, want)
	}
	if code, stdout, _ := weir(t, "", "test", dir); code != 0 || strings.Contains(stdout, "wrote") {
		t.Errorf("after --update the case passes as it is; exit %d:\n%s", code, stdout)
	}
}

// TestExampleCases runs the cases in testdata/cases, which docs/testing.md
// shows, as CI does.
func TestExampleCases(t *testing.T) {
	code, stdout, stderr := weir(t, "", "test", "../../testdata/cases")
	if code != 0 || !strings.HasSuffix(stdout, "\nPASS\n") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if n := strings.Count(stdout, "\nok   ") + strings.Count(stdout[:3], "ok "); n < 8 {
		t.Errorf("ran %d cases, want the 8 or more in testdata/cases:\n%s", n, stdout)
	}
}

// TestTestingDocMatchesCases keeps docs/testing.md true: the files it shows
// are the example case's files, and the weir test output it shows is what
// running that case prints.
func TestTestingDocMatchesCases(t *testing.T) {
	doc := readFile(t, "../../docs/testing.md")
	files := regexp.MustCompile("(?s)`(testdata/cases/[^`]+)`:\n\n```[a-z]*\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(files) < 3 {
		t.Fatalf("found %d file examples in docs/testing.md, want the pipeline, input and expected files", len(files))
	}
	for _, m := range files {
		if got := readFile(t, "../../"+m[1]); got != m[2] {
			t.Errorf("docs/testing.md shows %s as:\n%s\nthe file holds:\n%s", m[1], m[2], got)
		}
	}

	const casePath = "testdata/cases/sql/spend_per_5min"
	caseDir, err := filepath.Abs("../../" + casePath)
	if err != nil {
		t.Fatal(err)
	}
	durations := regexp.MustCompile(`\(\d+(\.\d+)?m?s\)`)
	// run copies the case into a fresh directory, lets edit change it, and
	// runs weir there as the doc's reader would.
	run := func(edit func(dir string), args ...string) string {
		root := t.TempDir()
		dir := filepath.Join(root, filepath.FromSlash(casePath))
		if err := copyDir(caseDir, dir); err != nil {
			t.Fatal(err)
		}
		edit(dir)
		t.Chdir(root)
		_, stdout, _ := weir(t, "", args...)
		return durations.ReplaceAllString(stdout, "(Nms)")
	}
	commands := regexp.MustCompile("(?s)```\n\\$ weir ([^\n]*)\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(commands) != 2 {
		t.Fatalf("found %d weir test commands in docs/testing.md, want 2", len(commands))
	}
	for _, m := range commands {
		args := strings.Fields(m[1])
		got := run(func(dir string) {
			if slices.Contains(args, "--update") {
				os.RemoveAll(filepath.Join(dir, "expected"))
			}
		}, args...)
		if want := durations.ReplaceAllString(m[2], "(Nms)"); got != want {
			t.Errorf("weir %s prints:\n%s\ndocs/testing.md shows:\n%s", m[1], got, want)
		}
	}
	failure := regexp.MustCompile("(?s)```\n(--- FAIL: .*?)```").FindStringSubmatch(doc)
	if failure == nil {
		t.Fatal("docs/testing.md shows no failing run")
	}
	got := run(func(dir string) {
		path := filepath.Join(dir, "expected", "customer-spend-5m.jsonl")
		os.WriteFile(path, []byte(strings.Replace(readFile(t, path), `"spent": 30}`, `"spent": 31}`, 1)), 0o644)
	}, "test", casePath)
	if want := durations.ReplaceAllString(failure[1], "(Nms)"); got != want {
		t.Errorf("the failing run prints:\n%s\ndocs/testing.md shows:\n%s", got, want)
	}
}
