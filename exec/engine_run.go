package exec

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/registry"
	"github.com/weir-stream/weir/planner/mql"
)

// RunOptions adjust a foreground run (Engine.Run, what `weir run` does) of
// the engine's one run function.
type RunOptions struct {
	// Output receives the documents of a pipeline without a sink.
	Output connectors.Sink
	// DLQ, when set, wraps the dead-letter sink the connections opened
	// (nil when the pipeline has no options.dlq); sources are the opened
	// sources, for explaining what they rejected.
	DLQ func(opened connectors.Sink, sources map[string]connectors.Source) connectors.Sink
	// DeadLetter, when set, receives each dead letter (the DLQ document:
	// operatorName, errInfo.reason, doc) as the run writes it, before the
	// DLQ sink, if any, gets it: for queries, whose rows would otherwise
	// vanish without a word.
	DeadLetter func(letter bson.D)
	// CheckpointDir keeps the run's operator state and source positions
	// (BuildEnv.CheckpointDir); "" runs without checkpoints.
	CheckpointDir string
	// Started is called with the runtime's processor once it is built,
	// before it runs, for live counters.
	Started func(*Processor)
	// Ended is called after the run with the opened sinks and DLQ, before
	// they close, to report what they wrote.
	Ended func(sinks map[string]connectors.Sink, dlq connectors.Sink)
	// Reference, when set, runs a file-only pipeline the streaming runtime
	// refuses in the engine's place (the caller reports the reference
	// runner's output its own way); nil lets the engine run it.
	Reference func(*mql.Processor) (Stats, error)
}

// BuildError is the streaming runtime refusing a pipeline (Build): an
// error in the input rather than in running it. It is ErrUnsupported too.
type BuildError struct{ Err error }

func (e *BuildError) Error() string   { return ErrUnsupported.Error() + ": " + e.Err.Error() }
func (e *BuildError) Unwrap() []error { return []error{ErrUnsupported, e.Err} }

// Run runs p in the foreground, on the same path as processors and
// queries, until its input ends (file connections) or ctx is done
// (graceful: sinks flush, positions commit). It is not registered as a
// named processor.
func (e *Engine) Run(ctx context.Context, p *mql.Processor, opts RunOptions) (Stats, error) {
	return e.engRun(ctx, p, nil, opts)
}

