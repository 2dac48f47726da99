package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes files (path under dir → content) and returns dir.
func writeFiles(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const runOrders = `{"k": "a", "v": 1}
{"k": "b", "v": 2}
not json
{"k": "a", "v": 3}
`

func TestRunPrintsSinklessOutputToStdout(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"data/orders.jsonl": runOrders,
		"p.json":            `[{"$source": {"connectionName": "kafka", "topic": "orders"}}, {"$match": {"k": "a"}}, {"$project": {"_id": 0, "v": 1}}]`,
	})
	code, stdout, stderr := weir(t, "", "run", "--conn", "kafka=file:"+filepath.Join(dir, "data"), filepath.Join(dir, "p.json"))
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	// MQL output carries _stream_meta as ASP's sp.process shows it.
	want := `{"v":1,"_stream_meta":{"source":{"type":"kafka","topic":"orders","partition":0,"offset":0}}}
{"v":3,"_stream_meta":{"source":{"type":"kafka","topic":"orders","partition":0,"offset":3}}}
`
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
	// Without a DLQ the bad line is counted and explained on stderr.
	for _, s := range []string{"1 document(s) could not be processed", "$source: orders.jsonl:3: not an Extended JSON document"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
}

func TestRunSQLFromStdinHasOnlyTheSelectedColumns(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{"orders.jsonl": runOrders})
	code, stdout, stderr := weir(t, "SELECT k, v * 10 AS v10 FROM kafka.orders WHERE v > 1;", "run", "--conn", "kafka=file:"+dir, "-")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	want := `{"k":"b","v10":20}
{"k":"a","v10":30}
`
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
}

func TestRunWritesEmitMergeAndDLQFiles(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"in/orders.jsonl":     runOrders,
		"out/shop/sums.jsonl": `{"_id": "a", "total": 100, "since": 2020}` + "\n",
		"emit.json": `{"name": "copy", "pipeline": [{"$source": {"connectionName": "in", "topic": "orders"}},
			{"$emit": {"connectionName": "out", "topic": "copied"}}],
			"options": {"dlq": {"connectionName": "out", "db": "ops", "coll": "dlq"}, "streamMetaFieldName": ""}}`,
		"merge.json": `{"pipeline": [{"$source": {"connectionName": "in", "topic": "orders"}},
			{"$project": {"_id": "$k", "total": "$v"}},
			{"$merge": {"into": {"connectionName": "out", "db": "shop", "coll": "sums"}, "whenMatched": "merge"}}],
			"options": {"streamMetaFieldName": ""}}`,
	})
	conns := []string{"--conn", "in=file:" + filepath.Join(dir, "in"), "--conn", "out=file:" + filepath.Join(dir, "out")}
	for i := 0; i < 2; i++ {
		if code, _, stderr := weir(t, "", append(append([]string{"run"}, conns...), filepath.Join(dir, "emit.json"))...); code != 0 {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
	}
	// $emit appends: two runs, each document twice.
	if got := strings.Count(readFile(t, filepath.Join(dir, "out/copied.jsonl")), `"k":"a","v":1`); got != 2 {
		t.Errorf("copied.jsonl holds {k:a, v:1} %d times, want 2 (one per run)", got)
	}
	dlq := readFile(t, filepath.Join(dir, "out/ops/dlq.jsonl"))
	if strings.Count(dlq, "\n") != 2 || !strings.Contains(dlq, `"processorName":"copy"`) || !strings.Contains(dlq, `"doc":{"raw":"not json"}`) {
		t.Errorf("DLQ file:\n%s\nwant the bad line once per run, as ASP's DLQ documents", dlq)
	}

	code, _, stderr := weir(t, "", append(append([]string{"run"}, conns...), "--name", "sums", filepath.Join(dir, "merge.json"))...)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "sums: merged into "+filepath.Join(dir, "out", "shop", "sums.jsonl")+" (2 document(s) now)") {
		t.Errorf("stderr should say where the merge went:\n%s", stderr)
	}
	// a existed: merged field by field (since kept); b is new.
	want := `{"_id":"a","total":3,"since":2020}
{"_id":"b","total":2}
`
	if got := readFile(t, filepath.Join(dir, "out/shop/sums.jsonl")); got != want {
		t.Errorf("sums.jsonl:\n%s\nwant:\n%s", got, want)
	}
}

