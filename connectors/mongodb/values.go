package mongodb

import (
	"math"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// valueKey is a map key under which values MongoDB's equality treats as
// equal collide: int32 1, int64 1 and double 1.0 share one key, as they
// match each other in a query. Other values compare by type and bytes,
// which is MongoDB's rule for strings, documents (field order matters)
// and the rest. Decimal128 and NaN are left to their bytes; a lookup key
// of those types is rare enough not to merit a numeric comparison here.
func valueKey(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case int:
		return "n" + strconv.FormatInt(int64(x), 10)
	case int32:
		return "n" + strconv.FormatInt(int64(x), 10)
	case int64:
		return "n" + strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return "n" + strconv.FormatInt(int64(x), 10)
		}
		return "f" + strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return "s" + x
	}
	t, b, err := bson.MarshalValue(v)
	if err != nil {
		// Unmarshalable values can't be sent to the server either; give
		// them a key of their own so they never collide with real ones.
		return "?" + err.Error()
	}
	if t == bson.TypeNull || t == bson.TypeUndefined {
		return "null"
	}
	return string(rune(t)) + string(b)
}

// lookupPath returns the value at a dotted path of doc, and whether it is
// there. It does not traverse arrays (a path through an array of documents
// is "a.0.b" or a query's business); $merge.on and lookup fields are
// top-level or nested in documents.
func lookupPath(doc bson.D, path string) (any, bool) {
	var cur any = doc
	for part := range strings.SplitSeq(path, ".") {
		d, ok := cur.(bson.D)
		if !ok {
			return nil, false
		}
		found := false
		for _, e := range d {
			if e.Key == part {
				cur, found = e.Value, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return cur, true
}

// without returns doc without the top-level fields named in drop.
func without(doc bson.D, drop ...string) bson.D {
	out := make(bson.D, 0, len(doc))
outer:
	for _, e := range doc {
		for _, k := range drop {
			if e.Key == k {
				continue outer
			}
		}
		out = append(out, e)
	}
	return out
}

// docSize estimates a document's memory as its BSON size, the measure
// ASP's maxMemUsageBytes and the server's 16 MB limit use.
func docSize(doc bson.D) int64 {
	b, err := bson.Marshal(doc)
	if err != nil {
		return 0
	}
	return int64(len(b))
}
