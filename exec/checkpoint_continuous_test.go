package exec

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// TestContinuousCheckpointCut runs every testdata/exec_continuous case
// stopped after k of its n messages (a graceful stop takes a checkpoint
// under BuildEnv.CheckpointDir) and restarted from that checkpoint, over a
// source that resumes after the committed positions or hands out every
// message again (a file: the runtime skips what the checkpoint covers).
// With batch size 1 every message makes its own update, so the updates of
// the two runs together must be exactly those of one uninterrupted run:
// none lost, none repeated, the aggregate continued rather than rebuilt.
func TestContinuousCheckpointCut(t *testing.T) {
	datadriven.Walk(t, "../testdata/exec_continuous", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			files, pipeline := stParseCase(t, td.Input)
			p, _, err := mql.Decode([]byte(pipeline))
			if err != nil {
				return td.Expected
			}
			dir := t.TempDir()
			for name, body := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			msgs := stMessages(t, p, connectors.File{Dir: dir})
			updates, dlq, err := stRunUpdates(t, p, msgs, 1)
			if err != nil {
				return td.Expected
			}
			want := stRenderSeq(updates, dlq)
			for _, k := range []int{1, len(msgs) / 3, 2 * len(msgs) / 3, len(msgs) - 1} {
				if k < 1 || k >= len(msgs) {
					continue
				}
				for _, redeliver := range []bool{false, true} {
					if got := stRunUpdatesCut(t, p, msgs, k, redeliver); got != want {
						t.Errorf("%s: stopped after %d of %d messages and restored (source re-reads everything: %v):\n%s\nuninterrupted:\n%s", td.Pos, k, len(msgs), redeliver, got, want)
					}
				}
			}
			return td.Expected
		})
	})
}

// stRenderSeq prints updates in order and dead letters sorted.
func stRenderSeq(updates, dlq []bson.D) string {
	var b strings.Builder
	for _, d := range updates {
		j, _ := bson.MarshalExtJSON(d, false, false)
		b.WriteString(string(j) + "\n")
	}
	b.WriteString(stRenderRef(&Result{DLQ: dlq}))
	return b.String()
}

