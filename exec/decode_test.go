package exec

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/weir-stream/weir/planner/mql"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// decTestCorpus mixes types across rows on purpose: the decoder must give
// every row the value the row evaluator gives, whatever the column's
// representation ends up being.
var decTestCorpus = []string{
	`{"a": 1, "s": "x", "n": {"b": 2, "c": {"d": true}}, "d": {"$date": "2026-11-23T09:00:50Z"}}`,
	`{"a": 2147483648, "s": "é\u00e9\n\"q\"\\/", "n": {"b": "two"}, "d": {"$date": {"$numberLong": "1700000000123"}}}`,
	`{"a": 1.5, "s": null, "n": null, "d": {"$date": "2020-02-29T23:59:59.999Z"}}`,
	`{"s": "no a", "n": {"c": {"d": 1}}, "d": {"$date": 5}}`,
	`{"a": null, "s": "", "n": 5, "d": {"$date": "1960-01-01T00:00:00.5+01:00"}}`,
	`{"a": {"$numberLong": "7"}, "s": "\ud83d\ude00 \ud800 x", "n": {"b": null}, "d": {"$date": "2020-01-01T00:00:00.123456Z"}}`,
	`{"a": {"$numberInt": "-3"}, "s": "tab\there", "n": {"b": [1, {"x": 1}]}, "d": {"$date": {"$numberLong": "-5"}}}`,
	`{"a": {"$numberDouble": "-Infinity"}, "s": "z", "d": {"$date": "2020-01-01T00:00:00+0100"}}`,
	`{"a": {"$numberDouble": "NaN"}, "s": "y", "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": {"$numberDouble": "1e5"}, "s": "w", "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": 9223372036854775807, "s": "v", "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": 9223372036854775808, "s": "u", "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": -0, "b2": -0.0, "s": "t", "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": 1e3, "s": "t", "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": true, "s": false, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": {"$oid": "5f0c1a2b3c4d5e6f70818293"}, "oid": {"$oid": "5F0C1A2B3C4D5E6F70818293"}, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": {"$numberDecimal": "1.50"}, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": {"$regularExpression": {"pattern": "^a", "options": "i"}}, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": {"$minKey": 1}, "s": {"$symbol": "sym"}, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": {"$binary": {"base64": "AQID", "subType": "00"}}, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": {"$timestamp": {"t": 1, "i": 2}}, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": {"x": 1, "y": [1, 2, {"$numberLong": "3"}]}, "n": {"b": 1, "b": 2}, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": [1, "two", {"three": 3}], "d": {"$date": "2020-01-01T00:00:00Z"}, "a": "second a is ignored"}`,
	`{"a": {}, "n": {"c": []}, "items": [], "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"a": {"$foo": 1}, "n": {"$b": 1}, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"items": [{"sku": "k1", "qty": 2}, {"sku": "k2"}, 5, [{"sku": "nested"}], {"qty": {"$numberLong": "4"}}], "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"items": [{"sku": {"a": 1}}, {"sku": [1, 2]}], "n": [{"b": 1, "c": {"d": "deep"}}, {"c": [{"d": 2}]}], "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"items": {"sku": "not an array"}, "n": {"b": {"$date": "2021-01-01T00:00:00Z"}, "c": {"$date": "2021-01-01T00:00:00Z"}}, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`{"skip": {"deep": [1, 2, {"x": [true, false, null, "s\"tr"]}], "e": 1.5e-3}, "a": 3, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	`  {"\u0061": "escaped key", "d": {"$date": "2020-01-01T00:00:00Z"}}  `,
	`{"s": "unicode: 日本語 ✓", "a": -12345678901, "d": {"$date": "2020-01-01T00:00:00Z"}}`,
	"{\"s\": \"raw \xff byte\", \"d\": {\"$date\": \"2020-01-01T00:00:00Z\"}}",
}

var decTestPaths = []string{"a", "s", "n", "n.b", "n.c.d", "d", "oid", "b2", "items", "items.sku", "items.qty", "n.c", "missing.path"}

// decCanon renders a value so that two values agree exactly when their
// BSON types and contents agree (canonical Extended JSON keeps int, long
// and double apart; NaN renders as NaN).
func decCanon(t testing.TB, v any) string {
	t.Helper()
	if IsMissing(v) {
		return "MISSING"
	}
	b, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: v}}, true, false)
	if err != nil {
		t.Fatalf("encode %#v: %v", v, err)
	}
	return string(b)
}

