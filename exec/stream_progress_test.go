package exec

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// Position-only progress (connectors.Progresser): a source whose position
// moves with no message, as a change stream whose config.pipeline filters
// out every event does.

// stProgressSource is a live source that also reports progress. The test
// sets it while Read waits, after the runtime took the messages before it;
// Read withdraws it before it returns messages, as the contract asks.
type stProgressSource struct {
	*stMemSource
	pmu   sync.Mutex
	pos   connectors.Position
	ok    bool
	polls int // Progress calls that returned a position
}

var _ connectors.Progresser = (*stProgressSource)(nil)

func newProgressSource() *stProgressSource {
	return &stProgressSource{stMemSource: newMemSource(nil, 1, true)}
}

func (s *stProgressSource) Read(ctx context.Context) ([]connectors.Message, error) {
	msgs, err := s.stMemSource.Read(ctx)
	if len(msgs) > 0 {
		s.pmu.Lock()
		s.ok = false
		s.pmu.Unlock()
	}
	return msgs, err
}

func (s *stProgressSource) Progress() (connectors.Position, bool) {
	s.pmu.Lock()
	defer s.pmu.Unlock()
	if s.ok {
		s.polls++
	}
	return s.pos, s.ok
}

// advance sets the progress (even a stale one: the runtime must not take
// it back), and waits until the runtime has seen it on a few ticks.
func (s *stProgressSource) advance(t *testing.T, pos connectors.Position) {
	t.Helper()
	s.pmu.Lock()
	s.pos, s.ok, s.polls = pos, true, 0
	s.pmu.Unlock()
	if !stWaitFor(func() bool { s.pmu.Lock(); defer s.pmu.Unlock(); return s.polls >= 3 }) {
		t.Fatal("the runtime never asked for the source's progress")
	}
}

func stTok(data string) bson.Raw {
	b, _ := bson.Marshal(bson.D{{Key: "_data", Value: data}})
	return b
}

// stTokMsg is a change-stream-like message: doc at ns with a resume token.
func stTokMsg(ns, token string, doc bson.D) connectors.Message {
	m := stMsg(ns, 0, 0, doc)
	m.Position.ResumeToken = stTok(token)
	return m
}

func stTokOf(p connectors.Position) string {
	if p.ResumeToken == nil {
		return ""
	}
	return p.ResumeToken.Lookup("_data").StringValue()
}

// stRecordingStore keeps every checkpoint written, with how many
// documents the sink had flushed when it was.
type stRecordingStore struct {
	DirStore
	sink  *stMemSink
	mu    sync.Mutex
	saves []stSave
}

type stSave struct {
	parts   []stCkptPart
	flushed int
}

func (s *stRecordingStore) Save(b []byte) error {
	var rec stCkptRecord
	if err := bson.Unmarshal(b, &rec); err != nil {
		return err
	}
	s.sink.mu.Lock()
	flushed := s.sink.flushed
	s.sink.mu.Unlock()
	s.mu.Lock()
	s.saves = append(s.saves, stSave{parts: rec.Parts, flushed: flushed})
	s.mu.Unlock()
	return s.DirStore.Save(b)
}

func (s *stRecordingStore) all() []stSave {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stSave(nil), s.saves...)
}

func (s *stRecordingStore) last() (stSave, bool) {
	all := s.all()
	if len(all) == 0 {
		return stSave{}, false
	}
	return all[len(all)-1], true
}

