package exec

import (
	"context"
	"slices"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// stResumeSource is a bounded source that records ResumeFrom's calls
// (connectors.Resumer).
type stResumeSource struct {
	*stMemSource
	mu    sync.Mutex
	calls [][]connectors.Position
	reads int // Reads before the first ResumeFrom
}

func (s *stResumeSource) Read(ctx context.Context) ([]connectors.Message, error) {
	s.mu.Lock()
	if len(s.calls) == 0 {
		s.reads++
	}
	s.mu.Unlock()
	return s.stMemSource.Read(ctx)
}

func (s *stResumeSource) ResumeFrom(pos []connectors.Position) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, slices.Clone(pos))
	return nil
}

// TestCheckpointResumerGetsTheSavedPositions: without a checkpoint the
// source is not asked to resume; after one, it is told, once and before
// its first Read, the last position read per partition, resume tokens
// included, and messages with a resume token are not skipped.
func TestCheckpointResumerGetsTheSavedPositions(t *testing.T) {
	tok := func(s string) bson.Raw { b, _ := bson.Marshal(bson.D{{Key: "_data", Value: s}}); return b }
	msg := func(coll string, n int32, token string) connectors.Message {
		m := stMsg("shop."+coll, 0, 0, bson.D{{Key: "n", Value: n}})
		m.Position.ResumeToken = tok(token)
		return m
	}
	dir := t.TempDir()
	const pipeline = `[{"$source": {"connectionName": "default", "topic": "in"}}, {"$project": {"_id": 0, "n": 1}}]`
	src := &stResumeSource{stMemSource: newMemSource([]connectors.Message{
		msg("orders", 1, "8201"), msg("returns", 2, "8202"), msg("orders", 3, "8203"),
	}, 2, false)}
	out := &stMemSink{}
	pr := stBuild(t, pipeline, BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out, CheckpointDir: dir})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(src.calls) != 0 || len(out.docs()) != 3 {
		t.Fatalf("without a checkpoint: ResumeFrom calls %v, %d outputs", src.calls, len(out.docs()))
	}

	src2 := &stResumeSource{stMemSource: newMemSource([]connectors.Message{msg("orders", 4, "8204")}, 2, false)}
	out2 := &stMemSink{}
	pr = stBuild(t, pipeline, BuildEnv{Sources: map[string]connectors.Source{"default": src2}, Output: out2, CheckpointDir: dir})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(src2.calls) != 1 || src2.reads != 0 {
		t.Fatalf("ResumeFrom called %d times, after %d reads; want once, before the first", len(src2.calls), src2.reads)
	}
	got := map[string]string{}
	for _, p := range src2.calls[0] {
		got[p.Topic] = p.ResumeToken.Lookup("_data").StringValue()
	}
	if len(got) != 2 || got["shop.orders"] != "8203" || got["shop.returns"] != "8202" {
		t.Errorf("ResumeFrom got %v, want the last token of each namespace", src2.calls[0])
	}
	if docs := out2.docs(); len(docs) != 1 || getPath(docs[0], "n") != int32(4) {
		t.Errorf("after the restart: %v, want the one new message", docs)
	}
}
