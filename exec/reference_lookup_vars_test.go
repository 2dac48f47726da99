package exec

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// A $lookup's let variables are in scope in every stage of its pipeline,
// not only in $match (MongoDB's rule), also after a $group; a row whose
// let fails to evaluate goes to the DLQ and is not emitted.
func TestLookupLetVariablesInEveryStage(t *testing.T) {
	p, _, err := mql.Decode([]byte(`[
	  {"$source": {"documents": [{"v": 10}, {"v": 0}]}},
	  {"$lookup": {
	    "let": {"m": "$v", "q": {"$divide": [100, "$v"]}},
	    "pipeline": [
	      {"$documents": [{"a": 1}, {"a": 2}]},
	      {"$set": {"b": {"$add": ["$a", "$$m"]}}},
	      {"$project": {"_id": 0, "a": 1, "b": 1, "q": "$$q"}},
	      {"$group": {"_id": null, "n": {"$sum": "$b"}}},
	      {"$project": {"_id": 0, "n": 1, "m": "$$m"}}
	    ],
	    "as": "r"}},
	  {"$project": {"_id": 0, "v": 1, "r": 1}}]`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&Reference{}).Run(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stdout) != 1 {
		t.Fatalf("output %v (a failed let must not emit its row)", res.Stdout)
	}
	got, err := bson.MarshalExtJSON(res.Stdout[0], false, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"v":10,"r":[{"n":23,"m":10}],"_stream_meta":{"source":{"type":"generated"}}}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if len(res.DLQ) != 1 {
		t.Fatalf("dead letters %v", res.DLQ)
	}
}
