package exec

import (
	"context"
	"fmt"
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

// TestContinuousCases runs testdata/exec_continuous: pipelines with a
// continuous top-level $group, $count or $sort/$limit, whose output is a
// stream of updates rather than the reference runner's final answer. Each
// case runs with batch size 1 (its updates are the golden output), 1024,
// and shuffled arrival (unless noshuffle); every time, the final state —
// the last update per key (key=FIELD, default _id), or the last answer of
// a top-n — must equal the reference runner's result over the same input.
func TestContinuousCases(t *testing.T) {
	datadriven.Walk(t, "../testdata/exec_continuous", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			if td.Cmd != "run" {
				t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
			}
			key := "_id"
			if td.HasArg("key") {
				td.ScanArgs(t, "key", &key)
			}
			files, pipeline := stParseCase(t, td.Input)
			p, _, err := mql.Decode([]byte(pipeline))
			if err != nil {
				return "decode error: " + err.Error()
			}
			dir := t.TempDir()
			for name, body := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			conn := connectors.File{Dir: dir}
			ref, err := (&Reference{Conns: map[string]connectors.File{"default": conn}, Now: stEpochNow}).Run(p)
			if err != nil {
				t.Fatalf("%s: reference: %v", td.Pos, err)
			}
			msgs := stMessages(t, p, conn)
			updates, dlq, err := stRunUpdates(t, p, msgs, 1)
			if err != nil {
				return "error: " + err.Error()
			}
			check := func(label string, got []bson.D, dl []bson.D) {
				final := stFinal(p, got, key, len(ref.Stdout))
				want := stRenderRef(&Result{Stdout: ref.Stdout, DLQ: ref.DLQ})
				if g := stRenderRef(&Result{Stdout: final, DLQ: dl}); g != want {
					t.Errorf("%s: %s: the final state differs from the reference runner\nstreaming:\n%s\nreference:\n%s", td.Pos, label, g, want)
				}
			}
			check("batch size 1", updates, dlq)
			if got, dl, err := stRunUpdates(t, p, msgs, 1024); err != nil {
				t.Errorf("%s: batch size 1024: %v", td.Pos, err)
			} else {
				check("batch size 1024", got, dl)
			}
			if !td.HasArg("noshuffle") {
				for seed := int64(1); seed <= 3; seed++ {
					sh := append([]connectors.Message(nil), msgs...)
					rand.New(rand.NewSource(seed)).Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
					if got, dl, err := stRunUpdates(t, p, sh, 3); err != nil {
						t.Errorf("%s: shuffled: %v", td.Pos, err)
					} else {
						check(fmt.Sprintf("shuffled (seed %d)", seed), got, dl)
					}
				}
			}
			var b strings.Builder
			b.WriteString("updates:\n")
			for _, d := range updates {
				j, _ := bson.MarshalExtJSON(d, false, false)
				b.WriteString(string(j) + "\n")
			}
			b.WriteString(stRenderRef(&Result{DLQ: dlq}))
			return b.String()
		})
	})
}

// stRunUpdates runs p over msgs and returns everything it output, in
// order, and its dead letters.
func stRunUpdates(t *testing.T, p *mql.Processor, msgs []connectors.Message, batch int) (out, dlq []bson.D, err error) {
	t.Helper()
	o, d := &stMemSink{}, &stMemSink{}
	pr, err := Build(p, BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(msgs, 7, false)},
		Output: o, DLQ: d, Now: stEpochNow, BatchSize: batch})
	if err != nil {
		return nil, nil, err
	}
	if err := pr.Run(context.Background()); err != nil {
		return nil, nil, err
	}
	if n := pr.Stats().StateBytes; n != 0 {
		t.Errorf("state bytes after the run: %d, want 0", n)
	}
	return o.docs(), d.docs(), nil
}

// stFinal is what an upsert stream leaves behind: the last document per
// key, or for a top-n (a top-level $sort) the last answer, which is its
// last n documents since every answer is emitted whole.
func stFinal(p *mql.Processor, updates []bson.D, key string, n int) []bson.D {
	for _, s := range p.Pipeline {
		if _, ok := s.(*mql.Sort); ok {
			return updates[max(0, len(updates)-n):]
		}
	}
	var order []string
	last := map[string]bson.D{}
	for _, d := range updates {
		k := string(AppendKey(nil, getPath(d, key)))
		if _, ok := last[k]; !ok {
			order = append(order, k)
		}
		last[k] = d
	}
	out := make([]bson.D, len(order))
	for i, k := range order {
		out[i] = last[k]
	}
	return out
}

