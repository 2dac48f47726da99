package exec

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// TestSetWindowFieldsRandom runs random $setWindowFields pipelines over
// random bounded inputs, arriving in sortBy order within each partition,
// through the streaming runtime (batch size 1 and larger, and stopped,
// checkpointed and restored in the middle) and through the reference
// runner: the answers are the same. Partitions interleave, sortBy values
// tie, values are missing, null, strings or numbers of every type, and
// windows are documents or range with random bounds, past the current
// row or not. Every other iteration takes long partitions through the
// windows the operator keeps running (swfRunPipeline).
func TestSetWindowFieldsRandom(t *testing.T) {
	seed := int64(1)
	iters := 60
	if testing.Short() {
		iters = 15
	}
	for it := 0; it < iters; it++ {
		r := rand.New(rand.NewSource(seed + int64(it)))
		lines := swfRandInput(r)
		pipeline := swfRandPipeline(r)
		if it%2 == 1 {
			lines, pipeline = swfRunInput(r), swfRunPipeline(r)
		}
		if it == 0 {
			// A range reaching the current key takes in later ties.
			lines = []string{`{"i": 0, "p": 1, "s": 1, "v": 1}`, `{"i": 1, "p": 1, "s": 1, "v": 2}`, `{"i": 2, "p": 2, "s": 1, "v": 4}`,
				`{"i": 3, "p": 1, "s": 2, "v": 8}`, `{"i": 4, "p": 1, "s": 2, "v": 16}`}
			pipeline = `[{"$source": {"connectionName": "default", "topic": "in"}},
 {"$setWindowFields": {"partitionBy": "$p", "sortBy": {"s": 1}, "output": {
   "o0": {"$sum": "$v", "window": {"range": ["current", 0]}}, "o1": {"$push": "$i", "window": {"range": [-1, 0]}}}}}]`
		}
		p, _, err := mql.Decode([]byte(pipeline))
		if err != nil {
			t.Fatalf("iteration %d: %v\n%s", it, err, pipeline)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "in.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		conn := connectors.File{Dir: dir}
		ref, err := (&Reference{Conns: map[string]connectors.File{"default": conn}, Now: stEpochNow}).Run(p)
		want := ""
		if err != nil {
			want = "error: " + err.Error()
		} else {
			want = stRenderRef(ref)
		}
		fail := func(what, got string) {
			t.Fatalf("iteration %d: %s differs from the reference runner\npipeline: %s\ninput:\n%s\n%s\ngot:\n%s\nreference:\n%s",
				it, what, pipeline, strings.Join(lines, "\n"), colDiff(got, want), got, want)
		}
		for _, batch := range []int{1, 5, 1024} {
			if got := stRunStream(t, p, conn, batch, false); got != want {
				fail(fmt.Sprintf("streaming, batch size %d,", batch), got)
			}
		}
		msgs := stMessages(t, p, conn)
		for _, k := range []int{1 + r.Intn(len(msgs)-1), len(msgs) / 2} {
			for _, redeliver := range []bool{false, true} {
				if got := stRunCut(t, p, conn, msgs, k, redeliver); got != want {
					fail(fmt.Sprintf("stopped after %d of %d messages and restored (redeliver %v),", k, len(msgs), redeliver), got)
				}
			}
		}
	}
}

// swfRandInput is 5 to 40 documents whose sortBy value s never decreases
// (with ties), over up to three partitions.
func swfRandInput(r *rand.Rand) []string {
	n := 5 + r.Intn(36)
	s := 0
	vals := []string{`1`, `2`, `-3`, `2.5`, `-0.0`, `{"$numberLong": "7"}`, `2147483647`, `null`, `"x"`, `"a"`, `true`,
		`{"$numberDecimal": "1.5"}`, `{"$numberDouble": "NaN"}`, `[1]`}
	var lines []string
	for i := 0; i < n; i++ {
		if r.Intn(3) > 0 {
			s += r.Intn(3)
		}
		v := ""
		if k := r.Intn(len(vals) + 2); k < len(vals) {
			v = `, "v": ` + vals[k]
		}
		lines = append(lines, fmt.Sprintf(`{"i": %d, "p": %d, "s": %d%s}`, i, r.Intn(3), s, v))
	}
	return lines
}

// swfRandPipeline is a $setWindowFields with one to three outputs.
func swfRandPipeline(r *rand.Rand) string {
	// bound is a window's [lo, hi], lo not after hi.
	bound := func() (lo, hi string) {
		pick := func(unbounded int) (string, int) {
			switch k := r.Intn(9); {
			case k == 0:
				return `"unbounded"`, unbounded
			case k == 1:
				return `"current"`, 0
			default:
				n := r.Intn(7) - 3
				return fmt.Sprint(n), n
			}
		}
		for {
			l, ln := pick(-100)
			h, hn := pick(100)
			if ln <= hn {
				return l, h
			}
		}
	}
	funcs := []string{`{"$sum": "$v"}`, `{"$avg": "$v"}`, `{"$min": "$v"}`, `{"$max": "$v"}`, `{"$first": "$v"}`, `{"$last": "$v"}`,
		`{"$push": "$i"}`, `{"$count": {}}`}
	var outs []string
	for k := 0; k < 1+r.Intn(3); k++ {
		var f string
		switch c := r.Intn(10); {
		case c == 0:
			f = fmt.Sprintf(`{"$shift": {"output": "$i", "by": %d, "default": "none"}}`, r.Intn(5)-2)
		case c == 1:
			f = []string{`{"$documentNumber": {}}`, `{"$rank": {}}`, `{"$denseRank": {}}`}[r.Intn(3)]
		default:
			f = funcs[r.Intn(len(funcs))]
			switch r.Intn(4) {
			case 0: // no window: the whole partition
			case 1:
				lo, hi := bound()
				f = f[:len(f)-1] + fmt.Sprintf(`, "window": {"range": [%s, %s]}}`, lo, hi)
			default:
				lo, hi := bound()
				f = f[:len(f)-1] + fmt.Sprintf(`, "window": {"documents": [%s, %s]}}`, lo, hi)
			}
		}
		outs = append(outs, fmt.Sprintf(`"o%d": %s`, k, f))
	}
	partition := ""
	if r.Intn(4) > 0 {
		partition = `"partitionBy": "$p", `
	}
	return fmt.Sprintf(`[{"$source": {"connectionName": "default", "topic": "in"}},
 {"$setWindowFields": {%s"sortBy": {"s": 1}, "output": {%s}}}]`, partition, strings.Join(outs, ", "))
}

// swfRunInput is 50 to 300 documents over one or two partitions, sortBy
// value s never decreasing with many ties, values that overflow an int into
// a long and a long into a double, doubles, nulls and missing ones, strings,
// and in some inputs a decimal that appears only in the second half.
func swfRunInput(r *rand.Rand) []string {
	n := 50 + r.Intn(251)
	parts := 1 + r.Intn(2)
	decimalFrom := n
	if r.Intn(3) == 0 {
		decimalFrom = n/2 + r.Intn(n/2)
	}
	vals := []string{`1`, `-3`, `7`, `2147483647`, `2000000000`, `-2147483648`, `{"$numberLong": "9223372036854775807"}`,
		`{"$numberLong": "5"}`, `2.5`, `-0.5`, `null`, `"x"`}
	s := 0
	var lines []string
	for i := 0; i < n; i++ {
		if r.Intn(3) == 0 {
			s++
		}
		v := ""
		switch k := r.Intn(len(vals) + 3); {
		case k < len(vals):
			v = `, "v": ` + vals[k]
		case k == len(vals) && i >= decimalFrom:
			v = `, "v": {"$numberDecimal": "0.1"}`
		case k == len(vals)+1:
			v = `, "v": 100`
		}
		lines = append(lines, fmt.Sprintf(`{"i": %d, "p": %d, "s": %d%s}`, i, r.Intn(parts), s, v))
	}
	return lines
}

// swfRunPipeline is a $setWindowFields of one to four outputs the operator
// keeps running (accumulators over [unbounded, current] or the whole
// partition, ranks), now and then beside one it does not.
func swfRunPipeline(r *rand.Rand) string {
	funcs := []string{`{"$sum": "$v"}`, `{"$avg": "$v"}`, `{"$min": "$v"}`, `{"$max": "$v"}`, `{"$first": "$v"}`, `{"$last": "$v"}`,
		`{"$count": {}}`}
	windows := []string{``, `, "window": {"documents": ["unbounded", "current"]}`, `, "window": {"range": ["unbounded", "current"]}`,
		`, "window": {"documents": ["unbounded", 0]}`}
	var outs []string
	for k := 0; k < 1+r.Intn(4); k++ {
		var f string
		switch c := r.Intn(12); {
		case c < 3:
			f = []string{`{"$documentNumber": {}}`, `{"$rank": {}}`, `{"$denseRank": {}}`}[c]
		case c == 3:
			f = []string{`{"$sum": "$v", "window": {"documents": [-2, 2]}}`, `{"$push": "$i", "window": {"documents": ["unbounded", "current"]}}`,
				`{"$sum": "$v", "window": {"documents": ["unbounded", -1]}}`}[r.Intn(3)]
		default:
			f = funcs[r.Intn(len(funcs))]
			f = f[:len(f)-1] + windows[r.Intn(len(windows))] + "}"
		}
		outs = append(outs, fmt.Sprintf(`"o%d": %s`, k, f))
	}
	partition := ""
	if r.Intn(3) > 0 {
		partition = `"partitionBy": "$p", `
	}
	return fmt.Sprintf(`[{"$source": {"connectionName": "default", "topic": "in"}},
 {"$setWindowFields": {%s"sortBy": {"s": 1}, "output": {%s}}}]`, partition, strings.Join(outs, ", "))
}

// TestSetWindowFieldsRunningMatchesFull runs the pipelines of
// swfRunPipeline, with an output whose input fails on a string now and
// then, over inputs where some documents arrive out of order, through the
// operator twice: as built, keeping running state (and snapshotted and
// restored in the middle), and with the running state turned off, so every
// document takes the full computation. Both emit the same documents in the
// same order and dead-letter the same ones with the same reasons, which
// the reference runner cannot check (it fails the run on such an error,
// and sorts late documents into place).
func TestSetWindowFieldsRunningMatchesFull(t *testing.T) {
	iters := 80
	if testing.Short() {
		iters = 20
	}
	for it := 0; it < iters; it++ {
		r := rand.New(rand.NewSource(int64(1000 + it)))
		pipeline := swfRunPipeline(r)
		if r.Intn(2) == 0 {
			pipeline = strings.Replace(pipeline, `"output": {`, `"output": {"e": {"$sum": {"$add": ["$v", 1]}, "window": {"documents": ["unbounded", "current"]}}, `, 1)
		}
		p, _, err := mql.Decode([]byte(pipeline))
		if err != nil {
			t.Fatalf("iteration %d: %v\n%s", it, err, pipeline)
		}
		stage := p.Pipeline[1].(*mql.SetWindowFields)
		var rows []StreamRow
		for _, l := range swfRunInput(r) {
			var doc bson.D
			if err := bson.UnmarshalExtJSON([]byte(l), false, &doc); err != nil {
				t.Fatal(err)
			}
			if r.Intn(15) == 0 {
				// Out of order: before documents already seen.
				doc = setPath(doc, "s", int32(max(0, toFloat(getPath(doc, "s"))-float64(r.Intn(4)))))
			}
			rows = append(rows, StreamRow{Doc: doc, src: stNoSrc})
		}
		batch := 1 + r.Intn(8)
		cut := r.Intn(len(rows))
		run := func(running bool) string {
			rt := &stRuntime{proc: p, now: stEpochNow}
			rt.ref = rt.newRef()
			o, err := newSetWindowFields(rt, stage, "pipeline[1]")
			if err != nil {
				t.Fatal(err)
			}
			if !running {
				o.run = nil
			}
			var b strings.Builder
			emit := func(_ context.Context, rb *RowBatch) error {
				for _, rw := range rb.Rows {
					j, _ := bson.MarshalExtJSON(rw.Doc, false, false)
					b.WriteString(string(j) + "\n")
				}
				return nil
			}
			for i := 0; i < len(rows); i += batch {
				if running && i <= cut && cut < i+batch {
					snap, err := o.snapshot()
					if err != nil {
						t.Fatal(err)
					}
					if o, err = newSetWindowFields(rt, stage, "pipeline[1]"); err != nil {
						t.Fatal(err)
					}
					if err := o.restore(snap); err != nil {
						t.Fatal(err)
					}
				}
				if err := o.Process(context.Background(), &RowBatch{Rows: slices.Clone(rows[i:min(len(rows), i+batch)])}, emit); err != nil {
					t.Fatal(err)
				}
			}
			if err := o.Watermark(context.Background(), stForever, emit); err != nil {
				t.Fatal(err)
			}
			b.WriteString("dlq:\n")
			for _, d := range rt.dlqOut {
				j, _ := bson.MarshalExtJSON(d, false, false)
				b.WriteString(string(j) + "\n")
			}
			return b.String()
		}
		if got, want := run(true), run(false); got != want {
			t.Fatalf("iteration %d: the running state differs from the full computation\npipeline: %s\n%s", it, pipeline, colDiff(got, want))
		}
	}
}

// BenchmarkSetWindowFieldsRunning feeds one partition of 20k rows, in
// sortBy order with ties, to a $setWindowFields of a $sum over the whole
// partition, $documentNumber and $rank, and ends the input. One op is the
// whole partition; ns/row and allocs/row are per document. Run:
//
//	go test -run '^$' -bench BenchmarkSetWindowFieldsRunning -benchmem -benchtime 3x ./exec
func BenchmarkSetWindowFieldsRunning(b *testing.B) {
	const n = 20000
	p, _, err := mql.Decode([]byte(`[{"$source": {"connectionName": "default", "topic": "in"}},
 {"$setWindowFields": {"sortBy": {"s": 1}, "output": {
   "total": {"$sum": "$v"}, "n": {"$documentNumber": {}}, "r": {"$rank": {}}}}}]`))
	if err != nil {
		b.Fatal(err)
	}
	stage := p.Pipeline[1].(*mql.SetWindowFields)
	rows := make([]StreamRow, n)
	for i := range rows {
		rows[i] = StreamRow{Doc: bson.D{{Key: "s", Value: int32(i / 3)}, {Key: "v", Value: int32(i)}}, src: stNoSrc}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		rt := &stRuntime{proc: p, now: time.Now}
		o, err := newSetWindowFields(rt, stage, mql.Path("pipeline[1]"))
		if err != nil {
			b.Fatal(err)
		}
		got := 0
		emit := func(_ context.Context, rb *RowBatch) error { got += len(rb.Rows); return nil }
		for i := 0; i < n; i += 1024 {
			if err := o.Process(ctx, &RowBatch{Rows: slices.Clone(rows[i:min(n, i+1024)])}, emit); err != nil {
				b.Fatal(err)
			}
		}
		if err := o.Watermark(ctx, stForever, emit); err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatalf("emitted %d rows, want %d", got, n)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
}
