package exec

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// colTestRun runs pipeline over msgs on the columnar fast path (columnar)
// or forced onto the row path, and renders everything observable in
// arrival order: output and sink documents, dead letters, commits, stats.
// It checks that the fast path's Arrow memory is all released.
func colTestRun(t *testing.T, pipeline string, msgs []connectors.Message, batch int, columnar bool) (string, *Processor) {
	t.Helper()
	p, _, err := mql.Decode([]byte(pipeline))
	if err != nil {
		t.Fatal(err)
	}
	src := newMemSource(msgs, 50, false)
	out, sink, dlq := &stMemSink{}, &stMemSink{}, &stMemSink{}
	pr, err := Build(p, BuildEnv{
		Sources: map[string]connectors.Source{"default": src},
		Sinks:   map[string]connectors.Sink{"default": sink},
		Output:  out, DLQ: dlq, Now: stEpochNow, BatchSize: batch,
	})
	if err != nil {
		t.Fatal(err)
	}
	if columnar && pr.col == nil {
		t.Fatalf("%s: no columnar fast path", pipeline)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	pr.mem = mem
	if !columnar {
		pr.col, pr.driverDecode = nil, true
	}
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	mem.AssertSize(t, 0)
	var b strings.Builder
	for _, part := range []struct {
		name string
		docs []bson.D
	}{{"out", out.docs()}, {"sink", sink.docs()}, {"dlq", dlq.docs()}} {
		fmt.Fprintf(&b, "%s:\n", part.name)
		for _, d := range part.docs {
			j, err := bson.MarshalExtJSON(d, true, false)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(j)
			b.WriteByte('\n')
		}
	}
	st := pr.Stats()
	fmt.Fprintf(&b, "commits: %v\nstats: in %d out %d dlq %d wm %s\n", src.committed(), st.In, st.Out, st.DLQ, st.Watermark)
	return b.String(), pr
}

// colTestMessages are Kafka messages of orders (the benchmark's corpus,
// whose amounts are a double column, or with mixedAmounts a union of int
// and double) followed by lines each path must treat alike: undecodable,
// outside the safe subset, with amounts of other types, bad event times.
func colTestMessages(n int, mixedAmounts bool) []connectors.Message {
	lines, _ := benchOrderLines(mixedAmounts)
	var msgs []connectors.Message
	add := func(l string) {
		msgs = append(msgs, connectors.Message{Value: []byte(l), Time: stEpochNow().Add(time.Duration(len(msgs)) * time.Millisecond),
			Position: connectors.Position{Topic: "orders", Partition: int32(len(msgs) % 3), Offset: int64(len(msgs) / 3)}})
	}
	for _, l := range lines[:n] {
		add(string(l))
	}
	for _, l := range []string{
		`not json`,
		``,
		`{"amount": 1950.5, "orderTime": {"$date": "2026-11-23T10:00:00Z"}, "bad": {"$date": "garbage"}}`,
		`{"amount": 10, "orderTime": {"$date": "2026-11-23T10:00:01Z"}, "bad": {"$numberInt": "x"}}`,
		`{"amount": 1999, "orderTime": {"$date": "2026-11-23T10:00:02Z"}, "huge": 1e400}`,
		`{"amount": 5, "orderTime": {"$date": "2026-11-23T10:00:03Z"}, "dec": {"$numberDecimal": "1.5"}}`,
		`{"amount": "2000", "orderTime": {"$date": "2026-11-23T10:00:04Z"}}`,
		`{"amount": [1, 1990], "orderTime": {"$date": "2026-11-23T10:00:05Z"}, "status": "paid"}`,
		`{"amount": null, "orderTime": {"$date": "2026-11-23T10:00:06Z"}}`,
		`{"orderTime": {"$date": "2026-11-23T10:00:07Z"}}`,
		`{"amount": {"$numberLong": "9007199254740993"}, "orderTime": {"$date": "2026-11-23T10:00:08Z"}, "status": "paid"}`,
		`{"amount": {"$numberDouble": "NaN"}, "orderTime": {"$date": "2026-11-23T10:00:09Z"}}`,
		`{"amount": 1980, "orderTime": "2026-11-23T23:59:59Z", "status": "paid"}`,
		`{"amount": 1, "orderTime": "yesterday"}`,
		`{"amount": 1985, "status": "paid"}`,
		`{"amount": 1975, "orderTime": {"$date": "2026-11-23T10:00:10Z"}, "status": "pai\u0064", "k": "caf\u00e9"}`,
		`{"amount": 1970, "orderTime": {"$date": "2026-11-23T10:00:11Z"}, "status": "paid"} trailing`,
		`{"amount": 1960, "orderTime": {"$date": "2026-11-23T10:00:12Z"}, "status": "paid", "zero": 0}`,
	} {
		add(l)
	}
	for _, l := range lines[n : 2*n] {
		add(string(l))
	}
	return msgs
}

// TestColumnarSameAsRowPath runs pipelines whose leading $match stages
// filter most rows on both paths, with several batch sizes: the output,
// the dead letters, the commits and the watermark are identical, in order.
func TestColumnarSameAsRowPath(t *testing.T) {
	pipelines := []string{
		// Most rows filtered by one comparison; a projection after it.
		`[{"$source": {"connectionName": "default", "topic": "orders"}},
		  {"$match": {"amount": {"$gt": 1900}}},
		  {"$project": {"_id": 0, "orderId": 1, "amount": 1, "city": "$shipping.address.city"}}]`,
		// Two leading stages, two conditions on a field, a string equality;
		// event time from the document.
		`[{"$source": {"connectionName": "default", "topic": "orders", "timeField": {"$toDate": "$orderTime"}}},
		  {"$match": {"amount": {"$gte": 100, "$lt": 1990}}},
		  {"$match": {"status": "paid", "amount": {"$ne": 5}}},
		  {"$project": {"_id": 0, "orderId": 1, "amount": 1, "status": 1}}]`,
		// A second stage the kernel cannot decide, which can fail (DLQ),
		// and a window after, which the watermark of filtered rows closes.
		`[{"$source": {"connectionName": "default", "topic": "orders", "timeField": "$orderTime"}},
		  {"$match": {"amount": {"$gt": 1500}}},
		  {"$match": {"$expr": {"$gt": [{"$divide": ["$amount", {"$ifNull": ["$zero", 1]}]}, 1]}}},
		  {"$tumblingWindow": {"interval": {"size": 1, "unit": "hour"}, "allowedLateness": {"size": 1, "unit": "second"},
		    "pipeline": [{"$group": {"_id": "$status", "n": {"$sum": 1}, "total": {"$sum": "$amount"}}}]}}]`,
		// A $match that is not leading stays on the row path.
		`[{"$source": {"connectionName": "default", "topic": "orders"}},
		  {"$match": {"customerId": {"$lt": "c100"}}},
		  {"$addFields": {"big": {"$gt": ["$amount", 1000]}}},
		  {"$match": {"big": true}},
		  {"$emit": {"connectionName": "default", "topic": "out"}}]`,
	}
	for _, mixed := range []bool{false, true} {
		msgs := colTestMessages(300, mixed)
		for pi, pl := range pipelines {
			for _, batch := range []int{1, 7, 1024} {
				row, rowPr := colTestRun(t, pl, msgs, batch, false)
				col, colPr := colTestRun(t, pl, msgs, batch, true)
				if col != row {
					t.Errorf("mixed=%v pipeline %d batch %d: the fast path differs from the row path\nfast path:\n%s\nrow path:\n%s", mixed, pi, batch, col, row)
				}
				if colPr.unmarshals >= rowPr.unmarshals {
					t.Errorf("mixed=%v pipeline %d batch %d: %d documents unmarshalled on the fast path, %d on the row path", mixed, pi, batch, colPr.unmarshals, rowPr.unmarshals)
				}
			}
		}
	}
}

// TestColumnarUnmarshalsOnlySurvivors checks that documents the kernel
// filters out are never unmarshalled: over clean orders, exactly the
// documents that reach the output were.
func TestColumnarUnmarshalsOnlySurvivors(t *testing.T) {
	lines, _ := benchOrderLines(false)
	var msgs []connectors.Message
	for i, l := range lines[:2000] {
		msgs = append(msgs, connectors.Message{Value: l, Position: connectors.Position{Topic: "orders", Offset: int64(i)}})
	}
	pl := `[{"$source": {"connectionName": "default", "topic": "orders"}},
	  {"$match": {"amount": {"$gt": 1900}}},
	  {"$project": {"_id": 0, "orderId": 1, "amount": 1}}]`
	_, pr := colTestRun(t, pl, msgs, 1024, true)
	st := pr.Stats()
	if st.In != 2000 || st.Out == 0 || st.Out > 200 {
		t.Fatalf("stats %+v: want 2000 in and about 5%% out", st)
	}
	if pr.unmarshals != st.Out {
		t.Errorf("%d documents unmarshalled for %d outputs: filtered documents were built", pr.unmarshals, st.Out)
	}
}

// TestColumnarPlan checks which pipelines take the fast path.
func TestColumnarPlan(t *testing.T) {
	for _, c := range []struct {
		pipeline string
		paths    string // "" when there is no fast path
	}{
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$match": {"a": {"$gt": 1}}}, {"$match": {"b": "x", "a": {"$lt": 5}}}]`, "a b"},
		{`[{"$source": {"connectionName": "k", "topic": "t", "timeField": {"$toDate": "$ts"}}}, {"$match": {"a": 1}}]`, "a"},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$match": {"$or": [{"a": 1}]}}, {"$match": {"b": 2}}]`, "b"},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$project": {"a": 1}}, {"$match": {"a": 1}}]`, ""},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$match": {"a.b": 1}}]`, ""},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$match": {"a": null}}]`, ""},
		{`[{"$source": {"connectionName": "k", "topic": "t", "timeField": {"$dateFromString": {"dateString": "$ts"}}}}, {"$match": {"a": 1}}]`, ""},
		{`[{"$source": {"connectionName": "k", "db": "d", "coll": "c"}}, {"$match": {"a": 1}}]`, ""},
	} {
		p, _, err := mql.Decode([]byte(c.pipeline))
		if err != nil {
			t.Fatal(err)
		}
		pr, err := Build(p, BuildEnv{Sources: map[string]connectors.Source{"k": newMemSource(nil, 1, false)}, Output: &stMemSink{}})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if pr.col != nil {
			got = strings.Join(pr.col.paths, " ")
		}
		if got != c.paths {
			t.Errorf("%s: paths %q, want %q", c.pipeline, got, c.paths)
		}
	}
}

