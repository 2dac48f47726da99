package exec

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

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
			`[{"$set": {"x": {"$literal": "$x"}, "y": {"$literal": "$$min"}, "z": 1, "w": "$$REMOVE", "v": {"$literal": {"k": "v"}}, "u": {"$literal": {"a": 1, "b": ["$y"]}}, "r": "$$ROOT"}}]`},
		{`[{"$project": {"m": "$$min", "n": {"$add": ["$$min", 1]}}}]`, `[{"$project": {"m": {"$literal": 10}, "n": {"$add": [10, 1]}}}]`},
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

// TestLookupBindPlaces: where a value lands decides how it is written. A
// document in a field of $set/$addFields would be a nested specification
// there (merged into the field's existing document: {$set: {a: {b: 1}}}
// keeps a's other fields on MongoDB), and in $project a nested projection
// ({k: 1} includes a.k): both go in as $literal; inside an operator it is
// an expression object, which reads back as itself. An array as an
// operator's whole operand is $literal. Paths of $unwind and names of
// $count are not expressions: left alone.
func TestLookupBindPlaces(t *testing.T) {
	vars := map[string]any{"doc": bson.D{{Key: "k", Value: int32(1)}}, "n": int64(2), "nul": nil, "arr": bson.A{int32(1), bson.D{{Key: "k", Value: "v"}}}}
	for _, tc := range []struct{ in, want string }{
		{`[{"$set": {"a": "$$doc", "b": {"c": "$$doc"}, "e": {"$mergeObjects": ["$$doc", {"x": 1}]}, "f": ["$$doc"], "g": "$$arr", "h": "$$n"}}]`,
			`[{"$set": {"a": {"$literal": {"k": 1}}, "b": {"c": {"$literal": {"k": 1}}}, "e": {"$mergeObjects": [{"k": 1}, {"x": 1}]}, "f": [{"k": 1}], "g": [1, {"k": "v"}], "h": {"$numberLong": "2"}}}]`},
		{`[{"$addFields": {"a": "$$doc"}}]`, `[{"$addFields": {"a": {"$literal": {"k": 1}}}}]`},
		{`[{"$project": {"a": "$$doc", "b": "$$n", "c": {"$add": ["$$n", 1]}, "d": "$$nul", "e": "$$doc.k"}}]`,
			`[{"$project": {"a": {"$literal": {"k": 1}}, "b": {"$literal": {"$numberLong": "2"}}, "c": {"$add": [{"$numberLong": "2"}, 1]}, "d": null, "e": {"$literal": 1}}}]`},
		{`[{"$replaceWith": "$$doc"}, {"$replaceRoot": {"newRoot": "$$doc"}}, {"$group": {"_id": "$$doc", "n": {"$sum": "$$n"}}}]`,
			`[{"$replaceWith": {"k": 1}}, {"$replaceRoot": {"newRoot": {"k": 1}}}, {"$group": {"_id": {"k": 1}, "n": {"$sum": {"$numberLong": "2"}}}}]`},
		{`[{"$unwind": "$$doc"}, {"$count": "$$n"}]`, `[{"$unwind": "$$doc"}, {"$count": "$$n"}]`},
		// An array as an operator's whole operand would be its argument
		// list: {$size: [1, {k: "v"}]} has two arguments.
		{`[{"$set": {"s": {"$size": "$$arr"}, "c": {"$concatArrays": ["$$arr", "$$arr"]}, "d": {"$dateToString": {"date": "$$n"}}}}]`,
			`[{"$set": {"s": {"$size": {"$literal": [1, {"k": "v"}]}}, "c": {"$concatArrays": [[1, {"k": "v"}], [1, {"k": "v"}]]}, "d": {"$dateToString": {"date": {"$numberLong": "2"}}}}}]`},
	} {
		var doc, want bson.D
		if err := bson.UnmarshalExtJSON([]byte(`{"p": `+tc.in+`}`), false, &doc); err != nil {
			t.Fatal(err)
		}
		if err := bson.UnmarshalExtJSON([]byte(`{"p": `+tc.want+`}`), false, &want); err != nil {
			t.Fatal(err)
		}
		got := lookupBindPipeline(doc[0].Value.(bson.A), vars)
		g, _ := bson.MarshalExtJSON(bson.D{{Key: "p", Value: got}}, true, false)
		w, _ := bson.MarshalExtJSON(want, true, false)
		if string(g) != string(w) {
			t.Errorf("%s\ngot  %s\nwant %s", tc.in, g, w)
		}
	}
}

