package exec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// refFiles writes files (path → JSON lines) under a temporary directory and
// returns it as the default file connection.
func refFiles(t *testing.T, files map[string]string) map[string]connectors.File {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]connectors.File{"default": {Dir: dir}}
}

// refRun runs a pipeline without the _stream_meta field in its output, so
// tests of what the stages compute read only the documents' content;
// refRunMeta keeps it, for the tests of the output conventions.
func refRun(t *testing.T, files map[string]string, pipeline string) *Result {
	t.Helper()
	return refRunMeta(t, files, pipeline, func(p *mql.Processor) {
		none := ""
		p.Options.StreamMetaFieldName = &none
	})
}

func refRunMeta(t *testing.T, files map[string]string, pipeline string, edit func(*mql.Processor)) *Result {
	t.Helper()
	p, _, err := mql.Decode([]byte(pipeline))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if edit != nil {
		edit(p)
	}
	res, err := (&Reference{Conns: refFiles(t, files)}).Run(p)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return res
}

func refJSON(t *testing.T, docs []bson.D) string {
	t.Helper()
	var lines []string
	for _, d := range docs {
		b, err := bson.MarshalExtJSON(d, false, false)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	return strings.Join(lines, "\n")
}

func TestReferenceChangeStreamEventsAndFullDocumentOnly(t *testing.T) {
	files := map[string]string{"store/sales.jsonl": `{"_id": 1, "amount": 500}
{"_id": 2, "amount": 1500}
not json
{"_id": 3, "amount": 2500.5}
`}
	// As the first seed is written, $match reads amount off change events,
	// where it is fullDocument.amount: nothing matches.
	res := refRun(t, files, `[{"$source": {"connectionName": "default", "db": "store", "coll": "sales"}},
		{"$match": {"amount": {"$gt": 1000}}},
		{"$merge": {"into": {"connectionName": "default", "db": "store", "coll": "high"}}}]`)
	if got := res.Merged["default.store.high"]; len(got) != 0 {
		t.Errorf("change events have no amount field, yet %d matched", len(got))
	}
	if len(res.DLQ) != 1 || !strings.Contains(refJSON(t, res.DLQ), "not an Extended JSON document") {
		t.Errorf("the bad line should be one DLQ document saying why, got %s", refJSON(t, res.DLQ))
	}

	res = refRun(t, files, `[{"$source": {"connectionName": "default", "db": "store", "coll": "sales", "config": {"fullDocumentOnly": true}}},
		{"$match": {"amount": {"$gt": 1000}}},
		{"$merge": {"into": {"connectionName": "default", "db": "store", "coll": "high"}}}]`)
	want := `{"_id":2,"amount":1500}
{"_id":3,"amount":2500.5}`
	if got := refJSON(t, res.Merged["default.store.high"]); got != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
}

func TestReferenceLookupUnwindAndRangeWindow(t *testing.T) {
	files := map[string]string{
		"orders.jsonl": `{"customerId": "a", "amount": 10, "t": {"$date": "2026-01-01T00:00:00Z"}}
{"customerId": "b", "amount": 5, "t": {"$date": "2026-01-01T00:01:00Z"}}
{"customerId": "a", "amount": 20, "t": {"$date": "2026-01-01T00:04:00Z"}}
{"customerId": "a", "amount": 40, "t": {"$date": "2026-01-01T00:06:00Z"}}
{"customerId": "z", "amount": 99, "t": {"$date": "2026-01-01T00:07:00Z"}}
`,
		"retail/customers.jsonl": `{"_id": "a", "name": "Ada"}
{"_id": "b", "name": "Bo"}
`,
	}
	res := refRun(t, files, `[{"$source": {"connectionName": "default", "topic": "orders"}},
		{"$lookup": {"from": {"connectionName": "default", "db": "retail", "coll": "customers"}, "localField": "customerId", "foreignField": "_id", "as": "c"}},
		{"$unwind": "$c"},
		{"$setWindowFields": {"partitionBy": "$customerId", "sortBy": {"t": 1},
			"output": {"total": {"$sum": "$amount", "window": {"range": [-5, "current"], "unit": "minute"}}}}},
		{"$project": {"_id": 0, "name": "$c.name", "total": 1}}]`)
	// z has no customer and is dropped by $unwind; a's window at 00:06
	// reaches back to 00:01, so the order at 00:00 has left it.
	want := `{"total":10,"name":"Ada"}
{"total":5,"name":"Bo"}
{"total":30,"name":"Ada"}
{"total":60,"name":"Ada"}`
	if got := refJSON(t, res.Stdout); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestReferenceTumblingWindowGroup(t *testing.T) {
	files := map[string]string{"orders.jsonl": `{"k": "a", "v": 1, "t": "2026-01-01T00:00:10Z"}
{"k": "b", "v": 2, "t": "2026-01-01T00:00:20Z"}
{"k": "a", "v": 3, "t": "2026-01-01T00:00:50Z"}
{"k": "a", "v": 4, "t": "2026-01-01T00:01:05Z"}
`}
	res := refRun(t, files, `[{"$source": {"connectionName": "default", "topic": "orders", "timeField": {"$dateFromString": {"dateString": "$t"}}}},
		{"$tumblingWindow": {"interval": {"size": 1, "unit": "minute"}, "pipeline": [
			{"$group": {"_id": "$k", "n": {"$sum": 1}, "total": {"$sum": "$v"}, "start": {"$first": {"$meta": "stream.window.start"}}}},
			{"$sort": {"_id": 1}}]}}]`)
	want := `{"_id":"a","n":2,"total":4,"start":{"$date":"2026-01-01T00:00:00Z"}}
{"_id":"b","n":1,"total":2,"start":{"$date":"2026-01-01T00:00:00Z"}}
{"_id":"a","n":1,"total":4,"start":{"$date":"2026-01-01T00:01:00Z"}}`
	if got := refJSON(t, res.Stdout); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