// stRunUpdatesCut is stRunCut for a continuous aggregate, with batch size
// 1: the first run reads k messages and is stopped, the second is built
// from the checkpoint directory; it renders both runs' outputs in order.
func stRunUpdatesCut(t *testing.T, p *mql.Processor, msgs []connectors.Message, k int, redeliver bool) string {
	t.Helper()
	dir := t.TempDir()
	out, dlq := &stMemSink{}, &stMemSink{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := &stCutSource{stMemSource: newMemSource(msgs[:k], 7, true), cancel: cancel}
	env := BuildEnv{Sources: map[string]connectors.Source{"default": first}, Output: out, DLQ: dlq,
		Now: stEpochNow, BatchSize: 1, CheckpointDir: dir}
	pr, err := Build(p, env)
	if err != nil {
		return "error: " + err.Error()
	}
	if err := pr.Run(ctx); err != nil {
		return "error: " + err.Error()
	}
	if n := pr.Stats().StateBytes; n != 0 {
		t.Errorf("state bytes after the first run: %d, want 0", n)
	}
	rest := msgs
	if !redeliver {
		committed := map[string]int64{}
		for _, c := range first.committed() {
			for _, pos := range c {
				committed[pos.Topic] = pos.Offset
			}
		}
		if off, ok := committed[msgs[k-1].Position.Topic]; !ok || off != msgs[k-1].Position.Offset {
			t.Errorf("after %d messages the stop committed %v, want everything read", k, first.committed())
		}
		rest = nil
		for _, m := range msgs {
			if off, ok := committed[m.Position.Topic]; !ok || m.Position.Offset > off {
				rest = append(rest, m)
			}
		}
	}
	env.Sources = map[string]connectors.Source{"default": newMemSource(rest, 7, false)}
	if pr, err = Build(p, env); err != nil {
		return "error: restart: " + err.Error()
	}
	if err := pr.Run(context.Background()); err != nil {
		return "error: restart: " + err.Error()
	}
	if n := pr.Stats().StateBytes; n != 0 {
		t.Errorf("state bytes after the second run: %d, want 0", n)
	}
	return stRenderSeq(out.docs(), dlq.docs())
}

// TestAccumulatorCheckpointRoundTrip checks every accumulator a
// continuous $group checkpoints: after any prefix of a run of awkward
// values (decimals, NaN, -0.0, infinities, int/long/double widening and
// overflow, null and missing, documents, arrays, dates), its state saved
// and restored into a fresh accumulator gives the same result, of the
// same type, and keeps giving it as the rest of the values are added.
func TestAccumulatorCheckpointRoundTrip(t *testing.T) {
	values := []string{
		`{"v": 1}`, `{"v": {"$numberLong": "9223372036854775807"}}`, `{"v": 2147483647}`, `{"v": -0.0}`,
		`{}`, `{"v": null}`, `{"v": {"$numberDecimal": "1.5"}}`, `{"v": 0.1}`, `{"v": {"$numberDouble": "NaN"}}`,
		`{"v": {"$numberDecimal": "-0"}}`, `{"v": "s"}`, `{"v": {"a": 1, "b": [1, {"c": null}]}}`, `{"v": []}`,
		`{"v": {"$date": "2026-01-01T00:00:00Z"}}`, `{"v": {"$numberDouble": "-Infinity"}}`, `{"v": 1e308}`,
		`{"v": {"$numberDecimal": "NaN"}}`, `{"v": {"$numberLong": "-5"}}`, `{"v": 3}`, `{"v": 1e-300}`,
	}
	prefixes := map[string][]string{
		"ints":    {`{"v": 1}`, `{"v": 2}`, `{"v": {"$numberLong": "3"}}`},
		"doubles": {`{"v": -0.0}`, `{"v": 0.1}`, `{"v": 0.2}`},
		"nulls":   {`{}`, `{"v": null}`},
		"none":    {},
		"all":     values,
	}
	accs := []string{
		`{"$sum": "$v"}`, `{"$sum": 1}`, `{"$avg": "$v"}`, `{"$min": "$v"}`, `{"$max": "$v"}`, `{"$first": "$v"}`, `{"$last": "$v"}`,
		`{"$push": "$v"}`, `{"$addToSet": "$v"}`, `{"$count": {}}`, `{"$stdDevPop": "$v"}`, `{"$stdDevSamp": "$v"}`,
		`{"$median": {"input": "$v", "method": "approximate"}}`, `{"$percentile": {"input": "$v", "p": [0.1, 0.9], "method": "approximate"}}`,
		`{"$top": {"sortBy": {"v": 1}, "output": "$v"}}`, `{"$topN": {"n": 3, "sortBy": {"v": -1}, "output": ["$v"]}}`,
		`{"$bottom": {"sortBy": {"v": 1}, "output": "$v"}}`, `{"$bottomN": {"n": 2, "sortBy": {"v": 1}, "output": "$v"}}`,
		`{"$firstN": {"input": "$v", "n": 2}}`, `{"$lastN": {"input": "$v", "n": 2}}`, `{"$maxN": {"input": "$v", "n": 2}}`,
		`{"$minN": {"input": "$v", "n": 3}}`,
	}
	render := func(v any) string {
		j, err := bson.MarshalExtJSON(bson.D{{Key: "r", Value: v}}, true, false)
		if err != nil {
			return "error: " + err.Error()
		}
		return string(j)
	}
	for _, accJSON := range accs {
		e, err := mql.ParseAccumulator(parseJSON(t, accJSON), "")
		if err != nil {
			t.Fatalf("parse %s: %v", accJSON, err)
		}
		a, err := NewAgg(e)
		if err != nil {
			t.Fatalf("%s: %v", accJSON, err)
		}
		for name, prefix := range prefixes {
			orig, err := a.New(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			add := func(acc Accumulator, docs []string) {
				for _, d := range docs {
					v, err := a.Input(parseDoc(t, d), nil)
					if err != nil {
						t.Fatalf("%s over %s: %v", accJSON, d, err)
					}
					_ = acc.Add(v) // $mergeObjects refuses some: both must
				}
			}
			add(orig, prefix)
			d, err := stEncAcc(orig)
			if err != nil {
				t.Fatalf("%s: %v", accJSON, err)
			}
			b, err := bson.Marshal(stCkptGroupEntry{Accs: []bson.D{d}})
			if err != nil {
				t.Fatalf("%s after %s: %v", accJSON, name, err)
			}
			var back stCkptGroupEntry
			if err := bson.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			restored, _ := a.New(nil, nil)
			if err := stDecAcc(restored, back.Accs[0]); err != nil {
				t.Fatalf("%s after %s: %v", accJSON, name, err)
			}
			if g, w := render(restored.Result()), render(orig.Result()); g != w {
				t.Errorf("%s after %s: restored %s, before the checkpoint %s", accJSON, name, g, w)
			}
			add(orig, values)
			add(restored, values)
			if g, w := render(restored.Result()), render(orig.Result()); g != w {
				t.Errorf("%s after %s and more values: restored %s, uninterrupted %s", accJSON, name, g, w)
			}
		}
	}
	// $mergeObjects takes documents only.
	e, _ := mql.ParseAccumulator(parseJSON(t, `{"$mergeObjects": "$v"}`), "")
	a, _ := NewAgg(e)
	orig, _ := a.New(nil, nil)
	for _, d := range []string{`{"v": {"a": -0.0, "b": {"$numberDecimal": "2"}}}`, `{}`, `{"v": {"c": [null], "a": 1}}`} {
		v, _ := a.Input(parseDoc(t, d), nil)
		if err := orig.Add(v); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := stEncAcc(orig)
	b, _ := bson.Marshal(stCkptGroupEntry{Accs: []bson.D{d}})
	var back stCkptGroupEntry
	if err := bson.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	restored, _ := a.New(nil, nil)
	if err := stDecAcc(restored, back.Accs[0]); err != nil {
		t.Fatal(err)
	}
	if g, w := render(restored.Result()), render(orig.Result()); g != w {
		t.Errorf("$mergeObjects: restored %s, before the checkpoint %s", g, w)
	}
}

// TestCorruptedCheckpointState restarts continuous aggregates (and a
// $setWindowFields holding rows) from checkpoints whose operator state was
// damaged: truncated, bytes changed, fields of the wrong type. Each
// restart either runs or fails with an error naming the operator; none
// panics.
func TestCorruptedCheckpointState(t *testing.T) {
	var lines []string
	for i := 0; i < 12; i++ {
		lines = append(lines, fmt.Sprintf(`{"k": %d, "v": %d, "d": {"$numberDecimal": "%d.5"}, "s": %d}`, i%3, i*7%5, i, i))
	}
	pipelines := []string{
		`[{"$source": {"connectionName": "default", "topic": "t"}},
		  {"$group": {"_id": "$k", "sum": {"$sum": "$v"}, "dec": {"$sum": "$d"}, "avg": {"$avg": "$d"}, "min": {"$min": "$v"},
		    "first": {"$first": "$v"}, "last": {"$last": "$v"}, "push": {"$push": "$v"}, "set": {"$addToSet": "$v"},
		    "sd": {"$stdDevPop": "$v"}, "top": {"$topN": {"n": 2, "sortBy": {"v": -1, "s": 1}, "output": "$s"}},
		    "fn": {"$firstN": {"input": "$v", "n": 2}}, "mx": {"$maxN": {"input": "$v", "n": 2}},
		    "med": {"$median": {"input": "$v", "method": "approximate"}}, "mo": {"$mergeObjects": {"a": "$v"}}}}]`,
		`[{"$source": {"connectionName": "default", "topic": "t"}}, {"$count": "n"}]`,
		`[{"$source": {"connectionName": "default", "topic": "t"}},
		  {"$group": {"_id": "$k", "total": {"$sum": "$v"}}}, {"$sort": {"total": -1, "_id": 1}}, {"$limit": 2}]`,
		`[{"$source": {"connectionName": "default", "topic": "t"}},
		  {"$setWindowFields": {"partitionBy": "$k", "sortBy": {"s": 1}, "output": {"w": {"$sum": "$v", "window": {"documents": [-1, 2]}}}}}]`,
	}
	var msgs []connectors.Message
	for i, l := range lines {
		msgs = append(msgs, connectors.Message{Value: []byte(l), Time: stEpochNow(), Position: connectors.Position{Topic: "t", Offset: int64(i)}})
	}
	r := rand.New(rand.NewSource(1))
	for _, pl := range pipelines {
		p, _, err := mql.Decode([]byte(pl))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		first := &stCutSource{stMemSource: newMemSource(msgs[:7], 7, true), cancel: cancel}
		env := BuildEnv{Sources: map[string]connectors.Source{"default": first}, Output: &stMemSink{}, DLQ: &stMemSink{},
			Now: stEpochNow, BatchSize: 1, CheckpointDir: dir}
		pr, err := Build(p, env)
		if err != nil {
			t.Fatal(err)
		}
		if err := pr.Run(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		good, err := DirStore{Dir: dir}.Load()
		if err != nil || good == nil {
			t.Fatalf("%s: no checkpoint (%v)", pl, err)
		}
		var rec stCkptRecord
		if err := bson.Unmarshal(good, &rec); err != nil {
			t.Fatal(err)
		}
		for trial := 0; trial < 400; trial++ {
			bad := rec
			bad.Ops = append([]stCkptOp(nil), rec.Ops...)
			j := r.Intn(len(bad.Ops))
			bad.Ops[j].State = stCorrupt(r, bad.Ops[j].State)
			b, err := bson.Marshal(bad)
			if err != nil {
				t.Fatal(err)
			}
			cdir := t.TempDir()
			if err := (DirStore{Dir: cdir}).Save(b); err != nil {
				t.Fatal(err)
			}
			func() {
				defer func() {
					if e := recover(); e != nil {
						t.Fatalf("%s: a corrupted checkpoint (op %s) panics: %v", pl, bad.Ops[j].Path, e)
					}
				}()
				env := BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(msgs[7:], 7, false)},
					Output: &stMemSink{}, DLQ: &stMemSink{}, Now: stEpochNow, BatchSize: 1, CheckpointDir: cdir}
				pr, err := Build(p, env)
				if err != nil {
					if !strings.Contains(err.Error(), bad.Ops[j].Path) {
						t.Errorf("%s: the error does not name the operator %s: %v", pl, bad.Ops[j].Path, err)
					}
					return
				}
				_ = pr.Run(context.Background())
			}()
		}
	}
}

// stCorrupt damages a BSON document: truncates it, changes a byte, or
// replaces a field's value with one of another type.
func stCorrupt(r *rand.Rand, b []byte) []byte {
	switch r.Intn(3) {
	case 0:
		return b[:r.Intn(len(b))]
	case 1:
		out := bytes.Clone(b)
		out[r.Intn(len(out))] ^= byte(1 + r.Intn(255))
		return out
	}
	var d bson.D
	if err := bson.Unmarshal(b, &d); err != nil {
		return b
	}
	junk := []any{int32(-1), int64(1 << 40), "x", nil, bson.A{int32(1), "y"}, bson.D{{Key: "z", Value: true}}, bson.Binary{Data: []byte{1, 2}}, 2.5}
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case bson.D:
			if len(x) > 0 && r.Intn(2) == 0 {
				i := r.Intn(len(x))
				x[i].Value = walk(x[i].Value)
				return x
			}
		case bson.A:
			if len(x) > 0 && r.Intn(2) == 0 {
				i := r.Intn(len(x))
				x[i] = walk(x[i])
				return x
			}
		}
		return junk[r.Intn(len(junk))]
	}
	if len(d) == 0 {
		return b
	}
	i := r.Intn(len(d))
	d[i].Value = walk(d[i].Value)
	out, err := bson.Marshal(d)
	if err != nil {
		return b
	}
	return out
}

