package parser

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// converter turns participle's capture structs into the AST. It reports the
// checks the grammar can't express (argument counts, interval text, type
// names) as *Error at the node they concern; the first one wins.
type converter struct {
	err *Error
}

func pos(p lexer.Position) Pos {
	return Pos{Filename: p.Filename, Offset: p.Offset, Line: p.Line, Column: p.Column}
}

func (c *converter) fail(p lexer.Position, format string, args ...any) {
	if c.err == nil {
		c.err = &Error{Pos: pos(p), Msg: fmt.Sprintf(format, args...), Code: CodeSyntax}
	}
}

func (c *converter) script(s *script) []Statement {
	out := make([]Statement, 0, len(s.Stmts))
	for _, st := range s.Stmts {
		out = append(out, c.statement(st))
	}
	return out
}

func (c *converter) statement(s *statement) Statement {
	p := pos(s.Pos)
	switch {
	case s.Explain != nil:
		return &Explain{Pos: p, Stmt: c.statement(s.Explain)}
	case s.Select != nil:
		return c.selectStmt(s.Select)
	case s.Insert != nil:
		return c.insert(s.Insert)
	case s.CreateCon != nil:
		cc := s.CreateCon
		return &CreateConnection{Pos: p, Name: c.name(cc.Name), Type: strings.ToLower(cc.Type), Options: c.options(cc.Options)}
	case s.CreatePro != nil:
		cp := s.CreatePro
		out := &CreateProcessor{Pos: p, OrReplace: cp.OrReplace, Name: c.name(cp.Name), With: c.options(cp.With)}
		if cp.Insert != nil {
			out.Insert = c.insert(cp.Insert)
		} else {
			out.MQL = c.str(cp.MQL)
		}
		return out
	case s.Start != nil:
		return &StartProcessor{Pos: p, IfExists: s.Start.IfExists, Name: c.name(s.Start.Name)}
	case s.Stop != nil:
		return &StopProcessor{Pos: p, IfExists: s.Stop.IfExists, Name: c.name(s.Stop.Name)}
	case s.Drop != nil:
		return &DropProcessor{Pos: p, IfExists: s.Drop.IfExists, Name: c.name(s.Drop.Name)}
	case s.ShowProcs:
		return &ShowProcessors{Pos: p}
	case s.ShowConns:
		return &ShowConnections{Pos: p}
	}
	// The grammar has no other alternative; reaching here is a parser bug.
	panic(fmt.Sprintf("parser: empty statement at %s", p))
}

func (c *converter) insert(s *insertStmt) *Insert {
	return &Insert{Pos: pos(s.Pos), Target: c.name(s.Target), Query: c.selectStmt(s.Query)}
}

func (c *converter) selectStmt(s *selectStmt) *Select {
	out := &Select{Pos: pos(s.Pos), Distinct: s.Distinct}
	for _, it := range s.Items {
		item := &SelectItem{Pos: pos(it.Pos)}
		if it.Star != nil {
			item.Star = true
			for _, q := range it.Star.Qualifier {
				item.Qualifier = append(item.Qualifier, ident(q))
			}
		} else {
			item.Expr = c.expr(it.Expr)
			if it.Alias != nil {
				item.Alias = ident(it.Alias)
			}
		}
		out.Items = append(out.Items, item)
	}
	if f := s.From; f != nil {
		out.From = &Source{Pos: pos(f.Pos), Name: c.name(f.Name), With: c.options(f.With)}
		if f.Alias != nil {
			out.From.Alias = ident(f.Alias)
		}
		if f.TimestampBy != nil {
			out.From.TimestampBy = c.expr(f.TimestampBy)
		}
	}
	for _, j := range s.Joins {
		out.Joins = append(out.Joins, c.join(j))
	}
	out.Where = c.optExpr(s.Where)
	out.Window = c.window(s.Window)
	if s.Window2 != nil {
		if out.Window != nil {
			c.fail(s.Window2.Pos, "second WINDOW clause; a query has one window")
		}
		out.Window = c.window(s.Window2)
	}
	out.GroupBy = c.exprs(s.GroupBy)
	out.Having = c.optExpr(s.Having)
	out.OrderBy = c.orderItems(s.OrderBy)
	if l := s.Limit; l != nil {
		if l.Param != "" {
			out.Limit = c.param(l.Pos, l.Param)
		} else {
			lit := number(l.Pos, l.Number)
			if lit.Kind != LitInt {
				c.fail(l.Pos, "LIMIT %s is not an integer; expected a non-negative integer or $n", l.Number)
			} else if _, err := lit.Int(); err != nil {
				c.fail(l.Pos, "LIMIT %s is out of range for a 64-bit integer", l.Number)
			}
			out.Limit = lit
		}
	}
	return out
}