// colSafeCorpus are lines around the edges of the safe subset.
var colSafeCorpus = []string{
	`{}`, ` {"a": 1} `, `{"a": [], "b": {}, "c": [[], {}], "d": {"e": {"f": []}}}`, `{"a": "q\"\\\/\b\f\n\r\t"}`, `{"a": 1, "a": 2}`, `{"a": -0, "b": 0.5e-3, "c": 1E+5, "d": 123456789012345678901234567890}`,
	`{"a": 1e400}`, `{"a": 1e-400}`, `{"a": 01}`, `{"a": 1.}`, `{"a": .5}`, `{"a": -}`,
	`{"a": "x\ty"}`, "{\"a\": \"x\x01y\"}", "{\"a\": \"\xff\"}", `{"a": "\u00e9"}`, `{"a": "München"}`,
	`{"a\"b": 1}`, `{"$a": 1}`, `{"a": {"$foo": 1}}`, `{"a": {"b": 1, "$date": 1}}`,
	`{"a": {"$date": "2026-11-23T10:00:00Z"}}`, `{"a": {"$date": "2026-02-30T10:00:00Z"}}`, `{"a": {"$date": "garbage"}}`,
	`{"a": {"$date": {"$numberLong": "5"}}}`, `{"a": {"$date": 5}}`, `{"a": {"$date": "2026-11-23T10:00:00.123456Z"}}`,
	`{"a": {"$numberInt": "5"}}`, `{"a": {"$numberInt": "5000000000"}}`, `{"a": {"$numberInt": "x"}}`, `{"a": {"$numberInt": 5}}`,
	`{"a": {"$numberLong": "-9223372036854775808"}}`, `{"a": {"$numberLong": "9223372036854775808"}}`,
	`{"a": {"$numberDouble": "NaN"}}`, `{"a": {"$numberDouble": "1e400"}}`, `{"a": {"$numberDouble": "inf"}}`, `{"a": {"$numberDouble": "0x1p-2"}}`,
	`{"a": {"$oid": "5f1d7f3e2b8f1c2a3b4c5d6e"}}`, `{"a": {"$oid": "5f1d7f3e2b8f1c2a3b4c5d6"}}`, `{"a": {"$oid": "zz1d7f3e2b8f1c2a3b4c5d6e"}}`,
	`{"a": {"$date": "2026-11-23T10:00:00Z", "b": 1}}`, `{"a": [{"$numberInt": "1"}, {"b": [true, false, null]}]}`,
	`{"a": 1} x`, `{"a": 1}}`, `{"a": 1,}`, `{"a" 1}`, `{"a": tru}`, `[1]`, `null`, ``,
	`{"a": {"$numberDecimal": "1.5"}}`, `{"a": {"$binary": {"base64": "", "subType": "00"}}}`, `{"a": {"$uuid": "x"}}`,
}