// TestAccumulatorCheckpointRejectsDamage checks states no accumulator can
// reach are refused at restore, rather than panicking or taking forever
// at the next update: a sum whose compensation is NaN (with decimals,
// result would panic), a decimal sum with a huge exponent (rounding it
// would not finish), a $topN value with more sort keys than its sortBy.
func TestAccumulatorCheckpointRejectsDamage(t *testing.T) {
	agg := func(js string) *Agg {
		e, err := mql.ParseAccumulator(parseJSON(t, js), "")
		if err != nil {
			t.Fatal(err)
		}
		a, err := NewAgg(e)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	huge := new(big.Float).SetMantExp(big.NewFloat(1), 1<<30)
	hugeGob, _ := huge.GobEncode()
	for _, c := range []struct {
		acc   string
		state bson.D
	}{
		{`{"$sum": "$v"}`, bson.D{{Key: "kind", Value: int32(kindDecimal)}, {Key: "i", Value: int64(0)}, {Key: "f", Value: 1.0}, {Key: "c", Value: math.NaN()}}},
		{`{"$avg": "$v"}`, bson.D{{Key: "kind", Value: int32(99)}, {Key: "n", Value: int64(1)}}},
		{`{"$sum": "$v"}`, bson.D{{Key: "kind", Value: int32(kindDecimal)}, {Key: "dec", Value: bson.Binary{Data: hugeGob}}}},
		{`{"$topN": {"n": 2, "sortBy": {"v": 1}, "output": "$v"}}`, bson.D{{Key: "items", Value: bson.A{
			bson.D{{Key: "keys", Value: bson.A{int32(1), int32(2)}}, {Key: "out", Value: bson.D{{Key: "v", Value: int32(1)}}}}}}}},
		{`{"$topN": {"n": 1, "sortBy": {"v": 1}, "output": "$v"}}`, bson.D{{Key: "items", Value: bson.A{
			bson.D{{Key: "keys", Value: bson.A{int32(1)}}}, bson.D{{Key: "keys", Value: bson.A{int32(2)}}}}}}},
	} {
		a := agg(c.acc)
		acc, err := a.New(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- stDecAcc(acc, c.state) }()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s: the state %v was restored", c.acc, c.state)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: restoring %v does not finish", c.acc, c.state)
		}
	}
}