// decDecodeAll decodes lines, flushing every `every` lines, and returns
// the batches.
func decDecodeAll(t *testing.T, mem memory.Allocator, lines []string, paths []string, opts DecoderOptions, every int) ([]*Batch, []RowError) {
	t.Helper()
	d, err := NewDecoder(mem, paths, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	var out []*Batch
	var errs []RowError
	flush := func() {
		b, e := d.Flush()
		if b != nil {
			out = append(out, b)
		}
		errs = append(errs, e...)
	}
	for i, l := range lines {
		_ = d.AppendAt([]byte(l), int64(1000+i))
		if (i+1)%every == 0 {
			flush()
		}
	}
	flush()
	return out, errs
}

// TestDecoderMatchesRowEvaluator is the decoder's contract: for every path
// and row, Column.Value equals the row evaluator's FieldPath over the
// bson.D the driver decodes from the same line, whatever the batching (one
// row per batch makes every column single-kind; one batch makes most of
// them mixed).
func TestDecoderMatchesRowEvaluator(t *testing.T) {
	for _, every := range []int{1, 3, len(decTestCorpus)} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		batches, errs := decDecodeAll(t, mem, decTestCorpus, decTestPaths, DecoderOptions{KeepRaw: true}, every)
		if len(errs) > 0 {
			t.Fatalf("every=%d: unexpected row errors: %+v", every, errs)
		}
		line := 0
		for _, b := range batches {
			for i := 0; i < b.Len(); i++ {
				var doc bson.D
				if err := bson.UnmarshalExtJSON([]byte(decTestCorpus[line]), false, &doc); err != nil {
					t.Fatalf("driver rejects corpus line %d: %v", line, err)
				}
				for _, p := range decTestPaths {
					want, err := Eval(mql.FieldPath{Path: p}, doc, &Env{})
					if err != nil {
						t.Fatal(err)
					}
					got := b.Column(p).Value(i)
					if g, w := decCanon(t, got), decCanon(t, want); g != w {
						t.Errorf("every=%d line %d path %q (column %s):\n got %s\nwant %s", every, line, p, b.Column(p).Kind, g, w)
					}
				}
				if got, want := b.Time.Value(i), int64(1000+line); int64(got) != want {
					t.Errorf("line %d: event time %d, want the source time %d", line, got, want)
				}
				if got := string(b.Raw.Value(i)); got != strings.TrimSpace(decTestCorpus[line]) {
					t.Errorf("line %d: raw %q", line, got)
				}
				line++
			}
			b.Release()
		}
		if line != len(decTestCorpus) {
			t.Fatalf("every=%d: %d rows, want %d", every, line, len(decTestCorpus))
		}
		mem.AssertSize(t, 0)
	}
}