// TestStreamProgressIsCheckpointedOnlyAfterAFlush: a position the source
// reached with no message is saved only by a checkpoint taken after the
// sink flushed the output of every message read before it; later
// messages supersede it; the same progress seen on many ticks is one
// position; checkpoints and commits never go back.
func TestStreamProgressIsCheckpointedOnlyAfterAFlush(t *testing.T) {
	clock := &stFakeClock{t: stT0}
	src := newProgressSource()
	out := &stMemSink{}
	store := &stRecordingStore{DirStore: DirStore{Dir: t.TempDir()}, sink: out}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}}, {"$project": {"_id": 0, "v": 1}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out, Now: clock.Now,
			Tick: time.Millisecond, FlushEvery: time.Minute, CheckpointEvery: time.Millisecond, Checkpoints: store})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()

	const ns = "shop.orders"
	src.more <- []connectors.Message{stTokMsg(ns, "8201", stDoc("a", 1, time.Minute))}
	stWaitIn(t, pr, 1)
	src.advance(t, connectors.Position{Topic: ns, ResumeToken: stTok("8205")})
	// No flush is due (the clock stands still): the output of the message
	// is not durable, so nothing may be saved past it.
	if saves := store.all(); len(saves) != 0 {
		t.Fatalf("checkpoints %v before the sink flushed", saves)
	}
	clock.Advance(time.Minute)
	if !stWaitFor(func() bool {
		s, ok := store.last()
		return ok && len(s.parts) == 1 && stTokOf(stCkptPos(s.parts[0])) == "8205"
	}) {
		t.Fatalf("checkpoints %v, want one at the progress 8205 once a flush is due", store.all())
	}
	if s, _ := store.last(); s.flushed != 1 {
		t.Errorf("the checkpoint at the progress was written with %d outputs flushed, want 1", s.flushed)
	}

	// A message supersedes the progress (its Read withdrew it); a new
	// progress after it is saved after the next flush.
	src.more <- []connectors.Message{stTokMsg(ns, "8207", stDoc("a", 2, 2*time.Minute))}
	stWaitIn(t, pr, 2)
	clock.Advance(time.Minute)
	if !stWaitFor(func() bool { s, _ := store.last(); return stTokOf(stCkptPos(s.parts[0])) == "8207" && s.flushed == 2 }) {
		t.Fatalf("checkpoints %v, want one at the message 8207 with its output flushed", store.all())
	}
	src.advance(t, connectors.Position{Topic: ns, ResumeToken: stTok("8209")})
	clock.Advance(time.Minute)
	if !stWaitFor(func() bool { s, _ := store.last(); return stTokOf(stCkptPos(s.parts[0])) == "8209" }) {
		t.Fatalf("checkpoints %v, want one at the progress 8209", store.all())
	}
	// Seen on many more ticks, it stays one position.
	clock.Advance(time.Minute)
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var saved []string
	for _, s := range store.all() {
		if len(s.parts) != 1 {
			t.Fatalf("checkpoint parts %v, want the one namespace", s.parts)
		}
		saved = append(saved, stTokOf(stCkptPos(s.parts[0])))
	}
	if !stNonDecreasing(saved) || saved[len(saved)-1] != "8209" {
		t.Errorf("checkpointed tokens %v: want them never to go back, the last 8209", saved)
	}
	var committed []string
	for _, c := range src.committed() {
		for _, p := range c {
			committed = append(committed, stTokOf(p))
		}
	}
	if !stNonDecreasing(committed) || len(committed) == 0 || committed[len(committed)-1] != "8209" {
		t.Errorf("committed tokens %v: want them never to go back, the last 8209", committed)
	}
	for i := 1; i < len(committed); i++ {
		if committed[i] == committed[i-1] {
			t.Errorf("committed %v: the same progress seen on many ticks was committed again", committed)
			break
		}
	}
}

// TestStreamProgressWaitsForTheRowsHeldBeforeIt: without a checkpoint
// store, a progress past a row an open window holds is not committed
// until the window closed and its output was flushed; a progress behind
// a message already read is ignored.
func TestStreamProgressWaitsForTheRowsHeldBeforeIt(t *testing.T) {
	clock := &stFakeClock{t: stT0}
	src := newProgressSource()
	out := &stMemSink{}
	pr := stBuild(t, stWinPipeline(""), BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out,
		Now: clock.Now, Tick: time.Millisecond, FlushEvery: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()

	src.more <- []connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, time.Minute))}
	stWaitIn(t, pr, 1)
	src.advance(t, connectors.Position{Topic: "in", Offset: 5}) // messages 1 to 4 filtered out
	clock.Advance(time.Second)                                  // a flush: the window holds offset 0
	time.Sleep(10 * time.Millisecond)
	// Another row for the same window: the reader runs the flush's
	// commit, if there were one, before reading again.
	src.more <- []connectors.Message{stMsg("in", 0, 6, stDoc("a", 2, 2*time.Minute))}
	stWaitIn(t, pr, 2)
	time.Sleep(10 * time.Millisecond)
	if c := src.committed(); len(c) != 0 {
		t.Fatalf("committed %v while the window holds the row of offset 0", c)
	}
	// A later row closes [12:00, 12:05), and is held by the next window.
	src.more <- []connectors.Message{stMsg("in", 0, 7, stDoc("a", 3, 7*time.Minute))}
	stWaitIn(t, pr, 3)
	if !stWaitFor(func() bool { return len(out.docs()) == 1 }) {
		t.Fatalf("outputs %v, want the first window's", out.docs())
	}
	src.advance(t, connectors.Position{Topic: "in", Offset: 3}) // behind offset 7: stale
	clock.Advance(time.Second)
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var offsets []int64
	for _, c := range src.committed() {
		for _, p := range c {
			offsets = append(offsets, p.Offset)
		}
	}
	// Offset 6, the last before the held row of offset 7: the progress
	// (5) with it; never 3.
	if len(offsets) != 1 || offsets[0] != 6 {
		t.Errorf("committed offsets %v, want [6]", offsets)
	}
}

