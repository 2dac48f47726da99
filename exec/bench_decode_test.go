package exec

// Decode benchmarks: what it costs to turn JSON lines into something a
// filter can run over, beside what a user writes without an engine
// (encoding/json into maps) and beside a parse-only floor (a fast JSON
// parser reading just the two fields). One op is one event, so ns/op is
// the cost per event and events/s its inverse; allocs/op is amortized over
// the batch. Run:
//
//	go test -run '^$' -bench BenchmarkDecode -benchmem -count 5 ./exec
//
// docs/benchmarks.md has results.

import (
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/buger/jsonparser"

	"github.com/weir-stream/weir/internal/benchdata"
)

const benchOrders = 10_000

// benchOrderLines is the shared order corpus (internal/benchdata):
// with mixedAmounts, a quarter of the amounts are ints.
func benchOrderLines(mixedAmounts bool) ([][]byte, int) {
	return benchdata.Orders(benchOrders, mixedAmounts)
}

// benchCPU is the process's CPU time so far. Next to wall-clock ns/op it
// reports cpu-ns/event, which other processes on a shared, loaded machine
// disturb far less (they still share its caches).
func benchCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchStart resets the timer and returns the CPU time at the start.
func benchStart(b *testing.B) time.Duration {
	b.ReportAllocs()
	b.ResetTimer()
	return benchCPU()
}

func benchReport(b *testing.B, total int, cpu0 time.Duration) {
	cpu := benchCPU() - cpu0
	b.StopTimer()
	b.SetBytes(int64(total / benchOrders))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/event")
}

// benchSink keeps results alive so the compiler cannot drop the work.
var benchSink float64

// BenchmarkDecodeMapBaseline is the hand-written consumer: encoding/json
// into a map per event, then read amount and customerId.
func BenchmarkDecodeMapBaseline(b *testing.B) {
	lines, total := benchOrderLines(false)
	cpu0 := benchStart(b)
	n := 0
	for i := 0; i < b.N; i++ {
		var m map[string]any
		if err := json.Unmarshal(lines[i%benchOrders], &m); err != nil {
			b.Fatal(err)
		}
		if a, ok := m["amount"].(float64); ok && a > 1000 {
			if _, ok := m["customerId"].(string); ok {
				n++
			}
		}
	}
	benchSink += float64(n)
	benchReport(b, total, cpu0)
}

// BenchmarkDecodeParseFloor is the floor: jsonparser reads the two fields
// in one pass, no allocation, no values kept.
func BenchmarkDecodeParseFloor(b *testing.B) {
	lines, total := benchOrderLines(false)
	paths := [][]string{{"customerId"}, {"amount"}}
	cpu0 := benchStart(b)
	n := 0
	for i := 0; i < b.N; i++ {
		var amount float64
		var cust []byte
		jsonparser.EachKey(lines[i%benchOrders], func(idx int, v []byte, _ jsonparser.ValueType, err error) {
			switch idx {
			case 0:
				cust = v
			case 1:
				amount, _ = jsonparser.ParseFloat(v)
			}
		}, paths...)
		if amount > 1000 && cust != nil {
			n++
		}
	}
	benchSink += float64(n)
	benchReport(b, total, cpu0)
}

// BenchmarkDecodeParseFloorFullScan is the floor made to read the whole
// line, as the decoder must to find a broken one: jsonparser stops once
// it has every requested key, and here a third key never comes. It still
// checks less syntax than the decoder.
func BenchmarkDecodeParseFloorFullScan(b *testing.B) {
	lines, total := benchOrderLines(false)
	paths := [][]string{{"customerId"}, {"amount"}, {"absent"}}
	cpu0 := benchStart(b)
	n := 0
	for i := 0; i < b.N; i++ {
		var amount float64
		var cust []byte
		jsonparser.EachKey(lines[i%benchOrders], func(idx int, v []byte, _ jsonparser.ValueType, err error) {
			switch idx {
			case 0:
				cust = v
			case 1:
				amount, _ = jsonparser.ParseFloat(v)
			}
		}, paths...)
		if amount > 1000 && cust != nil {
			n++
		}
	}
	benchSink += float64(n)
	benchReport(b, total, cpu0)
}