func TestDecoderColumnKinds(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	lines := []string{
		`{"f": 1.5, "i": 1, "l": {"$numberLong": "5"}, "s": "a", "m": 1, "nul": null, "t": {"$date": "2020-01-01T00:00:00Z"}, "o": {"$oid": "5f0c1a2b3c4d5e6f70818293"}, "doc": {"x": 1}}`,
		`{"f": null, "i": 2, "l": {"$numberLong": "6"}, "s": "b", "m": 2.5, "t": {"$date": "2020-01-02T00:00:00Z"}, "o": null, "doc": [1]}`,
		`{"i": 3, "s": "c", "m": "three", "nul": null, "b": true}`,
		`{"f": 2.5, "i": null, "l": 7, "s": "d", "m": null, "b": false}`,
	}
	paths := []string{"f", "i", "l", "s", "m", "nul", "t", "o", "doc", "b", "none"}
	batches, errs := decDecodeAll(t, mem, lines, paths, DecoderOptions{}, 100)
	if len(errs) != 0 || len(batches) != 1 {
		t.Fatalf("errs %v, %d batches", errs, len(batches))
	}
	b := batches[0]
	defer b.Release()
	kinds := map[string]Kind{"f": KindDouble, "i": KindInt, "l": KindMixed, "s": KindString, "m": KindMixed,
		"nul": KindNull, "t": KindDate, "o": KindObjectID, "doc": KindBSON, "b": KindBool, "none": KindNull}
	for p, k := range kinds {
		if got := b.Column(p).Kind; got != k {
			t.Errorf("%s: kind %s, want %s", p, got, k)
		}
	}

	f := b.Column("f")
	vals, ok := f.Float64s()
	if !ok || vals[0] != 1.5 || vals[3] != 2.5 {
		t.Fatalf("Float64s: %v %v", vals, ok)
	}
	// Row 1 has f: null, row 2 has no f: both invalid, only row 2 missing.
	for i, want := range []struct{ valid, missing bool }{{true, false}, {false, false}, {false, true}, {true, false}} {
		if f.Valid(i) != want.valid || f.Missing(i) != want.missing {
			t.Errorf("f row %d: valid %v missing %v, want %+v", i, f.Valid(i), f.Missing(i), want)
		}
	}
	if f.Value(1) != nil || !IsMissing(f.Value(2)) || f.MissingN() != 1 {
		t.Errorf("f: null %v, missing %v, MissingN %d", f.Value(1), f.Value(2), f.MissingN())
	}
	if _, ok := f.Int64s(); ok {
		t.Error("Int64s on a double column")
	}
	if c := b.Column("s"); c.present != nil {
		t.Error("a column present in every row should have no present bitmap")
	}
	if ss, ok := b.Column("s").Strings(); !ok || ss.Value(3) != "d" {
		t.Error("Strings")
	}
	if is, ok := b.Column("i").Int32s(); !ok || is[2] != 3 || b.Column("i").Valid(3) {
		t.Error("Int32s")
	}
	// A long column stays long beside an int: never widened.
	l := b.Column("l")
	for i, want := range []any{int64(5), int64(6), Missing, int32(7)} {
		if got := l.Value(i); decCanon(t, got) != decCanon(t, want) {
			t.Errorf("l row %d: %#v, want %#v", i, got, want)
		}
	}
	m := b.Column("m")
	if u, ok := m.Union(); !ok || u.NumFields() != 3 {
		t.Fatalf("m should be a union of int, double, string")
	}
	for i, want := range []struct {
		v     any
		valid bool
	}{{int32(1), true}, {2.5, true}, {"three", true}, {nil, false}} {
		if got := m.Value(i); decCanon(t, got) != decCanon(t, want.v) || m.Valid(i) != want.valid {
			t.Errorf("m row %d: %#v valid %v, want %+v", i, got, m.Valid(i), want)
		}
	}
	nul := b.Column("nul")
	if nul.Value(0) != nil || !IsMissing(nul.Value(1)) || nul.Valid(0) {
		t.Error("all-null column: null and missing must stay apart")
	}
	if ts, ok := b.Column("t").Dates(); !ok || int64(ts[1]) != 1577923200000 {
		t.Errorf("Dates: %v", ts)
	}
	if d := b.Column("doc").Value(0); decCanon(t, d) != decCanon(t, bson.D{{Key: "x", Value: int32(1)}}) {
		t.Errorf("doc: %#v", d)
	}
}

func TestDecoderRowErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	lines := []string{
		`{"a": 1}`,
		`{"a": 2`,                       // truncated
		`[1, 2]`,                        // not a document
		`{"a": {"$numberLong": 5}}`,     // invalid wrapper on a read path (driver's error)
		`{"a": 3, "skip": [1, 2,]}`,     // syntax error where nothing is read
		`{"a": 4} trailing`,             // garbage after the document
		``,                              // blank: no row, no error
		`{"a": "bad escape \x"}`,        // invalid escape
		`{"a": 01}`,                     // not a JSON number
		`{"a": 1E400}`,                  // out of range
		`{"a": {"$date": "yesterday"}}`, // invalid date
		`{"a": 5}`,
	}
	batches, errs := decDecodeAll(t, mem, lines, []string{"a"}, DecoderOptions{}, 100)
	wantLines := []int{1, 2, 3, 4, 5, 7, 8, 9, 10}
	if len(errs) != len(wantLines) {
		t.Fatalf("got %d errors, want %d: %+v", len(errs), len(wantLines), errs)
	}
	for i, e := range errs {
		if e.Line != wantLines[i] || e.Reason == "" || string(e.Doc) != lines[e.Line] {
			t.Errorf("error %d: %+v, want line %d", i, e, wantLines[i])
		}
	}
	if !strings.Contains(errs[2].Reason, "64-bit integer") {
		t.Errorf("a wrapper the driver rejects should carry the driver's reason: %q", errs[2].Reason)
	}
	if len(batches) != 1 || batches[0].Len() != 2 {
		t.Fatalf("want one batch of the 2 good rows")
	}
	b := batches[0]
	if b.Column("a").Value(0) != int32(1) || b.Column("a").Value(1) != int32(5) {
		t.Errorf("good rows: %v %v", b.Column("a").Value(0), b.Column("a").Value(1))
	}
	b.Release()
}

func TestDecoderTimeField(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	lines := []string{
		`{"ts": {"$date": "2026-11-23T09:00:50Z"}, "x": 1}`,
		`{"x": 2}`,
		`{"ts": "2026-11-23T09:00:50Z"}`,
		`{"ts": null}`,
		`{"meta": {"ts": {"$date": {"$numberLong": "42"}}}, "ts": {"$date": "1970-01-01T00:00:00.007Z"}}`,
	}
	batches, errs := decDecodeAll(t, mem, lines, []string{"ts"}, DecoderOptions{TimeField: "ts"}, 100)
	if len(errs) != 3 || !strings.Contains(errs[0].Reason, "missing") || !strings.Contains(errs[1].Reason, "string, not a date") || !strings.Contains(errs[2].Reason, "null") {
		t.Fatalf("errors: %+v", errs)
	}
	b := batches[0]
	want := []int64{time.Date(2026, 11, 23, 9, 0, 50, 0, time.UTC).UnixMilli(), 7}
	for i, w := range want {
		if int64(b.Time.Value(i)) != w {
			t.Errorf("row %d: time %d, want %d", i, b.Time.Value(i), w)
		}
	}
	b.Release()

	// A nested time field that is not otherwise decoded.
	batches, errs = decDecodeAll(t, mem, lines[4:], []string{"x"}, DecoderOptions{TimeField: "meta.ts"}, 100)
	if len(errs) != 0 || int64(batches[0].Time.Value(0)) != 42 || batches[0].Record.NumCols() != 2 {
		t.Fatalf("meta.ts: %+v", errs)
	}
	batches[0].Release()
}

func TestDecoderISODates(t *testing.T) {
	// The fast path must agree with time.Parse on the driver's layouts.
	for _, s := range []string{
		"2020-01-01T00:00:00Z", "2020-02-29T12:34:56.7Z", "2019-02-29T00:00:00Z", "2020-13-01T00:00:00Z",
		"2020-01-01T24:00:00Z", "2020-01-01T00:00:60Z", "1969-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z",
		"9999-12-31T23:59:59.123456789Z", "2020-01-01T00:00:00.Z", "2020-04-31T00:00:00Z", "1900-02-29T00:00:00Z",
		"2000-02-29T00:00:00.05Z",
	} {
		var doc bson.D
		werr := bson.UnmarshalExtJSON([]byte(`{"v": {"$date": "`+s+`"}}`), false, &doc)
		got, gerr := decParseDate([]byte(s))
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: driver err %v, ours %v", s, werr, gerr)
			continue
		}
		if werr == nil && int64(doc[0].Value.(bson.DateTime)) != got {
			t.Errorf("%s: %d, driver %d", s, got, doc[0].Value)
		}
	}
}

