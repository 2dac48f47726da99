package exec

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// TestLookupCollectionless: without from, $documents computes each row's
// candidates from let's variables, and the rest of the pipeline runs on them.
func TestLookupCollectionless(t *testing.T) {
	msgs := []connectors.Message{
		stMsg("in", 0, 0, bson.D{{Key: "n", Value: int32(2)}}),
		stMsg("in", 0, 1, bson.D{{Key: "n", Value: int32(5)}}),
	}
	out := &stMemSink{}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}},
	  {"$lookup": {"let": {"n": "$n"}, "as": "m", "pipeline": [
	    {"$documents": [{"x": 1}, {"x": 3}, {"x": 4}]},
	    {"$match": {"$expr": {"$lt": ["$x", "$$n"]}}}]}},
	  {"$project": {"_stream_meta": 0}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(msgs, 10, false)}, Output: out})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := out.docs()
	want := []int{1, 3}
	if len(got) != 2 {
		t.Fatalf("got %v", got)
	}
	for i, d := range got {
		if a, _ := getPath(d, "m").(bson.A); len(a) != want[i] {
			t.Errorf("row %d: %v, want %d matches", i, d, want[i])
		}
	}
}

// TestLookupLetPipelineNeedsEqualityOnMongo: a let+pipeline $lookup
// against a target that can't be read whole is refused at Build, saying
// why and what to write instead.
func TestLookupLetPipelineNeedsEqualityOnMongo(t *testing.T) {
	p, _, err := mql.Decode([]byte(`[{"$source": {"connectionName": "default", "topic": "in"}},
	  {"$lookup": {"from": {"connectionName": "default", "db": "d", "coll": "c"}, "let": {"id": "$c"}, "as": "m",
	    "pipeline": [{"$match": {"$expr": {"$eq": ["$_id", "$$id"]}}}]}}]`))
	if err != nil {
		t.Fatal(err)
	}
	var l connectors.Lookup = &struct{ connectors.Lookup }{&stMemLookup{}}
	_, err = Build(p, BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(nil, 10, false)}, Output: &stMemSink{},
		Lookups: map[mql.Namespace]connectors.Lookup{{ConnectionName: "default", DB: "d", Coll: "c"}: l}})
	if err == nil || !strings.Contains(err.Error(), "no equality part") || !strings.Contains(err.Error(), "add localField and foreignField") {
		t.Errorf("got %v", err)
	}
}

// TestCachedLookupAsksOncePerValueWithinTTL: two batches with the same
// local values query the target once; the second is served by the cache.
func TestCachedLookupAsksOncePerValueWithinTTL(t *testing.T) {
	var msgs []connectors.Message
	for i := range 10 {
		msgs = append(msgs, stMsg("in", 0, int64(i), bson.D{{Key: "c", Value: int32(i % 2)}}))
	}
	lk := &stMemLookup{docs: []bson.D{{{Key: "_id", Value: int32(1)}, {Key: "n", Value: "one"}}}}
	out := &stMemSink{}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}},
	  {"$cachedLookup": {"from": {"connectionName": "default", "db": "d", "coll": "c"}, "localField": "c", "foreignField": "_id", "as": "m",
	    "ttl": {"size": 1, "unit": "hour"}, "maxMemUsageBytes": 1048576}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(msgs, 10, false)}, Output: out,
			Lookups: map[mql.Namespace]connectors.Lookup{{ConnectionName: "default", DB: "d", Coll: "c"}: lk}, BatchSize: 5})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if lk.calls != 1 {
		t.Errorf("Find called %d times for 2 batches of the same values, want 1", lk.calls)
	}
	matched := 0
	for _, d := range out.docs() {
		if a, _ := getPath(d, "m").(bson.A); len(a) == 1 {
			matched++
		}
	}
	if matched != 5 {
		t.Errorf("%d documents matched, want 5", matched)
	}
}

// TestKafkaMetaKeyAndHeaders: a Kafka record's key (binData by default)
// and headers ([{k, v}]) are readable with $meta.
func TestKafkaMetaKeyAndHeaders(t *testing.T) {
	m := stMsg("in", 0, 0, bson.D{{Key: "n", Value: int32(1)}})
	m.Key, m.Headers = []byte("k1"), []connectors.Header{{Key: "h", Value: []byte("v")}}
	out := &stMemSink{}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}},
	  {"$project": {"_id": 0, "key": {"$meta": "stream.source.key"}, "h": {"$meta": "stream.source.headers"}}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource([]connectors.Message{m}, 10, false)}, Output: out})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := out.docs()
	if len(got) != 1 {
		t.Fatalf("got %v", got)
	}
	if k, _ := getPath(got[0], "key").(bson.Binary); string(k.Data) != "k1" {
		t.Errorf("key: %v", got[0])
	}
	h, _ := getPath(got[0], "h").(bson.A)
	if len(h) != 1 || getPath(h[0].(bson.D), "k") != "h" {
		t.Errorf("headers: %v", got[0])
	}
}
