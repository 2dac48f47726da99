package exec

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// TestLookupBindPipeline: let values replace the $$variables of a
// pipeline the server runs, in expressions only, not under $literal nor
// where an operator binds the same name; values that wouldn't read back
// as themselves go in as $literal, a missing one as $$REMOVE.
func TestLookupBindPipeline(t *testing.T) {
	vars := map[string]any{
		"min": int32(10), "s": "$x", "doc": bson.D{{Key: "a", Value: int32(1)}, {Key: "b", Value: bson.A{"$y"}}},
		"gone": Missing, "this": "outer", "plain": bson.D{{Key: "k", Value: "v"}},
	}
	for _, tc := range []struct{ in, want string }{
		{`[{"$match": {"$expr": {"$gt": ["$price", "$$min"]}}}]`, `[{"$match": {"$expr": {"$gt": ["$price", 10]}}}]`},
		{`[{"$match": {"a": "$$min", "$and": [{"$expr": "$$min"}, {"b": "$$min"}]}}]`, `[{"$match": {"a": "$$min", "$and": [{"$expr": 10}, {"b": "$$min"}]}}]`},
		{`[{"$set": {"x": "$$s", "y": {"$literal": "$$min"}, "z": "$$doc.a", "w": "$$gone", "v": "$$plain", "u": "$$doc", "r": "$$ROOT"}}]`,
			`[{"$set": {"x": {"$literal": "$x"}, "y": {"$literal": "$$min"}, "z": 1, "w": "$$REMOVE", "v": {"k": "v"}, "u": {"$literal": {"a": 1, "b": ["$y"]}}, "r": "$$ROOT"}}]`},
		{`[{"$project": {"m": "$$min", "n": {"$add": ["$$min", 1]}}}]`, `[{"$project": {"m": {"$literal": 10}, "n": {"$add": [{"$literal": 10}, 1]}}}]`},
		{`[{"$set": {"a": {"$map": {"input": "$$min", "as": "min", "in": {"$add": ["$$min", "$$this"]}}}}}]`,
			`[{"$set": {"a": {"$map": {"input": 10, "as": "min", "in": {"$add": ["$$min", "outer"]}}}}}]`},
		{`[{"$set": {"a": {"$filter": {"input": "$xs", "cond": {"$gt": ["$$this", "$$min"]}}}}}]`,
			`[{"$set": {"a": {"$filter": {"input": "$xs", "cond": {"$gt": ["$$this", 10]}}}}}]`},
		{`[{"$set": {"a": {"$let": {"vars": {"min": "$$min"}, "in": "$$min"}}}}]`, `[{"$set": {"a": {"$let": {"vars": {"min": 10}, "in": "$$min"}}}}]`},
		{`[{"$lookup": {"from": "c", "let": {"m": "$$min", "min": 1}, "pipeline": [{"$match": {"$expr": {"$eq": ["$$min", "$$s"]}}}], "as": "x"}}]`,
			`[{"$lookup": {"from": "c", "let": {"m": 10, "min": 1}, "pipeline": [{"$match": {"$expr": {"$eq": ["$$min", {"$literal": "$x"}]}}}], "as": "x"}}]`},
	} {
		var doc, want bson.D
		if err := bson.UnmarshalExtJSON([]byte(`{"p": `+tc.in+`}`), false, &doc); err != nil {
			t.Fatal(err)
		}
		if err := bson.UnmarshalExtJSON([]byte(`{"p": `+tc.want+`}`), false, &want); err != nil {
			t.Fatal(err)
		}
		got := lookupBindPipeline(doc[0].Value.(bson.A), vars)
		g, _ := bson.MarshalExtJSON(bson.D{{Key: "p", Value: got}}, false, false)
		w, _ := bson.MarshalExtJSON(want, false, false)
		if string(g) != string(w) {
			t.Errorf("%s\ngot  %s\nwant %s", tc.in, g, w)
		}
	}
}

// TestLookupNestedInPipelineRunHereIsRefused: a $lookup inside a pipeline
// weir runs itself over candidates would read nothing; Build says where
// it is and what to write instead.
func TestLookupNestedInPipelineRunHereIsRefused(t *testing.T) {
	for _, stage := range []string{
		`{"$lookup": {"from": {"connectionName": "default", "db": "d", "coll": "c"}, "localField": "c", "foreignField": "_id", "as": "m",
		    "pipeline": [{"$match": {"x": 1}}, {"$lookup": {"from": "other", "localField": "o", "foreignField": "_id", "as": "o"}}]}}`,
		`{"$lookup": {"from": {"connectionName": "default", "db": "d", "coll": "c"}, "let": {"c": "$c"}, "as": "m",
		    "pipeline": [{"$match": {"x": 1}}, {"$lookup": {"from": "other", "localField": "o", "foreignField": "_id", "as": "o"}}]}}`,
	} {
		p, _, err := mql.Decode([]byte(`[{"$source": {"connectionName": "default", "topic": "in"}}, ` + stage + `]`))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Build(p, BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(nil, 10, false)}, Output: &stMemSink{},
			Lookups: map[mql.Namespace]connectors.Lookup{{ConnectionName: "default", DB: "d", Coll: "c"}: &stAllLookup{}}})
		if err == nil || !strings.Contains(err.Error(), "pipeline[1].$lookup.pipeline[1].$lookup: a $lookup inside a $lookup's pipeline is not run here") {
			t.Errorf("got %v", err)
		}
	}
}

// stAllLookup is a lookup held in memory (All), as a file collection is.
type stAllLookup struct{ docs []bson.D }

func (l *stAllLookup) Find(context.Context, string, []any) ([]bson.D, error) { return nil, nil }
func (l *stAllLookup) All(context.Context) ([]bson.D, error)                 { return l.docs, nil }
func (l *stAllLookup) Close() error                                          { return nil }
