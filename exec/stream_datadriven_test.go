package exec

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// TestStreamCases runs testdata/exec: each `run` case is files (`file
// NAME.jsonl` then its lines) and a `pipeline`. It runs the pipeline
// through the streaming engine with batch size 1, with the normal batch
// size, and with arrival shuffled within the allowed lateness (unless the
// case says noshuffle), and through the reference runner; all four must
// print the same output (documents sorted, DLQ as operator: reason).
func TestStreamCases(t *testing.T) {
	datadriven.Walk(t, "../testdata/exec", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			if td.Cmd != "run" {
				t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
			}
			files, pipeline := stParseCase(t, td.Input)
			p, _, err := mql.Decode([]byte(pipeline))
			if err != nil {
				return "decode error: " + err.Error()
			}
			dir := t.TempDir()
			for name, body := range files {
				path := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			conn := connectors.File{Dir: dir}
			ref, err := (&Reference{Conns: map[string]connectors.File{"default": conn}, Now: stEpochNow}).Run(p)
			want := ""
			if err != nil {
				want = "error: " + err.Error()
			} else {
				// A $merge's collection, which starts empty here, is what
				// the streaming sink was given: both print as sink output.
				for k, docs := range ref.Merged {
					ref.Emitted[k] = append(ref.Emitted[k], docs...)
				}
				want = stRenderRef(ref)
			}
			normal := stRunStream(t, p, conn, 1024, false)
			if normal != want {
				t.Errorf("%s: streaming (batch size 1024) differs from the reference runner\nstreaming:\n%s\nreference:\n%s", td.Pos, normal, want)
			}
			if one := stRunStream(t, p, conn, 1, false); one != normal {
				t.Errorf("%s: batch size 1 differs\n%s\nnormal:\n%s", td.Pos, one, normal)
			}
			if !td.HasArg("noshuffle") {
				for seed := int64(1); seed <= 3; seed++ {
					if sh := stRunStreamSeed(t, p, conn, 4, seed); sh != normal {
						t.Errorf("%s: shuffled within the allowed lateness (seed %d) differs\n%s\nnormal:\n%s", td.Pos, seed, sh, normal)
					}
				}
			}
			// STYLE.md §6: a stop / checkpoint / restore in the middle,
			// after k of n messages, for a couple of k, with the source
			// resuming at its committed positions (Kafka-like) or reading
			// everything again (a file: the runtime skips by position).
			msgs := stMessages(t, p, conn)
			for _, k := range []int{len(msgs) / 3, 2 * len(msgs) / 3} {
				if k < 1 || k >= len(msgs) {
					continue
				}
				for _, redeliver := range []bool{false, true} {
					if cut := stRunCut(t, p, conn, msgs, k, redeliver); cut != normal {
						t.Errorf("%s: stopped after %d of %d messages and restored from the checkpoint (source re-reads everything: %v) differs\n%s\nnormal:\n%s", td.Pos, k, len(msgs), redeliver, cut, normal)
					}
				}
			}
			return normal
		})
	})
}

func stEpochNow() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

func stParseCase(t *testing.T, input string) (map[string]string, string) {
	files := map[string]string{}
	var cur string
	lines := strings.Split(input, "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "file "):
			cur = strings.TrimSpace(strings.TrimPrefix(l, "file "))
			files[cur] = ""
		case l == "pipeline":
			return files, strings.Join(lines[i+1:], "\n")
		case cur != "":
			files[cur] += l + "\n"
		}
	}
	t.Fatalf("case has no pipeline")
	return nil, ""
}

// stMessages reads the $source's topics from the file connection as
// messages, in file order, as a Kafka source would deliver them.
func stMessages(t *testing.T, p *mql.Processor, conn connectors.File) []connectors.Message {
	src := p.Pipeline[0].(*mql.Source)
	var msgs []connectors.Message
	for _, topic := range src.Topics {
		lines, err := conn.ReadStream(topic)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			var v []byte
			if l.Err != nil {
				v = []byte(l.Raw)
			} else if v, err = bson.MarshalExtJSON(l.Doc, true, false); err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs, connectors.Message{Value: v, Time: stEpochNow(), Position: connectors.Position{Topic: topic, Offset: int64(l.Number - 1)}})
		}
	}
	return msgs
}

