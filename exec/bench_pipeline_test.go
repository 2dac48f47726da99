package exec

// Whole-pipeline benchmarks: `$source → $match amount > 1000 → $project`
// over the orders of bench_decode_test.go (590-byte Extended JSON lines, as
// a Kafka source delivers them), into a sink that encodes each result as a
// JSON line, as `weir run` prints it. Beside them, what a user writes
// without an engine (encoding/json into maps, filter, build the output
// map, marshal) and the parse-only floor (jsonparser reading the three
// fields, filter). One op is one event: ns/op is the cost of an event,
// allocs/op is per event. Run:
//
//	go test -run '^$' -bench BenchmarkPipeline -benchmem -count 6 ./exec
//
// docs/benchmarks.md has results; cmd/weirbench measures the same in one
// process run and prints the ratios.

import (
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/buger/jsonparser"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

const benchPipeline = `[{"$source": {"connectionName": "kafka", "topic": "orders"}},
 {"$match": {"amount": {"$gt": 1000}}},
 {"$project": {"_id": 0, "orderId": 1, "customerId": 1, "amount": 1}}]`

// benchSource hands out n messages cycling over lines, a Read at a time,
// then io.EOF. It rotates three message slices: the runtime's reader asks
// for the next Read while the previous one is processed.
type benchSource struct {
	lines [][]byte
	n, i  int
	bufs  [3][]connectors.Message
	next  int
}

func (s *benchSource) Read(context.Context) ([]connectors.Message, error) {
	if s.i >= s.n {
		return nil, io.EOF
	}
	buf := s.bufs[s.next%3][:0]
	s.next++
	for ; s.i < s.n && len(buf) < 1024; s.i++ {
		buf = append(buf, connectors.Message{Value: s.lines[s.i%len(s.lines)],
			Position: connectors.Position{Topic: "orders", Offset: int64(s.i)}})
	}
	s.bufs[(s.next-1)%3] = buf
	return buf, nil
}

func (s *benchSource) Commit(context.Context, []connectors.Position) error { return nil }
func (s *benchSource) Close() error                                        { return nil }

// benchLineSink encodes each document as `weir run` prints it and keeps
// only the byte count.
type benchLineSink struct{ docs, bytes int }

func (s *benchLineSink) Write(_ context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	for _, d := range docs {
		line, err := connectors.MarshalLine(d.Doc)
		if err != nil {
			return nil, err
		}
		s.docs++
		s.bytes += len(line)
	}
	return nil, nil
}

func (s *benchLineSink) Flush(context.Context) error { return nil }
func (s *benchLineSink) Close() error                { return nil }

func benchRunPipeline(b *testing.B, columnar, driverDecode bool) {
	lines, total := benchOrderLines(false)
	p, _, err := mql.Decode([]byte(benchPipeline))
	if err != nil {
		b.Fatal(err)
	}
	sink := &benchLineSink{}
	pr, err := Build(p, BuildEnv{Sources: map[string]connectors.Source{"kafka": &benchSource{lines: lines, n: b.N}}, Output: sink})
	if err != nil {
		b.Fatal(err)
	}
	if columnar && pr.col == nil {
		b.Fatal("no columnar fast path")
	}
	if !columnar {
		pr.col = nil
	}
	pr.driverDecode = driverDecode
	cpu0 := benchStart(b)
	if err := pr.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	benchReport(b, total, cpu0)
	if b.N >= 1000 && (sink.docs < b.N/3 || sink.docs > 2*b.N/3) {
		b.Fatalf("%d of %d events passed amount > 1000", sink.docs, b.N)
	}
}

// BenchmarkPipelineColumnar is the runtime as it runs: the $match runs on
// an Arrow column, and only passing orders become documents, built by
// colDoc.
func BenchmarkPipelineColumnar(b *testing.B) { benchRunPipeline(b, true, false) }

// BenchmarkPipelineRowPath is the runtime forced onto the row path as it
// was before the fast path: the driver unmarshals every order to a bson.D,
// then exec.Match runs.
func BenchmarkPipelineRowPath(b *testing.B) { benchRunPipeline(b, false, true) }

// BenchmarkPipelineRowPathColDoc is the row path with documents built by
// colDoc instead of the driver: what the kernel alone saves.
func BenchmarkPipelineRowPathColDoc(b *testing.B) { benchRunPipeline(b, false, false) }

// BenchmarkPipelineColumnarDriver is the fast path with the driver
// building the passing documents: what colDoc alone saves.
func BenchmarkPipelineColumnarDriver(b *testing.B) { benchRunPipeline(b, true, true) }

// BenchmarkPipelineMapBaseline is the hand-written consumer of the same
// query: encoding/json into a map, filter, build the output map, marshal.
func BenchmarkPipelineMapBaseline(b *testing.B) {
	lines, total := benchOrderLines(false)
	out := 0
	cpu0 := benchStart(b)
	for i := 0; i < b.N; i++ {
		var m map[string]any
		if err := json.Unmarshal(lines[i%benchOrders], &m); err != nil {
			b.Fatal(err)
		}
		if a, ok := m["amount"].(float64); ok && a > 1000 {
			line, err := json.Marshal(map[string]any{"orderId": m["orderId"], "customerId": m["customerId"], "amount": a})
			if err != nil {
				b.Fatal(err)
			}
			out += len(line) + 1
		}
	}
	benchSink += float64(out)
	benchReport(b, total, cpu0)
}

// BenchmarkPipelineParseFloor is the floor: jsonparser reads the three
// fields and the filter runs; no output is built.
func BenchmarkPipelineParseFloor(b *testing.B) {
	lines, total := benchOrderLines(false)
	paths := [][]string{{"orderId"}, {"customerId"}, {"amount"}}
	n := 0
	cpu0 := benchStart(b)
	for i := 0; i < b.N; i++ {
		var amount float64
		var id, cust []byte
		jsonparser.EachKey(lines[i%benchOrders], func(idx int, v []byte, _ jsonparser.ValueType, _ error) {
			switch idx {
			case 0:
				id = v
			case 1:
				cust = v
			case 2:
				amount, _ = jsonparser.ParseFloat(v)
			}
		}, paths...)
		if amount > 1000 && id != nil && cust != nil {
			n++
		}
	}
	benchSink += float64(n)
	benchReport(b, total, cpu0)
}

// TestBenchPipelineOutput checks that the benchmarked runtime and the
// hand-written consumer answer the same query: the same orders pass.
func TestBenchPipelineOutput(t *testing.T) {
	lines, _ := benchOrderLines(false)
	p, _, err := mql.Decode([]byte(benchPipeline))
	if err != nil {
		t.Fatal(err)
	}
	out := &stMemSink{}
	pr, err := Build(p, BuildEnv{Sources: map[string]connectors.Source{"kafka": &benchSource{lines: lines, n: len(lines)}}, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatal(err)
		}
		if m["amount"].(float64) > 1000 {
			want = append(want, int(m["orderId"].(float64)))
		}
	}
	docs := out.docs()
	if len(docs) != len(want) {
		t.Fatalf("%d orders passed, want %d", len(docs), len(want))
	}
	for i, d := range docs {
		if id := getPath(d, "orderId"); id != int32(want[i]) {
			t.Fatalf("output %d: orderId %v, want %d", i, id, want[i])
		}
		if _, ok := getPath(d, "customerId").(string); !ok || len(d) != 4 {
			t.Fatalf("output %d: %v", i, d)
		}
	}
	if pr.unmarshals != int64(len(want)) {
		t.Errorf("%d documents unmarshalled, want %d", pr.unmarshals, len(want))
	}
}
