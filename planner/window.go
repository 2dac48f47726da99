package planner

import (
	"math/big"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner/mql"
)

var unitMillis = map[parser.IntervalUnit]int64{
	parser.Millisecond: 1,
	parser.Second:      1000,
	parser.Minute:      60 * 1000,
	parser.Hour:        60 * 60 * 1000,
	parser.Day:         24 * 60 * 60 * 1000,
}

// timeUnit is a unit with its length; names are what the target wants.
type timeUnit struct {
	name string
	ms   int64
}

// aspUnits are ASP's duration units, longest first.
var aspUnits = []timeUnit{{"day", 86400000}, {"hour", 3600000}, {"minute", 60000}, {"second", 1000}, {"ms", 1}}

// windowFieldUnits are $setWindowFields' range units, longest first.
var windowFieldUnits = []timeUnit{{"day", 86400000}, {"hour", 3600000}, {"minute", 60000}, {"second", 1000}, {"millisecond", 1}}

// intervalMillis is an interval's exact length in milliseconds; a length
// that is not a whole number of milliseconds is an error, not rounded.
func intervalMillis(iv *parser.Interval) (int64, error) {
	r, ok := new(big.Rat).SetString(iv.Value)
	if !ok {
		return 0, errorf(iv, CodeSyntax, "INTERVAL '%s': not a number", iv.Value)
	}
	r.Mul(r, new(big.Rat).SetInt64(unitMillis[iv.Unit]))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, errorf(iv, CodeInvalidParameter, "INTERVAL '%s' %s is not a whole number of milliseconds", iv.Value, iv.Unit)
	}
	return r.Num().Int64(), nil
}

// inUnit writes ms in the longest unit that holds it exactly, preferring
// the unit it was written in.
func inUnit(ms int64, written parser.IntervalUnit, units []timeUnit) (int64, string) {
	for _, u := range units {
		if u.ms == unitMillis[written] && ms%u.ms == 0 {
			return ms / u.ms, u.name
		}
	}
	for _, u := range units {
		if ms%u.ms == 0 {
			return ms / u.ms, u.name
		}
	}
	return ms, units[len(units)-1].name
}

// duration is an INTERVAL as ASP's {size, unit}. zeroOK allows INTERVAL
// '0' (the literal 0 of allowedLateness and idleTimeout).
func duration(iv *parser.Interval, zeroOK bool, what string) (mql.Duration, error) {
	ms, err := intervalMillis(iv)
	if err != nil {
		return mql.Duration{}, err
	}
	if ms == 0 {
		if zeroOK {
			return mql.Duration{}, nil
		}
		return mql.Duration{}, errorf(iv, CodeInvalidParameter, "%s must be longer than zero", what)
	}
	n, u := inUnit(ms, iv.Unit, aspUnits)
	return mql.Duration{Size: n, Unit: u}, nil
}

// windowStage wraps the per-window pipeline in the WINDOW clause's stage.
// keys are the GROUP BY keys, which partition session windows.
func (q *query) windowStage(inner mql.Pipeline, keys []gkey) (mql.Stage, error) {
	w := q.sel.Window
	opts := mql.WindowOptions{Pipeline: inner}
	if w.AllowedLateness != nil {
		d, err := duration(w.AllowedLateness, true, "ALLOWED LATENESS")
		if err != nil {
			return nil, err
		}
		opts.AllowedLateness = &d
	}
	if w.IdleTimeout != nil {
		if w.Kind == parser.Session {
			return nil, errorf(w.IdleTimeout, CodeFeatureNotSupport, "SESSION windows take no IDLE TIMEOUT: a session already closes after its gap")
		}
		d, err := duration(w.IdleTimeout, true, "IDLE TIMEOUT")
		if err != nil {
			return nil, err
		}
		opts.IdleTimeout = &d
	}
	switch w.Kind {
	case parser.Tumble:
		size, err := duration(w.Size, false, "the window size")
		if err != nil {
			return nil, err
		}
		return &mql.TumblingWindow{Interval: size, WindowOptions: opts}, nil
	case parser.Hop:
		size, err := duration(w.Size, false, "the window size")
		if err != nil {
			return nil, err
		}
		hop, err := duration(w.Slide, false, "the hop")
		if err != nil {
			return nil, err
		}
		// A hop longer than the window leaves gaps whose rows no window
		// holds: they would be dropped without a trace.
		sizeMS, _ := intervalMillis(w.Size)
		hopMS, _ := intervalMillis(w.Slide)
		if hopMS > sizeMS {
			return nil, errorf(w.Slide, CodeInvalidParameter, "the hop (%d %s) is longer than the window size (%d %s): rows between windows would be dropped; HOP takes the size first, then a hop no longer than it", hop.Size, hop.Unit, size.Size, size.Unit)
		}
		return &mql.HoppingWindow{Interval: size, HopSize: hop, WindowOptions: opts}, nil
	case parser.Session:
		gap, err := duration(w.Gap, false, "the session gap")
		if err != nil {
			return nil, err
		}
		var by mql.Expr
		switch len(keys) {
		case 0:
			return nil, errorf(w, CodeWindowing, "SESSION windows are per key: add GROUP BY with the key that identifies a session (a user, a device)")
		case 1:
			by = keys[0].e
		default:
			obj := mql.Object{}
			for _, k := range keys {
				obj.Fields = append(obj.Fields, mql.Field{Name: k.name, Value: k.e})
			}
			by = obj
		}
		return &mql.SessionWindow{PartitionBy: by, Gap: gap, WindowOptions: opts}, nil
	}
	return nil, errorf(w, CodeInternal, "internal error: window kind %q", w.Kind)
}

