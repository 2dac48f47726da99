package mql

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestParseQueryTree(t *testing.T) {
	tests := []struct {
		in   string
		want *Query
	}{
		{`{"status": "A"}`, &Query{Clauses: []Clause{
			FieldClause{Path: "status", Conds: []Cond{{Op: "$eq", Value: "A"}}, Implicit: true}}}},
		// {f: null} is implicit equality with null; the evaluator matches
		// missing fields too (§9).
		{`{"f": null}`, &Query{Clauses: []Clause{
			FieldClause{Path: "f", Conds: []Cond{{Op: "$eq", Value: nil}}, Implicit: true}}}},
		// An exact array and an exact document stay values.
		{`{"tags": ["red", "blank"]}`, &Query{Clauses: []Clause{
			FieldClause{Path: "tags", Conds: []Cond{{Op: "$eq", Value: bson.A{"red", "blank"}}}, Implicit: true}}}},
		{`{"size": {"h": 14, "w": 21}}`, &Query{Clauses: []Clause{
			FieldClause{Path: "size", Conds: []Cond{{Op: "$eq", Value: bson.D{{Key: "h", Value: int32(14)}, {Key: "w", Value: int32(21)}}}}, Implicit: true}}}},
		{`{"dim": {"$gt": 15, "$lt": 20}}`, &Query{Clauses: []Clause{
			FieldClause{Path: "dim", Conds: []Cond{{Op: "$gt", Value: int32(15)}, {Op: "$lt", Value: int32(20)}}}}}},
		{`{"f": {"$exists": 0}}`, &Query{Clauses: []Clause{
			FieldClause{Path: "f", Conds: []Cond{{Op: "$exists", Value: false}}}}}},
		// $regex with $options and a regular expression value both give a
		// bson.Regex.
		{`{"name": {"$regex": "^a", "$options": "i"}}`, &Query{Clauses: []Clause{
			FieldClause{Path: "name", Conds: []Cond{{Op: "$regex", Value: bson.Regex{Pattern: "^a", Options: "i"}}}}}}},
		{`{"name": {"$options": "i", "$regex": "^a"}}`, &Query{Clauses: []Clause{
			FieldClause{Path: "name", Conds: []Cond{{Op: "$regex", Value: bson.Regex{Pattern: "^a", Options: "i"}}}}}}},
		{`{"name": {"$regularExpression": {"pattern": "^a", "options": "i"}}}`, &Query{Clauses: []Clause{
			FieldClause{Path: "name", Conds: []Cond{{Op: "$regex", Value: bson.Regex{Pattern: "^a", Options: "i"}}}, Implicit: true}}}},
		{`{"name": {"$not": {"$regularExpression": {"pattern": "^a", "options": ""}}}}`, &Query{Clauses: []Clause{
			FieldClause{Path: "name", Conds: []Cond{{Op: "$not", Conds: []Cond{{Op: "$regex", Value: bson.Regex{Pattern: "^a"}}}}}}}}},
		{`{"price": {"$not": {"$gt": 1.99}}}`, &Query{Clauses: []Clause{
			FieldClause{Path: "price", Conds: []Cond{{Op: "$not", Conds: []Cond{{Op: "$gt", Value: 1.99}}}}}}}},
		{`{"results": {"$elemMatch": {"product": "xyz", "score": {"$gte": 8}}}}`, &Query{Clauses: []Clause{
			FieldClause{Path: "results", Conds: []Cond{{Op: "$elemMatch", Query: &Query{Clauses: []Clause{
				FieldClause{Path: "product", Conds: []Cond{{Op: "$eq", Value: "xyz"}}, Implicit: true},
				FieldClause{Path: "score", Conds: []Cond{{Op: "$gte", Value: int32(8)}}},
			}}}}}}}},
		{`{"results": {"$elemMatch": {"$gte": 80, "$lt": 85}}}`, &Query{Clauses: []Clause{
			FieldClause{Path: "results", Conds: []Cond{{Op: "$elemMatch", Conds: []Cond{{Op: "$gte", Value: int32(80)}, {Op: "$lt", Value: int32(85)}}}}}}}},
		{`{"$or": [{"a": 1}, {"b": {"$lt": 2}}], "$comment": "why"}`, &Query{Comment: "why", Clauses: []Clause{
			Logical{Op: "$or", Queries: []*Query{
				{Clauses: []Clause{FieldClause{Path: "a", Conds: []Cond{{Op: "$eq", Value: int32(1)}}, Implicit: true}}},
				{Clauses: []Clause{FieldClause{Path: "b", Conds: []Cond{{Op: "$lt", Value: int32(2)}}}}},
			}}}}},
		{`{"$expr": {"$gt": ["$spent", "$budget"]}}`, &Query{Clauses: []Clause{
			ExprClause{Expr: Call{Op: "$gt", Args: []Expr{FieldPath{Path: "spent"}, FieldPath{Path: "budget"}}}}}}},
		{`{"$jsonSchema": {"required": ["a"]}}`, &Query{Clauses: []Clause{
			SchemaClause{Schema: bson.D{{Key: "required", Value: bson.A{"a"}}}}}}},
		{`{}`, &Query{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseQuery(mustJSON(t, tt.in), "q")
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ParseQuery(%s) (-want +got):\n%s", tt.in, d)
			}
			back, err := ParseQuery(EncodeQuery(got), "q")
			if err != nil {
				t.Fatalf("ParseQuery(EncodeQuery(q)) of %s: %v", toJSON(t, EncodeQuery(got)), err)
			}
			if d := cmp.Diff(got, back); d != "" {
				t.Errorf("round trip through %s changed the query (-before +after):\n%s", toJSON(t, EncodeQuery(got)), d)
			}
		})
	}
}

func TestEncodeQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"status": "A", "qty": {"$lt": 30}}`, `{"status":"A","qty":{"$lt":30}}`},
		{`{"name": {"$options": "i", "$regex": "^a"}}`, `{"name":{"$regex":"^a","$options":"i"}}`},
		{`{"name": {"$regex": {"$regularExpression": {"pattern": "^a", "options": "m"}}}}`, `{"name":{"$regex":"^a","$options":"m"}}`},
		{`{"name": {"$regularExpression": {"pattern": "^a", "options": "i"}}}`, `{"name":{"$regularExpression":{"pattern":"^a","options":"i"}}}`},
		{`{"f": {"$exists": 1}}`, `{"f":{"$exists":true}}`},
		{`{"$comment": "c", "a": 1}`, `{"a":1,"$comment":"c"}`},
	}
	for _, tt := range tests {
		q, err := ParseQuery(mustJSON(t, tt.in), "")
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if got := toJSON(t, EncodeQuery(q)); got != tt.want {
			t.Errorf("EncodeQuery(ParseQuery(%s)) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"$where": "this.a > 1"}`, `q.$where: $where is not supported in stream processing`},
		{`{"$text": {"$search": "x"}}`, `q.$text: $text is not supported in stream processing`},
		{`{"loc": {"$near": [1, 2]}}`, `q.loc.$near: $near is not supported in stream processing`},
		{`{"loc": {"$nearSphere": [1, 2]}}`, `q.loc.$nearSphere: $nearSphere is not supported in stream processing`},
		{`{"a": {"$in": 1}}`, `q.a.$in: $in takes an array, found number 1`},
		{`{"a": {"$nin": {"x": 1}}}`, `q.a.$nin: $nin takes an array, found a document`},
		{`{"a": {"$in": [1, {"$gt": 2}]}}`, `q.a.$in[1]: $in takes values, found operator $gt`},
		{`{"a": {"$exists": "yes"}}`, `q.a.$exists: $exists takes true or false, found string "yes"`},
		{`{"a": {"$type": "integer"}}`, `q.a.$type: "integer" is not a BSON type name; did you mean "int"?`},
		{`{"a": {"$type": "strng"}}`, `q.a.$type: "strng" is not a BSON type name; did you mean "string"?`},
		{`{"a": {"$type": 42}}`, `q.a.$type: 42 is not a BSON type number; expected 1–19, -1 or 127`},
		{`{"a": {"$type": []}}`, `q.a.$type: $type takes a type or a non-empty array of types, found an empty array`},
		{`{"a": {"$regex": 5}}`, `q.a.$regex: $regex takes a string or a regular expression, found number 5`},
		{`{"a": {"$options": "i"}}`, `q.a.$options: $options needs a $regex`},
		{`{"a": {"$regex": "x", "$options": "q"}}`, `q.a.$options: "q" is not a regular expression flag; expected i, m, s, x or u`},
		{`{"a": {"$regex": {"$regularExpression": {"pattern": "x", "options": "i"}}, "$options": "m"}}`, `q.a.$options: options are set both in the $regex value and in $options`},
		{`{"a": {"$mod": [4]}}`, `q.a.$mod: $mod takes [divisor, remainder], found an array of 1 element`},
		{`{"a": {"$mod": [0, 1]}}`, `q.a.$mod[0]: $mod divisor is 0`},
		{`{"a": {"$size": -1}}`, `q.a.$size: $size takes a non-negative whole number, found number -1`},
		{`{"a": {"$size": 1.5}}`, `q.a.$size: $size takes a non-negative whole number, found number 1.5`},
		{`{"a": {"$all": "x"}}`, `q.a.$all: $all takes an array, found string "x"`},
		{`{"a": {"$not": 5}}`, `q.a.$not: $not takes a regular expression or a document of operators, found number 5`},
		{`{"a": {"$not": {"b": 1}}}`, `q.a.$not: $not takes a regular expression or a document of operators, found a document`},
		{`{"a": {"$gt": 1, "b": 2}}`, `q.a: document mixes query operators with field "b"; compare to a whole document with {$eq: {…}}`},
		{`{"a": {"$gte ": 1}}`, `q.a.$gte : unknown query operator $gte ; did you mean $gte?`},
		{`{"a": {"$and": [{"b": 1}]}}`, `q.a.$and: $and is a top-level query operator; it can't apply to a field`},
		{`{"$gt": 5}`, `q.$gt: $gt applies to a field: write {<field>: {$gt: …}}`},
		{`{"$ands": [{"b": 1}]}`, `q.$ands: unknown top-level query operator $ands; did you mean $and?`},
		{`{"$or": []}`, `q.$or: $or takes a non-empty array of queries, found an empty array`},
		{`{"$or": [{"a": 1}, 2]}`, `q.$or[1]: a query is a document, found number 2`},
		{`{"$expr": {"$gt": ["$a", "$$x"]}}`, `q.$expr.$gt[1]: undefined variable $$x`},
		{`{"a..b": 1}`, `q.a..b: field path "a..b" has an empty part`},
		{`{"a": {"$bitsAllSet": -1}}`, `q.a.$bitsAllSet: $bitsAllSet takes a non-negative whole-number mask, an array of bit positions or binData, found number -1`},
		{`{"a": {"$elemMatch": {"b": {"$foo": 1}}}}`, `q.a.$elemMatch.b.$foo: unknown query operator $foo`},
		{`"a"`, `q: a query is a document, found string "a"`},
	}
	for _, tt := range tests {
		_, err := ParseQuery(mustJSON(t, tt.in), "q")
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseQuery(%s) error\n got: %v\nwant: %s", tt.in, err, tt.want)
		}
	}
	if _, err := ParseQueryIn(mustJSON(t, `{"$expr": {"$eq": ["$k", "$$key"]}}`), "q", []string{"key"}); err != nil {
		t.Errorf("ParseQueryIn with key in scope: %v", err)
	}
}
