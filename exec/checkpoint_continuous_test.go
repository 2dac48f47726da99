package exec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
