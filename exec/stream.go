package exec

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// This file holds the streaming runtime's types: the operator interface
// (STYLE.md §3), the batch operators exchange, and Build, the one place
// where stage names become operators. stream_run.go runs them.
//
// The batch operators exchange is a row batch (RowBatch), not the Arrow
// Batch: most stages rewrite whole documents, and there is not yet a way to
// build an Arrow Batch (with its Raw column) back from documents outside
// the decoder. Every operator here therefore works per row on bson.D, with
// MongoDB's semantics from Eval/Match and the reference runner's stage
// code, so the streaming engine and the oracle cannot drift apart. Before
// them, for Extended JSON sources, the columnar fast path (columnar.go)
// decodes each read into an Arrow Batch and runs the leading $match stages
// with the columnar kernel (MatchColumns), so documents they filter out
// are never built.

// StreamRow is one document on its way through a streaming pipeline.
type StreamRow struct {
	Doc bson.D
	// Time is the event time.
	Time time.Time
	// Meta is the stream metadata ($meta: "stream…"): source, window.
	Meta bson.D
	// NoMeta is set once the pipeline removed the metadata field itself.
	NoMeta bool
	// src is the source message the row came from, so the runtime knows
	// which positions are still held by operator state and may not be
	// committed yet; part < 0 for rows that stand for no single message
	// (window outputs, $documents).
	src stSrc
}

type stSrc struct {
	part int
	seq  int64
}

var stNoSrc = stSrc{part: -1}

// RowBatch is the unit operators exchange: up to BuildEnv.BatchSize rows.
type RowBatch struct {
	Rows []StreamRow
}

// Emit hands a batch to the next operator.
type Emit func(ctx context.Context, b *RowBatch) error

// Operator is one stage of a running pipeline. Push style: the runtime calls
// Process for each batch and Watermark when the processor's watermark
// advances, never concurrently; output goes to emit before the call
// returns. Extra abilities are optional interfaces (stHolder, stIdler).
type Operator interface {
	Process(ctx context.Context, b *RowBatch, emit Emit) error
	Watermark(ctx context.Context, t time.Time, emit Emit) error
	Close() error
}

// stHolder is an operator that keeps rows past the call that handed them
// over (windows): it reports, per source partition, the smallest sequence
// number it holds, so the runtime never commits a position whose data
// could be lost on restart.
type stHolder interface {
	stHeld(min map[int]int64)
}

// stIdler is an operator that reacts to a quiet source (idleTimeout): now
// is the processing time, quietSince when the last message arrived.
type stIdler interface {
	stIdle(ctx context.Context, now, quietSince time.Time, emit Emit) error
}

// BuildEnv is what a processor runs against: opened connectors and limits.
type BuildEnv struct {
	// Sources are the $source's connector by connection name. The caller
	// opens it for the stage (topics, collection, config).
	Sources map[string]connectors.Source
	// Sinks are $merge/$emit connectors by connection name. Every document
	// is written with Doc.Target set: the topic, or "db.coll". The caller
	// opens them for the stage, so $merge's on/whenMatched live there.
	Sinks map[string]connectors.Sink
	// Lookups are $lookup targets by collection (connection name resolved).
	Lookups map[mql.Namespace]connectors.Lookup
	// Output receives the documents of a pipeline without a sink (what
	// sp.process prints), with Target "".
	Output connectors.Sink
	// DLQ receives dead letters with Target "db.coll" of options.dlq; nil
	// counts them in Stats only.
	DLQ connectors.Sink
	// Connections are the registered connection names, for the rule that
	// a stage without connectionName uses "default", else the only one;
	// empty means the names of Sources, Sinks and Lookups.
	Connections []string
	// Now is the processing-time clock; nil is time.Now.
	Now func() time.Time
	// BatchSize caps the rows per batch; 0 is 1024.
	BatchSize int
	// MemoryLimit bounds the bytes of state (window rows, session rows,
	// $setWindowFields history) over all operators; 0 is unlimited.
	MemoryLimit int64
	// Tick is how often Run checks idle timeouts and flushes; 0 is 1 s.
	Tick time.Duration
	// FlushEvery is how often Run flushes sinks and commits positions
	// while data flows; 0 is 1 s. Bounded sources flush at their end too.
	FlushEvery time.Duration
	// CheckpointDir, when set, keeps checkpoints in that local directory
	// (DirStore): operator state and the source positions it covers,
	// restored by Build when present (checkpoint.go).
	CheckpointDir string
	// Checkpoints is the checkpoint store; it takes precedence over
	// CheckpointDir. nil with no CheckpointDir takes no checkpoints.
	Checkpoints CheckpointStore
	// CheckpointEvery is how often Run takes a checkpoint while data
	// flows; 0 is 10 s. Run takes one when it ends too.
	CheckpointEvery time.Duration
}

// Stats are a running processor's counters.
type Stats struct {
	In, Out, DLQ int64
	Watermark    time.Time
	StateBytes   int64
	// Lag is how many messages the source has not read yet (Kafka: high
	// watermarks minus offsets read), when LagKnown.
	Lag      int64
	LagKnown bool
}

