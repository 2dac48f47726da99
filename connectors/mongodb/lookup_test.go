package mongodb

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

func TestLookupOneFindPerBatch(t *testing.T) {
	var cmds commands
	c := connect(t, &cmds)
	coll := testDB(t, c).Collection("customers")
	insert(t, coll,
		d("_id", 1, "name", "ada", "tier", "gold"),
		d("_id", 2, "name", "bob", "tier", nil),
		d("_id", 3, "name", "cy"), // no tier
		d("_id", 4, "name", "di", "tier", "silver"),
		d("_id", 5, "name", "ed", "tier", bson.A{"gold", "vip"}),
	)
	l := NewLookup(c, coll.Database().Name(), "customers")

	cmds.reset()
	got, err := l.Find(t.Context(), "_id", []any{int32(1), int64(1), 1.0, int32(4), int32(4), bson.A{int32(2), int32(99)}})
	if err != nil {
		t.Fatal(err)
	}
	if n := cmds.count("find"); n != 1 {
		t.Errorf("%d finds for one batch, want 1", n)
	}
	want := []string{`{"_id":1,"name":"ada","tier":"gold"}`, `{"_id":2,"name":"bob","tier":null}`, `{"_id":4,"name":"di","tier":"silver"}`}
	if g := ejsons(t, got); !slices.Equal(g, want) {
		t.Errorf("Find = %v, want %v", g, want)
	}

	// null matches null and missing, as $lookup's localField does; an
	// array field matches by element.
	got, err = l.Find(t.Context(), "tier", []any{nil, "vip"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, doc := range got {
		n, _ := lookupPath(doc, "name")
		names = append(names, n.(string))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"bob", "cy", "ed"}) {
		t.Errorf("tier in [null, vip] found %v, want bob, cy, ed", names)
	}

	cmds.reset()
	if got, err := l.Find(t.Context(), "_id", nil); err != nil || len(got) != 0 || cmds.count("find") != 0 {
		t.Errorf("no values: %v, %v, %d finds; want nothing and no query", got, err, cmds.count("find"))
	}
}

func TestLookupFindPipeline(t *testing.T) {
	var cmds commands
	c := connect(t, &cmds)
	coll := testDB(t, c).Collection("orders")
	insert(t, coll,
		d("_id", 1, "cust", 1, "amount", 10),
		d("_id", 2, "cust", 1, "amount", 200),
		d("_id", 3, "cust", 2, "amount", 300),
		d("_id", 4, "cust", 3, "amount", 400),
	)
	l := NewLookup(c, coll.Database().Name(), "orders")
	cmds.reset()
	got, err := l.FindPipeline(t.Context(), "cust", []any{int32(1), int32(2)}, bson.A{
		d("$match", d("amount", d("$gt", 100))),
		d("$project", d("cust", 1)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := cmds.count("aggregate"); n != 1 {
		t.Errorf("%d aggregates, want 1", n)
	}
	want := []string{`{"_id":2,"cust":1}`, `{"_id":3,"cust":2}`}
	if g := ejsons(t, got); !slices.Equal(g, want) {
		t.Errorf("FindPipeline = %v, want %v", g, want)
	}
}

// countingLookup records what reaches the lookup behind a cache.
type countingLookup struct {
	connectors.Lookup
	asked [][]any
}

func (c *countingLookup) Find(ctx context.Context, field string, values []any) ([]bson.D, error) {
	c.asked = append(c.asked, values)
	return c.Lookup.Find(ctx, field, values)
}

func TestCachedLookupTTL(t *testing.T) {
	c := connect(t, nil)
	coll := testDB(t, c).Collection("customers")
	insert(t, coll, d("_id", 1, "n", "a"), d("_id", 2, "n", "b"), d("_id", 3, "n", "c"))
	inner := &countingLookup{Lookup: NewLookup(c, coll.Database().Name(), "customers")}
	cl, err := NewCachedLookup(inner, CacheOptions{TTL: time.Minute, MaxMemUsageBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1000, 0)
	cl.now = func() time.Time { return now }
	find := func(values ...any) []string {
		t.Helper()
		got, err := cl.Find(t.Context(), "_id", values)
		if err != nil {
			t.Fatal(err)
		}
		return ejsons(t, got)
	}

	find(int32(1), int32(2))
	got := find(int32(1), int32(2), int32(3), int32(42))
	if len(inner.asked) != 2 || len(inner.asked[1]) != 2 {
		t.Fatalf("asked %v; want [1 2], then only the uncached [3 42]", inner.asked)
	}
	if want := []string{`{"_id":1,"n":"a"}`, `{"_id":2,"n":"b"}`, `{"_id":3,"n":"c"}`}; !slices.Equal(got, want) {
		t.Errorf("Find = %v, want %v", got, want)
	}
	find(int32(42)) // an unknown value is cached too
	if len(inner.asked) != 2 {
		t.Errorf("asked %v; 42 should have been cached as matching nothing", inner.asked)
	}

	now = now.Add(time.Minute) // every entry expires
	find(int32(1))
	if len(inner.asked) != 3 {
		t.Errorf("asked %v after the TTL; want 1 asked again", inner.asked)
	}
	if s := cl.Stats(); s.Entries != 1 || s.Hits != 3 || s.Misses != 5 {
		t.Errorf("stats %+v; want 1 entry, 3 hits, 5 misses", s)
	}
}

func TestCachedLookupMemoryBound(t *testing.T) {
	c := connect(t, nil)
	coll := testDB(t, c).Collection("customers")
	pad := strings.Repeat("x", 400)
	insert(t, coll, d("_id", 1, "pad", pad), d("_id", 2, "pad", pad), d("_id", 3, "pad", pad), d("_id", 4, "pad", pad))
	inner := &countingLookup{Lookup: NewLookup(c, coll.Database().Name(), "customers")}
	// Room for two entries of a ~430-byte document each, not three.
	cl, err := NewCachedLookup(inner, CacheOptions{TTL: time.Hour, MaxMemUsageBytes: 1200})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int32{1, 2, 3} {
		if _, err := cl.Find(t.Context(), "_id", []any{id}); err != nil {
			t.Fatal(err)
		}
	}
	if s := cl.Stats(); s.Entries != 2 || s.Bytes > 1200 {
		t.Errorf("stats %+v; want 2 entries within 1200 bytes", s)
	}
	// The oldest (1) went; 2 and 3 are still there.
	inner.asked = nil
	cl.Find(t.Context(), "_id", []any{int32(2), int32(3)})
	cl.Find(t.Context(), "_id", []any{int32(1)})
	if len(inner.asked) != 1 || inner.asked[0][0] != int32(1) {
		t.Errorf("asked %v; want only 1, the evicted entry", inner.asked)
	}

	if _, err := NewCachedLookup(inner, CacheOptions{TTL: time.Hour}); err == nil || !strings.Contains(err.Error(), "maxMemUsageBytes") {
		t.Errorf("no memory bound: %v", err)
	}
}