func (c *converter) join(j *joinClause) *Join {
	out := &Join{Pos: pos(j.Pos), On: c.optExpr(j.On)}
	switch {
	case j.Comma || j.Cross:
		out.Kind = JoinCross
	case j.Left:
		out.Kind = JoinLeft
	default:
		out.Kind = JoinInner
	}
	if j.Unnest != nil {
		out.Unnest = c.expr(j.Unnest)
	} else {
		out.Table = c.name(j.Table)
	}
	if j.Alias != nil {
		out.Alias = ident(j.Alias)
	}
	if out.Kind == JoinCross && out.On != nil {
		c.fail(j.On.Pos, "CROSS JOIN takes no ON condition")
	}
	if out.Kind != JoinCross && out.On == nil {
		c.fail(j.Pos, "%s JOIN needs an ON condition", out.Kind)
	}
	return out
}

func (c *converter) window(w *windowClause) *Window {
	if w == nil {
		return nil
	}
	out := &Window{Pos: pos(w.Pos), Kind: WindowKind(strings.ToUpper(w.Kind))}
	args := make([]*Interval, len(w.Args))
	for i, a := range w.Args {
		args[i] = c.interval(a)
	}
	want, names := 1, "a size"
	switch out.Kind {
	case Hop:
		want, names = 2, "a size and a hop"
	case Session:
		names = "a gap"
	}
	if len(args) != want {
		c.fail(w.Pos, "%s takes %s, found %d interval(s)", out.Kind, names, len(args))
		return out
	}
	switch out.Kind {
	case Tumble:
		out.Size = args[0]
	case Hop:
		out.Size, out.Slide = args[0], args[1]
	case Session:
		out.Gap = args[0]
	}
	for _, o := range w.Options {
		switch {
		case o.Lateness != nil:
			if out.AllowedLateness != nil {
				c.fail(o.Pos, "ALLOWED LATENESS given twice")
			}
			out.AllowedLateness = c.interval(o.Lateness)
		case o.Idle != nil:
			if out.IdleTimeout != nil {
				c.fail(o.Pos, "IDLE TIMEOUT given twice")
			}
			out.IdleTimeout = c.interval(o.Idle)
		}
	}
	return out
}

func (c *converter) orderItems(items []*orderItem) []*OrderItem {
	var out []*OrderItem
	for _, o := range items {
		out = append(out, &OrderItem{
			Pos:   pos(o.Pos),
			Expr:  c.expr(o.Expr),
			Desc:  strings.EqualFold(o.Dir, "DESC"),
			Nulls: strings.ToUpper(o.Nulls),
		})
	}
	return out
}

