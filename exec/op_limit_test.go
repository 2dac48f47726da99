package exec

import (
	"context"
	"testing"
	"time"

	"github.com/weir-stream/weir/connectors"
)

// SQL's LIMIT on an endless stream ends it after that many rows: the run
// returns by itself, having written exactly n rows and committed them.
func TestStreamTopLevelLimitEndsAnEndlessStream(t *testing.T) {
	var msgs []connectors.Message
	for i := range 5 {
		msgs = append(msgs, stMsg("in", 0, int64(i), stDoc("a", int32(i), time.Duration(i)*time.Second)))
	}
	src := newMemSource(msgs, 2, true) // live: Read waits after the five
	out := &stMemSink{}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}},
		{"$match": {"v": {"$gte": 1}}}, {"$limit": 3}, {"$project": {"_id": 0, "v": 1}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out})
	done := make(chan error, 1)
	go func() { done <- pr.Run(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a top-level $limit did not end the run")
	}
	got := out.docs()
	if len(got) != 3 {
		t.Fatalf("got %d rows, want 3: %v", len(got), got)
	}
	for i, d := range got {
		if d[0].Value != int32(i+1) {
			t.Errorf("row %d is %v, want v=%d (the first three that match)", i, d, i+1)
		}
	}
	if len(src.committed()) == 0 {
		t.Error("the rows the limit passed were not committed")
	}
}