// benchDecode runs the decoder over the corpus, handing every full batch
// to use before releasing it.
func benchDecode(b *testing.B, lines [][]byte, total int, paths []string, opts DecoderOptions, use func(*Batch)) {
	mem := memory.NewGoAllocator()
	d, err := NewDecoder(mem, paths, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Release()
	cpu0 := benchStart(b)
	for i := 0; i < b.N; i++ {
		if err := d.AppendAt(lines[i%benchOrders], 0); err != nil {
			b.Fatal(err)
		}
		if d.Full() {
			batch, _ := d.Flush()
			use(batch)
			batch.Release()
		}
	}
	if batch, _ := d.Flush(); batch != nil {
		use(batch)
		batch.Release()
	}
	benchReport(b, total, cpu0)
}

// BenchmarkDecodeArrow is weir's decoder into Arrow for [customerId, amount].
func BenchmarkDecodeArrow(b *testing.B) {
	lines, total := benchOrderLines(false)
	benchDecode(b, lines, total, []string{"customerId", "amount"}, DecoderOptions{}, func(*Batch) {})
}

// BenchmarkDecodeArrowRaw also keeps each document's bytes, as a
// pass-through sink or $$ROOT needs.
func BenchmarkDecodeArrowRaw(b *testing.B) {
	lines, total := benchOrderLines(false)
	benchDecode(b, lines, total, []string{"customerId", "amount"}, DecoderOptions{KeepRaw: true}, func(*Batch) {})
}

// BenchmarkDecodeArrowTime reads three fields plus the event time from
// the orderTime $date, the shape of a windowed aggregation's input.
func BenchmarkDecodeArrowTime(b *testing.B) {
	lines, total := benchOrderLines(false)
	benchDecode(b, lines, total, []string{"orderId", "customerId", "amount"}, DecoderOptions{TimeField: "orderTime"}, func(*Batch) {})
}

// BenchmarkDecodeArrowFilter decodes and runs amount > 1000 as a kernel
// over the column, producing a selection bitmap.
func BenchmarkDecodeArrowFilter(b *testing.B) {
	lines, total := benchOrderLines(false)
	benchFilter(b, lines, total)
}

// BenchmarkDecodeArrowFilterMixed is the same over amounts that are ints
// in a quarter of the rows: the column is a dense union, and the kernel
// loops per union member type instead of per row.
func BenchmarkDecodeArrowFilterMixed(b *testing.B) {
	lines, total := benchOrderLines(true)
	benchFilter(b, lines, total)
}

func benchFilter(b *testing.B, lines [][]byte, total int) {
	var sel []byte
	n := 0
	benchDecode(b, lines, total, []string{"customerId", "amount"}, DecoderOptions{}, func(batch *Batch) {
		sel = benchGreater(batch.Column("amount"), 1000, sel)
		n += bitutil.CountSetBits(sel, 0, batch.Len())
	})
	benchSink += float64(n)
}

// benchGreater is a tiny vectorized kernel: the rows where c > x, as a
// bitmap (MQL's $gt in a query on numbers: null and missing never match).
// It shows the shape real kernels take: a tight loop over the typed
// values with the validity check hoisted out when there are no nulls, and,
// for a mixed column, a loop per union member over that member's values.
func benchGreater(c *Column, x float64, sel []byte) []byte {
	n := c.Len()
	sel = append(sel[:0], make([]byte, bitutil.BytesForBits(int64(n)))...)
	switch c.Kind {
	case KindDouble:
		vals, _ := c.Float64s()
		if c.Array.NullN() == 0 {
			for i, v := range vals[:n] {
				if v > x {
					bitutil.SetBit(sel, i)
				}
			}
			return sel
		}
		for i, v := range vals[:n] {
			if v > x && c.Array.IsValid(i) {
				bitutil.SetBit(sel, i)
			}
		}
	case KindMixed:
		u, _ := c.Union()
		codes, offs := u.RawTypeCodes(), u.RawValueOffsets()
		// Evaluate each member once over its own values, then gather.
		var hit [colKindCount][]bool
		for f := 0; f < u.NumFields(); f++ {
			code := u.UnionType().TypeCodes()[f]
			child := u.Field(f)
			h := make([]bool, child.Len())
			switch Kind(code) {
			case KindDouble:
				for j, v := range child.(*array.Float64).Float64Values() {
					h[j] = v > x && child.IsValid(j)
				}
			case KindInt:
				for j, v := range child.(*array.Int32).Int32Values() {
					h[j] = float64(v) > x && child.IsValid(j)
				}
			case KindLong:
				for j, v := range child.(*array.Int64).Int64Values() {
					h[j] = compareIntFloat(v, x) > 0 && child.IsValid(j)
				}
			}
			hit[code] = h
		}
		for i := 0; i < n; i++ {
			if h := hit[codes[i]]; h != nil && h[offs[i]] && !c.Missing(i) {
				bitutil.SetBit(sel, i)
			}
		}
	}
	return sel
}

// TestBenchGreater checks the kernel against the row evaluator's order on
// both corpora, so the benchmark measures a correct filter.
func TestBenchGreater(t *testing.T) {
	for _, mixed := range []bool{false, true} {
		lines, _ := benchOrderLines(mixed)
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		d, _ := NewDecoder(mem, []string{"amount"}, DecoderOptions{})
		for _, l := range lines[:3000] {
			if err := d.AppendAt(l, 0); err != nil {
				t.Fatal(err)
			}
		}
		batch, _ := d.Flush()
		c := batch.Column("amount")
		if want := map[bool]Kind{false: KindDouble, true: KindMixed}[mixed]; c.Kind != want {
			t.Fatalf("mixed=%v: kind %s", mixed, c.Kind)
		}
		sel := benchGreater(c, 1000, nil)
		for i := 0; i < batch.Len(); i++ {
			want := Compare(c.Value(i), 1000.0) > 0
			if bitutil.BitIsSet(sel, i) != want {
				t.Fatalf("row %d: %v > 1000 is %v", i, c.Value(i), !want)
			}
		}
		batch.Release()
		d.Release()
		mem.AssertSize(t, 0)
	}
}