func TestContinuousGroupMemoryLimitNamesTheOperator(t *testing.T) {
	var msgs []connectors.Message
	for i := range 200 {
		msgs = append(msgs, stMsg("in", 0, int64(i), stDoc(fmt.Sprintf("key-%d", i), int32(i), 0)))
	}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}},
	  {"$group": {"_id": "$k", "vs": {"$push": "$v"}}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(msgs, 10, false)}, Output: &stMemSink{}, MemoryLimit: 4000})
	err := pr.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "pipeline[1].$group: state needs") || !strings.Contains(err.Error(), "memory limit of 4000 bytes") {
		t.Fatalf("Run: %v", err)
	}
	if n := pr.Stats().StateBytes; n != 0 {
		t.Errorf("state bytes after Close: %d", n)
	}
}

// A continuous aggregate's state is in memory only: the positions of the
// rows it aggregated are not committed, so a restart rebuilds it.
func TestContinuousGroupHoldsItsPositions(t *testing.T) {
	src := newMemSource([]connectors.Message{
		stMsg("in", 0, 0, stDoc("a", 1, 0)), stMsg("in", 0, 1, stDoc("b", 2, 0)),
	}, 2, true)
	out := &stMemSink{}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}},
	  {"$group": {"_id": "$k", "n": {"$sum": 1}}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	stWaitIn(t, pr, 2)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(out.docs()) != 2 || out.flushed != 2 {
		t.Errorf("output %v (flushed %d), want the two groups flushed", out.docs(), out.flushed)
	}
	if c := src.committed(); len(c) != 0 {
		t.Errorf("committed %v while the groups' state held them", c)
	}
}

func TestContinuousBuildErrors(t *testing.T) {
	const src = `{"$source": {"connectionName": "default", "topic": "in"}}`
	for _, c := range []struct{ stages, want string }{
		{`{"$sort": {"v": 1}}`, "pipeline[1].$sort: a top-level $sort orders the groups of a continuous $group or $count and must follow one"},
		{`{"$group": {"_id": "$k"}}, {"$limit": 2}`, "pipeline[2].$limit: a $limit after the continuous pipeline[1].$group needs a $sort right before it"},
		{`{"$group": {"_id": "$k"}}, {"$match": {"_id": "a"}}, {"$sort": {"_id": 1}}`, "pipeline[3].$sort: a top-level $sort must come right after the continuous pipeline[1].$group"},
		{`{"$group": {"_id": "$k"}}, {"$count": "n"}`, "pipeline[2].$count: a continuous aggregate after the continuous pipeline[1].$group is not supported"},
		{`{"$count": "n"}, {"$tumblingWindow": {"interval": {"size": 1, "unit": "second"}, "pipeline": [{"$count": "n"}]}}`, "pipeline[2].$tumblingWindow: a window after the continuous pipeline[1].$count is not supported"},
	} {
		p, _, err := mql.Decode([]byte("[" + src + "," + c.stages + "]"))
		if err != nil {
			t.Fatalf("%s: decode: %v", c.stages, err)
		}
		_, err = Build(p, BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(nil, 1, false)}, Output: &stMemSink{}})
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: Build: %v\nwant prefix %q", c.stages, err, c.want)
		}
	}
}

// One update per changed group per batch, carrying the latest value.
func TestContinuousGroupEmitsOneUpdatePerChangedGroupPerBatch(t *testing.T) {
	var msgs []connectors.Message
	for i, k := range []string{"a", "b", "a", "a", "c", "b"} {
		msgs = append(msgs, stMsg("in", 0, int64(i), stDoc(k, int32(i), time.Duration(i)*time.Second)))
	}
	out := &stMemSink{}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}},
	  {"$group": {"_id": "$k", "sum": {"$sum": "$v"}}}, {"$project": {"_stream_meta": 0}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(msgs, 6, false)}, Output: out, BatchSize: 3})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range out.docs() {
		got = append(got, fmt.Sprintf("%v=%v", d[0].Value, d[1].Value))
	}
	// Batch 1 (a b a): a=2, b=1. Batch 2 (a c b): a=5, c=4, b=6.
	if want := "a=2 b=1 a=5 c=4 b=6"; strings.Join(got, " ") != want {
		t.Errorf("updates %s, want %s", strings.Join(got, " "), want)
	}
}
