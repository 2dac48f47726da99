package exec

import (
	"fmt"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// group is $group: one row per distinct key, in order of first appearance.
func (x *run) group(s *mql.Group, rows []row) ([]row, error) {
	type grp struct {
		key  any
		accs []rowAccumulator
		last row
	}
	var order []*grp
	byKey := map[string]*grp{}
	for _, rw := range rows {
		env := rw.env()
		k, err := EvalGroupKey(s.ID, rw.doc, env)
		if err != nil {
			x.dlq(s.Op(), rw.doc, rw.meta, err.Error())
			continue
		}
		ks := string(AppendKey(nil, k))
		g := byKey[ks]
		if g == nil {
			g = &grp{key: k}
			for _, f := range s.Fields {
				acc, err := newRowAccumulator(f.Value, k)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", f.Name, err)
				}
				g.accs = append(g.accs, acc)
			}
			byKey[ks] = g
			order = append(order, g)
		}
		for _, acc := range g.accs {
			if err := acc.add(rw.doc, env); err != nil {
				return nil, err
			}
		}
		g.last = rw
	}
	out := make([]row, 0, len(order))
	for _, g := range order {
		doc := bson.D{{Key: "_id", Value: g.key}}
		for i, f := range s.Fields {
			doc = append(doc, bson.E{Key: f.Name, Value: g.accs[i].result()})
		}
		out = append(out, row{doc: doc, ts: g.last.ts, meta: g.last.meta, vars: g.last.vars})
	}
	return out, nil
}

// sortRows is $sort: stable, in BSON order, arrays by their smallest
// (ascending) or largest (descending) element.
func sortRows(keys []mql.SortKey, rows []row) []row {
	out := append([]row(nil), rows...)
	sort.SliceStable(out, func(i, j int) bool { return lessBySortKeys(keys, out[i].doc, out[j].doc) })
	return out
}

func lessBySortKeys(keys []mql.SortKey, a, b bson.D) bool {
	for _, k := range keys {
		desc := k.Order < 0
		c := Compare(SortKey(getPath(a, k.Path), desc), SortKey(getPath(b, k.Path), desc))
		if c == 0 {
			continue
		}
		if desc {
			return c > 0
		}
		return c < 0
	}
	return false
}