// engRun is the one place the engine runs a pipeline, for queries (out
// set: the pipeline has no sink and its documents go to out), for
// processors (out nil: the sinks write) and for foreground runs (opts).
// It opens the pipeline's connectors through the registry and runs it on
// the streaming runtime until its input ends (file connections), ctx is
// cancelled (graceful: sinks flush, positions commit), or it fails.
// opts.Started, when set, is called with the runtime's processor once it
// is built, for live counters. A pipeline over file connections only that
// the runtime refuses runs on the reference runner instead.
func (e *Engine) engRun(ctx context.Context, p *mql.Processor, out func(bson.D) error, opts RunOptions) (Stats, error) {
	reg := e.engRegistry()
	fileOnly := engFileOnly(p, reg)
	run := p
	limit := int64(-1)
	if out != nil {
		// The runtime runs $limit inside windows only: a query's trailing
		// LIMIT is a count of rows kept here, and the query is cancelled
		// when it is reached.
		if n := len(p.Pipeline); n > 1 {
			if l, ok := p.Pipeline[n-1].(*mql.Limit); ok {
				q := *p
				q.Pipeline = p.Pipeline[:n-1]
				run, limit = &q, l.N
			}
		}
		if limit == 0 {
			return Stats{}, nil
		}
	}
	name := p.Name
	if name == "" {
		name = "query"
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opened, err := reg.Open(rctx, run, registry.OpenOptions{
		Processor: name, Ephemeral: out != nil, CreateTopics: e.cfg.CreateTopics,
		ConnectTimeout: e.cfg.ConnectTimeout, Logger: e.log.With("processor", name), MergeFuncs: MergeFuncs,
	})
	if err != nil {
		if fileOnly && errors.Is(err, registry.ErrUnsupported) {
			return e.engFallback(ctx, p, out, reg, opts)
		}
		if errors.Is(err, registry.ErrUnsupported) {
			return Stats{}, fmt.Errorf("%w: %v", ErrUnsupported, err)
		}
		return Stats{}, err
	}
	defer opened.Close()
	// opened.Notices were logged already, through e.log (OpenOptions.Logger).
	env := BuildEnv{
		Sources: opened.Sources, Sinks: opened.Sinks, Lookups: opened.Lookups,
		Connections: opened.Connections, DLQ: opened.DLQ, Now: e.cfg.Now,
		Tick: e.cfg.Tick, FlushEvery: e.cfg.FlushEvery, MemoryLimit: e.cfg.memoryLimit(),
		Output: opts.Output, CheckpointDir: opts.CheckpointDir,
	}
	if opts.DLQ != nil {
		env.DLQ = opts.DLQ(opened.DLQ, opened.Sources)
	}
	if opts.DeadLetter != nil {
		env.DLQ = &engDeadLetters{fn: opts.DeadLetter, next: env.DLQ}
	}
	var sink *engOutput
	if out != nil {
		sink = &engOutput{fn: out, limit: limit, stop: cancel}
		env.Output = sink
		if env.Tick == 0 {
			// A query's rows should not wait a second for a flush.
			env.Tick = 200 * time.Millisecond
		}
	}
	proc, err := Build(run, env)
	if err != nil {
		var ckpt *stCkptError
		if fileOnly && !errors.As(err, &ckpt) {
			// A stage the streaming runtime refuses: bounded input lets
			// the reference runner produce the result.
			opened.Close()
			return e.engFallback(ctx, p, out, reg, opts)
		}
		return Stats{}, &BuildError{Err: err}
	}
	if opts.Started != nil {
		opts.Started(proc)
	}
	err = proc.Run(rctx)
	st := proc.Stats()
	if opts.Ended != nil {
		opts.Ended(opened.Sinks, opened.DLQ)
	}
	if sink != nil {
		st.Out = sink.sent
		if sink.err != nil {
			return st, sink.err
		}
		if err == nil && ctx.Err() != nil && !sink.full {
			// Cancelled or disconnected before the input ended or LIMIT
			// was reached: the caller's context says why.
			return st, ctx.Err()
		}
	}
	return st, err
}

// engOutput hands a query's documents to its row function, up to limit,
// and stops the run when the limit is reached or the function fails.
type engOutput struct {
	fn    func(bson.D) error
	limit int64
	stop  context.CancelFunc
	sent  int64
	full  bool
	err   error
}

func (s *engOutput) Write(_ context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	for _, d := range docs {
		if s.full || s.err != nil {
			break
		}
		if err := s.fn(d.Doc); err != nil {
			s.err = err
			s.stop()
			break
		}
		s.sent++
		if s.limit >= 0 && s.sent >= s.limit {
			s.full = true
			s.stop() // LIMIT reached: the run stops gracefully
		}
	}
	return nil, nil
}

func (s *engOutput) Flush(context.Context) error { return nil }
func (s *engOutput) Close() error                { return nil }

// engFileOnly reports whether every connection p uses is a file one: its
// input is bounded, and it can fall back to the reference runner.
func engFileOnly(p *mql.Processor, reg *registry.Registry) bool {
	var names []string
	for _, s := range p.Pipeline {
		switch s := s.(type) {
		case *mql.Source:
			if s.Kind != mql.DocumentsSource {
				names = append(names, s.ConnectionName)
			}
		case *mql.Merge:
			names = append(names, s.Into.ConnectionName)
		case *mql.Emit:
			names = append(names, s.ConnectionName)
		case *mql.Lookup:
			if s.From != nil {
				names = append(names, s.From.ConnectionName)
			}
		}
	}
	if d := p.Options.DLQ; d != nil {
		names = append(names, d.ConnectionName)
	}
	// Stages inside others (a window's $lookup, a $lookup's pipeline)
	// name connections too: the reference runner opens files only.
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case bson.D:
			for _, e := range t {
				if s, ok := e.Value.(string); ok && e.Key == "connectionName" {
					names = append(names, s)
				}
				walk(e.Value)
			}
		case bson.A:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(mql.EncodeProcessor(p))
	for _, n := range names {
		if c, err := reg.Resolve(n); err != nil || c.Kind != registry.File {
			return false
		}
	}
	return true
}

// engFallback runs a file-only pipeline the streaming runtime refuses on
// the reference runner: the caller's (opts.Reference) or the engine's.
func (e *Engine) engFallback(ctx context.Context, p *mql.Processor, out func(bson.D) error, reg *registry.Registry, opts RunOptions) (Stats, error) {
	if opts.Reference != nil {
		return opts.Reference(p)
	}
	return e.engReference(ctx, p, out, reg, opts.DeadLetter)
}

// engDeadLetters hands each dead letter to fn, then to next (nil: none).
type engDeadLetters struct {
	fn   func(bson.D)
	next connectors.Sink
}

func (d *engDeadLetters) Write(ctx context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	for _, doc := range docs {
		d.fn(doc.Doc)
	}
	if d.next == nil {
		return nil, nil
	}
	return d.next.Write(ctx, docs)
}

func (d *engDeadLetters) Flush(ctx context.Context) error {
	if d.next == nil {
		return nil
	}
	return d.next.Flush(ctx)
}

func (d *engDeadLetters) Close() error { return nil }

// engReference runs p with the reference runner over the file
// connections: for pipelines the streaming runtime doesn't run yet.
func (e *Engine) engReference(ctx context.Context, p *mql.Processor, out func(bson.D) error, reg *registry.Registry, dead func(bson.D)) (Stats, error) {
	var st Stats
	files := map[string]connectors.File{}
	for _, n := range reg.Names() {
		if c, _ := reg.Get(n); c.Kind == registry.File {
			files[n] = c.File
		}
	}
	ref := &Reference{Conns: files, Now: e.cfg.Now}
	if out != nil {
		res, err := ref.Run(p)
		if err != nil {
			return st, err
		}
		st.DLQ = int64(len(res.DLQ))
		if dead != nil {
			for _, l := range res.DLQ {
				dead(l)
			}
		}
		for _, d := range res.Stdout {
			if err := ctx.Err(); err != nil {
				return st, err
			}
			if err := out(d); err != nil {
				return st, err
			}
			st.Out++
		}
		return st, nil
	}
	st.In = engCountInput(p, files)
	res, err := ref.Run(p)
	if err != nil {
		return st, err
	}
	st.DLQ = int64(len(res.DLQ))
	// The reference runner reports a $merge target's final state, not
	// what reached it; the pipeline without its sink says how many
	// documents were written.
	if n := len(p.Pipeline); n > 1 && isSink(p.Pipeline[n-1]) {
		if head, err := ref.Run(&mql.Processor{Name: p.Name, Pipeline: p.Pipeline[:n-1], Options: p.Options}); err == nil {
			st.Out = int64(len(head.Stdout))
		}
	} else {
		st.Out = int64(len(res.Stdout))
	}
	return st, engWriteSinks(p, files, res)
}

// engCountInput counts the documents the $source reads, for the
// processor's input counter.
func engCountInput(p *mql.Processor, files map[string]connectors.File) int64 {
	src, ok := p.Pipeline[0].(*mql.Source)
	if !ok {
		return 0
	}
	if src.Kind == mql.DocumentsSource {
		return int64(len(src.Docs))
	}
	name, err := ResolveConn(files, src.ConnectionName)
	if err != nil {
		return 0
	}
	f := files[name]
	var n int64
	for _, c := range src.Colls {
		lines, _ := f.ReadCollection(src.DB, c)
		n += int64(len(lines))
	}
	for _, t := range src.Topics {
		lines, _ := f.ReadStream(t)
		n += int64(len(lines))
	}
	return n
}

// engWriteSinks writes a reference run's output into the connections'
// directories the way `weir run` does: $emit and the DLQ append, $merge
// replaces the collection's file with its final state.
func engWriteSinks(p *mql.Processor, files map[string]connectors.File, res *Result) error {
	keys := func(m map[string][]bson.D) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	for _, k := range keys(res.Emitted) {
		t := res.Targets[k]
		if err := files[t.Conn].AppendStream(t.Topic, res.Emitted[k]); err != nil {
			return fmt.Errorf("$emit to connection %s: %w", t.Conn, err)
		}
	}
	for _, k := range keys(res.Merged) {
		t := res.Targets[k]
		if err := files[t.Conn].WriteCollection(t.DB, t.Coll, res.Merged[k]); err != nil {
			return fmt.Errorf("$merge into connection %s: %w", t.Conn, err)
		}
	}
	if dlq := p.Options.DLQ; dlq != nil && len(res.DLQ) > 0 {
		conn, err := ResolveConn(files, dlq.ConnectionName)
		if err != nil {
			return fmt.Errorf("options.dlq: %w", err)
		}
		if err := files[conn].AppendCollection(dlq.DB, dlq.Coll, res.DLQ); err != nil {
			return fmt.Errorf("the DLQ on connection %s: %w", conn, err)
		}
	}
	return nil
}