// Processor is a built streaming pipeline; Run runs it.
type Processor struct {
	proc *mql.Processor
	env  BuildEnv
	src  *mql.Source
	// source is nil for a $documents source, read through the reference
	// runner's code.
	source   connectors.Source
	srcLabel string
	ops      []Operator
	rt       *stRuntime
	// col is the columnar fast path's plan for the leading $match stages
	// (columnar.go); nil runs every message through the row path.
	col *colPlan
	// mem allocates the fast path's Arrow batches.
	mem memory.Allocator
	// unmarshals counts the messages decoded to bson.D, for tests.
	unmarshals int64
	// driverDecode makes the driver parse every Extended JSON message, as
	// before colDoc: for benchmarks and tests of the row path.
	driverDecode bool
	// ckpt is the checkpointing (checkpoint.go); nil without a store.
	ckpt *stCkpt
	// tsField is where source documents get their event time (TsField).
	tsField string
}

// stRuntime is what operators share: the DLQ, the memory budget, the clock
// and the reference runner's helpers (output conventions, stage code).
type stRuntime struct {
	proc   *mql.Processor
	now    func() time.Time
	ref    *run
	dlqOut []bson.D
	mem    stMemory
	// mu guards stats, which a progress display reads while Run runs.
	mu    sync.Mutex
	stats Stats
	// wm is the processor's watermark (zero before the first).
	wm time.Time
	// cont places the continuous aggregates (op_group.go).
	cont *stContPlan
}

// newRef returns a reference-runner context whose DLQ the runtime drains.
func (rt *stRuntime) newRef() *run {
	return &run{ref: &Reference{Now: rt.now}, proc: rt.proc, res: &Result{
		Emitted: map[string][]bson.D{}, Merged: map[string][]bson.D{},
		Targets: map[string]Target{}, GeneratedIDs: map[bson.ObjectID]bool{},
	}}
}

// drain moves the dead letters the reference code recorded into the
// runtime's queue, which goes to the DLQ sink at the next flush.
func (rt *stRuntime) drain(x *run) {
	if len(x.res.DLQ) > 0 {
		rt.dlqOut = append(rt.dlqOut, x.res.DLQ...)
		rt.mu.Lock()
		rt.stats.DLQ += int64(len(x.res.DLQ))
		rt.mu.Unlock()
		x.res.DLQ = x.res.DLQ[:0]
	}
}

func (rt *stRuntime) dlq(operator string, doc, meta bson.D, reason string) {
	rt.ref.dlq(operator, doc, meta, reason)
	rt.drain(rt.ref)
}

// stMemory is the state budget shared by all operators.
type stMemory struct {
	limit int64
	// used is atomic because Stats reads it from another goroutine.
	used atomic.Int64
}

// grow accounts n more bytes of state held by op; it fails, naming op,
// once the total is over the limit.
func (m *stMemory) grow(op string, n int64) error {
	used := m.used.Add(n)
	if m.limit > 0 && used > m.limit {
		return fmt.Errorf("%s: state needs %d bytes, over the memory limit of %d bytes (--memory-limit): shorten its windows, bound its $setWindowFields windows (a window from \"unbounded\" keeps every row of its partition), or raise the limit", op, used, m.limit)
	}
	return nil
}

func (m *stMemory) shrink(n int64) { m.used.Add(-n) }

// stDocSize estimates the bytes a document holds in memory: an estimate,
// not an exact accounting, good enough to stop a runaway window.
func stDocSize(v any) int64 {
	switch t := v.(type) {
	case bson.D:
		n := int64(24)
		for _, e := range t {
			n += int64(len(e.Key)) + 32 + stDocSize(e.Value)
		}
		return n
	case bson.A:
		n := int64(24)
		for _, e := range t {
			n += 16 + stDocSize(e)
		}
		return n
	case string:
		return int64(len(t))
	case bson.Binary:
		return int64(len(t.Data))
	}
	return 8
}

func stRowSize(r *StreamRow) int64 { return stDocSize(r.Doc) + stDocSize(r.Meta) + 64 }

func (r *StreamRow) ref() row {
	return row{doc: r.Doc, ts: r.Time, meta: r.Meta, noMeta: r.NoMeta}
}

func stFromRef(rw row, src stSrc) StreamRow {
	return StreamRow{Doc: rw.doc, Time: rw.ts, Meta: rw.meta, NoMeta: rw.noMeta, src: src}
}