func (c *converter) options(opts []*option) []*Option {
	var out []*Option
	for _, o := range opts {
		opt := &Option{Pos: pos(o.Pos)}
		if o.KeyS != nil {
			opt.Key = unquoteString(o.KeyS.Value)
		} else {
			parts := make([]string, len(o.Key))
			for i, k := range o.Key {
				parts[i] = ident(k)
			}
			opt.Key = strings.Join(parts, ".")
		}
		v := o.Value
		switch {
		case v.String != nil:
			opt.Value = c.str(v.String)
		case v.Number != "":
			lit := number(v.Pos, v.Number)
			if v.Neg {
				lit.Text = "-" + lit.Text
			}
			opt.Value = lit
		case v.Bool != "":
			opt.Value = &Literal{Pos: pos(v.Pos), Kind: LitBool, Text: strings.ToUpper(v.Bool)}
		case v.Ident != nil:
			n := c.name(v.Ident)
			opt.Value = &Ident{Pos: n.Pos, Parts: n.Parts}
		}
		out = append(out, opt)
	}
	return out
}

func (c *converter) name(n *dottedName) *Name {
	out := &Name{Pos: pos(n.Pos), Parts: make([]string, len(n.Parts))}
	for i, p := range n.Parts {
		out.Parts[i] = ident(p)
	}
	return out
}

// ident undoes quoting: "a""b" and `a“b` hold a"b and a`b.
func ident(t *identTok) string {
	v := t.Value
	if len(v) >= 2 && (v[0] == '"' || v[0] == '`') {
		q := v[:1]
		return strings.ReplaceAll(v[1:len(v)-1], q+q, q)
	}
	return v
}

func unquoteString(v string) string {
	return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
}

func (c *converter) str(s *stringLit) *Literal {
	return &Literal{Pos: pos(s.Pos), Kind: LitString, Text: unquoteString(s.Value)}
}

func number(p lexer.Position, text string) *Literal {
	kind := LitInt
	if strings.ContainsAny(text, ".eE") {
		kind = LitFloat
	}
	return &Literal{Pos: pos(p), Kind: kind, Text: text}
}

func (c *converter) param(p lexer.Position, text string) Expr {
	n, err := strconv.Atoi(text[1:])
	if err != nil || n < 1 {
		c.fail(p, "parameter %s is out of range; parameters are numbered from $1", text)
	}
	return &Param{Pos: pos(p), Index: n}
}

// ---- expressions ----

func (c *converter) optExpr(e *orExpr) Expr {
	if e == nil {
		return nil
	}
	return c.expr(e)
}

func (c *converter) exprs(es []*orExpr) []Expr {
	var out []Expr
	for _, e := range es {
		out = append(out, c.expr(e))
	}
	return out
}

func (c *converter) expr(e *orExpr) Expr {
	x := c.and(e.Left)
	for _, r := range e.Right {
		x = &Binary{Pos: pos(r.Pos), Op: "OR", L: x, R: c.and(r.X)}
	}
	return x
}

func (c *converter) and(e *andExpr) Expr {
	x := c.not(e.Left)
	for _, r := range e.Right {
		x = &Binary{Pos: pos(r.Pos), Op: "AND", L: x, R: c.not(r.X)}
	}
	return x
}

func (c *converter) not(e *notExpr) Expr {
	if e.Not != nil {
		return &Unary{Pos: pos(e.Pos), Op: "NOT", X: c.not(e.Not)}
	}
	return c.is(e.X)
}

func (c *converter) is(e *isExpr) Expr {
	x := c.cmp(e.X)
	for _, t := range e.Tests {
		switch strings.ToUpper(t.What) {
		case "NULL":
			x = &IsNull{Pos: pos(t.Pos), X: x, Not: t.Not}
		default:
			x = &IsBool{Pos: pos(t.Pos), X: x, Not: t.Not, Value: strings.EqualFold(t.What, "TRUE")}
		}
	}
	return x
}

func (c *converter) cmp(e *cmpExpr) Expr {
	x := c.pred(e.L)
	if e.R == nil {
		return x
	}
	op := e.R.Op
	if op == "!=" {
		op = "<>"
	}
	return &Binary{Pos: pos(e.R.Pos), Op: op, L: x, R: c.pred(e.R.X)}
}