// stAggLookup is a target that runs pipelines, as a MongoDB collection
// does: here by the reference runner's code over docs, with no variables
// bound, so a $$variable the binding missed fails the run, and one it
// wrote wrongly gives another answer.
type stAggLookup struct {
	docs  []bson.D
	calls int
}

func (l *stAggLookup) Find(context.Context, string, []any) ([]bson.D, error) { return nil, nil }
func (l *stAggLookup) Close() error                                          { return nil }
func (l *stAggLookup) Aggregate(_ context.Context, pipeline bson.A) ([]bson.D, error) {
	l.calls++
	p, err := decodeSubPipeline(pipeline)
	if err != nil {
		return nil, fmt.Errorf("the bound pipeline %v doesn't decode: %w", pipeline, err)
	}
	x := (&stRuntime{proc: &mql.Processor{}, now: time.Now}).newRef()
	rows := make([]row, len(l.docs))
	for i, d := range l.docs {
		rows[i] = row{doc: d}
	}
	res, err := x.subPipeline(p, rows)
	if err != nil {
		return nil, err
	}
	if len(x.res.DLQ) > 0 {
		return nil, fmt.Errorf("the bound pipeline failed on a document: %v", x.res.DLQ[0])
	}
	out := make([]bson.D, len(res))
	for i, r := range res {
		out[i] = r.doc
	}
	return out, nil
}

// decodeSubPipeline decodes a's stages as a $lookup's pipeline whose let
// binds names.
func decodeSubPipeline(a bson.A, names ...string) (mql.Pipeline, error) {
	let := bson.D{}
	for _, n := range names {
		let = append(let, bson.E{Key: n, Value: "$" + n})
	}
	lookup := bson.D{{Key: "from", Value: bson.D{{Key: "connectionName", Value: "default"}, {Key: "db", Value: "d"}, {Key: "coll", Value: "c"}}},
		{Key: "let", Value: let}, {Key: "pipeline", Value: a}, {Key: "as", Value: "m"}}
	p, _, err := mql.DecodeValue(bson.A{
		bson.D{{Key: "$source", Value: bson.D{{Key: "connectionName", Value: "default"}, {Key: "topic", Value: "in"}}}},
		bson.D{{Key: "$lookup", Value: lookup}},
	})
	if err != nil {
		return nil, err
	}
	return p.Pipeline[1].(*mql.Lookup).Pipeline, nil
}

// stLetWrap is the oracle's pipeline: the variables bound by $let around
// each expression of the stages other than $match (whose query the
// reference runner evaluates with the variables in scope), so the
// evaluator's own scoping decides what each $$name means.
func stLetWrap(p bson.A, vars map[string]any) bson.A {
	let := bson.D{}
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		var v any = bson.D{{Key: "$literal", Value: vars[name]}}
		if IsMissing(vars[name]) {
			v = "$$REMOVE"
		}
		let = append(let, bson.E{Key: name, Value: v})
	}
	wrap := func(e any) any {
		return bson.D{{Key: "$let", Value: bson.D{{Key: "vars", Value: let}, {Key: "in", Value: e}}}}
	}
	out := bson.A{}
	for _, st := range p {
		d := st.(bson.D)
		name, body := d[0].Key, d[0].Value
		switch name {
		case "$set", "$addFields", "$project":
			nb := bson.D{}
			for _, e := range body.(bson.D) {
				if n, ok := e.Value.(int32); ok && name == "$project" && (n == 0 || n == 1) {
					nb = append(nb, e)
					continue
				}
				nb = append(nb, bson.E{Key: e.Key, Value: wrap(e.Value)})
			}
			body = nb
		case "$replaceWith":
			body = wrap(body)
		case "$group":
			nb := bson.D{}
			for _, e := range body.(bson.D) {
				if e.Key == "_id" {
					nb = append(nb, bson.E{Key: "_id", Value: wrap(e.Value)})
					continue
				}
				acc := e.Value.(bson.D)
				nb = append(nb, bson.E{Key: e.Key, Value: bson.D{{Key: acc[0].Key, Value: wrap(acc[0].Value)}}})
			}
			body = nb
		}
		out = append(out, bson.D{{Key: name, Value: body}})
	}
	return out
}

