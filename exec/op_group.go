package exec

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// Continuous aggregates are weir's top-level $group, $count and the $sort
// (with an optional $limit) right after them (docs/mql.md). They have no
// window to close, so they emit as they go: after each batch, the new value
// of every group the batch changed, once per group. The output is an
// upsert stream keyed by _id, which is what a $merge on _id wants; an
// $emit receives every update. Stages after the aggregate see each update
// as a row, so a $match there (SQL's HAVING) filters updates and never
// retracts a group that stops matching.
//
// With a checkpoint store (BuildEnv.CheckpointDir, `weir run --state`) the
// state — every group's accumulators, the count, a top-n's groups and last
// answer — is part of each checkpoint (checkpoint_continuous.go), and a
// restart continues from it. Without one the state lives in memory only,
// so the operators hold the first position of every partition they
// aggregated (stHolder): a restart reads the input again and rebuilds the
// same answer (at-least-once), instead of committing positions whose
// effect would be lost.

// stContPlan is where a pipeline's continuous aggregates are, found by
// Build before any operator is made: a $limit after a continuous $sort
// belongs to that $sort (a top-N), which stBuildStage can't tell from
// the $limit alone.
type stContPlan struct {
	// limitOf is the n of a continuous $sort followed by a $limit.
	limitOf map[*mql.Sort]int64
	// fused are the $limit stages a top-N absorbed: they pass rows on.
	fused map[*mql.Limit]bool
}

// stPlanContinuous checks where continuous aggregates sit in the top-level
// stages (those after $source) and pairs a $sort with its $limit.
func stPlanContinuous(stages mql.Pipeline) (*stContPlan, error) {
	plan := &stContPlan{limitOf: map[*mql.Sort]int64{}, fused: map[*mql.Limit]bool{}}
	agg := -1 // index of the continuous aggregate
	var sorted *mql.Sort
	path := func(i int) mql.Path { return mql.Path("pipeline").Index(i + 1).Key(stages[i].Op()) }
	for i, s := range stages {
		switch s := s.(type) {
		case *mql.Group, *mql.Count:
			if agg >= 0 {
				return nil, fmt.Errorf("%s: a continuous aggregate after the continuous %s is not supported: its input would be a stream of updates, not of documents", path(i), path(agg))
			}
			agg = i
		case *mql.Sort:
			switch {
			case agg < 0:
				return nil, fmt.Errorf("%s: a top-level $sort orders the groups of a continuous $group or $count and must follow one (a stream has no end to sort at); sort inside a window instead", path(i))
			case sorted != nil:
				return nil, fmt.Errorf("%s: a second top-level $sort is not supported", path(i))
			case agg != i-1:
				return nil, fmt.Errorf("%s: a top-level $sort must come right after the continuous %s (the stages between could change the _id that identifies a group's updates)", path(i), path(agg))
			}
			sorted = s
		case *mql.Limit:
			if agg < 0 {
				continue // the stream's first n rows (op_limit.go)
			}
			if sorted == nil || i == 0 || stages[i-1] != mql.Stage(sorted) {
				return nil, fmt.Errorf("%s: a $limit after the continuous %s needs a $sort right before it (a top-n); without one, which n groups to keep is undefined", path(i), path(agg))
			}
			plan.limitOf[sorted] = s.N
			plan.fused[s] = true
		case *mql.TumblingWindow, *mql.HoppingWindow, *mql.SessionWindow, *mql.SetWindowFields:
			if agg >= 0 {
				return nil, fmt.Errorf("%s: a window after the continuous %s is not supported: its input would be a stream of updates, not of documents", path(i), path(agg))
			}
		}
	}
	return plan, nil
}

// build makes the operator of a stage the plan owns; ok is false for the
// others.
func (c *stContPlan) build(rt *stRuntime, s mql.Stage, path mql.Path) (op Operator, ok bool, err error) {
	if c == nil {
		return nil, false, nil
	}
	switch s := s.(type) {
	case *mql.Group:
		op, err := newGroup(rt, s, path)
		return op, true, err
	case *mql.Count:
		return newCount(s), true, nil
	case *mql.Sort:
		return newTopN(rt, s, c.limitOf[s], path), true, nil
	case *mql.Limit:
		if c.fused[s] {
			return stPass{}, true, nil
		}
	}
	return nil, false, nil
}

// stPass passes rows on: a $limit a top-N took over.
type stPass struct{}

func (stPass) Process(ctx context.Context, b *RowBatch, emit Emit) error { return emit(ctx, b) }
func (stPass) Watermark(context.Context, time.Time, Emit) error          { return nil }
func (stPass) Close() error                                              { return nil }