func TestRunExitStatuses(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"orders.jsonl": runOrders,
		"ok.json":      `[{"$source": {"connectionName": "kafka", "topic": "orders"}}]`,
		"missing.json": `[{"$source": {"connectionName": "kafka", "topic": "nope"}}]`,
		"bad.json":     `[{"$source": {"connectionName": "kafka", "topic": "orders"}}, {"$frobnicate": {}}]`,
		"running.json": `[{"$source": {"connectionName": "kafka", "topic": "orders"}},
			{"$setWindowFields": {"sortBy": {"v": 1}, "output": {"run": {"$sum": "$v"}}}}]`,
	})
	conn := "kafka=file:" + dir
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"done", []string{"--conn", conn, filepath.Join(dir, "ok.json")}, 0, ""},
		{"no file", []string{"--conn", conn}, 2, "expected one FILE"},
		{"bad pipeline", []string{"--conn", conn, filepath.Join(dir, "bad.json")}, 2, "$frobnicate"},
		{"unbound connection", []string{"--conn", "other=file:" + dir, filepath.Join(dir, "ok.json")}, 2, `unknown connection "kafka" (have other); bind it with --conn kafka=file:DIR`},
		// Nothing listens on port 1: start-up fails within the connect
		// timeout, naming the connection and its address.
		{"kafka unreachable", []string{"--conn", "kafka=kafka://127.0.0.1:1?dial_timeout=500ms", filepath.Join(dir, "ok.json")}, 1, `connection "kafka" at 127.0.0.1:1`},
		{"mongodb for a topic", []string{"--conn", "kafka=mongodb://127.0.0.1:1", filepath.Join(dir, "ok.json")}, 1, "a mongodb connection does not serve a Kafka $source"},
		{"unknown scheme", []string{"--conn", "kafka=redis://x", filepath.Join(dir, "ok.json")}, 2, "is not a connection URI"},
		{"bad URI", []string{"--conn", "kafka", filepath.Join(dir, "ok.json")}, 2, "is not NAME=URI"},
		{"missing topic file", []string{"--conn", conn, filepath.Join(dir, "missing.json")}, 1, "pipeline[0].$source: connection kafka: topic nope"},
		// State past --memory-limit fails the run, naming the operator
		// and what to do, rather than the process running out of memory.
		{"memory limit", []string{"--conn", conn, "--memory-limit", "100B", filepath.Join(dir, "running.json")}, 1, "pipeline[1].$setWindowFields: state needs"},
		{"memory limit ok", []string{"--conn", conn, "--memory-limit", "1MiB", filepath.Join(dir, "running.json")}, 0, ""},
		{"bad memory limit", []string{"--conn", conn, "--memory-limit", "lots", filepath.Join(dir, "running.json")}, 2, `--memory-limit: "lots" is not a size`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := weir(t, "", append([]string{"run"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, tc.code, tc.msg)
			}
		})
	}
}

// With --state, a processor resumes where its last run stopped: a file
// stream read to its end is not read again, and lines appended since are.
func TestRunStateResumesAfterTheLastRun(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"data/nums.jsonl": "{\"v\": 1}\n{\"v\": 2}\n{\"v\": 3}\n",
		"q.sql":           "SELECT v FROM f.nums WHERE v > 1",
	})
	run := func() string {
		t.Helper()
		code, stdout, stderr := weir(t, "", "run", "--conn", "f=file:"+filepath.Join(dir, "data"), "--state", filepath.Join(dir, "state"), filepath.Join(dir, "q.sql"))
		if code != 0 {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		return stdout
	}
	if got := run(); got != "{\"v\":2}\n{\"v\":3}\n" {
		t.Errorf("first run printed %q", got)
	}
	if got := run(); got != "" {
		t.Errorf("a second run over the same input printed %q; it should resume after line 3", got)
	}
	f, err := os.OpenFile(filepath.Join(dir, "data", "nums.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("{\"v\": 4}\n{\"v\": 0}\n")
	f.Close()
	if got := run(); got != "{\"v\":4}\n" {
		t.Errorf("after appending, the run printed %q, want only the new matching line", got)
	}
}