// TestLookupLetPipelineOnServerMatchesReference: over random documents and
// let values of every kind (numbers of each type equal as BSON, strings
// and documents that look like expressions, dotted and $ keys, null,
// missing, dates, ids, decimals), a let+pipeline $lookup run by a target
// that runs pipelines — each distinct set of let values's pipeline with
// the values written in — answers every row as the pipeline evaluated
// with the variables bound does.
func TestLookupLetPipelineOnServerMatchesReference(t *testing.T) {
	dec, _ := bson.ParseDecimal128("1")
	oid, _ := bson.ObjectIDFromHex("65a1b2c3d4e5f60718293a4b")
	values := []any{
		int32(1), int64(1), float64(1), dec, float64(2.5), int32(0), "x", "$x", "$$ROOT", "a.b", "", nil, Missing, true, false,
		bson.NewDateTimeFromTime(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)), oid,
		bson.D{{Key: "k", Value: int32(1)}}, bson.D{{Key: "k", Value: "$y"}}, bson.D{{Key: "$k", Value: int32(1)}},
		bson.D{{Key: "a.b", Value: int32(1)}}, bson.D{}, bson.A{int32(1), "$y"}, bson.A{}, bson.A{bson.D{{Key: "k", Value: int64(1)}}},
	}
	pipelines := []string{
		`[{"$match": {"$expr": {"$eq": ["$a", "$$v"]}}}]`,
		`[{"$match": {"$expr": {"$gte": ["$a", "$$v"]}}}, {"$sort": {"_id": -1}}, {"$limit": 3}]`,
		`[{"$match": {"a": "$$v"}}]`,
		`[{"$match": {"$or": [{"$expr": {"$eq": ["$k", "$$w"]}}, {"k": "$$w"}]}}]`,
		`[{"$set": {"out": "$$v", "o2": "$$v.k", "o3": {"$literal": "$$v"}, "o4": "$$CURRENT.a", "o5": "$$ROOT._id"}}]`,
		`[{"$project": {"_id": 1, "out": "$$v", "t": {"$type": "$$v"}, "w": "$$w"}}]`,
		`[{"$set": {"m": {"$map": {"input": "$xs", "as": "v", "in": ["$$v", "$$w"]}}, "f": {"$filter": {"input": "$xs", "cond": {"$eq": ["$$this", "$$v"]}}}}}]`,
		`[{"$set": {"l": {"$let": {"vars": {"v": "$$w", "z": "$$v"}, "in": ["$$v", "$$w", "$$z"]}}}}]`,
		`[{"$set": {"r": {"$reduce": {"input": "$xs", "initialValue": ["$$v"], "in": {"$concatArrays": ["$$value", ["$$this", "$$w"]]}}}}}]`,
		`[{"$group": {"_id": "$$v", "n": {"$sum": 1}, "p": {"$push": "$$w"}}}]`,
		`[{"$replaceWith": {"$mergeObjects": ["$$ROOT", {"v": "$$v", "w": "$$w"}]}}]`,
		`[{"$set": {"eq": {"$eq": ["$$v", "$$w"]}, "arr": ["$$v", "$$w"], "obj": {"x": "$$v", "y": ["$$w"]}, "c": {"$cond": ["$$v", "yes", "no"]}}}]`,
	}
	rng := rand.New(rand.NewPCG(7, 11))
	pick := func() any { return values[rng.IntN(len(values))] }
	doc := func(kv ...any) bson.D {
		var d bson.D
		for i := 0; i < len(kv); i += 2 {
			if !IsMissing(kv[i+1]) {
				d = append(d, bson.E{Key: kv[i].(string), Value: kv[i+1]})
			}
		}
		return d
	}
	for round := range 6 {
		var foreign []bson.D
		for i := range 8 {
			foreign = append(foreign, doc("_id", int32(i), "a", pick(), "k", pick(), "xs", bson.A{pick(), pick()}))
		}
		var rows []bson.D
		for i := range 12 {
			rows = append(rows, doc("n", int32(i), "v", pick(), "w", pick()))
		}
		for _, pipeline := range pipelines {
			var pd bson.D
			if err := bson.UnmarshalExtJSON([]byte(`{"p": `+pipeline+`}`), false, &pd); err != nil {
				t.Fatal(err)
			}
			p, _, err := mql.Decode([]byte(`[{"$source": {"connectionName": "default", "topic": "in"}},
			  {"$lookup": {"from": {"connectionName": "default", "db": "d", "coll": "c"}, "let": {"v": "$v", "w": "$w"}, "pipeline": ` + pipeline + `, "as": "m"}}]`))
			if err != nil {
				t.Fatal(err)
			}
			var msgs []connectors.Message
			for i, r := range rows {
				b, err := bson.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				msgs = append(msgs, connectors.Message{Value: b, Format: connectors.BSON, Time: time.Unix(int64(i), 0), Position: connectors.Position{Topic: "in", Offset: int64(i)}})
			}
			target := &stAggLookup{docs: foreign}
			out, dlq := &stMemSink{}, &stMemSink{}
			pr, err := Build(p, BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(msgs, len(msgs), false)}, Output: out, DLQ: dlq,
				Lookups: map[mql.Namespace]connectors.Lookup{{ConnectionName: "default", DB: "d", Coll: "c"}: target}})
			if err != nil {
				t.Fatal(err)
			}
			if err := pr.Run(context.Background()); err != nil {
				t.Fatalf("round %d %s: %v", round, pipeline, err)
			}
			distinct := map[string]bool{}
			for i, r := range rows {
				vars := map[string]any{"v": getPath(r, "v"), "w": getPath(r, "w")}
				distinct[string(lookupVarKey(lookupVarKey(nil, vars["v"]), vars["w"]))] = true
				op, err := decodeSubPipeline(stLetWrap(pd[0].Value.(bson.A), vars), "v", "w")
				if err != nil {
					t.Fatal(err)
				}
				x := (&stRuntime{proc: &mql.Processor{}, now: time.Now}).newRef()
				sub := make([]row, len(foreign))
				for j, d := range foreign {
					sub[j] = row{doc: d, vars: vars}
				}
				res, err := x.subPipeline(op, sub)
				if err != nil {
					t.Fatal(err)
				}
				want := bson.A{}
				for _, rr := range res {
					want = append(want, rr.doc)
				}
				if i >= len(out.written) {
					t.Fatalf("round %d %s: %d rows out of %d (dead letters %v)", round, pipeline, len(out.written), len(rows), dlq.written)
				}
				got := getPath(out.written[i].Doc, "m")
				g, _ := bson.MarshalExtJSON(bson.D{{Key: "m", Value: got}}, true, false)
				w, _ := bson.MarshalExtJSON(bson.D{{Key: "m", Value: want}}, true, false)
				if string(g) != string(w) {
					t.Errorf("round %d %s\nlet v=%v w=%v\nserver: %s\nwant:   %s", round, pipeline, vars["v"], vars["w"], g, w)
				}
			}
			if target.calls != len(distinct) {
				t.Errorf("%s: %d aggregates for %d distinct let values", pipeline, target.calls, len(distinct))
			}
		}
	}
}
