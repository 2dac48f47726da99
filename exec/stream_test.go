package exec

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

var stT0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func stDoc(k string, v int32, at time.Duration) bson.D {
	return bson.D{{Key: "k", Value: k}, {Key: "v", Value: v}, {Key: "t", Value: bson.NewDateTimeFromTime(stT0.Add(at))}}
}

const stWindowPipeline = `[{"$source": {"connectionName": "default", "topic": "in", "timeField": "$t"}},
 {"$tumblingWindow": {"interval": {"size": 5, "unit": "minute"}, %s "pipeline": [
   {"$group": {"_id": null, "n": {"$count": {}}, "sum": {"$sum": "$v"}}}]}},
 {"$project": {"_stream_meta": 0}}]`

func stBuild(t *testing.T, pipeline string, env BuildEnv) *Processor {
	t.Helper()
	p, _, err := mql.Decode([]byte(pipeline))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	pr, err := Build(p, env)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return pr
}

// stWaitFor polls cond for up to two seconds: Run works in its own
// goroutine, so the tests wait for what it did, not for a fixed time.
func stWaitFor(cond func() bool) bool {
	for i := 0; i < 1000; i++ {
		if cond() {
			return true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return false
}

func stWaitIn(t *testing.T, pr *Processor, n int64) {
	t.Helper()
	if !stWaitFor(func() bool { return pr.Stats().In >= n }) {
		t.Fatalf("Run read %d messages, want %d", pr.Stats().In, n)
	}
}

func stWinPipeline(opts string) string { return strings.Replace(stWindowPipeline, "%s", opts, 1) }

func TestStreamLateDocumentGoesToTheDLQWithAReason(t *testing.T) {
	src := newMemSource([]connectors.Message{
		stMsg("in", 0, 0, stDoc("a", 1, 1*time.Minute)),
		stMsg("in", 0, 1, stDoc("a", 2, 7*time.Minute)), // watermark 12:07: [12:00, 12:05) closes
		stMsg("in", 0, 2, stDoc("a", 3, 2*time.Minute)), // late for the closed window
	}, 1, false)
	out, dlq := &stMemSink{}, &stMemSink{}
	pr := stBuild(t, stWinPipeline(""), BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out, DLQ: dlq, BatchSize: 1})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(out.docs()); got != 2 {
		t.Fatalf("outputs: %d, want 2 (one per window)", got)
	}
	dl := dlq.docs()
	if len(dl) != 1 {
		t.Fatalf("dlq: %v", dl)
	}
	reason, _ := getPath(dl[0], "errInfo.reason").(string)
	want := "late document: its window [2026-01-01T12:00:00.000Z, 2026-01-01T12:05:00.000Z) closed at watermark 2026-01-01T12:05:03.000Z"
	if !strings.HasPrefix(reason, want) {
		t.Errorf("reason %q, want prefix %q", reason, want)
	}
	if getPath(dl[0], "operatorName") != "$tumblingWindow" || getPath(dl[0], "doc.v") != int32(3) {
		t.Errorf("dlq document: %v", dl[0])
	}
	for _, f := range []string{"processorName", "dlqTime", "_stream_meta"} {
		if IsMissing(getPath(dl[0], f)) {
			t.Errorf("dlq document lacks %s: %v", f, dl[0])
		}
	}
}

func TestStreamIdleTimeoutClosesWindowOnQuietSource(t *testing.T) {
	clock := &stFakeClock{t: stT0}
	src := newMemSource([]connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, 1*time.Minute))}, 1, true)
	out := &stMemSink{}
	pr := stBuild(t, stWinPipeline(`"idleTimeout": {"size": 2, "unit": "minute"},`), BuildEnv{
		Sources: map[string]connectors.Source{"default": src}, Output: out, Now: clock.Now, Tick: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	stWaitIn(t, pr, 1)
	// Quiet for 1 minute: below idleTimeout, the window stays open.
	clock.Advance(time.Minute)
	time.Sleep(20 * time.Millisecond)
	if n := len(out.docs()); n != 0 {
		t.Fatalf("window closed after 1 minute of quiet: %d outputs", n)
	}
	// Quiet for 2 minutes: the watermark moves on from 12:01 by 2 minutes
	// (12:03), before the window's end. At 4 minutes it reaches 12:05.
	clock.Advance(time.Minute)
	time.Sleep(20 * time.Millisecond)
	if n := len(out.docs()); n != 0 {
		t.Fatalf("window [12:00, 12:05) closed at idle watermark 12:03: %d outputs", n)
	}
	clock.Advance(2 * time.Minute)
	if !stWaitFor(func() bool { return len(out.docs()) == 1 }) {
		t.Fatalf("window not closed by idleTimeout: %d outputs", len(out.docs()))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestStreamWatermarkWaitsForSlowestPartition(t *testing.T) {
	for _, idle := range []bool{false, true} {
		clock := &stFakeClock{t: stT0}
		src := newMemSource([]connectors.Message{
			stMsg("in", 0, 0, stDoc("a", 1, 1*time.Minute)),
			stMsg("in", 1, 0, stDoc("b", 2, 2*time.Minute)),
		}, 2, true)
		out := &stMemSink{}
		opts := ""
		if idle {
			opts = `"partitionIdleTimeout": {"size": 30, "unit": "second"},`
		}
		pipeline := strings.Replace(stWinPipeline(""), `"timeField": "$t"`, opts+`"timeField": "$t"`, 1)
		pr := stBuild(t, pipeline, BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out, Now: clock.Now, Tick: time.Millisecond})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- pr.Run(ctx) }()
		stWaitIn(t, pr, 2)
		// Partition 1 runs ahead past the window's close; partition 0 is
		// quiet at 12:01.
		clock.Advance(time.Minute)
		src.more <- []connectors.Message{stMsg("in", 1, 1, stDoc("b", 3, 10*time.Minute))}
		stWaitIn(t, pr, 3)
		if idle {
			stWaitFor(func() bool { return len(out.docs()) > 0 })
		} else {
			time.Sleep(30 * time.Millisecond)
		}
		got := len(out.docs())
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if !idle && got != 0 {
			t.Errorf("without partitionIdleTimeout the window closed while partition 0 was at 12:01: %d outputs", got)
		}
		if idle && got != 1 {
			t.Errorf("with partitionIdleTimeout the idle partition 0 should not hold the watermark: %d outputs", got)
		}
		if w := pr.Stats().Watermark; !idle && !w.Equal(stT0.Add(time.Minute)) {
			t.Errorf("watermark %v, want the slowest partition's 12:01", w)
		}
	}
}

func TestStreamCancelFlushesAndCommits(t *testing.T) {
	src := newMemSource([]connectors.Message{
		stMsg("in", 0, 10, stDoc("a", 1, 0)),
		stMsg("in", 0, 11, stDoc("a", 2, time.Second)),
		stMsg("in", 3, 5, stDoc("b", 3, time.Second)),
	}, 2, true)
	out := &stMemSink{}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}}, {"$match": {"v": {"$gte": 2}}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out, FlushEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	stWaitIn(t, pr, 3)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("graceful stop returned %v", err)
	}
	if out.flushed != 2 {
		t.Errorf("flushed %d documents, want 2", out.flushed)
	}
	commits := src.committed()
	if len(commits) != 1 {
		t.Fatalf("commits: %v", commits)
	}
	got := map[int32]int64{}
	for _, p := range commits[0] {
		got[p.Partition] = p.Offset
	}
	if got[0] != 11 || got[3] != 5 || len(got) != 2 {
		t.Errorf("committed %v, want partition 0 at 11 and 3 at 5", got)
	}
}

