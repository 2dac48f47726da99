package exec

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

const stProcPipeline = `[{"$source": {"connectionName": "default", "topic": "in", "timeField": "$t"}},
 {"$tumblingWindow": {"boundary": "processingTime", "interval": {"size": 1, "unit": "minute"}, "pipeline": [
   {"$group": {"_id": null, "n": {"$count": {}}, "vs": {"$push": "$v"}}}]}}]`

// Rows join the window of the clock at arrival, whatever their event time
// (here a day old: nothing is late), and the window closes when the clock
// reaches its end, on a tick, with no data arriving.
func TestProcessingTimeWindowFollowsTheClock(t *testing.T) {
	clock := &stFakeClock{t: stT0.Add(10 * time.Second)}
	old := -24 * time.Hour
	src := newMemSource([]connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, old))}, 1, true)
	out, dlq := &stMemSink{}, &stMemSink{}
	pr := stBuild(t, stProcPipeline, BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out, DLQ: dlq,
		Now: clock.Now, Tick: time.Millisecond, FlushEvery: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	stWaitIn(t, pr, 1)
	clock.Advance(40 * time.Second) // 12:00:50
	src.more <- []connectors.Message{stMsg("in", 0, 1, stDoc("a", 2, old+time.Hour))}
	stWaitIn(t, pr, 2)
	time.Sleep(20 * time.Millisecond)
	if n := len(out.docs()); n != 0 {
		t.Fatalf("window closed before the clock reached its end: %v", out.docs())
	}
	clock.Advance(10 * time.Second) // 12:01:00: [12:00, 12:01) closes
	if !stWaitFor(func() bool { return len(out.docs()) == 1 }) {
		t.Fatalf("window not closed by the clock: %v", out.docs())
	}
	src.more <- []connectors.Message{stMsg("in", 0, 2, stDoc("a", 3, old))}
	stWaitIn(t, pr, 3)
	clock.Advance(time.Minute) // 12:02:00
	if !stWaitFor(func() bool { return len(out.docs()) == 2 }) {
		t.Fatalf("second window not closed: %v", out.docs())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := out.docs()
	for i, want := range []struct {
		start time.Time
		vs    bson.A
	}{{stT0, bson.A{int32(1), int32(2)}}, {stT0.Add(time.Minute), bson.A{int32(3)}}} {
		if s := getPath(got[i], "_stream_meta.window.start"); s != bson.NewDateTimeFromTime(want.start) {
			t.Errorf("window %d starts at %v, want %v", i, s, want.start)
		}
		if e := getPath(got[i], "_stream_meta.window.end"); e != bson.NewDateTimeFromTime(want.start.Add(time.Minute)) {
			t.Errorf("window %d ends at %v", i, e)
		}
		if vs, _ := getPath(got[i], "vs").(bson.A); len(vs) != len(want.vs) || vs[0] != want.vs[0] {
			t.Errorf("window %d holds %v, want %v", i, vs, want.vs)
		}
	}
	if len(dlq.docs()) != 0 {
		t.Errorf("processing-time windows have no late documents: %v", dlq.docs())
	}
	if c := src.committed(); len(c) == 0 || c[len(c)-1][0].Offset != 2 {
		t.Errorf("commits %v, want up to offset 2 once both windows were written", c)
	}
}

// A row that arrives after the clock passed a window's end goes to the
// next window: the open one closes first.
func TestProcessingTimeWindowClosesOnArrival(t *testing.T) {
	clock := &stFakeClock{t: stT0}
	src := newMemSource([]connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, 0))}, 1, true)
	out := &stMemSink{}
	pr := stBuild(t, stProcPipeline, BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out,
		Now: clock.Now, Tick: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	stWaitIn(t, pr, 1)
	clock.Advance(90 * time.Second)
	src.more <- []connectors.Message{stMsg("in", 0, 1, stDoc("a", 2, 0))}
	stWaitIn(t, pr, 2)
	if !stWaitFor(func() bool { return len(out.docs()) == 1 }) {
		t.Fatalf("outputs %v, want the first window", out.docs())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := getPath(out.docs()[0], "n"); n != int32(1) {
		t.Errorf("first window counted %v, want 1", n)
	}
	if n := pr.Stats().StateBytes; n != 0 {
		t.Errorf("state bytes after the run: %d", n)
	}
}

// A bounded input closes every open window at its end.
func TestProcessingTimeWindowClosesAtEndOfInput(t *testing.T) {
	clock := &stFakeClock{t: stT0}
	src := newMemSource([]connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, 0)), stMsg("in", 0, 1, stDoc("a", 2, 0))}, 1, false)
	out := &stMemSink{}
	pr := stBuild(t, stProcPipeline, BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out, Now: clock.Now})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := out.docs(); len(got) != 1 || getPath(got[0], "n") != int32(2) {
		t.Errorf("outputs %v, want one window of 2", got)
	}
}
