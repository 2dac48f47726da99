package exec

import (
	"math"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The BSON comparison order (MongoDB "Comparison/Sort Order"): MinKey <
// null < numbers < string < object < array < binData < ObjectId < bool <
// date < timestamp < regex < MaxKey. Each value here is below the next.
func TestCompareTypeOrder(t *testing.T) {
	dec, _ := bson.ParseDecimal128("2.5")
	ordered := []any{
		bson.MinKey{},
		Missing,
		nil,
		math.NaN(),
		int32(-5),
		int64(1),
		1.5,
		dec,
		int32(3),
		"",
		"a",
		bson.Symbol("b"),
		bson.D{},
		bson.D{{Key: "a", Value: int32(1)}},
		bson.A{},
		bson.A{int32(1)},
		bson.Binary{Data: []byte{9}},
		bson.Binary{Data: []byte{1, 2}},
		bson.ObjectID{1},
		false,
		true,
		bson.DateTime(-1),
		bson.DateTime(0),
		bson.Timestamp{T: 1},
		bson.Regex{Pattern: "a"},
		bson.MaxKey{},
	}
	for i := range ordered {
		for j := range ordered {
			want := cmpInt(i, j)
			if got := Compare(ordered[i], ordered[j]); got != want {
				t.Errorf("Compare(%#v, %#v) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestCompareNumbersExactly(t *testing.T) {
	cases := []struct {
		a, b any
		want int
	}{
		{int32(1), 1.0, 0},
		{int64(1 << 53), float64(1 << 53), 0},
		// 2^53+1 is not a double; converting it would wrongly tie.
		{int64(1<<53 + 1), float64(1 << 53), 1},
		{int64(math.MaxInt64), math.Pow(2, 63), -1},
		{int64(math.MinInt64), -math.Pow(2, 63), 0},
		{int64(2), 2.5, -1},
		{int64(-2), -2.5, 1},
		{math.Inf(-1), int64(math.MinInt64), -1},
		{math.NaN(), math.Inf(-1), -1},
		{math.NaN(), math.NaN(), 0},
		{-0.0, 0.0, 0},
	}
	for _, c := range cases {
		if got := Compare(c.a, c.b); got != c.want {
			t.Errorf("Compare(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Compare(c.b, c.a); got != -c.want {
			t.Errorf("Compare(%v, %v) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

// Documents compare field by field: type, then name, then value.
func TestCompareDocuments(t *testing.T) {
	a := bson.D{{Key: "a", Value: int32(1)}}
	b := bson.D{{Key: "b", Value: int32(0)}}
	if Compare(a, b) >= 0 {
		t.Error("{a:1} should sort below {b:0}: names compare before values")
	}
	c := bson.D{{Key: "z", Value: int32(1)}}
	d := bson.D{{Key: "a", Value: "x"}}
	if Compare(c, d) >= 0 {
		t.Error("{z:1} should sort below {a:'x'}: value types compare before names")
	}
}

// Truthiness as $cond and $and see it.
func TestTruthy(t *testing.T) {
	falsy := []any{false, nil, Missing, bson.Undefined{}, int32(0), int64(0), 0.0}
	truthy := []any{true, int32(1), "", "false", bson.A{}, bson.D{}, math.NaN(), bson.DateTime(0)}
	for _, v := range falsy {
		if Truthy(v) {
			t.Errorf("Truthy(%#v) = true", v)
		}
	}
	for _, v := range truthy {
		if !Truthy(v) {
			t.Errorf("Truthy(%#v) = false", v)
		}
	}
	zero, _ := bson.ParseDecimal128("0.00")
	if Truthy(zero) {
		t.Error("decimal 0.00 should be false")
	}
}

// $sort keys: missing ties with null, an empty array sorts below both,
// and an array sorts by its smallest element ascending, largest
// descending.
func TestSortKey(t *testing.T) {
	if Compare(SortKey(Missing, false), SortKey(nil, false)) != 0 {
		t.Error("missing and null should tie in $sort")
	}
	if Compare(SortKey(bson.A{}, false), SortKey(nil, false)) >= 0 {
		t.Error("[] should sort below null")
	}
	arr := bson.A{int32(5), int32(1), int32(9)}
	if SortKey(arr, false) != int32(1) || SortKey(arr, true) != int32(9) {
		t.Errorf("SortKey(%v) = %v asc, %v desc", arr, SortKey(arr, false), SortKey(arr, true))
	}
}

func TestAppendKeyMatchesEqual(t *testing.T) {
	dec, _ := bson.ParseDecimal128("1.0")
	same := [][]any{
		{int32(1), int64(1), 1.0, dec},
		{bson.D{{Key: "a", Value: int32(2)}}, bson.D{{Key: "a", Value: 2.0}}},
		{bson.A{"x", int64(3)}, bson.A{"x", 3.0}},
		{0.0, -0.0, int32(0)},
	}
	for _, group := range same {
		k0 := string(AppendKey(nil, group[0]))
		for _, v := range group[1:] {
			if string(AppendKey(nil, v)) != k0 {
				t.Errorf("AppendKey(%#v) differs from AppendKey(%#v)", v, group[0])
			}
		}
	}
	distinct := []any{nil, Missing, int32(1), 1.5, "1", bson.A{int32(1)}, bson.D{{Key: "1", Value: nil}}, true}
	seen := map[string]any{}
	for _, v := range distinct {
		k := string(AppendKey(nil, v))
		if prev, ok := seen[k]; ok {
			t.Errorf("AppendKey(%#v) equals AppendKey(%#v)", v, prev)
		}
		seen[k] = v
	}
}