// frameBounds turns ROWS/RANGE BETWEEN … into $setWindowFields' window.
func frameBounds(f *parser.Frame) (*mql.WindowBounds, error) {
	if f.Unit == "ROWS" {
		lo, err := rowsBound(f.Start)
		if err != nil {
			return nil, err
		}
		hi, err := rowsBound(f.End)
		if err != nil {
			return nil, err
		}
		return &mql.WindowBounds{Lo: lo, Hi: hi}, nil
	}
	w := &mql.WindowBounds{Range: true}
	var ms [2]int64
	var timed [2]bool
	var nums [2]any
	for i, b := range []*parser.FrameBound{f.Start, f.End} {
		switch b.Kind {
		case parser.UnboundedPreceding, parser.UnboundedFollowing:
			nums[i] = "unbounded"
			continue
		case parser.CurrentRow:
			nums[i] = "current"
			continue
		}
		sign := int64(1)
		if b.Kind == parser.Preceding {
			sign = -1
		}
		switch o := b.Offset.(type) {
		case *parser.Interval:
			m, err := intervalMillis(o)
			if err != nil {
				return nil, err
			}
			ms[i], timed[i] = sign*m, true
		case *parser.Literal:
			if v, err := o.Int(); err == nil && o.Kind == parser.LitInt {
				nums[i] = intValue(sign * v)
			} else if fv, err := o.Float(); err == nil {
				nums[i] = float64(sign) * fv
			}
		}
		if nums[i] == nil && !timed[i] {
			return nil, errorf(b, CodeFeatureNotSupport, "a RANGE frame offset must be a constant number or INTERVAL")
		}
	}
	if timed[0] || timed[1] {
		// Both offsets go in one unit: the longest that holds both.
		unit := windowFieldUnits[len(windowFieldUnits)-1]
		for _, u := range windowFieldUnits {
			if (!timed[0] || ms[0]%u.ms == 0) && (!timed[1] || ms[1]%u.ms == 0) {
				unit = u
				break
			}
		}
		for i := range ms {
			if timed[i] {
				nums[i] = intValue(ms[i] / unit.ms)
			} else if _, isStr := nums[i].(string); !isStr {
				return nil, errorf(f, CodeFeatureNotSupport, "a RANGE frame mixes INTERVAL and number offsets; use INTERVALs for both")
			}
		}
		w.Unit = unit.name
	}
	w.Lo, w.Hi = nums[0], nums[1]
	return w, nil
}

func rowsBound(b *parser.FrameBound) (any, error) {
	switch b.Kind {
	case parser.UnboundedPreceding, parser.UnboundedFollowing:
		return "unbounded", nil
	case parser.CurrentRow:
		return "current", nil
	}
	l, ok := b.Offset.(*parser.Literal)
	if !ok || l.Kind != parser.LitInt {
		return nil, errorf(b, CodeFeatureNotSupport, "a ROWS frame offset must be an integer constant")
	}
	n, err := l.Int()
	if err != nil {
		return nil, errorf(l, CodeInvalidParameter, "frame offset %s is out of range", l.Text)
	}
	if b.Kind == parser.Preceding {
		n = -n
	}
	return intValue(n), nil
}
