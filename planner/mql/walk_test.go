package mql

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWalkExpr(t *testing.T) {
	e, err := ParseExpr(mustJSON(t, `{"a": {"$add": ["$x", {"$multiply": ["$y", 2]}]}, "b": ["$z"]}`), "")
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	WalkExpr(e, func(e Expr) bool {
		switch x := e.(type) {
		case Call:
			seen = append(seen, x.Op)
			// Skipping $multiply's children hides $y.
			return x.Op != "$multiply"
		case FieldPath:
			seen = append(seen, x.Path)
		}
		return true
	})
	want := []string{"$add", "x", "$multiply", "z"}
	if d := cmp.Diff(want, seen); d != "" {
		t.Errorf("WalkExpr order (-want +got):\n%s", d)
	}
}

func TestExprPaths(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`{"$add": ["$a", "$b.c", "$a"]}`, []string{"a", "b.c"}},
		{`{"x": "$$ROOT.x.y", "y": "$$CURRENT.z"}`, []string{"x.y", "z"}},
		{`{"$mergeObjects": ["$$ROOT", {"n": "$n"}]}`, []string{"", "n"}},
		// $$this reads the array's elements, not the document.
		{`{"$map": {"input": "$items", "as": "i", "in": {"$multiply": ["$$i.price", "$rate"]}}}`, []string{"items", "rate"}},
		{`{"$getField": "price"}`, []string{"price"}},
		// A field name with a dot can't be a path: the whole document is read.
		{`{"$getField": "a.b"}`, []string{""}},
		{`{"$getField": {"field": "a", "input": "$sub"}}`, []string{"sub"}},
		{`{"$meta": "stream.window.start"}`, nil},
		{`{"$literal": "$a"}`, nil},
	}
	for _, tt := range tests {
		e, err := ParseExpr(mustJSON(t, tt.in), "")
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if d := cmp.Diff(tt.want, ExprPaths(e)); d != "" {
			t.Errorf("ExprPaths(%s) (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestQueryPaths(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`{"amount": {"$gt": 1000}, "status": "A"}`, []string{"amount", "status"}},
		{`{"$or": [{"a": 1}, {"b.c": 2}], "a": 3}`, []string{"a", "b.c"}},
		{`{"$expr": {"$gt": ["$spent", "$budget"]}, "spent": {"$exists": true}}`, []string{"spent", "budget"}},
		{`{"results": {"$elemMatch": {"product": "xyz"}}}`, []string{"results"}},
		{`{"$jsonSchema": {"required": ["a"]}}`, []string{""}},
		{`{"instock.0.qty": {"$lte": 20}}`, []string{"instock.0.qty"}},
	}
	for _, tt := range tests {
		q, err := ParseQuery(mustJSON(t, tt.in), "")
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if d := cmp.Diff(tt.want, QueryPaths(q)); d != "" {
			t.Errorf("QueryPaths(%s) (-want +got):\n%s", tt.in, d)
		}
	}
}