func (c *converter) pred(e *predExpr) Expr {
	x := c.concat(e.X)
	t := e.Tail
	if t == nil {
		return x
	}
	p := pos(t.Pos)
	switch {
	case t.Lo != nil:
		return &Between{Pos: p, X: x, Not: t.Not, Lo: c.concat(t.Lo), Hi: c.concat(t.Hi)}
	case t.In != nil:
		return &In{Pos: p, X: x, Not: t.Not, List: c.exprs(t.In)}
	default:
		return &Like{Pos: p, X: x, Not: t.Not, ILike: strings.EqualFold(t.LikeOp, "ILIKE"), Pattern: c.concat(t.Pattern)}
	}
}

func (c *converter) concat(e *concatExpr) Expr {
	x := c.add(e.Left)
	for _, r := range e.Right {
		x = &Binary{Pos: pos(r.Pos), Op: "||", L: x, R: c.add(r.X)}
	}
	return x
}

func (c *converter) add(e *addExpr) Expr {
	x := c.mul(e.Left)
	for _, r := range e.Right {
		x = &Binary{Pos: pos(r.Pos), Op: r.Op, L: x, R: c.mul(r.X)}
	}
	return x
}

func (c *converter) mul(e *mulExpr) Expr {
	x := c.unary(e.Left)
	for _, r := range e.Right {
		x = &Binary{Pos: pos(r.Pos), Op: r.Op, L: x, R: c.unary(r.X)}
	}
	return x
}

func (c *converter) unary(e *unaryExpr) Expr {
	if e.X != nil {
		return &Unary{Pos: pos(e.Pos), Op: e.Op, X: c.unary(e.X)}
	}
	return c.postfix(e.P)
}

func (c *converter) postfix(e *postfixExpr) Expr {
	x := c.primary(e.X)
	for _, op := range e.Ops {
		switch {
		case op.Index != nil:
			x = &Subscript{Pos: pos(op.Pos), X: x, Index: c.expr(op.Index)}
		case op.Field != nil:
			// items[0].sku is items[0]['sku']: a field of whatever the
			// expression before it gives.
			key := &Literal{Pos: pos(op.Field.Pos), Kind: LitString, Text: ident(op.Field)}
			x = &Subscript{Pos: pos(op.Pos), X: x, Index: key}
		default:
			x = &Cast{Pos: pos(op.Pos), X: x, Type: c.typ(op.Cast), Syntax: CastColons}
		}
	}
	return x
}

func (c *converter) primary(e *primary) Expr {
	p := pos(e.Pos)
	switch {
	case e.Number != "":
		return number(e.Pos, e.Number)
	case e.String != nil:
		return c.str(e.String)
	case e.Param != "":
		return c.param(e.Pos, e.Param)
	case e.Bool != "":
		return &Literal{Pos: p, Kind: LitBool, Text: strings.ToUpper(e.Bool)}
	case e.Null:
		return &Literal{Pos: p, Kind: LitNull, Text: "NULL"}
	case e.Interval != nil:
		return c.interval(e.Interval)
	case e.Typed != nil:
		name := strings.ToUpper(e.Typed.Type)
		if name == "TIMESTAMPTZ" {
			name = "TIMESTAMP WITH TIME ZONE"
		}
		return &Cast{Pos: p, X: c.str(e.Typed.Value), Type: &Type{Pos: p, Name: name}, Syntax: CastLiteral}
	case e.Cast != nil:
		return &Cast{Pos: p, X: c.expr(e.Cast.X), Type: c.typ(e.Cast.Type), Syntax: CastFunc}
	case e.Case != nil:
		k := e.Case
		out := &Case{Pos: p, Operand: c.optExpr(k.Operand), Else: c.optExpr(k.Else)}
		for _, w := range k.Whens {
			out.Whens = append(out.Whens, &When{Pos: pos(w.Pos), Cond: c.expr(w.Cond), Result: c.expr(w.Result)})
		}
		return out
	case e.Array != nil:
		return &Array{Pos: p, Elems: c.exprs(e.Array.Elems)}
	case e.Call != nil:
		return c.call(e.Call)
	case e.Ident != nil:
		n := c.name(e.Ident)
		return &Ident{Pos: n.Pos, Parts: n.Parts}
	case e.Paren != nil:
		return c.expr(e.Paren)
	}
	panic(fmt.Sprintf("parser: empty expression at %s", p))
}