func TestStreamNoCommitWhenFlushFails(t *testing.T) {
	src := newMemSource([]connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, 0))}, 1, false)
	out := &stMemSink{failFlush: true}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out})
	err := pr.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Run: %v, want the flush error", err)
	}
	if c := src.committed(); len(c) != 0 {
		t.Errorf("committed %v although the sink never flushed", c)
	}
}

// Rows held in an open window are not committed: a restart must read them
// again, since the window's state is not checkpointed.
func TestStreamCommitStopsBeforeRowsHeldInWindows(t *testing.T) {
	src := newMemSource([]connectors.Message{
		stMsg("in", 0, 0, stDoc("a", 1, 1*time.Minute)),
		stMsg("in", 0, 1, stDoc("a", 2, 9*time.Minute)), // closes [12:00,12:05), opens [12:05,12:10)
	}, 1, true)
	out := &stMemSink{}
	pr := stBuild(t, stWinPipeline(""), BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out, BatchSize: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	stWaitIn(t, pr, 2)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c := src.committed()
	if len(c) != 1 || len(c[0]) != 1 || c[0][0].Offset != 0 {
		t.Fatalf("commits %v, want offset 0 only (offset 1 is held by the open window)", c)
	}
}

func TestStreamLookupQueriesOncePerBatch(t *testing.T) {
	var msgs []connectors.Message
	for i := range 10 {
		msgs = append(msgs, stMsg("in", 0, int64(i), bson.D{{Key: "c", Value: int32(i % 3)}}))
	}
	lk := &stMemLookup{docs: []bson.D{{{Key: "_id", Value: int32(1)}, {Key: "n", Value: "one"}}}}
	out := &stMemSink{}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}},
	  {"$lookup": {"from": {"connectionName": "default", "db": "d", "coll": "c"}, "localField": "c", "foreignField": "_id", "as": "m"}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(msgs, 10, false)}, Output: out,
			Lookups: map[mql.Namespace]connectors.Lookup{{ConnectionName: "default", DB: "d", Coll: "c"}: lk}, BatchSize: 5})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if lk.calls != 2 {
		t.Errorf("Find called %d times for 2 batches, want 2", lk.calls)
	}
	matched := 0
	for _, d := range out.docs() {
		if a, _ := getPath(d, "m").(bson.A); len(a) == 1 {
			matched++
		}
	}
	if matched != 3 {
		t.Errorf("%d documents matched, want 3", matched)
	}
}

