package exec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/kafka"
	"github.com/weir-stream/weir/planner/mql"
)

// stPart is one source partition (a Kafka topic partition, a change
// stream's namespace): its watermark, when it last spoke, and the
// positions read but not yet committed.
type stPart struct {
	pos       connectors.Position // the last position committed (or restored)
	maxTime   time.Time           // watermark of the partition: max event time seen
	lastSeen  time.Time           // processing time of its last message
	seq       int64               // sequence number of its last message or progress
	pending   []stPending
	committed int64
	// progressOnly: the partition has had positions from the source's
	// Progress but no message yet (a change stream's scope), so it has no
	// watermark to hold the processor's back with.
	progressOnly bool
}

type stPending struct {
	seq int64
	pos connectors.Position
}

type stRead struct {
	msgs []connectors.Message
	err  error
}

// stRunState is one Run's mutable state.
type stRunState struct {
	p         *Processor
	parts     []*stPart
	byKey     map[stPartKey]int
	emits     []Emit
	quietFrom time.Time
	lastFlush time.Time
	commitCh  chan []connectors.Position
	// progresser is the source when it reports positions with no message
	// (connectors.Progresser), nil otherwise.
	progresser connectors.Progresser
	// col is the columnar fast path (columnar.go), nil on the row path.
	col *colRun
}

// Stats returns the processor's counters. Safe to call from another
// goroutine while Run runs.
func (p *Processor) Stats() Stats {
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	s := p.rt.stats
	s.StateBytes = p.rt.mem.used.Load()
	if l, ok := p.source.(connectors.Lagger); ok {
		s.Lag, s.LagKnown = l.Lag()
	}
	return s
}

// Run reads the source until it ends (bounded sources: every window
// closes, everything is flushed and committed, Run returns nil) or ctx is
// cancelled (graceful: reading stops, sinks are flushed, the positions they
// cover are committed, Run returns nil). Rows held in open windows at a
// cancel are not emitted, and their positions are not committed, so a
// restart reads them again (at-least-once). Positions are committed only
// after every sink and the DLQ flushed the data they cover.
func (p *Processor) Run(ctx context.Context) (err error) {
	defer func() {
		for _, op := range p.ops {
			if cerr := op.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}
	}()
	st := &stRunState{p: p, byKey: map[stPartKey]int{}, quietFrom: p.env.Now(), lastFlush: p.env.Now()}
	st.emits = make([]Emit, len(p.ops)+1)
	st.emits[len(p.ops)] = func(context.Context, *RowBatch) error { return nil }
	for i := len(p.ops) - 1; i >= 0; i-- {
		op, next := p.ops[i], i+1
		st.emits[i] = func(ctx context.Context, b *RowBatch) error {
			if len(b.Rows) == 0 {
				return nil
			}
			return op.Process(ctx, b, st.emits[next])
		}
	}
	if p.source == nil {
		err := st.runDocuments(ctx)
		if errors.Is(err, errLimitReached) {
			return st.flushAndCommit(context.WithoutCancel(ctx), true)
		}
		return err
	}
	if err := st.restoreParts(); err != nil {
		return err
	}
	if p.col != nil {
		if st.col = newColRun(p.col, p.mem, p.env.BatchSize); st.col != nil {
			defer st.col.release()
		}
	}

	st.progresser, _ = p.source.(connectors.Progresser)

	readCtx, stopRead := context.WithCancel(ctx)
	reads := make(chan stRead)
	st.commitCh = make(chan []connectors.Position, 1)
	readerDone := make(chan struct{})
	go st.reader(readCtx, reads, readerDone)
	// However Run ends (an operator's or a sink's error too), the reader
	// has left Read and Commit before it returns: the caller closes the
	// source next, and a source is not asked to close while it reads.
	defer func() {
		stopRead()
		<-readerDone
	}()
	tick := time.NewTicker(p.env.Tick)
	defer tick.Stop()
	// A batch already read, and a tick's flush, finish when a stop comes
	// in the middle of them (within stopGrace), so Ctrl-C or STOP ends
	// the run gracefully rather than with "context canceled" from a sink
	// or a lookup cut short.
	wctx, cancelWork := stGrace(ctx, stopGrace)
	defer cancelWork()

	// stop ends the run gracefully: the reader has stopped, so Commit is
	// not called concurrently with Read.
	stop := func(final bool) error {
		stopRead()
		<-readerDone
		// Every message a Read returned was handled (or dropped unread,
		// and then no progress covers it): the source's last progress
		// goes into the final flush and checkpoint.
		st.progress()
		fctx := context.WithoutCancel(ctx)
		// A commit handed to the reader while it waited in Read never ran:
		// its positions left pending already, so commit them here.
		select {
		case pos := <-st.commitCh:
			if err := p.source.Commit(fctx, pos); err != nil {
				return fmt.Errorf("connection %s: commit: %w", p.srcLabel, err)
			}
		default:
		}
		if final {
			// The last windows may fill a top-level $limit: that ends the
			// run as the end of input does.
			if err := st.watermark(fctx, stForever); err != nil && !errors.Is(err, errLimitReached) {
				return err
			}
		}
		return st.flushAndCommit(fctx, true)
	}
	for {
		select {
		case <-ctx.Done():
			return stop(false)
		case r := <-reads:
			if errors.Is(r.err, io.EOF) {
				return stop(true)
			}
			if r.err != nil {
				if ctx.Err() != nil {
					return stop(false)
				}
				stopRead()
				<-readerDone
				return fmt.Errorf("connection %s: %w", p.srcLabel, r.err)
			}
			if err := st.messages(wctx, r.msgs); err != nil {
				if errors.Is(err, errLimitReached) {
					return stop(false)
				}
				return err
			}
		case <-tick.C:
			if err := st.tick(wctx); err != nil {
				if errors.Is(err, errLimitReached) {
					return stop(false)
				}
				return err
			}
		}
	}
}