// stForever is the watermark of an exhausted bounded source: every window
// closes.
var stForever = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// Build turns a processor's pipeline into operators bound to env's
// connectors. Errors name the stage (pipeline[i].$op).
func Build(p *mql.Processor, env BuildEnv) (*Processor, error) {
	if len(p.Pipeline) == 0 {
		return nil, fmt.Errorf("empty pipeline")
	}
	src, ok := p.Pipeline[0].(*mql.Source)
	if !ok {
		return nil, fmt.Errorf("pipeline[0]: expected $source, found %s", p.Pipeline[0].Op())
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.BatchSize <= 0 {
		env.BatchSize = 1024
	}
	if env.Tick <= 0 {
		env.Tick = time.Second
	}
	if env.FlushEvery <= 0 {
		env.FlushEvery = time.Second
	}
	rt := &stRuntime{proc: p, now: env.Now, mem: stMemory{limit: env.MemoryLimit}}
	rt.ref = rt.newRef()
	pr := &Processor{proc: p, env: env, src: src, rt: rt, tsField: TsField(p, src)}
	conns := env.Connections
	if len(conns) == 0 {
		conns = stConnNames(env)
	}
	resolve := func(name string) (string, error) { return stResolveConn(conns, name) }
	if src.Kind != mql.DocumentsSource {
		name, err := resolve(src.ConnectionName)
		if err != nil {
			return nil, fmt.Errorf("pipeline[0].$source: %w", err)
		}
		pr.source = env.Sources[name]
		pr.srcLabel = name
		if pr.source == nil {
			return nil, fmt.Errorf("pipeline[0].$source: connection %s has no source", name)
		}
	}
	stages := p.Pipeline[1:]
	hasSink := len(stages) > 0 && isSink(stages[len(stages)-1])
	var err error
	if rt.cont, err = stPlanContinuous(stages); err != nil {
		return nil, err
	}
	for i, s := range stages {
		path := mql.Path("pipeline").Index(i + 1).Key(s.Op())
		op, err := stBuildStage(rt, env, resolve, s, path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		pr.ops = append(pr.ops, op)
	}
	if !hasSink {
		if env.Output == nil {
			return nil, fmt.Errorf("the pipeline has no $merge or $emit, and no output sink was given")
		}
		pr.ops = append(pr.ops, &stSinkOp{rt: rt, name: "output", sink: env.Output, target: func(*StreamRow) (string, error) { return "", nil }})
	}
	pr.col, pr.mem = newColPlan(rt, src, pr.ops), memory.DefaultAllocator
	if p.Options.DLQ != nil && env.DLQ == nil {
		return nil, fmt.Errorf("options.dlq: no sink was given for the dead-letter queue")
	}
	if err := pr.stSetupCheckpoint(); err != nil {
		return nil, err
	}
	return pr, nil
}

// stBuildStage is where a stage name becomes an operator.
func stBuildStage(rt *stRuntime, env BuildEnv, resolve func(string) (string, error), s mql.Stage, path mql.Path) (Operator, error) {
	if op, ok, err := rt.cont.build(rt, s, path); ok {
		return op, err
	}
	if op, ok, err := stProcTimeStage(rt, s, path); ok {
		return op, err
	}
	switch s := s.(type) {
	case *mql.Match:
		return NewMatch(rt, s), nil
	case *mql.Project, *mql.AddFields, *mql.Unset, *mql.ReplaceRoot, *mql.Unwind, *mql.ValidateStage, *mql.SetStreamMeta:
		return &RowStage{rt: rt, stage: s, path: path, x: rt.newRef()}, nil
	case *mql.Lookup:
		return newLookup(rt, env, resolve, s, path)
	case *mql.CachedLookup:
		return newCachedLookup(rt, env, resolve, s, path)
	case *mql.TumblingWindow:
		return newTimeWindow(rt, s.Op(), path, durationOf(s.Interval), durationOf(s.Interval), s.WindowOptions)
	case *mql.HoppingWindow:
		return newTimeWindow(rt, s.Op(), path, durationOf(s.Interval), durationOf(s.HopSize), s.WindowOptions)
	case *mql.SessionWindow:
		return newSessionWindow(rt, s, path)
	case *mql.SetWindowFields:
		return newSetWindowFields(rt, s, path)
	case *mql.Merge:
		return newMergeSink(rt, env, resolve, s)
	case *mql.Emit:
		return newEmitSink(rt, env, resolve, s)
	case *mql.Limit:
		return newLimit(s.N), nil
	}
	return nil, fmt.Errorf("the streaming engine does not run %s yet", s.Op())
}

func stConnNames(env BuildEnv) []string {
	seen := map[string]bool{}
	for n := range env.Sources {
		seen[n] = true
	}
	for n := range env.Sinks {
		seen[n] = true
	}
	for ns := range env.Lookups {
		seen[ns.ConnectionName] = true
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// stResolveConn is ResolveConn's rule over a list of names.
func stResolveConn(names []string, name string) (string, error) {
	has := func(n string) bool {
		for _, x := range names {
			if x == n {
				return true
			}
		}
		return false
	}
	if name == "" {
		if has("default") {
			return "default", nil
		}
		if len(names) == 1 {
			return names[0], nil
		}
		return "", fmt.Errorf("no connectionName, and no connection named default")
	}
	if !has(name) {
		return "", fmt.Errorf("unknown connection %q (have %s)", name, strings.Join(names, ", "))
	}
	return name, nil
}

// stFmtTime renders a time in DLQ reasons.
func stFmtTime(t time.Time) string {
	if !t.Before(stForever) {
		return "+inf (end of input)"
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
