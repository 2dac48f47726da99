package exec

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

var refOrders = map[string]string{"orders.jsonl": `{"k": "a", "v": 1, "t": {"$date": "2026-01-01T00:00:10Z"}}
{"k": "b", "v": 2, "t": {"$date": "2026-01-01T00:00:20Z"}}
`}

func TestReferenceStreamMetaOfKafkaMessages(t *testing.T) {
	res := refRunMeta(t, refOrders, `[{"$source": {"connectionName": "default", "topic": "orders"}}, {"$project": {"_id": 0, "k": 1}}]`, nil)
	// An inclusion $project does not remove _stream_meta: ASP drops it
	// only when a $project or $unset names it.
	want := `{"k":"a","_stream_meta":{"source":{"type":"kafka","topic":"orders","partition":0,"offset":0}}}
{"k":"b","_stream_meta":{"source":{"type":"kafka","topic":"orders","partition":0,"offset":1}}}`
	if got := refJSON(t, res.Stdout); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestReferenceStreamMetaOfWindowOutputs(t *testing.T) {
	res := refRunMeta(t, refOrders, `[{"$source": {"connectionName": "default", "topic": "orders", "timeField": {"$toDate": "$t"}}},
		{"$tumblingWindow": {"interval": {"size": 1, "unit": "minute"}, "pipeline": [{"$group": {"_id": null, "n": {"$sum": 1}}}]}},
		{"$emit": {"connectionName": "default", "topic": "counts"}}]`, nil)
	// As ASP's tumbling window example shows: the source's type, and the
	// window's bounds.
	want := `{"_id":null,"n":2,"_stream_meta":{"source":{"type":"kafka"},"window":{"start":{"$date":"2026-01-01T00:00:00Z"},"end":{"$date":"2026-01-01T00:01:00Z"}}}}`
	if got := refJSON(t, res.Emitted["default.counts"]); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if tg := res.Targets["default.counts"]; tg != (Target{Conn: "default", Topic: "counts"}) {
		t.Errorf("target of default.counts = %+v", tg)
	}
}

func TestReferenceStreamMetaRenamedOrDropped(t *testing.T) {
	pipeline := `[{"$source": {"connectionName": "default", "topic": "orders"}}, {"$project": {"_id": 0, "k": 1}}, {"$limit": 1}]`
	name := func(n string) func(*mql.Processor) {
		return func(p *mql.Processor) { p.Options.StreamMetaFieldName = &n }
	}
	for _, tc := range []struct {
		name     string
		pipeline string
		edit     func(*mql.Processor)
		want     string
	}{
		{"renamed", pipeline, name("meta"), `{"k":"a","meta":{"source":{"type":"kafka","topic":"orders","partition":0,"offset":0}}}`},
		{"dropped by the option", pipeline, name(""), `{"k":"a"}`},
		{"dropped by $unset", `[{"$source": {"connectionName": "default", "topic": "orders"}}, {"$project": {"_id": 0, "k": 1}}, {"$unset": "_stream_meta"}, {"$limit": 1}]`, nil, `{"k":"a"}`},
		{"dropped by $project", `[{"$source": {"connectionName": "default", "topic": "orders"}}, {"$project": {"_stream_meta": 0, "t": 0, "_ts": 0}}, {"$limit": 1}]`, nil, `{"k":"a","v":1}`},
		{"set by $setStreamMeta", `[{"$source": {"connectionName": "default", "topic": "orders"}}, {"$setStreamMeta": {"stream.coll": {"$concat": ["c_", "$k"]}}}, {"$project": {"_id": 0, "k": 1, "coll": {"$meta": "stream.coll"}}}, {"$limit": 1}]`, name(""), `{"k":"a","coll":"c_a"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := refRunMeta(t, refOrders, tc.pipeline, tc.edit)
			if got := refJSON(t, res.Stdout); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// ASP adds _ts, the event time, to every source document (asp.md §1):
// the timeField's value, renamed by tsFieldName; stages read it. A
// processor that drops the stream metadata (SQL's plans) gets none unless
// tsFieldName names it.
func TestReferenceTsField(t *testing.T) {
	const src = `{"$source": {"connectionName": "default", "topic": "orders", "timeField": {"$toDate": "$t"}%s}}`
	for _, tc := range []struct {
		name, srcOpts, stages string
		edit                  func(*mql.Processor)
		want                  string
	}{
		{"added", ``, `{"$project": {"_id": 0, "k": 1, "_ts": 1}}, {"$unset": "_stream_meta"}`, nil,
			`{"k":"a","_ts":{"$date":"2026-01-01T00:00:10Z"}}` + "\n" + `{"k":"b","_ts":{"$date":"2026-01-01T00:00:20Z"}}`},
		{"read by a stage", ``, `{"$project": {"_id": 0, "runAt": "$_ts"}}, {"$unset": "_stream_meta"}`, nil,
			`{"runAt":{"$date":"2026-01-01T00:00:10Z"}}` + "\n" + `{"runAt":{"$date":"2026-01-01T00:00:20Z"}}`},
		{"renamed by tsFieldName", `, "tsFieldName": "ingestedAt"`, `{"$project": {"_id": 0, "k": 1, "ingestedAt": 1, "_ts": 1}}, {"$unset": "_stream_meta"}`, nil,
			`{"k":"a","ingestedAt":{"$date":"2026-01-01T00:00:10Z"}}` + "\n" + `{"k":"b","ingestedAt":{"$date":"2026-01-01T00:00:20Z"}}`},
		{"none without stream metadata", ``, `{"$limit": 1}`, func(p *mql.Processor) { none := ""; p.Options.StreamMetaFieldName = &none },
			`{"k":"a","v":1,"t":{"$date":"2026-01-01T00:00:10Z"}}`},
		{"asked for without stream metadata", `, "tsFieldName": "at"`, `{"$unset": ["t", "v"]}, {"$limit": 1}`, func(p *mql.Processor) { none := ""; p.Options.StreamMetaFieldName = &none },
			`{"k":"a","at":{"$date":"2026-01-01T00:00:10Z"}}`},
		{"whole document", ``, `{"$limit": 1}`, nil,
			`{"k":"a","v":1,"t":{"$date":"2026-01-01T00:00:10Z"},"_ts":{"$date":"2026-01-01T00:00:10Z"},"_stream_meta":{"source":{"type":"kafka","topic":"orders","partition":0,"offset":0}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := refRunMeta(t, refOrders, "["+fmt.Sprintf(src, tc.srcOpts)+", "+tc.stages+"]", tc.edit)
			if got := refJSON(t, res.Stdout); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestReferenceMergeUpsertsIntoExistingCollection(t *testing.T) {
	files := map[string]string{
		"updates.jsonl": `{"sku": "a", "qty": 5}
{"sku": "c", "qty": 7}
`,
		"shop/stock.jsonl": `{"_id": 1, "sku": "a", "qty": 1, "name": "apple"}
{"_id": 2, "sku": "b", "qty": 2, "name": "bean"}
`,
	}
	res := refRun(t, files, `[{"$source": {"connectionName": "default", "topic": "updates"}},
		{"$merge": {"into": {"connectionName": "default", "db": "shop", "coll": "stock"}, "on": "sku", "whenMatched": "merge", "whenNotMatched": "insert"}}]`)
	got := res.Merged["default.shop.stock"]
	if len(got) != 3 {
		t.Fatalf("want the two documents the file held and one insert, got %s", refJSON(t, got))
	}
	// a is merged (its _id and name kept, qty replaced), b untouched.
	if want := `{"_id":1,"sku":"a","qty":5,"name":"apple"}
{"_id":2,"sku":"b","qty":2,"name":"bean"}`; refJSON(t, got[:2]) != want {
		t.Errorf("got:\n%s\nwant:\n%s", refJSON(t, got[:2]), want)
	}
	id, ok := got[2][0].Value.(bson.ObjectID)
	if got[2][0].Key != "_id" || !ok || !res.GeneratedIDs[id] {
		t.Errorf("the insert without _id should get a generated ObjectId, got %s", refJSON(t, got[2:]))
	}
	if tg := res.Targets["default.shop.stock"]; tg != (Target{Conn: "default", DB: "shop", Coll: "stock"}) {
		t.Errorf("target = %+v", tg)
	}
}

func TestReferenceMergeDiscardAndReplace(t *testing.T) {
	files := map[string]string{
		"updates.jsonl":    `{"sku": "a", "qty": 5}` + "\n" + `{"sku": "c", "qty": 7}` + "\n",
		"shop/stock.jsonl": `{"_id": 1, "sku": "a", "qty": 1, "name": "apple"}` + "\n",
	}
	res := refRun(t, files, `[{"$source": {"connectionName": "default", "topic": "updates"}},
		{"$merge": {"into": {"connectionName": "default", "db": "shop", "coll": "stock"}, "on": "sku", "whenMatched": "replace", "whenNotMatched": "discard"}}]`)
	want := `{"_id":1,"sku":"a","qty":5}`
	if got := refJSON(t, res.Merged["default.shop.stock"]); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestReferenceStagesWithoutConnectionUseTheOnlyOne(t *testing.T) {
	conns := refFiles(t, map[string]string{"store/sales.jsonl": `{"_id": 1, "amount": 5}` + "\n"})
	conns["files"] = conns["default"]
	delete(conns, "default")
	// The first seed names no connection, on $source or on $merge.
	p, _, err := mql.Decode([]byte(`[{"$source": {"db": "store", "coll": "sales", "config": {"fullDocumentOnly": true}}},
		{"$merge": {"into": {"db": "store", "coll": "copy"}}}]`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&Reference{Conns: conns, Now: func() time.Time { return time.Unix(0, 0) }}).Run(p)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Merged["files.store.copy"]); n != 1 {
		t.Errorf("want 1 document merged into files.store.copy, got %d (%v)", n, res.Merged)
	}
}

func TestReferenceMissingTopicNamesTheConnection(t *testing.T) {
	p, _, err := mql.Decode([]byte(`[{"$source": {"connectionName": "k", "topic": "nope"}}]`))
	if err != nil {
		t.Fatal(err)
	}
	conns := refFiles(t, nil)
	conns["k"] = conns["default"]
	_, err = (&Reference{Conns: conns}).Run(p)
	if err == nil || !strings.Contains(err.Error(), "connection k: topic nope") {
		t.Errorf("err = %v, want one naming connection k and topic nope", err)
	}
}