// TestColSafeExtJSON checks the subset's promise on the corpus and on the
// benchmark's orders: a safe line is one the driver and the decoder both
// accept, with the same values.
func TestColSafeExtJSON(t *testing.T) {
	lines, _ := benchOrderLines(true)
	for _, l := range lines[:200] {
		if !colSafeExtJSON(l) {
			t.Errorf("an order is not in the safe subset: %s", l)
		}
		colCheckSafe(t, string(l))
	}
	for _, l := range colSafeCorpus {
		colCheckSafe(t, l)
	}
	for _, l := range []string{`{"a": 1e400}`, `{"a": {"$date": "garbage"}}`, `{"a": {"$numberInt": "x"}}`, "{\"a\": \"\xff\"}", `{"a": 1} x`} {
		if colSafeExtJSON([]byte(l)) {
			t.Errorf("%s is in the safe subset", l)
		}
	}
}

func FuzzColSafeExtJSON(f *testing.F) {
	for _, l := range colSafeCorpus {
		f.Add(l)
	}
	lines, _ := benchOrderLines(true)
	f.Add(string(lines[0]))
	f.Fuzz(colCheckSafe)
}

// colCheckSafe: when line is in the safe subset, the driver accepts it and
// the decoder reads the same values for a few paths as Eval over the
// driver's document.
func colCheckSafe(t *testing.T, line string) {
	if !colSafeExtJSON([]byte(line)) {
		return
	}
	var doc bson.D
	if err := bson.UnmarshalExtJSON([]byte(line), false, &doc); err != nil {
		t.Fatalf("safe line %q: driver: %v", line, err)
	}
	if got, ok := colDoc([]byte(line)); !ok || !colSameDoc(got, doc) {
		t.Fatalf("safe line %q: colDoc %v (%v), driver %v", line, got, ok, doc)
	}
	paths := []string{"a", "b", "c", "d", "amount", "status", "orderTime"}
	for _, e := range doc {
		if !strings.Contains(e.Key, ".") && !strings.HasPrefix(e.Key, "$") && e.Key != "" {
			paths = append(paths, e.Key)
		}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d, err := NewDecoder(mem, paths, DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	if err := d.AppendAt([]byte(line), 0); err != nil {
		t.Fatalf("safe line %q: decoder: %v", line, err)
	}
	b, _ := d.Flush()
	defer b.Release()
	for _, p := range d.Paths() {
		want, _ := Eval(mql.FieldPath{Path: p}, doc, &Env{})
		if g, w := decCanon(t, b.Column(p).Value(0)), decCanon(t, want); g != w {
			t.Fatalf("safe line %q path %s: decoder %s, driver %s", line, p, g, w)
		}
	}
}

// colSameDoc is reflect.DeepEqual with NaN equal to NaN.
func colSameDoc(a, b any) bool {
	if x, ok := a.(float64); ok {
		y, ok := b.(float64)
		return ok && (x == y && math.Signbit(x) == math.Signbit(y) || math.IsNaN(x) && math.IsNaN(y))
	}
	switch x := a.(type) {
	case bson.D:
		y, ok := b.(bson.D)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for i := range x {
			if x[i].Key != y[i].Key || !colSameDoc(x[i].Value, y[i].Value) {
				return false
			}
		}
		return true
	case bson.A:
		y, ok := b.(bson.A)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for i := range x {
			if !colSameDoc(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