// timeWindows runs a tumbling (hop == size) or hopping window: each row
// joins every window [start, start+size) that holds its event time, and the
// inner pipeline runs once per window, windows in start order.
func (x *run) timeWindows(inner mql.Pipeline, rows []row, size, hop time.Duration, p mql.Path) ([]row, error) {
	if size <= 0 || hop <= 0 {
		return nil, fmt.Errorf("window size and hop must be positive")
	}
	byStart := map[int64][]row{}
	for _, rw := range rows {
		t := rw.ts.UnixMilli()
		last := refFloorDiv(t, hop.Milliseconds()) * hop.Milliseconds()
		for start := last; start > t-size.Milliseconds(); start -= hop.Milliseconds() {
			byStart[start] = append(byStart[start], rw)
		}
	}
	starts := make([]int64, 0, len(byStart))
	for s := range byStart {
		starts = append(starts, s)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	var out []row
	for _, start := range starts {
		res, err := x.window(inner, byStart[start], time.UnixMilli(start).UTC(), time.UnixMilli(start).Add(size).UTC(), nil, p)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

// sessionWindows runs $sessionWindow: per partition, rows in event-time
// order, a new session when the gap since the previous row exceeds gap.
func (x *run) sessionWindows(s *mql.SessionWindow, rows []row, p mql.Path) ([]row, error) {
	gap := durationOf(s.Gap)
	type part struct {
		key  any
		rows []row
	}
	var parts []*part
	byKey := map[string]*part{}
	for _, rw := range rows {
		k, err := Eval(s.PartitionBy, rw.doc, rw.env())
		if err != nil {
			x.dlq(s.Op(), rw.doc, rw.meta, "partitionBy: "+err.Error())
			continue
		}
		k = GroupKey(k)
		ks := string(AppendKey(nil, k))
		if byKey[ks] == nil {
			byKey[ks] = &part{key: k}
			parts = append(parts, byKey[ks])
		}
		byKey[ks].rows = append(byKey[ks].rows, rw)
	}
	var out []row
	for _, pt := range parts {
		sort.SliceStable(pt.rows, func(i, j int) bool { return pt.rows[i].ts.Before(pt.rows[j].ts) })
		begin := 0
		for i := 1; i <= len(pt.rows); i++ {
			if i < len(pt.rows) && pt.rows[i].ts.Sub(pt.rows[i-1].ts) <= gap {
				continue
			}
			sess := pt.rows[begin:i]
			res, err := x.window(s.Pipeline, sess, sess[0].ts, sess[len(sess)-1].ts.Add(gap), pt.key, p)
			if err != nil {
				return nil, err
			}
			out = append(out, res...)
			begin = i
		}
	}
	return out, nil
}

// window runs a window's inner pipeline over its rows, with the window's
// bounds readable as $meta stream.window.{start,end}.
func (x *run) window(inner mql.Pipeline, rows []row, start, end time.Time, partition any, p mql.Path) ([]row, error) {
	win := bson.D{{Key: "start", Value: bson.NewDateTimeFromTime(start)}, {Key: "end", Value: bson.NewDateTimeFromTime(end)}}
	if partition != nil {
		win = append(win, bson.E{Key: "partition", Value: partition})
	}
	in := make([]row, len(rows))
	for i, rw := range rows {
		in[i] = rw
		in[i].meta = withWindow(rw.meta, win)
	}
	res, err := x.stages(inner, in, p.Key("pipeline"), 0)
	if err != nil {
		return nil, err
	}
	for i := range res {
		res[i].meta = withWindow(refWindowSource(res[i].meta), win)
		res[i].ts = end.Add(-time.Millisecond)
	}
	return res, nil
}

// refWindowSource keeps only the source type of a window output's
// metadata: the output stands for many input messages, so one message's
// topic and offset would mislead (ASP shows source: {type: 'kafka'}).
func refWindowSource(meta bson.D) bson.D {
	out := make(bson.D, 0, len(meta))
	for _, e := range meta {
		if src, ok := e.Value.(bson.D); ok && e.Key == "source" {
			kept := bson.D{}
			for _, se := range src {
				if se.Key == "type" {
					kept = append(kept, se)
				}
			}
			e.Value = kept
		}
		out = append(out, e)
	}
	return out
}

func withWindow(meta bson.D, win bson.D) bson.D {
	out := make(bson.D, 0, len(meta)+1)
	for _, e := range meta {
		if e.Key != "window" {
			out = append(out, e)
		}
	}
	return append(out, bson.E{Key: "window", Value: win})
}

func refFloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// setWindowFields is the $setWindowFields extension: per partition, in sortBy
// order, each output field is its window function over the row's window.
func (x *run) setWindowFields(s *mql.SetWindowFields, rows []row) ([]row, error) {
	type part struct{ idx []int }
	var parts []*part
	byKey := map[string]*part{}
	for i, rw := range rows {
		var k any = nil
		if s.PartitionBy != nil {
			v, err := Eval(s.PartitionBy, rw.doc, rw.env())
			if err != nil {
				return nil, err
			}
			k = GroupKey(v)
		}
		ks := string(AppendKey(nil, k))
		if byKey[ks] == nil {
			byKey[ks] = &part{}
			parts = append(parts, byKey[ks])
		}
		byKey[ks].idx = append(byKey[ks].idx, i)
	}
	// Output keeps arrival order, as a streaming operator emits each
	// document as it comes.
	out := make([]row, len(rows))
	for _, pt := range parts {
		order := make([]int, len(pt.idx))
		copy(order, pt.idx)
		sort.SliceStable(order, func(a, b int) bool { return lessBySortKeys(s.SortBy, rows[order[a]].doc, rows[order[b]].doc) })
		prows := make([]row, len(order))
		for i, j := range order {
			prows[i] = rows[j]
		}
		results := make([]bson.D, len(prows))
		for i := range prows {
			results[i] = cloneDoc(prows[i].doc)
		}
		docs := make([]bson.D, len(prows))
		envs := make([]*Env, len(prows))
		for i := range prows {
			docs[i], envs[i] = prows[i].doc, prows[i].env()
		}
		for _, o := range s.Output {
			wf, err := NewWindowFunc(o.Func, o.Window, s.SortBy)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.Field, err)
			}
			vals, err := wf.Compute(docs, envs)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.Field, err)
			}
			for i, v := range vals {
				if !IsMissing(v) {
					results[i] = setPath(results[i], o.Field, v)
				}
			}
		}
		for i, j := range order {
			out[j] = prows[i]
			out[j].doc = results[i]
		}
	}
	return out, nil
}