func (c *converter) call(k *call) *Call {
	out := &Call{Pos: pos(k.Pos), Name: k.Name, Star: k.Star, Distinct: k.Distinct}
	if k.Distinct {
		out.Args = c.exprs(k.DArgs)
	} else {
		out.Args = c.exprs(k.Args)
	}
	out.Filter = c.optExpr(k.Filter)
	out.WithinGroup = c.orderItems(k.WithinGroup)
	if o := k.Over; o != nil {
		out.Over = &Over{Pos: pos(o.Pos), PartitionBy: c.exprs(o.PartitionBy), OrderBy: c.orderItems(o.OrderBy)}
		if f := o.Frame; f != nil {
			fr := &Frame{Pos: pos(f.Pos), Unit: strings.ToUpper(f.Unit)}
			if f.Only != nil {
				fr.Start = c.bound(f.Only)
				fr.End = &FrameBound{Pos: fr.Start.Pos, Kind: CurrentRow}
			} else {
				fr.Start, fr.End = c.bound(f.Start), c.bound(f.End)
			}
			out.Over.Frame = fr
		}
	}
	return out
}

func (c *converter) bound(b *frameBound) *FrameBound {
	out := &FrameBound{Pos: pos(b.Pos)}
	switch {
	case b.Unbounded != "":
		out.Kind = UnboundedPreceding
		if strings.EqualFold(b.Unbounded, "FOLLOWING") {
			out.Kind = UnboundedFollowing
		}
	case b.Current:
		out.Kind = CurrentRow
	default:
		out.Kind = Preceding
		if strings.EqualFold(b.Dir, "FOLLOWING") {
			out.Kind = Following
		}
		out.Offset = c.add(b.Offset)
	}
	return out
}

// types maps every accepted spelling to its canonical name.
var types = map[string]string{
	"INT": "INTEGER", "INTEGER": "INTEGER", "INT4": "INTEGER",
	"BIGINT": "BIGINT", "INT8": "BIGINT",
	"SMALLINT": "SMALLINT", "INT2": "SMALLINT",
	"DOUBLE PRECISION": "DOUBLE PRECISION", "DOUBLE": "DOUBLE PRECISION",
	"FLOAT": "DOUBLE PRECISION", "FLOAT8": "DOUBLE PRECISION",
	"REAL": "REAL", "FLOAT4": "REAL",
	"DECIMAL": "DECIMAL", "NUMERIC": "DECIMAL",
	"TEXT": "TEXT", "STRING": "TEXT", "VARCHAR": "VARCHAR",
	"BOOLEAN": "BOOLEAN", "BOOL": "BOOLEAN",
	"TIMESTAMP":                "TIMESTAMP",
	"TIMESTAMP WITH TIME ZONE": "TIMESTAMP WITH TIME ZONE",
	"TIMESTAMPTZ":              "TIMESTAMP WITH TIME ZONE",
	"DATE":                     "DATE",
	"JSON":                     "JSON", "JSONB": "JSONB",
}

// typeArgs is how many (…) arguments a type may take.
var typeArgs = map[string]int{"DECIMAL": 2, "VARCHAR": 1}

