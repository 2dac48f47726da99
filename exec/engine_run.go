package exec

import (
	"context"
	"fmt"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// engRun is the one place the engine runs a pipeline, for queries (out
// set: the pipeline has no sink and its documents go to out) and for
// processors (out nil: the sinks write). It runs the reference runner over
// the file connections; switching to the streaming runtime means building
// connectors.Source/Sink for the pipeline's connections here and calling
// Build(p, env).Run(ctx) with env.Output calling out.
func (e *Engine) engRun(ctx context.Context, p *mql.Processor, out func(bson.D) error) (Stats, error) {
	var st Stats
	files, err := e.engFiles(p)
	if err != nil {
		return st, err
	}
	ref := &Reference{Conns: files, Now: e.cfg.Now}
	if out != nil {
		res, err := ref.Run(p)
		if err != nil {
			return st, err
		}
		st.DLQ = int64(len(res.DLQ))
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

// engFiles is the file connections a pipeline can use; a pipeline naming a
// Kafka or MongoDB connection can't run until the streaming runtime is
// wired to those connectors.
func (e *Engine) engFiles(p *mql.Processor) (map[string]connectors.File, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	files := map[string]connectors.File{}
	for name, c := range e.conns {
		if c.Type == "file" {
			dir, _ := c.Options["dir"].(string)
			files[name] = connectors.File{Dir: dir}
		}
	}
	for _, s := range p.Pipeline {
		var name string
		switch s := s.(type) {
		case *mql.Source:
			name = s.ConnectionName
		case *mql.Merge:
			name = s.Into.ConnectionName
		case *mql.Emit:
			name = s.ConnectionName
		default:
			continue
		}
		if c, ok := e.conns[name]; ok && c.Type != "file" {
			return nil, fmt.Errorf("connection %s: %w: running over %s connections needs the streaming runtime, which weir serve does not wire yet", name, ErrUnsupported, c.Type)
		}
	}
	return files, nil
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