// TestStreamProgressOnlyPartitionDoesNotHoldTheWatermark: a change stream
// over a database reports its progress under the scope's name, a
// partition that never has a message: it must not hold the watermark back
// (windows would never close), before or after a restart from a
// checkpoint.
func TestStreamProgressOnlyPartitionDoesNotHoldTheWatermark(t *testing.T) {
	dir := t.TempDir()
	run := func(msgs []connectors.Message, progress string) ([]bson.D, *stRecordingStore) {
		t.Helper()
		src := newProgressSource()
		out := &stMemSink{}
		store := &stRecordingStore{DirStore: DirStore{Dir: dir}, sink: out}
		pr := stBuild(t, stWinPipeline(""), BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out,
			Tick: time.Millisecond, Checkpoints: store})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- pr.Run(ctx) }()
		src.more <- msgs[:1]
		stWaitIn(t, pr, 1)
		src.advance(t, connectors.Position{Topic: "shop.*", ResumeToken: stTok(progress)})
		src.more <- msgs[1:]
		stWaitIn(t, pr, int64(len(msgs)))
		if !stWaitFor(func() bool { return len(out.docs()) == 1 }) {
			t.Errorf("outputs %v: the window did not close, want one", out.docs())
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return out.docs(), store
	}
	_, store := run([]connectors.Message{
		stTokMsg("shop.a", "8201", stDoc("a", 1, time.Minute)),
		stTokMsg("shop.a", "8207", stDoc("a", 2, 7*time.Minute)), // closes [12:00, 12:05)
	}, "8205")
	s, _ := store.last()
	got := map[string]stCkptPart{}
	for _, p := range s.parts {
		got[p.Topic] = p
	}
	if len(got) != 2 || stTokOf(stCkptPos(got["shop.a"])) != "8207" || stTokOf(stCkptPos(got["shop.*"])) != "8205" ||
		!got["shop.*"].ProgressOnly || got["shop.a"].ProgressOnly {
		t.Fatalf("checkpoint parts %+v, want shop.a at 8207 and shop.* at 8205, progress only", s.parts)
	}

	// After the restart, the restored progress-only partition holds
	// nothing back either: [12:05, 12:10) closes with the restored row.
	docs, _ := run([]connectors.Message{
		stTokMsg("shop.a", "8211", stDoc("a", 3, 8*time.Minute)),
		stTokMsg("shop.a", "8213", stDoc("a", 4, 12*time.Minute)),
	}, "8212")
	if len(docs) == 1 && getPath(docs[0], "n") != int32(2) {
		t.Errorf("after the restart the window wrote %v, want the restored row and the new one", docs)
	}
}

func stCkptPos(p stCkptPart) connectors.Position {
	return connectors.Position{Topic: p.Topic, Partition: p.Partition, Offset: p.Offset, ResumeToken: p.ResumeToken}
}

func stNonDecreasing(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] < s[i-1] {
			return false
		}
	}
	return true
}

// TestStreamProgressNeverMovesBack: with offsets the runtime can order, a
// progress behind the partition's last position, or equal to it, is
// ignored: checkpoints and commits only move forward.
func TestStreamProgressNeverMovesBack(t *testing.T) {
	clock := &stFakeClock{t: stT0}
	src := newProgressSource()
	out := &stMemSink{}
	store := &stRecordingStore{DirStore: DirStore{Dir: t.TempDir()}, sink: out}
	pr := stBuild(t, `[{"$source": {"connectionName": "default", "topic": "in"}}, {"$project": {"_id": 0, "v": 1}}]`,
		BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: out, Now: clock.Now,
			Tick: time.Millisecond, FlushEvery: time.Minute, CheckpointEvery: time.Millisecond, Checkpoints: store})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	flush := func() {
		n := len(store.all())
		clock.Advance(time.Minute)
		if !stWaitFor(func() bool { return len(store.all()) > n }) {
			t.Fatal("no checkpoint after a flush")
		}
	}
	src.more <- []connectors.Message{stMsg("in", 0, 0, stDoc("a", 1, time.Minute))}
	stWaitIn(t, pr, 1)
	src.advance(t, connectors.Position{Topic: "in", Offset: 5})
	flush()
	src.advance(t, connectors.Position{Topic: "in", Offset: 3}) // stale
	flush()
	src.more <- []connectors.Message{stMsg("in", 0, 7, stDoc("a", 2, 2*time.Minute))}
	stWaitIn(t, pr, 2)
	src.advance(t, connectors.Position{Topic: "in", Offset: 7}) // the message's own
	flush()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var saved []int64
	for _, s := range store.all() {
		saved = append(saved, s.parts[0].Offset)
	}
	for i := 1; i < len(saved); i++ {
		if saved[i] < saved[i-1] {
			t.Fatalf("checkpointed offsets %v went back", saved)
		}
	}
	if saved[len(saved)-1] != 7 {
		t.Errorf("checkpointed offsets %v, want the last 7", saved)
	}
	var committed []int64
	for _, c := range src.committed() {
		for _, p := range c {
			committed = append(committed, p.Offset)
		}
	}
	for i := 1; i < len(committed); i++ {
		if committed[i] <= committed[i-1] {
			t.Fatalf("committed offsets %v: went back or committed twice", committed)
		}
	}
}
