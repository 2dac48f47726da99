package exec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// stCkptRun runs the window pipeline over msgs and stops it gracefully
// once they are all read (stCutSource), with checkpoints in dir.
func stCkptRun(t *testing.T, dir string, msgs []connectors.Message) (*Processor, *stCutSource, *stMemSink) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &stCutSource{stMemSource: newMemSource(msgs, 1, true), cancel: cancel}
	out := &stMemSink{}
	pr := stBuild(t, stWinPipeline(""), BuildEnv{Sources: map[string]connectors.Source{"default": src},
		Output: out, BatchSize: 1, CheckpointDir: dir})
	if err := pr.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return pr, src, out
}

func TestCheckpointRestoresATumblingWindowsRowsAndWatermark(t *testing.T) {
	dir := t.TempDir()
	_, src, out := stCkptRun(t, dir, []connectors.Message{
		stMsg("in", 0, 0, stDoc("a", 1, 1*time.Minute)),
		stMsg("in", 0, 1, stDoc("a", 2, 7*time.Minute)), // closes [12:00, 12:05)
		stMsg("in", 0, 2, stDoc("a", 3, 8*time.Minute)), // held in [12:05, 12:10)
	})
	if got := len(out.docs()); got != 1 {
		t.Fatalf("outputs before the stop: %d, want 1", got)
	}
	// The checkpoint covers the rows held in the open window, so the
	// commit passes them.
	commits := src.committed()
	if len(commits) == 0 || commits[len(commits)-1][0].Offset != 2 {
		t.Fatalf("commits %v: want the last at offset 2, past the held rows", commits)
	}

	src2 := newMemSource([]connectors.Message{
		stMsg("in", 0, 3, stDoc("a", 4, 3*time.Minute)),  // late: the watermark was restored
		stMsg("in", 0, 4, stDoc("a", 5, 9*time.Minute)),  // joins the restored window
		stMsg("in", 0, 5, stDoc("a", 6, 20*time.Minute)), // closes it
	}, 1, false)
	out2, dlq := &stMemSink{}, &stMemSink{}
	pr := stBuild(t, stWinPipeline(""), BuildEnv{Sources: map[string]connectors.Source{"default": src2},
		Output: out2, DLQ: dlq, BatchSize: 1, CheckpointDir: dir})
	w := pr.ops[0].(*TimeWindow)
	if !w.wm.Equal(stT0.Add(8*time.Minute)) || !pr.rt.wm.Equal(stT0.Add(8*time.Minute)) {
		t.Fatalf("restored watermarks: window %v, processor %v; want 12:08", w.wm, pr.rt.wm)
	}
	start := stT0.Add(5 * time.Minute).UnixMilli()
	if len(w.open) != 1 || w.open[start] == nil || len(w.open[start].rows) != 2 {
		t.Fatalf("restored windows: %v, want [12:05, 12:10) with 2 rows", w.open)
	}
	if got := w.open[start].rows[1].Doc; getPath(got, "v") != int32(3) || !w.open[start].rows[1].Time.Equal(stT0.Add(8*time.Minute)) {
		t.Fatalf("restored row: %v at %v", got, w.open[start].rows[1].Time)
	}
	if pr.Stats().StateBytes == 0 {
		t.Fatal("restored rows are not accounted to the memory budget")
	}
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	docs := out2.docs()
	if len(docs) != 2 || getPath(docs[0], "sum") != int32(10) || getPath(docs[0], "n") != int32(3) {
		t.Fatalf("outputs after the restore: %v; want [12:05, 12:10) with n 3, sum 2+3+5 = 10, then [12:20, 12:25)", docs)
	}
	if len(dlq.docs()) != 1 {
		t.Fatalf("dlq: %v, want the late row", dlq.docs())
	}
}

func TestCheckpointWriteIsAtomic(t *testing.T) {
	dir := t.TempDir()
	store := DirStore{Dir: dir}
	if err := store.Save([]byte("old checkpoint")); err != nil {
		t.Fatal(err)
	}
	// A crash in the middle of the next Save leaves a partial temporary
	// file next to the checkpoint, never a partial checkpoint.
	if err := os.WriteFile(filepath.Join(dir, stCkptFile+".tmp-123"), []byte("new che"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := store.Load(); err != nil || string(b) != "old checkpoint" {
		t.Fatalf("Load after a crash mid-write: %q, %v; want the old checkpoint", b, err)
	}
	if err := store.Save([]byte("new checkpoint")); err != nil {
		t.Fatal(err)
	}
	if b, err := store.Load(); err != nil || string(b) != "new checkpoint" {
		t.Fatalf("Load: %q, %v", b, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), stCkptFile+".tmp-") && e.Name() != stCkptFile+".tmp-123" {
			t.Errorf("Save left %s behind", e.Name())
		}
	}
	if b, err := (DirStore{Dir: filepath.Join(dir, "none")}).Load(); b != nil || err != nil {
		t.Fatalf("Load of a directory without a checkpoint: %q, %v; want none", b, err)
	}
}

// stFailingStore fails the Save after a first one, as a crash during the
// write of a checkpoint does.
type stFailingStore struct {
	DirStore
	saves int
}

func (s *stFailingStore) Save(b []byte) error {
	s.saves++
	if s.saves > 1 {
		// Half the record reaches the temporary file, then the process
		// dies: the rename never happens.
		return os.WriteFile(filepath.Join(s.Dir, stCkptFile+".tmp-crash"), b[:len(b)/2], 0o644)
	}
	return s.DirStore.Save(b)
}

func TestCheckpointCrashMidWriteKeepsTheOldCheckpoint(t *testing.T) {
	dir := t.TempDir()
	stCkptRun(t, dir, []connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, 1*time.Minute))})
	old, err := os.ReadFile(filepath.Join(dir, stCkptFile))
	if err != nil {
		t.Fatal(err)
	}
	store := &stFailingStore{DirStore: DirStore{Dir: dir}, saves: 1}
	ctx, cancel := context.WithCancel(context.Background())
	src := &stCutSource{stMemSource: newMemSource([]connectors.Message{stMsg("in", 0, 1, stDoc("a", 2, 2*time.Minute))}, 1, true), cancel: cancel}
	pr := stBuild(t, stWinPipeline(""), BuildEnv{Sources: map[string]connectors.Source{"default": src},
		Output: &stMemSink{}, BatchSize: 1, Checkpoints: store})
	if err := pr.Run(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if cur, _ := os.ReadFile(filepath.Join(dir, stCkptFile)); string(cur) != string(old) {
		t.Fatal("the checkpoint changed although its write crashed")
	}
	// A restart restores the old checkpoint: one row in the window.
	pr = stBuild(t, stWinPipeline(""), BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(nil, 1, false)},
		Output: &stMemSink{}, CheckpointDir: dir})
	w := pr.ops[0].(*TimeWindow)
	if len(w.open) != 1 || len(w.open[stT0.UnixMilli()].rows) != 1 {
		t.Fatalf("restored windows: %v, want the old checkpoint's one row", w.open)
	}
	pr.ops[0].Close()
}