// Group is the continuous top-level $group: accumulators per group, kept
// for the life of the processor, and after each batch the new document of
// every group it changed, in order of first change.
type Group struct {
	rt     *stRuntime
	stage  *mql.Group
	path   mql.Path
	aggs   []*Agg
	groups map[string]*stGroup
	bytes  int64
	held   map[int]int64
}

type stGroup struct {
	key   any
	accs  []Accumulator
	last  StreamRow // the latest row, for the output's time and metadata
	bytes int64
}

var (
	_ Operator = (*Group)(nil)
	_ stHolder = (*Group)(nil)
)

func newGroup(rt *stRuntime, s *mql.Group, path mql.Path) (*Group, error) {
	g := &Group{rt: rt, stage: s, path: path, groups: map[string]*stGroup{}, held: map[int]int64{}}
	for _, f := range s.Fields {
		a, err := NewAgg(f.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		g.aggs = append(g.aggs, a)
	}
	return g, nil
}

func (g *Group) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	var changed []*stGroup
	seen := map[*stGroup]bool{}
	inputs := make([]any, len(g.aggs))
	for i := range b.Rows {
		rw := &b.Rows[i]
		r := rw.ref()
		env := r.env()
		k, err := EvalGroupKey(g.stage.ID, rw.Doc, env)
		if err != nil {
			g.rt.dlq(g.stage.Op(), rw.Doc, rw.Meta, err.Error())
			continue
		}
		// Every input first, so a row that fails leaves its group as it was.
		failed := false
		for j, a := range g.aggs {
			if inputs[j], err = a.Input(rw.Doc, env); err != nil {
				g.rt.dlq(g.stage.Op(), rw.Doc, rw.Meta, g.stage.Fields[j].Name+": "+err.Error())
				failed = true
				break
			}
		}
		if failed {
			continue
		}
		ks := string(AppendKey(nil, k))
		grp := g.groups[ks]
		if grp == nil {
			grp = &stGroup{key: k}
			for j, a := range g.aggs {
				acc, err := a.New(k, env)
				if err != nil {
					return fmt.Errorf("%s: %w", g.stage.Fields[j].Name, err)
				}
				grp.accs = append(grp.accs, acc)
			}
			g.groups[ks] = grp
			grp.bytes = int64(len(ks)) + 64
			g.bytes += grp.bytes
			if err := g.rt.mem.grow(string(g.path), grp.bytes); err != nil {
				return err
			}
		}
		for j, acc := range grp.accs {
			if err := acc.Add(inputs[j]); err != nil {
				g.rt.dlq(g.stage.Op(), rw.Doc, rw.Meta, g.stage.Fields[j].Name+": "+err.Error())
			}
		}
		grp.last = StreamRow{Time: rw.Time, Meta: rw.Meta, NoMeta: rw.NoMeta}
		if rw.src.part >= 0 {
			if _, ok := g.held[rw.src.part]; !ok {
				g.held[rw.src.part] = rw.src.seq
			}
		}
		if !seen[grp] {
			seen[grp] = true
			changed = append(changed, grp)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	out := &RowBatch{Rows: make([]StreamRow, len(changed))}
	for i, grp := range changed {
		doc := make(bson.D, 0, 1+len(grp.accs))
		doc = append(doc, bson.E{Key: "_id", Value: grp.key})
		for j, acc := range grp.accs {
			doc = append(doc, bson.E{Key: g.stage.Fields[j].Name, Value: acc.Result()})
		}
		// The state is estimated by the size of what the group outputs.
		n := stDocSize(doc) + 64
		if d := n - grp.bytes; d != 0 {
			grp.bytes = n
			g.bytes += d
			if err := g.rt.mem.grow(string(g.path), d); err != nil {
				return err
			}
		}
		out.Rows[i] = StreamRow{Doc: doc, Time: grp.last.Time, Meta: grp.last.Meta, NoMeta: grp.last.NoMeta, src: stNoSrc}
	}
	return emit(ctx, out)
}

func (g *Group) Watermark(context.Context, time.Time, Emit) error { return nil }

func (g *Group) stHeld(min map[int]int64) { stHeldFirst(g.held, min) }

// stHeldFirst reports the first sequence number an aggregate took per
// partition: its state depends on everything read since.
func stHeldFirst(held, min map[int]int64) {
	for p, s := range held {
		if m, ok := min[p]; !ok || s < m {
			min[p] = s
		}
	}
}

func (g *Group) Close() error {
	g.rt.mem.shrink(g.bytes)
	g.bytes, g.groups = 0, nil
	return nil
}
