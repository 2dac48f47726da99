package exec

import (
	"context"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// TopN is a top-level $sort (with the $limit after it, if any) right after
// a continuous $group or $count: it keeps the latest document of every
// group, keyed by _id, and after each batch that changes its answer emits
// the whole current answer, in order: the first n groups, or all of them
// without a $limit. A group that falls out of the top n is not retracted;
// the last answer emitted is the result. Ties keep the order in which the
// groups first appeared, as the reference runner's stable sort does.
type TopN struct {
	rt    *stRuntime
	keys  []mql.SortKey
	n     int64 // 0: no $limit
	path  mql.Path
	byKey map[string]*stTopEntry
	all   []*stTopEntry // in order of first appearance
	last  []*stTopEntry // the answer emitted last
	bytes int64
}

type stTopEntry struct {
	row   StreamRow
	first int
	bytes int64
}

var _ Operator = (*TopN)(nil)

func newTopN(rt *stRuntime, s *mql.Sort, n int64, path mql.Path) *TopN {
	return &TopN{rt: rt, keys: s.Keys, n: n, path: path, byKey: map[string]*stTopEntry{}}
}

func (t *TopN) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	changed := map[*stTopEntry]bool{}
	for i := range b.Rows {
		rw := b.Rows[i]
		ks := string(AppendKey(nil, getPath(rw.Doc, "_id")))
		e := t.byKey[ks]
		if e == nil {
			e = &stTopEntry{first: len(t.all)}
			t.byKey[ks] = e
			t.all = append(t.all, e)
		}
		e.row = rw
		n := int64(len(ks)) + stRowSize(&rw)
		if err := t.rt.mem.grow(string(t.path), n-e.bytes); err != nil {
			return err
		}
		t.bytes += n - e.bytes
		e.bytes = n
		changed[e] = true
	}
	if len(changed) == 0 {
		return nil
	}
	order := append([]*stTopEntry(nil), t.all...)
	sort.SliceStable(order, func(i, j int) bool { return lessBySortKeys(t.keys, order[i].row.Doc, order[j].row.Doc) })
	if t.n > 0 && int64(len(order)) > t.n {
		order = order[:t.n]
	}
	if t.same(order, changed) {
		return nil
	}
	t.last = order
	out := &RowBatch{Rows: make([]StreamRow, len(order))}
	for i, e := range order {
		out.Rows[i] = e.row
		out.Rows[i].Doc = append(bson.D(nil), e.row.Doc...)
	}
	return emit(ctx, out)
}

// same says the answer is the one emitted last: the same groups in the
// same order, none of them changed.
func (t *TopN) same(order []*stTopEntry, changed map[*stTopEntry]bool) bool {
	if len(order) != len(t.last) {
		return false
	}
	for i, e := range order {
		if e != t.last[i] || changed[e] {
			return false
		}
	}
	return true
}

func (t *TopN) Watermark(context.Context, time.Time, Emit) error { return nil }

func (t *TopN) Close() error {
	t.rt.mem.shrink(t.bytes)
	t.bytes, t.byKey, t.all, t.last = 0, nil, nil, nil
	return nil
}