func stRunStream(t *testing.T, p *mql.Processor, conn connectors.File, batch int, _ bool) string {
	return stRunMsgs(t, p, stMessages(t, p, conn), batch, conn)
}

// stRunStreamSeed shuffles arrival within the allowed lateness: each
// message's arrival key is its event time plus a random delay below the
// lateness, so no message arrives after the watermark passed its time by
// the lateness or more.
func stRunStreamSeed(t *testing.T, p *mql.Processor, conn connectors.File, batch int, seed int64) string {
	msgs := stMessages(t, p, conn)
	src := p.Pipeline[0].(*mql.Source)
	if src.TimeField == nil {
		t.Fatalf("a shuffled case needs a timeField")
	}
	lateness := 3 * time.Second
	for _, s := range p.Pipeline {
		if w, ok := s.(mql.Window); ok {
			var o mql.WindowOptions
			switch w := w.(type) {
			case *mql.TumblingWindow:
				o = w.WindowOptions
			case *mql.HoppingWindow:
				o = w.WindowOptions
			case *mql.SessionWindow:
				o = w.WindowOptions
			}
			lateness = stLateness(o.AllowedLateness)
		}
	}
	r := rand.New(rand.NewSource(seed))
	keys := make([]time.Time, len(msgs))
	for i, m := range msgs {
		var doc bson.D
		if err := bson.UnmarshalExtJSON(m.Value, false, &doc); err == nil {
			if v, err := Eval(src.TimeField, doc, nil); err == nil {
				if d, ok := v.(bson.DateTime); ok {
					keys[i] = d.Time()
				}
			}
		}
		if lateness > 0 {
			keys[i] = keys[i].Add(time.Duration(r.Int63n(int64(lateness))))
		}
	}
	idx := make([]int, len(msgs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]].Before(keys[idx[b]]) })
	shuffled := make([]connectors.Message, len(msgs))
	for i, j := range idx {
		shuffled[i] = msgs[j]
	}
	return stRunMsgs(t, p, shuffled, batch, conn)
}

func stRunMsgs(t *testing.T, p *mql.Processor, msgs []connectors.Message, batch int, conn connectors.File) string {
	t.Helper()
	src := newMemSource(msgs, 7, false)
	out, sink, dlq := &stMemSink{}, &stMemSink{}, &stMemSink{}
	env := stCaseEnv(t, p, conn, src, out, sink, dlq, batch)
	pr, err := Build(p, env)
	if err != nil {
		return "error: " + err.Error()
	}
	if err := pr.Run(context.Background()); err != nil {
		return "error: " + err.Error()
	}
	if pr.Stats().StateBytes != 0 {
		t.Errorf("state bytes after the run: %d, want 0", pr.Stats().StateBytes)
	}
	return stRenderSinks(out, sink, dlq)
}

