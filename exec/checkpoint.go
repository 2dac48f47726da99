package exec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// Checkpoints (DESIGN.md "State, checkpoints, delivery"; ASP §4).
//
// A checkpoint is a consistent cut taken by the runtime between batches:
// the runtime is single-threaded per processor, so no barrier has to travel
// with the data. At a cut every sink and the DLQ are flushed, each stateful
// operator (stCheckpointer) hands over its state — open windows with their
// rows, sessions, $setWindowFields history, its watermark, a $limit's
// count, the continuous $group/$count/top-n state — and the record holds
// it with the processor's watermark and, per source partition, the last
// position read and the partition's watermark.
// Every message read so far is then either in a sink or in the state, so
// once the record is durable (written atomically) the runtime commits
// every position it covers, rows held in windows included.
//
// With a checkpoint store, positions are committed only after a
// checkpoint (as ASP commits Kafka offsets after each checkpoint), not at
// every flush: a commit past rows held in windows is only safe once those
// rows are in a durable checkpoint.
//
// On Build with a checkpoint present, operators get their state back and
// the runtime skips every message at or before the checkpointed position
// of its partition. For Kafka the committed group offsets already resume
// the source after them (the skip guards against a commit that was lost,
// since commits trail checkpoints); for bounded file sources, which have no
// seek and read from their beginning, the skip is what resumes them.
// Skipping relies on offsets increasing within a partition; change-stream
// positions carry resume tokens, not offsets, and are never skipped: a
// source that implements connectors.Resumer (MongoDB's change stream and
// its poll fallback) is handed the checkpoint's positions before its first
// Read and resumes after them (startAfter the saved token, or after the
// last _id polled); without a checkpoint it starts as opened.
//
// A position a source reached with no message (connectors.Progresser: a
// quiet change stream's postBatchResumeToken) is taken on the tick as one
// more pending position of its partition, so a checkpoint saves it only
// once everything read before it was flushed (or is in the state it
// saves). A partition that had only such positions (a wide stream's
// scope) is recorded as progressOnly: it has no watermark to restore.
//
// A checkpoint is taken every BuildEnv.CheckpointEvery and when Run ends
// (cancel, a bounded source's end, a top-level $limit). A crash between two
// checkpoints replays the messages read since the last one; the outputs
// they produced before the crash are written again (at-least-once).
//
// Encoding: one BSON document (stCkptRecord), rows as arrays of {doc,
// time, meta}. DESIGN's Arrow IPC form for operator state waits for
// columnar window state (windows keep rows, not Arrow batches, today).
// The record holds source positions plus the state that covers them, not
// the source's data.

// stCheckpointer is an operator with state a checkpoint keeps. snapshot is
// called between batches; restore on a freshly built operator, before Run.
type stCheckpointer interface {
	snapshot() ([]byte, error)
	restore([]byte) error
}

// CheckpointStore keeps a processor's latest checkpoint.
type CheckpointStore interface {
	// Load returns the latest checkpoint, or nil and no error when there is
	// none yet.
	Load() ([]byte, error)
	// Save replaces the latest checkpoint atomically: after a crash Load
	// returns either the old checkpoint or the new one, whole.
	Save([]byte) error
	// Name says where the checkpoint lives, for messages.
	Name() string
}

// DirStore is a CheckpointStore in a local directory: the checkpoint is
// Dir/checkpoint.bson, written to a temporary file in Dir, synced, and
// renamed over the old one.
type DirStore struct {
	Dir string
}

// stCkptFile is the checkpoint's file name in a DirStore.
const stCkptFile = "checkpoint.bson"

func (s DirStore) path() string { return filepath.Join(s.Dir, stCkptFile) }

// Name is the checkpoint file's path.
func (s DirStore) Name() string { return s.path() }

