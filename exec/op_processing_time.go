package exec

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/weir-stream/weir/planner/mql"
)

// ProcTimeWindow is $tumblingWindow and $hoppingWindow with boundary
// "processingTime" (asp.md §2.6): a row joins the windows that hold the
// processing clock (BuildEnv.Now) when it arrives, whatever its event
// time, and a window closes once the clock reaches its end, checked at
// each batch and each tick. Nothing is ever late, so there is no
// allowedLateness and no DLQ; rows reach the inner pipeline in arrival
// order. At the end of a bounded input every open window closes.
type ProcTimeWindow struct {
	rt                *stRuntime
	name              string
	path              mql.Path
	inner             mql.Pipeline
	size, hop, offset time.Duration
	open              map[int64]*stWin // by start, Unix ms
	x                 *run
}

var (
	_ Operator = (*ProcTimeWindow)(nil)
	_ stHolder = (*ProcTimeWindow)(nil)
	_ stIdler  = (*ProcTimeWindow)(nil)
)

// stProcTimeStage builds a window stage with boundary "processingTime";
// ok is false for every other stage.
func stProcTimeStage(rt *stRuntime, s mql.Stage, path mql.Path) (op Operator, ok bool, err error) {
	var size, hop time.Duration
	var o mql.WindowOptions
	switch s := s.(type) {
	case *mql.TumblingWindow:
		size, hop, o = durationOf(s.Interval), durationOf(s.Interval), s.WindowOptions
	case *mql.HoppingWindow:
		size, hop, o = durationOf(s.Interval), durationOf(s.HopSize), s.WindowOptions
	default:
		return nil, false, nil
	}
	if o.Boundary != "processingTime" {
		return nil, false, nil
	}
	if size <= 0 || hop <= 0 {
		return nil, true, fmt.Errorf("window size and hop must be positive")
	}
	w := &ProcTimeWindow{rt: rt, name: s.Op(), path: path, inner: o.Pipeline, size: size, hop: hop,
		open: map[int64]*stWin{}, x: rt.newRef()}
	if o.Offset != nil {
		unit := map[string]time.Duration{"ms": time.Millisecond, "second": time.Second, "minute": time.Minute, "hour": time.Hour}[o.Offset.Unit]
		w.offset = time.Duration(o.Offset.OffsetFromUtc) * unit
	}
	return w, true, nil
}

func (w *ProcTimeWindow) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	now := w.rt.now()
	if err := w.closeDue(ctx, now, emit); err != nil {
		return err
	}
	size, hop, off := w.size.Milliseconds(), w.hop.Milliseconds(), w.offset.Milliseconds()
	t := now.UnixMilli()
	for i := range b.Rows {
		rw := &b.Rows[i]
		for start := refFloorDiv(t-off, hop)*hop + off; start > t-size; start -= hop {
			win := w.open[start]
			if win == nil {
				win = &stWin{}
				w.open[start] = win
			}
			n := stRowSize(rw)
			win.rows = append(win.rows, *rw)
			win.bytes += n
			if err := w.rt.mem.grow(string(w.path), n); err != nil {
				return err
			}
		}
	}
	return nil
}

// Watermark closes every window at the end of a bounded input; event time
// plays no part otherwise.
func (w *ProcTimeWindow) Watermark(ctx context.Context, t time.Time, emit Emit) error {
	if t.Before(stForever) {
		return nil
	}
	return w.closeDue(ctx, stForever, emit)
}

// stIdle is the runtime's tick: windows whose end the clock has reached
// close even when no data arrives.
func (w *ProcTimeWindow) stIdle(ctx context.Context, now, _ time.Time, emit Emit) error {
	return w.closeDue(ctx, now, emit)
}

func (w *ProcTimeWindow) closeDue(ctx context.Context, now time.Time, emit Emit) error {
	var due []int64
	for start := range w.open {
		if !time.UnixMilli(start).Add(w.size).After(now) {
			due = append(due, start)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i] < due[j] })
	for _, start := range due {
		win := w.open[start]
		delete(w.open, start)
		s := time.UnixMilli(start).UTC()
		in := make([]row, len(win.rows))
		for i := range win.rows {
			in[i] = win.rows[i].ref()
		}
		res, err := w.x.window(w.inner, in, s, s.Add(w.size), nil, w.path)
		w.rt.drain(w.x)
		w.rt.mem.shrink(win.bytes)
		if err != nil {
			return fmt.Errorf("%s: %w", w.path, err)
		}
		out := &RowBatch{Rows: make([]StreamRow, len(res))}
		for i, r := range res {
			out.Rows[i] = stFromRef(r, stNoSrc)
		}
		if err := emit(ctx, out); err != nil {
			return err
		}
	}
	return nil
}

func (w *ProcTimeWindow) stHeld(min map[int]int64) {
	for _, win := range w.open {
		stHeldRows(win.rows, min)
	}
}

func (w *ProcTimeWindow) Close() error {
	for _, win := range w.open {
		w.rt.mem.shrink(win.bytes)
	}
	w.open = nil
	return nil
}
