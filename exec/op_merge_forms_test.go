package exec

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// mergeFormsPipeline merges into sales.totals, which holds
// {_id: 1, n: 10, tag: "old"} and {_id: 2, n: 20}: _id 1 matches and goes
// through the whenMatched pipeline (n summed with $$new.n, tag removed, by
// from let's who); _id 3 does not match and the whenNotMatched expression
// discards it because its kind is "skip". mergeExprPipeline then has the
// whenMatched expression choose keepExisting for _id 2 and insert _id 4.
const mergeFormsPipeline = `{"name": "%s", "pipeline": [
	{"$source": {"documents": [
		{"_id": 1, "n": 5, "kind": "sum"},
		{"_id": 3, "n": 7, "kind": "skip"}]}},
	{"$merge": {"into": {"connectionName": "%s", "db": "sales", "coll": "totals"},
		"let": {"who": {"$concat": ["k-", "$kind"]}},
		"whenMatched": [
			{"$set": {"n": {"$add": ["$n", "$$new.n"]}, "by": "$$who"}},
			{"$unset": "tag"}],
		"whenNotMatched": {"$cond": [{"$eq": ["$kind", "skip"]}, "discard", "insert"]}}}]}`

const mergeExprPipeline = `{"name": "%s", "pipeline": [
	{"$source": {"documents": [
		{"_id": 2, "n": 99, "mode": "keepExisting"},
		{"_id": 4, "n": 4, "mode": "replace"}]}},
	{"$merge": {"into": {"connectionName": "%s", "db": "sales", "coll": "totals"},
		"whenMatched": "$mode",
		"whenNotMatched": {"$literal": "insert"}}}]}`

func mergeFormsRun(t *testing.T, e *Engine, conn, name, src string) {
	t.Helper()
	p, _, err := mql.Decode([]byte(fmt.Sprintf(src, name, conn)))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.CreateProcessor(p, false); err != nil {
		t.Fatal(err)
	}
	if err := e.StartProcessor(name); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, info := range e.Processors() {
			if info.Name != name || (info.State != StateStopped && info.State != StateFailed) {
				continue
			}
			if info.State == StateFailed || info.DLQ != 0 {
				t.Fatalf("%s: %+v", name, info)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never stopped: %+v", name, e.Processors())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var mergeFormsWant = []bson.D{
	{{Key: "_id", Value: int32(1)}, {Key: "n", Value: int32(15)}, {Key: "by", Value: "k-sum"}},
	{{Key: "_id", Value: int32(2)}, {Key: "n", Value: int32(20)}},
	{{Key: "_id", Value: int32(4)}, {Key: "n", Value: int32(4)}, {Key: "mode", Value: "replace"},
		{Key: "_stream_meta", Value: bson.D{{Key: "source", Value: bson.D{{Key: "type", Value: "generated"}}}}}},
}

func mergeFormsCheck(t *testing.T, got []bson.D) {
	t.Helper()
	if len(got) != len(mergeFormsWant) {
		t.Fatalf("got %v, want %v", got, mergeFormsWant)
	}
	for i := range got {
		// An inserted document carries its event time (_ts): the
		// processing time of a $source.documents without timeField.
		if ts, ok := getPath(got[i], "_ts").(bson.DateTime); ok && ts > 0 {
			got[i] = unsetPath(got[i], "_ts")
		}
		if !Equal(stNormalizeInts(got[i]), mergeFormsWant[i]) {
			t.Errorf("doc %d: got %v, want %v", i, got[i], mergeFormsWant[i])
		}
	}
}

// stNormalizeInts turns int64 back into int32 where it fits: the MongoDB
// wire may widen what the file keeps.
func stNormalizeInts(d bson.D) bson.D {
	out := make(bson.D, len(d))
	for i, e := range d {
		if v, ok := e.Value.(int64); ok && v == int64(int32(v)) {
			e.Value = int32(v)
		}
		out[i] = e
	}
	return out
}

// TestMergeWhenMatchedPipelineAndExpressionsFile runs the whenMatched
// pipeline and the action expressions through the engine into a file
// collection.
func TestMergeWhenMatchedPipelineAndExpressionsFile(t *testing.T) {
	data := t.TempDir()
	os.MkdirAll(filepath.Join(data, "sales"), 0o755)
	os.WriteFile(filepath.Join(data, "sales", "totals.jsonl"), []byte("{\"_id\": 1, \"n\": 10, \"tag\": \"old\"}\n{\"_id\": 2, \"n\": 20}\n"), 0o644)
	e, err := OpenEngine(EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.CreateConnection("f", "file", map[string]any{"dir": data}); err != nil {
		t.Fatal(err)
	}
	mergeFormsRun(t, e, "f", "pipe", mergeFormsPipeline)
	mergeFormsRun(t, e, "f", "expr", mergeExprPipeline)
	lines, err := connectors.File{Dir: data}.ReadCollection("sales", "totals")
	if err != nil {
		t.Fatal(err)
	}
	var got []bson.D
	for _, l := range lines {
		got = append(got, l.Doc)
	}
	mergeFormsCheck(t, got)
}

// TestMergeWhenMatchedPipelineAndExpressionsMongo runs the same against
// an in-process FerretDB: the connector reads the existing documents and
// writes what exec.MergeFuncs computed.
func TestMergeWhenMatchedPipelineAndExpressionsMongo(t *testing.T) {
	uri := stFerret(t)
	cl, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Disconnect(context.Background())
	coll := cl.Database("sales").Collection("totals")
	if _, err := coll.InsertMany(t.Context(), []any{bson.D{{Key: "_id", Value: int32(1)}, {Key: "n", Value: int32(10)}, {Key: "tag", Value: "old"}}, bson.D{{Key: "_id", Value: int32(2)}, {Key: "n", Value: int32(20)}}}); err != nil {
		t.Fatal(err)
	}
	e, err := OpenEngine(EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.CreateConnection("m", "mongodb", map[string]any{"uri": uri}); err != nil {
		t.Fatal(err)
	}
	mergeFormsRun(t, e, "m", "pipe", mergeFormsPipeline)
	mergeFormsRun(t, e, "m", "expr", mergeExprPipeline)
	cur, err := coll.Find(t.Context(), bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		t.Fatal(err)
	}
	var got []bson.D
	if err := cur.All(t.Context(), &got); err != nil {
		t.Fatal(err)
	}
	mergeFormsCheck(t, got)
}

// stFerret starts an in-process FerretDB on SQLite and returns its URI.
func stFerret(t *testing.T) string {
	t.Helper()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: "127.0.0.1:0"}, Handler: "sqlite",
		SQLiteURL: "file:" + t.TempDir() + "/", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	return f.MongoDBURI()
}