// Load reads the checkpoint file; a missing file is no checkpoint.
func (s DirStore) Load() ([]byte, error) {
	b, err := os.ReadFile(s.path())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Save writes b atomically: temporary file, fsync, rename, fsync of the
// directory.
func (s DirStore) Save(b []byte) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.Dir, stCkptFile+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly after the rename
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.path()); err != nil {
		return err
	}
	if d, err := os.Open(s.Dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// stCkptVersion is the record's format version.
const stCkptVersion = 1

// stCkptRecord is a checkpoint as stored.
type stCkptRecord struct {
	Version   int32        `bson:"version"`
	Processor string       `bson:"processor,omitempty"`
	Written   []byte       `bson:"written"`
	Watermark []byte       `bson:"watermark"`
	Parts     []stCkptPart `bson:"parts"`
	Ops       []stCkptOp   `bson:"ops"`
}

// stCkptPart is a source partition: the last position read (everything up
// to it is covered) and its watermark.
type stCkptPart struct {
	Topic       string   `bson:"topic"`
	Partition   int32    `bson:"partition"`
	Offset      int64    `bson:"offset"`
	ResumeToken bson.Raw `bson:"resumeToken,omitempty"`
	MaxTime     []byte   `bson:"maxTime"`
	// ProgressOnly: the position came from the source's Progress and the
	// partition has had no message (connectors.Progresser), so it has no
	// watermark.
	ProgressOnly bool `bson:"progressOnly,omitempty"`
}

// stCkptOp is one stateful operator's state, by its index in the pipeline
// and its path, so a checkpoint of another pipeline is refused.
type stCkptOp struct {
	Index int32  `bson:"index"`
	Path  string `bson:"path"`
	State []byte `bson:"state"`
}

// stCkpt is a processor's checkpointing: the store, and what Build
// restored for Run.
type stCkpt struct {
	store CheckpointStore
	every time.Duration
	// parts and skip come from the restored checkpoint.
	parts []stCkptPart
	skip  map[stPartKey]int64
	wm    time.Time
	last  time.Time // when the last checkpoint was written
	// resumed is set once the source was given the restored positions
	// (connectors.Resumer).
	resumed bool
}

func stEncTime(t time.Time) []byte {
	b, _ := t.MarshalBinary()
	return b
}

func stDecTime(b []byte) (time.Time, error) {
	var t time.Time
	if len(b) == 0 {
		return t, nil
	}
	err := t.UnmarshalBinary(b)
	return t, err
}

// stOpPath names an operator for checkpoint records and messages.
func (p *Processor) stOpPath(i int) string {
	if i+1 < len(p.proc.Pipeline) {
		s := p.proc.Pipeline[i+1]
		return fmt.Sprintf("pipeline[%d].%s", i+1, s.Op())
	}
	return "output"
}

// stSetupCheckpoint binds the store and restores the latest checkpoint,
// if any, into the operators. Called by Build once the operators exist.
func (p *Processor) stSetupCheckpoint() error {
	env := p.env
	store := env.Checkpoints
	if store == nil && env.CheckpointDir != "" {
		store = DirStore{Dir: env.CheckpointDir}
	}
	if store == nil {
		return nil
	}
	if p.source == nil {
		// A $documents source is re-read whole: nothing to resume.
		return nil
	}
	every := env.CheckpointEvery
	if every <= 0 {
		every = 10 * time.Second
	}
	for i, op := range p.ops {
		_, h := op.(stHolder)
		_, c := op.(stCheckpointer)
		if h && !c {
			return fmt.Errorf("%s: this operator's state cannot be checkpointed yet", p.stOpPath(i))
		}
	}
	p.ckpt = &stCkpt{store: store, every: every, last: env.Now()}
	b, err := store.Load()
	if err != nil {
		return &stCkptError{fmt.Errorf("checkpoint %s: %w", store.Name(), err)}
	}
	if b == nil {
		return nil
	}
	if err := p.stRestore(b); err != nil {
		return &stCkptError{fmt.Errorf("checkpoint %s: %w", store.Name(), err)}
	}
	return nil
}

// stCkptError is Build failing on the checkpoint it was to resume from
// (unreadable, corrupted, another pipeline's), not on the pipeline: the
// engine does not run such a pipeline on the reference runner, which
// would start over from the beginning of the input without a word.
type stCkptError struct{ err error }

func (e *stCkptError) Error() string { return e.err.Error() }
func (e *stCkptError) Unwrap() error { return e.err }

// stRestore decodes a checkpoint record and hands each operator its state.
func (p *Processor) stRestore(b []byte) error {
	var rec stCkptRecord
	if err := bson.Unmarshal(b, &rec); err != nil {
		return fmt.Errorf("corrupted checkpoint: %w", err)
	}
	if rec.Version != stCkptVersion {
		return fmt.Errorf("corrupted checkpoint: format version %d, this weir reads %d", rec.Version, stCkptVersion)
	}
	wm, err := stDecTime(rec.Watermark)
	if err != nil {
		return fmt.Errorf("corrupted checkpoint: watermark: %w", err)
	}
	want := map[int]bool{}
	for i, op := range p.ops {
		if _, ok := op.(stCheckpointer); ok {
			want[i] = true
		}
	}
	for _, o := range rec.Ops {
		i := int(o.Index)
		if !want[i] || p.stOpPath(i) != o.Path {
			return fmt.Errorf("it holds state of %s, which this pipeline does not have there: was the pipeline changed?", o.Path)
		}
		delete(want, i)
		if err := p.ops[i].(stCheckpointer).restore(o.State); err != nil {
			return fmt.Errorf("corrupted checkpoint: %s: %w", o.Path, err)
		}
	}
	for i := range want {
		return fmt.Errorf("it holds no state for %s: was the pipeline changed?", p.stOpPath(i))
	}
	p.ckpt.parts = rec.Parts
	p.ckpt.wm = wm
	p.ckpt.skip = map[stPartKey]int64{}
	for _, pt := range rec.Parts {
		if pt.ResumeToken == nil {
			p.ckpt.skip[stPartKey{pt.Topic, pt.Partition}] = pt.Offset
		}
	}
	p.rt.wm = wm
	p.rt.stats.Watermark = wm
	return nil
}

// restoreParts gives a run the partitions of the restored checkpoint, so
// their watermarks still hold the processor's back until they speak.
func (st *stRunState) restoreParts() error {
	c := st.p.ckpt
	if c == nil {
		return nil
	}
	now := st.p.env.Now()
	for _, cp := range c.parts {
		i := st.part(connectors.Position{Topic: cp.Topic, Partition: cp.Partition, Offset: cp.Offset, ResumeToken: cp.ResumeToken})
		t, err := stDecTime(cp.MaxTime)
		if err != nil {
			return fmt.Errorf("checkpoint %s: corrupted checkpoint: partition watermark: %w", c.store.Name(), err)
		}
		st.parts[i].maxTime, st.parts[i].lastSeen = t, now
		st.parts[i].progressOnly = cp.ProgressOnly
	}
	// A source whose position the server doesn't keep (a change stream's
	// resume token) is told where the checkpoint left it, once, before
	// the reader starts.
	if r, ok := st.p.source.(connectors.Resumer); ok && len(c.parts) > 0 && !c.resumed {
		pos := make([]connectors.Position, len(c.parts))
		for i, cp := range c.parts {
			pos[i] = connectors.Position{Topic: cp.Topic, Partition: cp.Partition, Offset: cp.Offset, ResumeToken: cp.ResumeToken}
		}
		if err := r.ResumeFrom(pos); err != nil {
			return fmt.Errorf("connection %s: resuming from checkpoint %s: %w", st.p.srcLabel, c.store.Name(), err)
		}
		c.resumed = true
	}
	return nil
}

// skipCovered drops the messages a restored checkpoint already covers.
func (st *stRunState) skipCovered(msgs []connectors.Message) []connectors.Message {
	c := st.p.ckpt
	if c == nil || len(c.skip) == 0 {
		return msgs
	}
	out := msgs[:0:0]
	for i, m := range msgs {
		if m.Position.ResumeToken == nil {
			if off, ok := c.skip[stPartKey{m.Position.Topic, m.Position.Partition}]; ok && m.Position.Offset <= off {
				if out == nil {
					out = append(make([]connectors.Message, 0, len(msgs)), msgs[:i]...)
				}
				continue
			}
		}
		if out != nil {
			out = append(out, m)
		}
	}
	if out == nil {
		return msgs
	}
	return out
}

// checkpoint writes a checkpoint (sinks and DLQ are flushed already) and
// then commits every position read: they are all covered by it.
func (st *stRunState) checkpoint(ctx context.Context, direct bool) error {
	p, c := st.p, st.p.ckpt
	rec := stCkptRecord{Version: stCkptVersion, Processor: p.proc.Name,
		Written: stEncTime(p.env.Now()), Watermark: stEncTime(p.rt.wm)}
	for _, pt := range st.parts {
		pos := pt.pos
		if n := len(pt.pending); n > 0 {
			pos = pt.pending[n-1].pos
		}
		rec.Parts = append(rec.Parts, stCkptPart{Topic: pos.Topic, Partition: pos.Partition,
			Offset: pos.Offset, ResumeToken: pos.ResumeToken, MaxTime: stEncTime(pt.maxTime), ProgressOnly: pt.progressOnly})
	}
	for i, op := range p.ops {
		cp, ok := op.(stCheckpointer)
		if !ok {
			continue
		}
		b, err := cp.snapshot()
		if err != nil {
			return fmt.Errorf("checkpoint: %s: %w", p.stOpPath(i), err)
		}
		rec.Ops = append(rec.Ops, stCkptOp{Index: int32(i), Path: p.stOpPath(i), State: b})
	}
	b, err := bson.Marshal(rec)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := c.store.Save(b); err != nil {
		return fmt.Errorf("checkpoint %s: %w", c.store.Name(), err)
	}
	c.last = p.env.Now()
	var upTo []connectors.Position
	for _, pt := range st.parts {
		if n := len(pt.pending); n > 0 {
			pt.pos = pt.pending[n-1].pos
			pt.committed = pt.pending[n-1].seq
			upTo = append(upTo, pt.pos)
			pt.pending = pt.pending[:0]
		}
	}
	return st.commit(ctx, upTo, direct)
}