// stRunCut runs msgs in two processors: the first reads k messages and is
// stopped (a graceful cancel, which takes a checkpoint); the second is
// built from the same checkpoint directory over a source that resumes
// after the first's committed positions, or, with redeliver, hands out
// every message again as a file source does. It renders the union of both
// runs' outputs. Since the stop is graceful, the checkpoint is taken at
// the stop itself: nothing is emitted twice, so the union must equal one
// uninterrupted run exactly. (A crash instead of a stop would replay the
// messages read since the last checkpoint and write their outputs again:
// at-least-once.)
func stRunCut(t *testing.T, p *mql.Processor, conn connectors.File, msgs []connectors.Message, k int, redeliver bool) string {
	t.Helper()
	dir := t.TempDir()
	out, sink, dlq := &stMemSink{}, &stMemSink{}, &stMemSink{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := &stCutSource{stMemSource: newMemSource(msgs[:k], 7, true), cancel: cancel}
	env := stCaseEnv(t, p, conn, first, out, sink, dlq, 1024)
	env.CheckpointDir = dir
	pr, err := Build(p, env)
	if err != nil {
		return "error: " + err.Error()
	}
	if err := pr.Run(ctx); err != nil {
		return "error: " + err.Error()
	}
	if pr.Stats().StateBytes != 0 {
		t.Errorf("state bytes after the first run: %d, want 0", pr.Stats().StateBytes)
	}
	rest := msgs
	if !redeliver {
		committed := map[string]int64{}
		for _, c := range first.committed() {
			for _, pos := range c {
				committed[pos.Topic] = pos.Offset
			}
		}
		rest = nil
		for _, m := range msgs {
			if off, ok := committed[m.Position.Topic]; !ok || m.Position.Offset > off {
				rest = append(rest, m)
			}
		}
	}
	env = stCaseEnv(t, p, conn, newMemSource(rest, 7, false), out, sink, dlq, 1024)
	env.CheckpointDir = dir
	pr, err = Build(p, env)
	if err != nil {
		return "error: restart: " + err.Error()
	}
	if err := pr.Run(context.Background()); err != nil {
		return "error: restart: " + err.Error()
	}
	if pr.Stats().StateBytes != 0 {
		t.Errorf("state bytes after the second run: %d, want 0", pr.Stats().StateBytes)
	}
	return stRenderSinks(out, sink, dlq)
}

// stCutSource hands out its messages, then cancels the run at the next
// Read: the runtime has processed exactly those messages when it sees the
// cancel.
type stCutSource struct {
	*stMemSource
	cancel context.CancelFunc
}

func (s *stCutSource) Read(ctx context.Context) ([]connectors.Message, error) {
	s.mu.Lock()
	left := len(s.msgs)
	s.mu.Unlock()
	if left == 0 {
		s.cancel()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.stMemSource.Read(ctx)
}

func stCaseEnv(t *testing.T, p *mql.Processor, conn connectors.File, src connectors.Source, out, sink, dlq *stMemSink, batch int) BuildEnv {
	t.Helper()
	lookups := map[mql.Namespace]connectors.Lookup{}
	for _, s := range p.Pipeline {
		if c, ok := s.(*mql.CachedLookup); ok {
			from := c.From
			s = &mql.Lookup{From: &from}
		}
		if l, ok := s.(*mql.Lookup); ok && l.From != nil {
			lines, err := conn.ReadCollection(l.From.DB, l.From.Coll)
			if err != nil {
				t.Fatal(err)
			}
			ml := &stMemLookup{}
			for _, ln := range lines {
				ml.docs = append(ml.docs, ln.Doc)
			}
			lookups[mql.Namespace{ConnectionName: "default", DB: l.From.DB, Coll: l.From.Coll}] = ml
		}
	}
	return BuildEnv{
		Sources: map[string]connectors.Source{"default": src},
		Sinks:   map[string]connectors.Sink{"default": sink},
		Lookups: lookups, Output: out, DLQ: dlq, Now: stEpochNow, BatchSize: batch,
	}
}

func stRenderSinks(out, sink, dlq *stMemSink) string {
	res := &Result{Emitted: map[string][]bson.D{}}
	for _, d := range sink.written {
		res.Emitted["default."+d.Target] = append(res.Emitted["default."+d.Target], d.Doc)
	}
	res.Stdout = out.docs()
	res.DLQ = dlq.docs()
	return stRenderRef(res)
}

// stRenderRef prints a result's documents sorted (arrival order is not
// part of a stream's answer) and its dead letters as operator: reason.
func stRenderRef(res *Result) string {
	var b strings.Builder
	section := func(name string, docs []bson.D) {
		lines := make([]string, len(docs))
		for i, d := range docs {
			j, err := bson.MarshalExtJSON(d, false, false)
			if err != nil {
				j = []byte(err.Error())
			}
			lines[i] = string(j)
		}
		sort.Strings(lines)
		fmt.Fprintf(&b, "%s:\n", name)
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
	if len(res.Stdout) > 0 {
		section("stdout", res.Stdout)
	}
	keys := make([]string, 0, len(res.Emitted))
	for k, docs := range res.Emitted {
		if len(docs) > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		section("sink "+k, res.Emitted[k])
	}
	if len(res.DLQ) > 0 {
		var lines []string
		for _, d := range res.DLQ {
			doc, _ := bson.MarshalExtJSON(getPath(d, "doc").(bson.D), false, false)
			lines = append(lines, fmt.Sprintf("%v: %v %s", getPath(d, "operatorName"), getPath(d, "errInfo.reason"), doc))
		}
		sort.Strings(lines)
		b.WriteString("dlq:\n" + strings.Join(lines, "\n") + "\n")
	}
	return b.String()
}