// stopGrace bounds how long work under way when a run is stopped may
// take to finish: a sink that can't flush (a broker gone) must not keep a
// stop waiting for ever.
const stopGrace = 10 * time.Second

// stGrace returns a context that ends grace after ctx does.
func stGrace(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	g, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var timer *time.Timer
	var mu sync.Mutex
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		timer = time.AfterFunc(grace, cancel)
		mu.Unlock()
	})
	return g, func() {
		stop()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// reader calls Read in a loop, and Commit between reads, so a source is
// never asked to do both at once.
func (st *stRunState) reader(ctx context.Context, out chan<- stRead, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case pos := <-st.commitCh:
			if err := st.p.source.Commit(ctx, pos); err != nil && ctx.Err() == nil {
				select {
				case out <- stRead{err: fmt.Errorf("commit: %w", err)}:
				case <-ctx.Done():
				}
				return
			}
		default:
		}
		msgs, err := st.p.source.Read(ctx)
		if err != nil && ctx.Err() != nil {
			return
		}
		select {
		case out <- stRead{msgs: msgs, err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// runDocuments runs a $documents source: the reference runner's rows, in
// batches, then the end of input.
func (st *stRunState) runDocuments(ctx context.Context) error {
	rows, err := st.p.rt.ref.source(st.p.src)
	st.p.rt.drain(st.p.rt.ref)
	if err != nil {
		return fmt.Errorf("pipeline[0].$source: %w", err)
	}
	for len(rows) > 0 {
		n := min(len(rows), st.p.env.BatchSize)
		b := &RowBatch{Rows: make([]StreamRow, n)}
		for i := range n {
			b.Rows[i] = stFromRef(rows[i], stNoSrc)
		}
		rows = rows[n:]
		st.addIn(n)
		if err := st.emits[0](ctx, b); err != nil {
			return err
		}
		wm := b.Rows[0].Time
		for _, r := range b.Rows {
			if r.Time.After(wm) {
				wm = r.Time
			}
		}
		if err := st.watermark(ctx, wm); err != nil {
			return err
		}
	}
	if err := st.watermark(ctx, stForever); err != nil {
		return err
	}
	return st.flushAndCommit(context.WithoutCancel(ctx), true)
}

func (st *stRunState) addIn(n int) {
	st.p.rt.mu.Lock()
	st.p.rt.stats.In += int64(n)
	st.p.rt.mu.Unlock()
}

// messages decodes and stamps one Read's messages and pushes them through
// the operators a batch at a time, advancing the watermark after each.
func (st *stRunState) messages(ctx context.Context, msgs []connectors.Message) error {
	now := st.p.env.Now()
	msgs = st.skipCovered(msgs)
	st.quietFrom = now
	for len(msgs) > 0 {
		n := min(len(msgs), st.p.env.BatchSize)
		var b *RowBatch
		first := 0 // the operator the batch goes to
		if st.col != nil {
			// The fast path ran the leading $match stages already (and,
			// when it writes the output itself, every operator).
			var err error
			if b, first, err = st.col.batch(ctx, st, msgs[:n], now); err != nil {
				return err
			}
		} else {
			b = &RowBatch{Rows: make([]StreamRow, 0, n)}
			for _, m := range msgs[:n] {
				part, seq := st.track(m, now)
				pt := st.parts[part]
				rw, ok := st.decode(m, now)
				if !ok {
					continue
				}
				rw.src = stSrc{part: part, seq: seq}
				if rw.Time.After(pt.maxTime) {
					pt.maxTime = rw.Time
				}
				b.Rows = append(b.Rows, rw)
			}
		}
		msgs = msgs[n:]
		st.addIn(n)
		if err := st.emits[first](ctx, b); err != nil {
			return err
		}
		if err := st.watermark(ctx, st.processorWatermark(now)); err != nil {
			return err
		}
	}
	if now.Sub(st.lastFlush) >= st.p.env.FlushEvery {
		return st.flushAndCommit(ctx, false)
	}
	return nil
}

// track records that a message of its partition was read, for the
// commit and the idle timeout; it returns the partition and the message's
// sequence number there.
func (st *stRunState) track(m connectors.Message, now time.Time) (part int, seq int64) {
	part = st.part(m.Position)
	pt := st.parts[part]
	pt.seq++
	pt.lastSeen = now
	pt.progressOnly = false
	pt.pending = append(pt.pending, stPending{seq: pt.seq, pos: m.Position})
	return part, pt.seq
}

// progress takes the source's position-only advance, if it reports one
// (connectors.Progresser), as one more pending position of its partition,
// with no row: it is committed, or saved in a checkpoint, by the same
// rules as a message's position, so only after every sink and the DLQ
// flushed what was read before it, and after the rows operators hold
// from before it left them. Called on the tick and when Run stops, never
// while a Read's messages wait unhandled: the source sets the position
// only while Read waits with every message it read returned, and the
// reader hands a Read's messages over before it reads again. A position
// the partition has already (the same one, or a lower offset) is ignored,
// so the partition's position never moves back. It doesn't count as the
// partition speaking: idle timeouts and the watermark don't see it.
func (st *stRunState) progress() {
	if st.progresser == nil {
		return
	}
	pos, ok := st.progresser.Progress()
	if !ok {
		return
	}
	i, known := st.byKey[stPartKey{pos.Topic, pos.Partition}]
	if !known {
		i = st.part(pos)
		st.parts[i].progressOnly = true
	}
	pt := st.parts[i]
	if known {
		last := pt.pos
		if n := len(pt.pending); n > 0 {
			last = pt.pending[n-1].pos
		}
		if bytes.Equal(pos.ResumeToken, last.ResumeToken) && pos.Offset == last.Offset ||
			pos.ResumeToken == nil && last.ResumeToken == nil && pos.Offset <= last.Offset {
			return
		}
	}
	pt.seq++
	pt.pending = append(pt.pending, stPending{seq: pt.seq, pos: pos})
}

// stPartKey names a source partition.
type stPartKey struct {
	topic string
	part  int32
}

func (st *stRunState) part(pos connectors.Position) int {
	key := stPartKey{pos.Topic, pos.Partition}
	if i, ok := st.byKey[key]; ok {
		return i
	}
	st.parts = append(st.parts, &stPart{pos: pos, committed: 0})
	st.byKey[key] = len(st.parts) - 1
	return len(st.parts) - 1
}

// decode turns a message into a row with its metadata and event time; a
// message that can't be one goes to the DLQ.
func (st *stRunState) decode(m connectors.Message, now time.Time) (StreamRow, bool) {
	s, rt := st.p.src, st.p.rt
	st.p.unmarshals++
	var doc bson.D
	var err error
	if m.Format == connectors.BSON {
		err = bson.Unmarshal(m.Value, &doc)
	} else {
		// The common Extended JSON is built directly, as the driver would
		// build it (columnar_doc.go); anything else goes to the driver.
		built := false
		if !st.p.driverDecode {
			doc, built = colDoc(m.Value)
		}
		if !built {
			err = bson.UnmarshalExtJSON(m.Value, false, &doc)
		}
	}
	var meta bson.D
	switch s.Kind {
	case mql.KafkaSource:
		meta = bson.D{{Key: "source", Value: bson.D{
			{Key: "type", Value: "kafka"}, {Key: "topic", Value: m.Position.Topic},
			{Key: "partition", Value: m.Position.Partition}, {Key: "offset", Value: m.Position.Offset},
		}}}
		meta[0].Value = stKafkaKeyHeaders(meta[0].Value.(bson.D), s, &m)
	case mql.ChangeStreamSource:
		op := "insert"
		if v, ok := getPath(doc, "operationType").(string); ok {
			op = v
		}
		ns := getPath(doc, "ns")
		if IsMissing(ns) {
			ns = bson.D{{Key: "db", Value: s.DB}}
			if len(s.Colls) == 1 {
				ns = append(ns.(bson.D), bson.E{Key: "coll", Value: s.Colls[0]})
			}
		}
		meta = bson.D{{Key: "source", Value: bson.D{{Key: "type", Value: "atlas"}, {Key: "operationType", Value: op}, {Key: "ns", Value: ns}}}}
		if err == nil && s.FullDocumentOnly() {
			if fd, ok := getPath(doc, "fullDocument").(bson.D); ok {
				doc = fd
			}
		}
	default:
		meta = bson.D{{Key: "source", Value: bson.D{{Key: "type", Value: s.Kind.String()}}}}
	}
	if err != nil {
		rt.dlq("$source", bson.D{{Key: "raw", Value: string(m.Value)}}, meta, err.Error())
		return StreamRow{}, false
	}
	ts := m.Time
	if ts.IsZero() {
		ts = now
	}
	if s.TimeField != nil {
		v, err := Eval(s.TimeField, doc, nil)
		if err != nil {
			rt.dlq("$source", doc, meta, "timeField: "+err.Error())
			return StreamRow{}, false
		}
		t, ok := v.(bson.DateTime)
		if !ok {
			rt.dlq("$source", doc, meta, fmt.Sprintf("timeField evaluated to %s, not a date", TypeName(v)))
			return StreamRow{}, false
		}
		ts = t.Time()
	}
	// The decoded document is this row's own: _ts is set in place.
	return StreamRow{Doc: withTs(doc, st.p.tsField, ts), Time: ts.UTC(), Meta: meta}, true
}

// processorWatermark is the minimum of the partitions' watermarks, over
// the partitions not idle for partitionIdleTimeout; when all are idle, the
// maximum (nothing is holding time back).
func (st *stRunState) processorWatermark(now time.Time) time.Time {
	var idle time.Duration
	if d := st.p.src.PartitionIdleTimeout; d != nil {
		idle = durationOf(*d)
	}
	var lo, hi time.Time
	active := false
	for _, pt := range st.parts {
		if pt.progressOnly {
			continue
		}
		if pt.maxTime.After(hi) {
			hi = pt.maxTime
		}
		if idle > 0 && now.Sub(pt.lastSeen) >= idle {
			continue
		}
		if !active || pt.maxTime.Before(lo) {
			lo = pt.maxTime
		}
		active = true
	}
	if !active {
		return hi
	}
	return lo
}

// watermark advances the processor's watermark (it never goes back) and
// tells every operator, in order, so windows a stage closes reach the next
// stage before it hears of the new watermark.
func (st *stRunState) watermark(ctx context.Context, t time.Time) error {
	rt := st.p.rt
	if !t.After(rt.wm) {
		return nil
	}
	rt.wm = t
	rt.mu.Lock()
	rt.stats.Watermark = t
	rt.mu.Unlock()
	for i, op := range st.p.ops {
		if err := op.Watermark(ctx, t, st.emits[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// tick handles the passing of processing time: the source's position-only
// progress is taken, idle partitions stop holding the watermark back, idle
// windows close, and data is flushed.
func (st *stRunState) tick(ctx context.Context) error {
	st.progress()
	now := st.p.env.Now()
	if err := st.watermark(ctx, st.processorWatermark(now)); err != nil {
		return err
	}
	for i, op := range st.p.ops {
		if id, ok := op.(stIdler); ok {
			if err := id.stIdle(ctx, now, st.quietFrom, st.emits[i+1]); err != nil {
				return err
			}
		}
	}
	if now.Sub(st.lastFlush) >= st.p.env.FlushEvery {
		return st.flushAndCommit(ctx, false)
	}
	return nil
}

// flushAndCommit writes the pending dead letters, flushes every sink, and
// only then commits, per partition, the positions whose data has left the
// pipeline: everything read before the oldest row an operator still holds.
// direct commits from this goroutine (the reader has stopped); otherwise
// the commit is handed to the reader, which runs it between reads.
func (st *stRunState) flushAndCommit(ctx context.Context, direct bool) error {
	p, rt := st.p, st.p.rt
	st.lastFlush = p.env.Now()
	if len(rt.dlqOut) > 0 && p.env.DLQ != nil {
		target := ""
		if d := p.proc.Options.DLQ; d != nil {
			target = d.DB + "." + d.Coll
		}
		docs := make([]connectors.Doc, len(rt.dlqOut))
		for i, d := range rt.dlqOut {
			docs[i] = connectors.Doc{Doc: d, Target: target}
		}
		if _, err := p.env.DLQ.Write(ctx, docs); err != nil {
			return fmt.Errorf("dead-letter queue: %w", err)
		}
	}
	rt.dlqOut = rt.dlqOut[:0]
	for _, op := range p.ops {
		if s, ok := op.(*stSinkOp); ok {
			if err := s.flush(ctx); err != nil {
				return err
			}
		}
	}
	if p.env.DLQ != nil {
		if err := p.env.DLQ.Flush(ctx); err != nil {
			return fmt.Errorf("dead-letter queue: flush: %w", err)
		}
	}
	if len(rt.dlqOut) > 0 {
		// A sink rejected documents during Flush: they must reach the DLQ
		// before their positions are committed.
		return st.flushAndCommit(ctx, direct)
	}
	if p.source == nil {
		return nil
	}
	if p.ckpt != nil {
		// Positions are committed after a checkpoint covers them.
		if direct || st.lastFlush.Sub(p.ckpt.last) >= p.ckpt.every {
			return st.checkpoint(ctx, direct)
		}
		return nil
	}
	held := map[int]int64{}
	for _, op := range p.ops {
		if h, ok := op.(stHolder); ok {
			h.stHeld(held)
		}
	}
	var upTo []connectors.Position
	for i, pt := range st.parts {
		limit := pt.seq
		if h, ok := held[i]; ok {
			limit = h - 1
		}
		k := 0
		for k < len(pt.pending) && pt.pending[k].seq <= limit {
			k++
		}
		if k == 0 {
			continue
		}
		upTo = append(upTo, pt.pending[k-1].pos)
		pt.pos = pt.pending[k-1].pos
		pt.committed = pt.pending[k-1].seq
		pt.pending = append(pt.pending[:0], pt.pending[k:]...)
	}
	return st.commit(ctx, upTo, direct)
}

// commit commits positions: directly when the reader has stopped, else
// through the reader, between reads.
func (st *stRunState) commit(ctx context.Context, upTo []connectors.Position, direct bool) error {
	p := st.p
	if len(upTo) == 0 {
		return nil
	}
	if direct {
		if err := p.source.Commit(ctx, upTo); err != nil {
			return fmt.Errorf("connection %s: commit: %w", p.srcLabel, err)
		}
		return nil
	}
	// Replace a commit the reader has not run yet: this one covers it.
	select {
	case old := <-st.commitCh:
		upTo = stMergePositions(old, upTo)
	default:
	}
	st.commitCh <- upTo
	return nil
}

// stMergePositions keeps the newer position of each partition.
func stMergePositions(old, cur []connectors.Position) []connectors.Position {
	out := append([]connectors.Position(nil), cur...)
	for _, o := range old {
		found := false
		for _, c := range cur {
			if c.Topic == o.Topic && c.Partition == o.Partition {
				found = true
			}
		}
		if !found {
			out = append(out, o)
		}
	}
	return out
}

// stKafkaKeyHeaders adds a Kafka record's key (decoded by
// $source.config.keyFormat, binData by default and when it doesn't
// decode) and headers ([{k, v}], values as binData) to its
// stream.source metadata.
func stKafkaKeyHeaders(src bson.D, s *mql.Source, m *connectors.Message) bson.D {
	if m.Key != nil {
		var key any = bson.Binary{Data: m.Key}
		if cfg := s.KafkaConfig; cfg != nil && cfg.KeyFormat != "" {
			if f, err := kafka.ParseKeyFormat(cfg.KeyFormat); err == nil {
				if v, err := f.Decode(m.Key); err == nil {
					key = v
				}
			}
		}
		src = append(src, bson.E{Key: "key", Value: key})
	}
	if len(m.Headers) > 0 {
		hs := make(bson.A, len(m.Headers))
		for i, h := range m.Headers {
			hs[i] = bson.D{{Key: "k", Value: h.Key}, {Key: "v", Value: bson.Binary{Data: h.Value}}}
		}
		src = append(src, bson.E{Key: "headers", Value: hs})
	}
	return src
}
