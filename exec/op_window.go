package exec

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/weir-stream/weir/planner/mql"
)

// TimeWindow is $tumblingWindow (hop == size) and $hoppingWindow over
// event time. It keeps each open window's rows; when the watermark reaches
// a window's end + allowedLateness it runs the inner pipeline over them
// (as data at rest, with the reference runner's code) and emits the
// results, carrying _stream_meta.window {start, end}. Rows reach the
// inner pipeline in event-time order, so results don't depend on arrival
// order within the allowed lateness. A row whose windows have all closed
// goes to the DLQ, with a reason saying it was late. Per row; state is
// rows, not partial aggregates (not columnar).
type TimeWindow struct {
	rt                    *stRuntime
	name                  string
	path                  mql.Path
	inner                 mql.Pipeline
	size, hop, offset     time.Duration
	lateness, idleTimeout time.Duration
	open                  map[int64]*stWin // by start, Unix ms
	// wm is the last watermark heard; windows with end+lateness <= wm are
	// closed. idleTo is how far an idle source closed windows (end <= it).
	wm, idleTo time.Time
	x          *run
}

type stWin struct {
	rows  []StreamRow
	bytes int64
}

var (
	_ Operator = (*TimeWindow)(nil)
	_ stHolder = (*TimeWindow)(nil)
	_ stIdler  = (*TimeWindow)(nil)
)

func newTimeWindow(rt *stRuntime, name string, path mql.Path, size, hop time.Duration, o mql.WindowOptions) (*TimeWindow, error) {
	if size <= 0 || hop <= 0 {
		return nil, fmt.Errorf("window size and hop must be positive")
	}
	if o.Boundary == "processingTime" {
		return nil, fmt.Errorf("processing-time windows are not implemented by the streaming engine yet")
	}
	w := &TimeWindow{rt: rt, name: name, path: path, inner: o.Pipeline, size: size, hop: hop,
		lateness: stLateness(o.AllowedLateness), open: map[int64]*stWin{}, x: rt.newRef()}
	if o.IdleTimeout != nil {
		w.idleTimeout = durationOf(*o.IdleTimeout)
	}
	if o.Offset != nil {
		unit := map[string]time.Duration{"ms": time.Millisecond, "second": time.Second, "minute": time.Minute, "hour": time.Hour}[o.Offset.Unit]
		w.offset = time.Duration(o.Offset.OffsetFromUtc) * unit
	}
	return w, nil
}

// stLateness is allowedLateness with ASP's default of 3 seconds.
func stLateness(d *mql.Duration) time.Duration {
	if d == nil {
		return 3 * time.Second
	}
	return durationOf(*d)
}

func (w *TimeWindow) closed(end time.Time) bool {
	return !end.Add(w.lateness).After(w.wm) || !end.After(w.idleTo)
}

func (w *TimeWindow) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	size, hop, off := w.size.Milliseconds(), w.hop.Milliseconds(), w.offset.Milliseconds()
	for i := range b.Rows {
		rw := &b.Rows[i]
		t := rw.Time.UnixMilli()
		added := false
		var lateEnd time.Time
		n := int64(-1) // the row's size, measured once for all its windows
		for start := refFloorDiv(t-off, hop)*hop + off; start > t-size; start -= hop {
			end := time.UnixMilli(start + size).UTC()
			if w.closed(end) {
				if lateEnd.IsZero() {
					lateEnd = end
				}
				continue
			}
			win := w.open[start]
			if win == nil {
				win = &stWin{}
				w.open[start] = win
			}
			if n < 0 {
				n = stRowSize(rw)
			}
			win.rows = append(win.rows, *rw)
			win.bytes += n
			if err := w.rt.mem.grow(string(w.path), n); err != nil {
				return err
			}
			added = true
		}
		if !added && !lateEnd.IsZero() {
			start := lateEnd.Add(-w.size)
			w.rt.dlq(w.name, rw.Doc, rw.Meta, fmt.Sprintf(
				"late document: its window [%s, %s) closed at watermark %s (allowedLateness %s); the watermark is %s",
				stFmtTime(start), stFmtTime(lateEnd), stFmtTime(lateEnd.Add(w.lateness)), w.lateness, stFmtTime(w.wm)))
		}
	}
	return nil
}

func (w *TimeWindow) Watermark(ctx context.Context, t time.Time, emit Emit) error {
	if t.After(w.wm) {
		w.wm = t
	}
	return w.closeDue(ctx, emit)
}

// stIdle closes windows on a quiet source: once it has been quiet for
// idleTimeout, the watermark is taken to advance with the clock from where
// it stood, so a window closes after max(idleTimeout, its remaining time),
// as ASP documents.
func (w *TimeWindow) stIdle(ctx context.Context, now, quietSince time.Time, emit Emit) error {
	if w.idleTimeout <= 0 || now.Sub(quietSince) < w.idleTimeout || w.wm.IsZero() {
		return nil
	}
	if to := w.wm.Add(now.Sub(quietSince)); to.After(w.idleTo) {
		w.idleTo = to
	}
	return w.closeDue(ctx, emit)
}

func (w *TimeWindow) closeDue(ctx context.Context, emit Emit) error {
	var due []int64
	for start := range w.open {
		if w.closed(time.UnixMilli(start).Add(w.size)) {
			due = append(due, start)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i] < due[j] })
	for _, start := range due {
		win := w.open[start]
		delete(w.open, start)
		s := time.UnixMilli(start).UTC()
		if err := stRunWindow(ctx, w.rt, w.x, w.inner, win.rows, s, s.Add(w.size), nil, w.path, emit); err != nil {
			return err
		}
		w.rt.mem.shrink(win.bytes)
	}
	return nil
}

// stRunWindow runs a window's inner pipeline over its rows, in event-time
// order, with the reference runner's code, and emits the results.
func stRunWindow(ctx context.Context, rt *stRuntime, x *run, inner mql.Pipeline, rows []StreamRow, start, end time.Time, partition any, path mql.Path, emit Emit) error {
	// Sort positions, not the rows: a stable sort moves its elements
	// O(n log n) times, and rows are large.
	order := make([]int32, len(rows))
	for i := range order {
		order[i] = int32(i)
	}
	if !slices.IsSortedFunc(order, func(a, b int32) int { return rows[a].Time.Compare(rows[b].Time) }) {
		slices.SortStableFunc(order, func(a, b int32) int { return rows[a].Time.Compare(rows[b].Time) })
	}
	in := make([]row, len(rows))
	for i, o := range order {
		in[i] = rows[o].ref()
	}
	res, err := x.window(inner, in, start, end, partition, path)
	rt.drain(x)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	out := &RowBatch{Rows: make([]StreamRow, len(res))}
	for i, r := range res {
		out.Rows[i] = stFromRef(r, stNoSrc)
	}
	return emit(ctx, out)
}

func (w *TimeWindow) stHeld(min map[int]int64) {
	for _, win := range w.open {
		stHeldRows(win.rows, min)
	}
}

func stHeldRows(rows []StreamRow, min map[int]int64) {
	for _, r := range rows {
		if r.src.part < 0 {
			continue
		}
		if m, ok := min[r.src.part]; !ok || r.src.seq < m {
			min[r.src.part] = r.src.seq
		}
	}
}

func (w *TimeWindow) Close() error {
	for _, win := range w.open {
		w.rt.mem.shrink(win.bytes)
	}
	w.open = nil
	return nil
}
