package mongodb_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/mongodb"
	"github.com/weir-stream/weir/exec"
	"github.com/weir-stream/weir/planner/mql"
)

// These tests run the connector through the streaming runtime (exec.Build
// and Run), as `weir run --state` and the engine do: what the runtime
// asks of the source at a restart from a checkpoint, and what comes out.

func d(kv ...any) bson.D {
	out := make(bson.D, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		out = append(out, bson.E{Key: kv[i].(string), Value: kv[i+1]})
	}
	return out
}

// memSink keeps what the processor wrote.
type memSink struct {
	mu   sync.Mutex
	docs []bson.D
}

func (s *memSink) Write(_ context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, doc := range docs {
		s.docs = append(s.docs, doc.Doc)
	}
	return nil, nil
}
func (s *memSink) Flush(context.Context) error { return nil }
func (s *memSink) Close() error                { return nil }

func (s *memSink) values(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, doc := range s.docs {
		for _, e := range doc {
			if e.Key == key {
				out = append(out, fmt.Sprint(e.Value))
			}
		}
	}
	return out
}

// runUntil builds pipeline over src with checkpoints in dir, runs it until
// out holds n documents, lets it run on for settle (to see that nothing
// more comes), then stops it as a cancel does.
func runUntil(t *testing.T, pipeline string, src connectors.Source, dir string, out *memSink, n int, settle time.Duration) {
	t.Helper()
	p, _, err := mql.Decode([]byte(pipeline))
	if err != nil {
		t.Fatal(err)
	}
	pr, err := exec.Build(p, exec.BuildEnv{Sources: map[string]connectors.Source{"mongo": src}, Output: out,
		CheckpointDir: dir, FlushEvery: 10 * time.Millisecond, Tick: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(out.values("k")) < n {
		select {
		case err := <-done:
			t.Fatalf("the run ended early: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("after 10s the processor wrote %v, want %d documents", out.values("k"), n)
		}
	}
	time.Sleep(settle)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

const csNS = "shop.orders"

func insertEvent(token string, id int) bson.D {
	return d("_id", d("_data", token), "operationType", "insert",
		"clusterTime", bson.Timestamp{T: 1738790819, I: uint32(id)},
		"wallTime", bson.NewDateTimeFromTime(time.Date(2025, 2, 5, 21, 26, 59, 0, time.UTC).Add(time.Duration(id)*time.Second)),
		"fullDocument", d("_id", int32(id)), "ns", d("db", "shop", "coll", "orders"), "documentKey", d("_id", int32(id)))
}

// TestRuntimeResumesChangeStreamFromCheckpoint: a processor reads two
// change events, checkpoints and stops; started again from the same
// checkpoint directory, its source reopens the stream with startAfter the
// saved token, without the initial sync, and only the later event comes
// out.
func TestRuntimeResumesChangeStreamFromCheckpoint(t *testing.T) {
	const pipeline = `[{"$source": {"connectionName": "mongo", "db": "shop", "coll": "orders", "initialSync": {"enable": true}}},
	  {"$project": {"_id": 0, "k": "$documentKey._id"}}]`
	dir := t.TempDir()
	open := func(ms *mongodb.MockServer) *mongodb.Source {
		p, _, err := mql.Decode([]byte(pipeline))
		if err != nil {
			t.Fatal(err)
		}
		o, err := mongodb.SourceOptionsFor(p.Pipeline[0].(*mql.Source))
		if err != nil {
			t.Fatal(err)
		}
		o.Logger = mongodb.Quiet
		s, err := mongodb.OpenSource(t.Context(), ms.Client, o)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// First run: the stream, the initial sync (empty), two events, then a
	// getMore that waits until the stop.
	ms := mongodb.NewMockServer(t, "mongo",
		mongodb.CursorReply(7, csNS, "firstBatch", d("_data", "8200")),
		mongodb.CursorReply(0, csNS, "firstBatch", nil), // the initial sync's find
		// The batch's postBatchResumeToken is the last event's position.
		mongodb.CursorReply(7, csNS, "nextBatch", d("_data", "8210"), insertEvent("8201", 1), insertEvent("8202", 2)),
		mongodb.WaitReply(),
	)
	src := open(ms)
	out := &memSink{}
	runUntil(t, pipeline, src, dir, out, 2, 50*time.Millisecond)
	src.Close()
	if got := out.values("k"); !slices.Equal(got, []string{"1", "2"}) {
		t.Fatalf("first run wrote %v", got)
	}

	// Second run, on a new server connection: OpenSource opens the stream
	// now (and would copy the collection again); the checkpoint's token
	// replaces that stream before the first read.
	ms2 := mongodb.NewMockServer(t, "mongo",
		mongodb.CursorReply(7, csNS, "firstBatch", d("_data", "8300")),
		mongodb.CursorReply(5, csNS, "firstBatch", nil, d("_id", int32(1))), // the initial sync's find, closed unread
		mongodb.OkReply(), // killCursors of the sync's cursor
		mongodb.OkReply(), // killCursors of the stream opened now
		mongodb.CursorReply(9, csNS, "firstBatch", d("_data", "8310"), insertEvent("8303", 3)),
		mongodb.WaitReply(),
	)
	src2 := open(ms2)
	out2 := &memSink{}
	runUntil(t, pipeline, src2, dir, out2, 1, 100*time.Millisecond)
	src2.Close()
	if got := out2.values("k"); !slices.Equal(got, []string{"3"}) {
		t.Errorf("after the restart the processor wrote %v, want only the event after the checkpoint [3]", got)
	}
	wantStartAfter(t, ms2, "8210")
	if n := len(ms2.Commands("find")); n != 1 {
		t.Errorf("%d finds after the restart: the resume must not copy the collection again", n)
	}
}

// TestRuntimeResumesPollFallbackFromCheckpoint: over FerretDB (no change
// streams) the source polls; documents inserted while the processor was
// stopped come out after a restart from its checkpoint, and the ones
// before it don't come again. Without the checkpoint's position the
// restarted poll would start after the newest _id and miss them.
func TestRuntimeResumesPollFallbackFromCheckpoint(t *testing.T) {
	c, err := mongodb.Connect(t.Context(), mongodb.Config{Name: "mongo", URI: mongodb.FerretURI()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	db := c.Mongo().Database("runtime_poll_resume")
	if err := db.Drop(t.Context()); err != nil {
		t.Fatal(err)
	}
	coll := db.Collection("orders")
	ins := func(ids ...int) {
		for _, id := range ids {
			if _, err := coll.InsertOne(t.Context(), d("_id", int32(id), "k", int32(id))); err != nil {
				t.Fatal(err)
			}
		}
	}
	const pipeline = `[{"$source": {"connectionName": "mongo", "db": "runtime_poll_resume", "coll": "orders",
	    "config": {"fallback": "poll", "fullDocumentOnly": true}}},
	  {"$project": {"_id": 0, "k": 1}}]`
	open := func() *mongodb.Source {
		p, _, err := mql.Decode([]byte(pipeline))
		if err != nil {
			t.Fatal(err)
		}
		o, err := mongodb.SourceOptionsFor(p.Pipeline[0].(*mql.Source))
		if err != nil {
			t.Fatal(err)
		}
		o.Logger, o.PollInterval = mongodb.Quiet, 20*time.Millisecond
		s, err := mongodb.OpenSource(t.Context(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Polling() {
			t.Fatal("FerretDB has change streams now: this test is for the poll fallback")
		}
		return s
	}
	dir := t.TempDir()
	ins(1) // before the first start: not read (a change stream starts now)
	src := open()
	ins(2, 3, 4)
	out := &memSink{}
	runUntil(t, pipeline, src, dir, out, 3, 50*time.Millisecond)
	src.Close()
	if got := out.values("k"); !slices.Equal(got, []string{"2", "3", "4"}) {
		t.Fatalf("first run wrote %v", got)
	}

	ins(5, 6) // while stopped
	src2 := open()
	out2 := &memSink{}
	runUntil(t, pipeline, src2, dir, out2, 2, 150*time.Millisecond)
	src2.Close()
	if got := out2.values("k"); !slices.Equal(got, []string{"5", "6"}) {
		t.Errorf("after the restart the processor wrote %v, want the documents inserted while it was stopped [5 6]", got)
	}
}

// lookupStage is a let+pipeline $lookup on mongo's lookup_let.products
// without localField: no equality part to query by.
func lookupPipeline(pipeline string) string {
	return `[{"$source": {"connectionName": "mongo", "topic": "events"}},
	  {"$lookup": {"from": {"connectionName": "mongo", "db": "lookup_let", "coll": "products"},
	    "let": {"active": "$active", "label": "$label"}, "as": "m", "pipeline": ` + pipeline + `}}]`
}

// writeJSONL writes docs as canonical Extended JSON lines.
func writeJSONL(t *testing.T, path string, docs ...bson.D) {
	t.Helper()
	var b []byte
	for _, doc := range docs {
		line, err := bson.MarshalExtJSON(doc, true, false)
		if err != nil {
			t.Fatal(err)
		}
		b = append(append(b, line...), '\n')
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// outputs are documents without _stream_meta and _ts (the processing
// time: the file source's messages have no time of their own), as
// Extended JSON, in order.
func outputs(t *testing.T, docs []bson.D) []string {
	t.Helper()
	var out []string
	for _, doc := range docs {
		doc = slices.DeleteFunc(slices.Clone(doc), func(e bson.E) bool { return e.Key == "_stream_meta" || e.Key == "_ts" })
		b, err := bson.MarshalExtJSON(doc, false, false)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// TestRuntimeLookupLetPipelineWithoutEquality: a let+pipeline $lookup
// whose pipeline has no equality join runs on FerretDB once per distinct
// set of let values in a batch (not once per document), with the values
// written into the pipeline, and answers as the reference runner does
// over the same data in files. FerretDB v1 has no $expr operators, so the
// correlated $match here is $expr on a variable alone; the mock test
// below shows a comparison's.
func TestRuntimeLookupLetPipelineWithoutEquality(t *testing.T) {
	var mu sync.Mutex
	aggs := 0
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if e.CommandName == "aggregate" {
			mu.Lock()
			aggs++
			mu.Unlock()
		}
	}}
	c, err := mongodb.Connect(t.Context(), mongodb.Config{Name: "mongo", URI: mongodb.FerretURI(), Monitor: mon})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	db := c.Mongo().Database("lookup_let")
	if err := db.Drop(t.Context()); err != nil {
		t.Fatal(err)
	}
	products := []bson.D{
		d("_id", int32(1), "name", "pen", "stock", int32(5)),
		d("_id", int32(2), "name", "ink", "stock", int32(0)),
		d("_id", int32(3), "name", "pad", "stock", int32(2)),
	}
	for _, p := range products {
		if _, err := db.Collection("products").InsertOne(t.Context(), p); err != nil {
			t.Fatal(err)
		}
	}
	events := []bson.D{
		d("n", int32(1), "active", true, "label", "a"),
		d("n", int32(2), "active", false, "label", "a"),
		d("n", int32(3), "active", true, "label", "a"),
		d("n", int32(4), "active", true, "label", "b"),
		d("n", int32(5), "active", false, "label", "a"),
		// (A missing value is written as $$REMOVE, which FerretDB v1
		// lacks: null here.)
		d("n", int32(6), "active", nil, "label", "a"),
	}
	dir := t.TempDir()
	files := connectors.File{Dir: dir}
	writeJSONL(t, files.StreamPath("events"), events...)
	writeJSONL(t, files.CollectionPath("lookup_let", "products"), products...)

	run := func(t *testing.T, pipeline string) []bson.D {
		p, _, err := mql.Decode([]byte(pipeline))
		if err != nil {
			t.Fatal(err)
		}
		src, err := files.OpenStreams([]string{"events"})
		if err != nil {
			t.Fatal(err)
		}
		out := &memSink{}
		pr, err := exec.Build(p, exec.BuildEnv{Sources: map[string]connectors.Source{"mongo": src}, Output: out,
			Lookups: map[mql.Namespace]connectors.Lookup{{ConnectionName: "mongo", DB: "lookup_let", Coll: "products"}: mongodb.NewLookup(c, "lookup_let", "products")}})
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		aggs = 0
		mu.Unlock()
		if err := pr.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		return out.docs
	}

	t.Run("against the reference runner", func(t *testing.T) {
		pipeline := lookupPipeline(`[{"$match": {"$expr": "$$active"}}, {"$match": {"stock": {"$gt": 0}}}, {"$sort": {"_id": 1}}]`)
		got := run(t, pipeline)
		// true, false and null with label a, true with label b: four
		// distinct sets of let values for six documents (label is unused
		// here, but bound: it splits the sets too).
		if aggs != 4 {
			t.Errorf("%d aggregates for a batch of 6 documents with 4 distinct let values, want 4", aggs)
		}
		p, _, err := mql.Decode([]byte(pipeline))
		if err != nil {
			t.Fatal(err)
		}
		ref, err := (&exec.Reference{Conns: map[string]connectors.File{"mongo": files}}).Run(p)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := outputs(t, got), outputs(t, ref.Stdout); !slices.Equal(g, w) {
			t.Errorf("the runtime on FerretDB wrote\n%s\nthe reference runner\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
		}
		if g := outputs(t, got); len(g) != 6 || !strings.Contains(g[0], `"m":[{"_id":1,"name":"pen","stock":5},{"_id":3,"name":"pad","stock":2}]`) || !strings.Contains(g[1], `"m":[]`) {
			t.Errorf("wrote %v", g)
		}
	})

	t.Run("variables in other stages", func(t *testing.T) {
		got := outputs(t, run(t, lookupPipeline(`[{"$match": {"$expr": "$$active"}}, {"$sort": {"_id": -1}}, {"$limit": 1}, {"$set": {"for": "$$label"}}, {"$project": {"_id": 0, "name": 1, "for": 1}}]`)))
		want := []string{
			`{"n":1,"active":true,"label":"a","m":[{"name":"pad","for":"a"}]}`,
			`{"n":2,"active":false,"label":"a","m":[]}`,
			`{"n":3,"active":true,"label":"a","m":[{"name":"pad","for":"a"}]}`,
			`{"n":4,"active":true,"label":"b","m":[{"name":"pad","for":"b"}]}`,
			`{"n":5,"active":false,"label":"a","m":[]}`,
			`{"n":6,"active":null,"label":"a","m":[]}`,
		}
		if !slices.Equal(got, want) {
			t.Errorf("wrote\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestRuntimeLookupLetPipelineMock: the headline case, a comparison with a
// let variable ($expr $gt, which FerretDB v1 lacks), on the mock server:
// one aggregate per distinct value in the batch, each with the value in
// place of $$min, and each document gets its value's answer.
func TestRuntimeLookupLetPipelineMock(t *testing.T) {
	ms := mongodb.NewMockServer(t, "mongo",
		mongodb.CursorReply(0, "shop.products", "firstBatch", nil, d("_id", int32(2), "price", int32(15)), d("_id", int32(3), "price", int32(25))),
		mongodb.CursorReply(0, "shop.products", "firstBatch", nil, d("_id", int32(3), "price", int32(25))),
		mongodb.CursorReply(0, "shop.products", "firstBatch", nil),
	)
	src := &sliceSource{docs: []bson.D{
		d("n", int32(1), "min", int32(10)), d("n", int32(2), "min", int32(20)),
		d("n", int32(3), "min", int32(10)), d("n", int32(4), "min", "$x"),
	}}
	p, _, err := mql.Decode([]byte(`[{"$source": {"connectionName": "mongo", "topic": "in"}},
	  {"$lookup": {"from": {"connectionName": "mongo", "db": "shop", "coll": "products"}, "let": {"min": "$min"}, "as": "m",
	    "pipeline": [{"$match": {"$expr": {"$gt": ["$price", "$$min"]}}}, {"$match": {"note": "$$min"}}]}},
	  {"$project": {"_id": 0, "n": 1, "m": "$m._id"}}]`))
	if err != nil {
		t.Fatal(err)
	}
	out := &memSink{}
	pr, err := exec.Build(p, exec.BuildEnv{Sources: map[string]connectors.Source{"mongo": src}, Output: out,
		Lookups: map[mql.Namespace]connectors.Lookup{{ConnectionName: "mongo", DB: "shop", Coll: "products"}: mongodb.NewLookup(ms.Client, "shop", "products")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := pr.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := outputs(t, out.docs), []string{`{"n":1,"m":[2,3]}`, `{"n":2,"m":[3]}`, `{"n":3,"m":[2,3]}`, `{"n":4,"m":[]}`}; !slices.Equal(got, want) {
		t.Errorf("wrote %v, want %v", got, want)
	}
	var sent []string
	for _, a := range ms.Commands("aggregate") {
		sent = append(sent, a.Lookup("pipeline").String())
	}
	want := []string{
		// The query's "$$min" is a string, not the variable: kept.
		`[{"$match": {"$expr": {"$gt": ["$price",{"$numberInt":"10"}]}}},{"$match": {"note": "$$min"}}]`,
		`[{"$match": {"$expr": {"$gt": ["$price",{"$numberInt":"20"}]}}},{"$match": {"note": "$$min"}}]`,
		`[{"$match": {"$expr": {"$gt": ["$price",{"$literal": "$x"}]}}},{"$match": {"note": "$$min"}}]`,
	}
	if !slices.Equal(sent, want) {
		t.Errorf("aggregates sent\n%s\nwant one per distinct value\n%s", strings.Join(sent, "\n"), strings.Join(want, "\n"))
	}
}

// sliceSource is a bounded source of documents, one Read.
type sliceSource struct {
	docs []bson.D
	done bool
}

func (s *sliceSource) Read(context.Context) ([]connectors.Message, error) {
	if s.done {
		return nil, io.EOF
	}
	s.done = true
	var msgs []connectors.Message
	for i, doc := range s.docs {
		b, err := bson.Marshal(doc)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, connectors.Message{Value: b, Format: connectors.BSON, Time: time.Unix(int64(i), 0),
			Position: connectors.Position{Topic: "in", Offset: int64(i)}})
	}
	return msgs, nil
}
func (s *sliceSource) Commit(context.Context, []connectors.Position) error { return nil }
func (s *sliceSource) Close() error                                        { return nil }

// wantStartAfter checks that the restart's resume (the second aggregate
// the server got, after the stream opened at start) sent
// $changeStream: {startAfter: {_data: token}}. The driver may try a
// resume of its own when the stop cancels the last getMore: aggregates
// after the second are that.
func wantStartAfter(t *testing.T, ms *mongodb.MockServer, token string) {
	t.Helper()
	aggs := ms.Commands("aggregate")
	if len(aggs) < 2 {
		t.Fatalf("%d aggregates after the restart (%v), want the first open's and the resume's", len(aggs), ms.Names())
	}
	vals, _ := aggs[1].Lookup("pipeline").Array().Values()
	cs := vals[0].Document().Lookup("$changeStream").Document()
	want, _ := bson.Marshal(d("startAfter", d("_data", token)))
	if !slices.Equal([]byte(cs), want) {
		t.Errorf("the resume's $changeStream is %s, want %s: startAfter the saved token", cs, bson.Raw(want))
	}
}