func TestDecoderPaths(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, p := range []string{"", "$a", "a..b", ".a", "a."} {
		if _, err := NewDecoder(mem, []string{p}, DecoderOptions{}); err == nil {
			t.Errorf("%q accepted as a path", p)
		}
	}
	// Duplicate paths share one column.
	d, err := NewDecoder(mem, []string{"a", "b", "a"}, DecoderOptions{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	if len(d.Paths()) != 2 {
		t.Errorf("paths %v", d.Paths())
	}
	_ = d.Append([]byte(`{"a": 1}`))
	if d.Full() {
		t.Error("full after one row of two")
	}
	_ = d.Append([]byte(`{"b": 1}`))
	if !d.Full() || d.Len() != 2 {
		t.Error("not full after two rows")
	}
	b, _ := d.Flush()
	if b.Record.NumCols() != 3 || b.Raw != nil {
		t.Errorf("cols %d", b.Record.NumCols())
	}
	if now := time.Now().UnixMilli(); now-int64(b.Time.Value(0)) > 60_000 {
		t.Error("Append's event time should be ingestion time")
	}
	b.Release()
	if b, errs := d.Flush(); b != nil || errs != nil {
		t.Error("an empty flush returns nothing")
	}
}

func TestBatchRetainRelease(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	batches, _ := decDecodeAll(t, mem, []string{`{"a": 1}`, `{"b": 2}`}, []string{"a"}, DecoderOptions{}, 10)
	b := batches[0]
	b.Retain()
	b.Release()
	if b.Column("a").Value(0) != int32(1) || !IsMissing(b.Column("a").Value(1)) {
		t.Fatal("batch unusable while still referenced")
	}
	b.Release()
	defer func() {
		if recover() == nil {
			t.Error("an extra Release should panic")
		}
	}()
	b.Release()
}

// FuzzDecoder checks the contract on arbitrary lines: a line the driver
// accepts is accepted, with the same values; a line the driver rejects may
// still decode only if the problem lies outside the read paths.
func FuzzDecoder(f *testing.F) {
	for _, l := range decTestCorpus {
		f.Add(l)
	}
	paths := []string{"a", "n.b", "items.sku", "s"}
	f.Fuzz(func(t *testing.T, line string) {
		var doc bson.D
		derr := bson.UnmarshalExtJSON([]byte(line), false, &doc)
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		d, _ := NewDecoder(mem, paths, DecoderOptions{})
		err := d.AppendAt([]byte(line), 0)
		b, _ := d.Flush()
		defer func() {
			if b != nil {
				b.Release()
			}
			d.Release()
			mem.AssertSize(t, 0)
		}()
		if derr != nil || strings.TrimSpace(line) == "" {
			return
		}
		if err != nil {
			// The driver ignores data after the first document and reads
			// a bare null as an empty document; a line must be one object.
			// A field name with a NUL byte parses into a bson.D but has no
			// BSON encoding, which a read document or array needs.
			if strings.Contains(err.Error(), "after the document") || strings.Contains(err.Error(), "an object") ||
				strings.Contains(err.Error(), "null bytes") {
				return
			}
			t.Fatalf("driver accepts %q, decoder: %v", line, err)
		}
		for _, p := range paths {
			want, _ := Eval(mql.FieldPath{Path: p}, doc, &Env{})
			if g, w := decCanon(t, b.Column(p).Value(0)), decCanon(t, want); g != w {
				t.Fatalf("%q path %s: got %s want %s", line, p, g, w)
			}
		}
	})
}

func TestColumnKindString(t *testing.T) {
	if KindMixed.String() != "mixed" || Kind(200).String() != "Kind(200)" {
		t.Error("Kind.String")
	}
	if math.MaxInt8 < int(KindMixed) {
		t.Error("kinds must fit union type codes")
	}
}