func TestCheckpointCorruptedIsAnErrorNamingTheFile(t *testing.T) {
	for name, body := range map[string][]byte{
		"garbage":   []byte("this is not BSON at all"),
		"truncated": nil, // filled below
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if body == nil {
				stCkptRun(t, dir, []connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, 1*time.Minute))})
				b, err := os.ReadFile(filepath.Join(dir, stCkptFile))
				if err != nil {
					t.Fatal(err)
				}
				body = b[:len(b)-10]
			}
			if err := os.WriteFile(filepath.Join(dir, stCkptFile), body, 0o644); err != nil {
				t.Fatal(err)
			}
			p := stDecode(t, stWinPipeline(""))
			_, err := Build(p, BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(nil, 1, false)},
				Output: &stMemSink{}, CheckpointDir: dir})
			if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, stCkptFile)) || !strings.Contains(err.Error(), "corrupted checkpoint") {
				t.Fatalf("Build over a corrupted checkpoint: %v; want an error naming %s", err, filepath.Join(dir, stCkptFile))
			}
		})
	}
}

func TestCheckpointOfAnotherPipelineIsRefused(t *testing.T) {
	dir := t.TempDir()
	stCkptRun(t, dir, []connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, 1*time.Minute))})
	other := `[{"$source": {"connectionName": "default", "topic": "in", "timeField": "$t"}},
 {"$match": {"v": {"$gt": 0}}},
 {"$tumblingWindow": {"interval": {"size": 5, "unit": "minute"}, "pipeline": [{"$group": {"_id": null, "n": {"$count": {}}}}]}}]`
	_, err := Build(stDecode(t, other), BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(nil, 1, false)},
		Output: &stMemSink{}, CheckpointDir: dir})
	if err == nil || !strings.Contains(err.Error(), "was the pipeline changed?") {
		t.Fatalf("Build of another pipeline over the checkpoint: %v", err)
	}
}

// stCountingStore counts the checkpoints written.
type stCountingStore struct {
	DirStore
	saves atomic.Int32
}

func (s *stCountingStore) Save(b []byte) error { s.saves.Add(1); return s.DirStore.Save(b) }

func TestCheckpointEveryAndCommitsOnlyAfterACheckpoint(t *testing.T) {
	clock := &stFakeClock{t: stT0}
	src := newMemSource(nil, 1, true)
	store := &stCountingStore{DirStore: DirStore{Dir: t.TempDir()}}
	pr := stBuild(t, stWinPipeline(""), BuildEnv{Sources: map[string]connectors.Source{"default": src},
		Output: &stMemSink{}, Now: clock.Now, Tick: time.Millisecond, FlushEvery: time.Second,
		CheckpointEvery: time.Minute, Checkpoints: store})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	src.more <- []connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, 1*time.Minute))}
	stWaitIn(t, pr, 1)
	clock.Advance(2 * time.Second) // flushes, but no checkpoint is due
	time.Sleep(20 * time.Millisecond)
	if len(src.committed()) != 0 || store.saves.Load() != 0 {
		t.Fatalf("commits %v, checkpoints %d after a flush: want none before a checkpoint", src.committed(), store.saves.Load())
	}
	clock.Advance(time.Minute)
	if !stWaitFor(func() bool { return store.saves.Load() == 1 }) {
		t.Fatalf("no checkpoint after CheckpointEvery")
	}
	// The reader runs the commit between reads: the next message lets it.
	src.more <- []connectors.Message{stMsg("in", 0, 1, stDoc("a", 2, 2*time.Minute))}
	if !stWaitFor(func() bool { return len(src.committed()) == 1 }) {
		t.Fatalf("no commit after the checkpoint: commits %v", src.committed())
	}
	if c := src.committed()[0]; len(c) != 1 || c[0].Offset != 0 {
		t.Fatalf("commit %v: want offset 0, held in the open window but covered by the checkpoint", c)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := store.saves.Load(); n != 2 {
		t.Fatalf("checkpoints: %d, want 2 (one periodic, one at the stop)", n)
	}
}

func stDecode(t *testing.T, pipeline string) *mql.Processor {
	t.Helper()
	p, _, err := mql.Decode([]byte(pipeline))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