func (c *converter) typ(t *typeName) *Type {
	written := strings.ToUpper(strings.Join(t.Words, " "))
	out := &Type{Pos: pos(t.Pos), Name: types[written], Array: t.Array}
	if out.Name == "" {
		c.fail(t.Pos, "unknown type %s; expected one of INTEGER, BIGINT, SMALLINT, DOUBLE PRECISION, REAL, DECIMAL, TEXT, VARCHAR, BOOLEAN, TIMESTAMP, TIMESTAMPTZ, DATE, JSON, JSONB", written)
		out.Name = written
		return out
	}
	if len(t.Args) > typeArgs[out.Name] {
		if typeArgs[out.Name] == 0 {
			c.fail(t.Pos, "type %s takes no arguments", out.Name)
		} else {
			c.fail(t.Pos, "type %s takes at most %d argument(s), found %d", out.Name, typeArgs[out.Name], len(t.Args))
		}
	}
	for _, a := range t.Args {
		n, err := strconv.Atoi(a)
		if err != nil || n < 0 {
			c.fail(t.Pos, "type argument %s is not an integer", a)
		}
		out.Args = append(out.Args, n)
	}
	return out
}

var units = map[string]IntervalUnit{
	"MILLISECOND": Millisecond, "MILLISECONDS": Millisecond, "MS": Millisecond, "MSEC": Millisecond, "MSECS": Millisecond,
	"SECOND": Second, "SECONDS": Second, "S": Second, "SEC": Second, "SECS": Second,
	"MINUTE": Minute, "MINUTES": Minute, "M": Minute, "MIN": Minute, "MINS": Minute,
	"HOUR": Hour, "HOURS": Hour, "H": Hour, "HR": Hour, "HRS": Hour,
	"DAY": Day, "DAYS": Day, "D": Day,
}

var (
	intervalNumber   = regexp.MustCompile(`^\s*(\d+(?:\.\d*)?|\.\d+)\s*$`)
	intervalWithUnit = regexp.MustCompile(`^\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]+)\s*$`)
)

// interval reads INTERVAL '5' MINUTE and INTERVAL '5 minutes' alike. Only a
// single non-negative quantity is accepted: windows and frames need one
// length, not PostgreSQL's '1 day 2 hours' mixtures.
func (c *converter) interval(i *intervalLit) *Interval {
	out := &Interval{Pos: pos(i.Pos)}
	text := unquoteString(i.Value.Value)
	if i.Unit != "" {
		m := intervalNumber.FindStringSubmatch(text)
		if m == nil {
			if strings.HasPrefix(strings.TrimSpace(text), "-") {
				c.fail(i.Value.Pos, "interval value '%s' is negative; an interval here is a length, written e.g. INTERVAL '5' %s", text, strings.ToUpper(i.Unit))
				return out
			}
			c.fail(i.Value.Pos, "interval value '%s' is not a number; expected e.g. INTERVAL '5' %s", text, strings.ToUpper(i.Unit))
			return out
		}
		out.Value, out.Unit = m[1], units[strings.ToUpper(i.Unit)]
		c.checkIntervalLength(i, out)
		return out
	}
	m := intervalWithUnit.FindStringSubmatch(text)
	if m == nil {
		c.fail(i.Value.Pos, "interval '%s' is not a number and a unit; expected e.g. INTERVAL '5 minutes' or INTERVAL '5' MINUTE", text)
		return out
	}
	u, ok := units[strings.ToUpper(m[2])]
	if !ok {
		c.fail(i.Value.Pos, "interval unit %q is unknown; expected millisecond, second, minute, hour or day", m[2])
		return out
	}
	out.Value, out.Unit = m[1], u
	c.checkIntervalLength(i, out)
	return out
}

// checkIntervalLength refuses an interval longer than a time.Duration holds
// (about 292 years), which Duration would otherwise wrap around.
func (c *converter) checkIntervalLength(i *intervalLit, out *Interval) {
	f, _ := strconv.ParseFloat(out.Value, 64)
	if f*float64(unitDurations[out.Unit]) >= math.MaxInt64 {
		c.fail(i.Value.Pos, "interval '%s' %s is too long; an interval is at most about 292 years", out.Value, out.Unit)
	}
}