func TestStreamMemoryLimitNamesTheOperator(t *testing.T) {
	var msgs []connectors.Message
	for i := range 100 {
		msgs = append(msgs, stMsg("in", 0, int64(i), stDoc("a", int32(i), time.Duration(i)*time.Second)))
	}
	pr := stBuild(t, stWinPipeline(""), BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(msgs, 10, false)},
		Output: &stMemSink{}, MemoryLimit: 2000})
	err := pr.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "pipeline[1].$tumblingWindow: state needs") || !strings.Contains(err.Error(), "memory limit of 2000 bytes") {
		t.Fatalf("Run: %v", err)
	}
}

func TestStreamSinkRejectionsGoToTheDLQ(t *testing.T) {
	src := newMemSource([]connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, 0)), stMsg("in", 0, 1, stDoc("b", 2, 0))}, 2, false)
	sink := &stMemSink{reject: func(d connectors.Doc) string {
		if getPath(d.Doc, "k") == "b" {
			return "E11000 duplicate key"
		}
		return ""
	}}
	dlq := &stMemSink{}
	pr := stBuild(t, `{"name": "p1", "options": {"dlq": {"connectionName": "default", "db": "x", "coll": "dlq"}}, "pipeline": [
	  {"$source": {"connectionName": "default", "topic": "in"}},
	  {"$merge": {"into": {"connectionName": "default", "db": "shop", "coll": {"$concat": ["c_", "$k"]}}}}]}`,
		BuildEnv{Sources: map[string]connectors.Source{"default": src}, Sinks: map[string]connectors.Sink{"default": sink}, DLQ: dlq})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sink.written) != 1 || sink.written[0].Target != "shop.c_a" {
		t.Errorf("written %v", sink.written)
	}
	if len(dlq.written) != 1 || dlq.written[0].Target != "x.dlq" || getPath(dlq.written[0].Doc, "errInfo.reason") != "E11000 duplicate key" ||
		getPath(dlq.written[0].Doc, "processorName") != "p1" {
		t.Errorf("dlq %v", dlq.written)
	}
}

// stSlowStopSource is a live source whose Read takes a while to return
// once its context ends, as a driver tearing down a request does; it
// counts the Reads under way.
type stSlowStopSource struct {
	*stMemSource
	reading atomic.Int32
}

func (s *stSlowStopSource) Read(ctx context.Context) ([]connectors.Message, error) {
	s.reading.Add(1)
	defer s.reading.Add(-1)
	msgs, err := s.stMemSource.Read(ctx)
	if ctx.Err() != nil {
		time.Sleep(50 * time.Millisecond)
	}
	return msgs, err
}

// TestStreamRunFailureWaitsForTheReader: when Run fails (here a sink's
// flush), it returns only once the reader has left Read, so the caller
// closing the source next does not close it under a Read.
func TestStreamRunFailureWaitsForTheReader(t *testing.T) {
	src := &stSlowStopSource{stMemSource: newMemSource([]connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, 0))}, 1, true)}
	out := &stMemSink{failFlush: true}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out,
			Tick: time.Millisecond, FlushEvery: time.Millisecond})
	err := pr.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Run: %v, want the sink's flush error", err)
	}
	if n := src.reading.Load(); n != 0 {
		t.Fatalf("Run returned with %d Read(s) under way", n)
	}
}

// stBlockingSink blocks in Write until released, and fails with the
// context's error if that ended first, as a network sink does.
type stBlockingSink struct {
	stMemSink
	entered, release chan struct{}
}

func (s *stBlockingSink) Write(ctx context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.stMemSink.Write(ctx, docs)
}

// A stop (Ctrl-C, STOP) that comes while a batch is in a sink lets the
// batch finish: Run ends gracefully, the output is flushed and its
// position committed, rather than failing with "context canceled".
func TestStreamStopDuringASinkWrite(t *testing.T) {
	src := newMemSource([]connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, 0))}, 1, true)
	out := &stBlockingSink{entered: make(chan struct{}, 1), release: make(chan struct{})}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out,
			Tick: time.Millisecond, FlushEvery: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	select {
	case <-out.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the sink never got the document")
	}
	cancel()
	time.Sleep(20 * time.Millisecond)
	close(out.release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v, want a graceful stop", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	if out.flushed != 1 {
		t.Errorf("flushed %d document(s), want 1", out.flushed)
	}
	if c := src.committed(); len(c) == 0 || c[len(c)-1][0].Offset != 0 {
		t.Errorf("commits %v, want offset 0 committed", c)
	}
}
