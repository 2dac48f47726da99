package conformance

import (
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// LookupHarness is what RunLookup needs of a connector.
type LookupHarness struct {
	// Create makes a new collection holding docs and returns its db and
	// coll.
	Create func(t *testing.T, docs []bson.D) (db, coll string)
	// Open opens a lookup into db.coll. The suite closes it.
	Open func(t *testing.T, db, coll string) connectors.Lookup
	// Queries, when set, counts the queries sent to the server so far, so
	// the suite can check that a Find is one query, not one per value.
	Queries func() int
}

// lookupDocs is the foreign collection: scalar keys, a null one, a
// missing one, an array one, and the same number as int32, int64 and
// double.
var lookupDocs = []bson.D{
	{{Key: "_id", Value: int32(1)}, {Key: "k", Value: "a"}},
	{{Key: "_id", Value: int32(2)}, {Key: "k", Value: "b"}},
	{{Key: "_id", Value: int32(3)}, {Key: "k", Value: nil}},
	{{Key: "_id", Value: int32(4)}, {Key: "other", Value: "x"}},
	{{Key: "_id", Value: int32(5)}, {Key: "k", Value: bson.A{"a", "c"}}},
	{{Key: "_id", Value: int32(6)}, {Key: "k", Value: int32(7)}},
	{{Key: "_id", Value: int32(7)}, {Key: "k", Value: int64(7)}},
	{{Key: "_id", Value: int32(8)}, {Key: "k", Value: 7.0}},
	{{Key: "_id", Value: int32(9)}, {Key: "k", Value: "d"}, {Key: "nested", Value: bson.D{{Key: "k", Value: "n1"}}}},
}

// RunLookup runs the Lookup contract against h.
func RunLookup(t *testing.T, h LookupHarness) {
	db, coll := h.Create(t, lookupDocs)
	l := h.Open(t, db, coll)
	t.Cleanup(func() { l.Close() })
	for _, tc := range []struct {
		name   string
		field  string
		values []any
		want   []int // _ids
	}{
		{"SeveralValues", "k", []any{"a", "b", "zzz"}, []int{1, 2, 5}},
		{"NullMatchesNullAndMissing", "k", []any{nil}, []int{3, 4}},
		{"ArrayFieldMatchesByElement", "k", []any{"c"}, []int{5}},
		{"NumbersAcrossTypes", "k", []any{int64(7)}, []int{6, 7, 8}},
		{"DuplicateValues", "k", []any{"b", "b", "d"}, []int{2, 9}},
		{"DottedPath", "nested.k", []any{"n1"}, []int{9}},
		{"NoMatch", "k", []any{"zzz"}, nil},
		{"NoValues", "k", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := 0
			if h.Queries != nil {
				before = h.Queries()
			}
			got, err := l.Find(ctxFor(t), tc.field, tc.values)
			if err != nil {
				t.Fatalf("Find(%s, %v): %v", tc.field, tc.values, err)
			}
			var ids []int
			for _, d := range got {
				v, _ := get(d, "_id")
				id, _ := asInt(v)
				ids = append(ids, id)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tc.want) {
				var docs []string
				for _, d := range got {
					docs = append(docs, ejson(d))
				}
				t.Errorf("Find(%s, %v) found _ids %v, want %v:\n  %s", tc.field, tc.values, ids, tc.want, strings.Join(docs, "\n  "))
			}
			if h.Queries == nil {
				return
			}
			want := 1
			if len(tc.values) == 0 {
				want = 0 // nothing to look up: no query
			}
			if n := h.Queries() - before; n > want {
				t.Errorf("Find with %d values sent %d queries, want %d: one per batch, not one per value", len(tc.values), n, want)
			}
		})
	}
}
