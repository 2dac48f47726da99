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
	lookups := map[mql.Namespace]connectors.Lookup{}
	for _, s := range p.Pipeline {
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
	env := BuildEnv{
		Sources: map[string]connectors.Source{"default": src},
		Sinks:   map[string]connectors.Sink{"default": sink},
		Lookups: lookups, Output: out, DLQ: dlq, Now: stEpochNow, BatchSize: batch,
	}
	pr, err := Build(p, env)
	if err != nil {
		return "error: " + err.Error()
	}
	if err := pr.Run(context.Background()); err != nil {
		return "error: " + err.Error()
	}
	res := &Result{Emitted: map[string][]bson.D{}}
	for _, d := range sink.written {
		res.Emitted["default."+d.Target] = append(res.Emitted["default."+d.Target], d.Doc)
	}
	res.Stdout = out.docs()
	res.DLQ = dlq.docs()
	if pr.Stats().StateBytes != 0 {
		t.Errorf("state bytes after the run: %d, want 0", pr.Stats().StateBytes)
	}
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
		section("emit "+k, res.Emitted[k])
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
