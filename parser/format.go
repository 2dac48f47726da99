package parser

import (
	"regexp"
	"strconv"
	"strings"
)

// Format prints n as canonical SQL: keywords upper case, identifiers quoted
// only when they must be, aliases with AS, synonyms folded (!= as <>, INT as
// INTEGER, '5 minutes' as '5' MINUTE), the WINDOW clause before GROUP BY and
// parentheses only where precedence needs them. Parsing the output gives the
// same AST again (positions aside); FuzzParse checks that.
func Format(n Node) string {
	var p printer
	p.node(n)
	return p.String()
}

type printer struct{ strings.Builder }

var bareIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

var reservedSet = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range reserved {
		m[w] = true
	}
	return m
}()

// quoteIdent quotes a name that wouldn't read back as the same identifier.
func quoteIdent(s string) string {
	if bareIdent.MatchString(s) && !reservedSet[strings.ToUpper(s)] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func dotted(parts []string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = quoteIdent(p)
	}
	return strings.Join(q, ".")
}

func (p *printer) node(n Node) {
	switch n := n.(type) {
	case Statement:
		p.stmt(n)
	case Expr:
		p.expr(n, 0)
	case *Name:
		p.WriteString(dotted(n.Parts))
	case *SelectItem:
		p.item(n)
	case *Source:
		p.source(n)
	case *Join:
		p.join(n)
	case *Window:
		p.window(n)
	case *OrderItem:
		p.orderItem(n)
	case *Option:
		p.option(n)
	case *Over:
		p.over(n)
	case *Frame:
		p.frame(n)
	case *FrameBound:
		p.bound(n)
	case *When:
		p.WriteString("WHEN ")
		p.expr(n.Cond, 0)
		p.WriteString(" THEN ")
		p.expr(n.Result, 0)
	case *Type:
		p.typ(n)
	}
}

func (p *printer) stmt(s Statement) {
	switch s := s.(type) {
	case *Select:
		p.selectStmt(s)
	case *Insert:
		p.WriteString("INSERT INTO " + dotted(s.Target.Parts) + " ")
		p.selectStmt(s.Query)
	case *Explain:
		p.WriteString("EXPLAIN ")
		p.stmt(s.Stmt)
	case *CreateConnection:
		p.WriteString("CREATE CONNECTION " + dotted(s.Name.Parts) + " TO " + strings.ToUpper(s.Type))
		if len(s.Options) > 0 {
			p.WriteString(" ")
			p.options(s.Options)
		}
	case *CreateProcessor:
		p.WriteString("CREATE ")
		if s.OrReplace {
			p.WriteString("OR REPLACE ")
		}
		p.WriteString("STREAM PROCESSOR " + dotted(s.Name.Parts))
		if len(s.With) > 0 {
			p.WriteString(" WITH ")
			p.options(s.With)
		}
		p.WriteString(" AS ")
		if s.Insert != nil {
			p.stmt(s.Insert)
		} else {
			p.WriteString("MQL " + quoteString(s.MQL.Text))
		}
	case *StartProcessor:
		p.processor("START", s.IfExists, s.Name)
	case *StopProcessor:
		p.processor("STOP", s.IfExists, s.Name)
	case *DropProcessor:
		p.processor("DROP", s.IfExists, s.Name)
	case *ShowProcessors:
		p.WriteString("SHOW STREAM PROCESSORS")
	case *ShowConnections:
		p.WriteString("SHOW CONNECTIONS")
	}
}

func (p *printer) processor(verb string, ifExists bool, name *Name) {
	p.WriteString(verb + " STREAM PROCESSOR ")
	if ifExists {
		p.WriteString("IF EXISTS ")
	}
	p.WriteString(dotted(name.Parts))
}

func (p *printer) selectStmt(s *Select) {
	p.WriteString("SELECT ")
	if s.Distinct {
		p.WriteString("DISTINCT ")
	}
	for i, it := range s.Items {
		if i > 0 {
			p.WriteString(", ")
		}
		p.item(it)
	}
	if s.From != nil {
		p.WriteString(" FROM ")
		p.source(s.From)
	}
	for _, j := range s.Joins {
		p.WriteString(" ")
		p.join(j)
	}
	if s.Where != nil {
		p.WriteString(" WHERE ")
		p.expr(s.Where, 0)
	}
	if s.Window != nil {
		p.WriteString(" ")
		p.window(s.Window)
	}
	if len(s.GroupBy) > 0 {
		p.WriteString(" GROUP BY ")
		p.exprList(s.GroupBy)
	}
	if s.Having != nil {
		p.WriteString(" HAVING ")
		p.expr(s.Having, 0)
	}
	if len(s.OrderBy) > 0 {
		p.WriteString(" ORDER BY ")
		p.orderItems(s.OrderBy)
	}
	if s.Limit != nil {
		p.WriteString(" LIMIT ")
		p.expr(s.Limit, 0)
	}
}

func (p *printer) item(it *SelectItem) {
	if it.Star {
		if len(it.Qualifier) > 0 {
			p.WriteString(dotted(it.Qualifier) + ".")
		}
		p.WriteString("*")
		return
	}
	p.expr(it.Expr, 0)
	if it.Alias != "" {
		p.WriteString(" AS " + quoteIdent(it.Alias))
	}
}

func (p *printer) source(s *Source) {
	p.WriteString(dotted(s.Name.Parts))
	if s.Alias != "" {
		p.WriteString(" AS " + quoteIdent(s.Alias))
	}
	if s.TimestampBy != nil {
		p.WriteString(" TIMESTAMP BY ")
		p.expr(s.TimestampBy, 0)
	}
	if len(s.With) > 0 {
		p.WriteString(" WITH ")
		p.options(s.With)
	}
}

func (p *printer) join(j *Join) {
	switch j.Kind {
	case JoinCross:
		p.WriteString("CROSS JOIN ")
	case JoinLeft:
		p.WriteString("LEFT JOIN ")
	default:
		p.WriteString("JOIN ")
	}
	if j.Unnest != nil {
		p.WriteString("UNNEST(")
		p.expr(j.Unnest, 0)
		p.WriteString(")")
	} else {
		p.WriteString(dotted(j.Table.Parts))
	}
	if j.Alias != "" {
		p.WriteString(" AS " + quoteIdent(j.Alias))
	}
	if j.On != nil {
		p.WriteString(" ON ")
		p.expr(j.On, 0)
	}
}

func (p *printer) window(w *Window) {
	p.WriteString("WINDOW " + string(w.Kind) + "(")
	switch w.Kind {
	case Hop:
		p.interval(w.Size)
		p.WriteString(", ")
		p.interval(w.Slide)
	case Session:
		p.interval(w.Gap)
	default:
		p.interval(w.Size)
	}
	p.WriteString(")")
	if w.AllowedLateness != nil {
		p.WriteString(" ALLOWED LATENESS ")
		p.interval(w.AllowedLateness)
	}
	if w.IdleTimeout != nil {
		p.WriteString(" IDLE TIMEOUT ")
		p.interval(w.IdleTimeout)
	}
}

func (p *printer) interval(i *Interval) {
	if i == nil {
		return
	}
	p.WriteString("INTERVAL " + quoteString(i.Value) + " " + string(i.Unit))
}

func (p *printer) options(opts []*Option) {
	p.WriteString("(")
	for i, o := range opts {
		if i > 0 {
			p.WriteString(", ")
		}
		p.option(o)
	}
	p.WriteString(")")
}

var optionKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)*$`)

func (p *printer) option(o *Option) {
	key := o.Key
	if !optionKey.MatchString(key) || anyReserved(strings.Split(key, ".")) {
		key = quoteString(key)
	}
	p.WriteString(key + " = ")
	p.expr(o.Value, 0)
}

func anyReserved(parts []string) bool {
	for _, s := range parts {
		if reservedSet[strings.ToUpper(s)] {
			return true
		}
	}
	return false
}

func (p *printer) orderItems(items []*OrderItem) {
	for i, o := range items {
		if i > 0 {
			p.WriteString(", ")
		}
		p.orderItem(o)
	}
}

func (p *printer) orderItem(o *OrderItem) {
	p.expr(o.Expr, 0)
	if o.Desc {
		p.WriteString(" DESC")
	}
	if o.Nulls != "" {
		p.WriteString(" NULLS " + o.Nulls)
	}
}

func (p *printer) exprList(es []Expr) {
	for i, e := range es {
		if i > 0 {
			p.WriteString(", ")
		}
		p.expr(e, 0)
	}
}

// Precedence levels, lowest first, as in PostgreSQL and grammar.go.
const (
	precOr = iota + 1
	precAnd
	precNot
	precIs
	precCmp
	precPred // BETWEEN, IN, LIKE
	precConcat
	precAdd
	precMul
	precUnary
	precPostfix // ::, [ ]
	precPrimary
)

func prec(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		switch e.Op {
		case "OR":
			return precOr
		case "AND":
			return precAnd
		case "||":
			return precConcat
		case "+", "-":
			return precAdd
		case "*", "/", "%":
			return precMul
		}
		return precCmp
	case *Unary:
		if e.Op == "NOT" {
			return precNot
		}
		return precUnary
	case *IsNull, *IsBool:
		return precIs
	case *Between, *In, *Like:
		return precPred
	case *Subscript:
		return precPostfix
	case *Cast:
		if e.Syntax == CastColons {
			return precPostfix
		}
	}
	return precPrimary
}

// expr prints e, in parentheses when it binds less tightly than min.
func (p *printer) expr(e Expr, min int) {
	if prec(e) < min {
		p.WriteString("(")
		defer p.WriteString(")")
	}
	switch e := e.(type) {
	case *Ident:
		p.WriteString(dotted(e.Parts))
	case *Literal:
		switch e.Kind {
		case LitString:
			p.WriteString(quoteString(e.Text))
		default:
			p.WriteString(e.Text)
		}
	case *Param:
		p.WriteString("$" + strconv.Itoa(e.Index))
	case *Interval:
		p.interval(e)
	case *Unary:
		if e.Op == "NOT" {
			p.WriteString("NOT ")
			p.expr(e.X, precNot)
			return
		}
		p.WriteString(e.Op)
		var sub printer
		sub.expr(e.X, precUnary)
		// "- -x" must not become the comment "--x".
		if s := sub.String(); strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
			p.WriteString(" ")
		}
		p.expr(e.X, precUnary)
	case *Binary:
		l, r := prec(e), prec(e)+1
		if l == precCmp {
			l, r = precPred, precPred
		}
		p.expr(e.L, l)
		p.WriteString(" " + e.Op + " ")
		p.expr(e.R, r)
	case *IsNull:
		p.expr(e.X, precIs)
		p.WriteString(" IS ")
		if e.Not {
			p.WriteString("NOT ")
		}
		p.WriteString("NULL")
	case *IsBool:
		p.expr(e.X, precIs)
		p.WriteString(" IS ")
		if e.Not {
			p.WriteString("NOT ")
		}
		if e.Value {
			p.WriteString("TRUE")
		} else {
			p.WriteString("FALSE")
		}
	case *Between:
		p.expr(e.X, precConcat)
		p.not(e.Not)
		p.WriteString(" BETWEEN ")
		p.expr(e.Lo, precConcat)
		p.WriteString(" AND ")
		p.expr(e.Hi, precConcat)
	case *In:
		p.expr(e.X, precConcat)
		p.not(e.Not)
		p.WriteString(" IN (")
		p.exprList(e.List)
		p.WriteString(")")
	case *Like:
		p.expr(e.X, precConcat)
		p.not(e.Not)
		if e.ILike {
			p.WriteString(" ILIKE ")
		} else {
			p.WriteString(" LIKE ")
		}
		p.expr(e.Pattern, precConcat)
	case *Call:
		p.call(e)
	case *Case:
		p.WriteString("CASE")
		if e.Operand != nil {
			p.WriteString(" ")
			p.expr(e.Operand, 0)
		}
		for _, w := range e.Whens {
			p.WriteString(" ")
			p.node(w)
		}
		if e.Else != nil {
			p.WriteString(" ELSE ")
			p.expr(e.Else, 0)
		}
		p.WriteString(" END")
	case *Cast:
		switch e.Syntax {
		case CastColons:
			p.expr(e.X, precPostfix)
			p.WriteString("::")
			p.typ(e.Type)
		case CastLiteral:
			name := e.Type.Name
			if name == "TIMESTAMP WITH TIME ZONE" {
				name = "TIMESTAMPTZ"
			}
			p.WriteString(name + " ")
			p.expr(e.X, 0)
		default:
			p.WriteString("CAST(")
			p.expr(e.X, 0)
			p.WriteString(" AS ")
			p.typ(e.Type)
			p.WriteString(")")
		}
	case *Subscript:
		// (a::int)[1] keeps its parentheses: a::int[1] reads as an array type.
		if c, ok := e.X.(*Cast); ok && c.Syntax == CastColons {
			p.WriteString("(")
			p.expr(e.X, 0)
			p.WriteString(")")
		} else {
			p.expr(e.X, precPostfix)
		}
		p.WriteString("[")
		p.expr(e.Index, 0)
		p.WriteString("]")
	case *Array:
		p.WriteString("ARRAY[")
		p.exprList(e.Elems)
		p.WriteString("]")
	}
}

func (p *printer) not(not bool) {
	if not {
		p.WriteString(" NOT")
	}
}

func (p *printer) call(c *Call) {
	p.WriteString(c.Name + "(")
	switch {
	case c.Star:
		p.WriteString("*")
	case c.Distinct:
		p.WriteString("DISTINCT ")
		p.exprList(c.Args)
	default:
		p.exprList(c.Args)
	}
	p.WriteString(")")
	if c.Filter != nil {
		p.WriteString(" FILTER (WHERE ")
		p.expr(c.Filter, 0)
		p.WriteString(")")
	}
	if len(c.WithinGroup) > 0 {
		p.WriteString(" WITHIN GROUP (ORDER BY ")
		p.orderItems(c.WithinGroup)
		p.WriteString(")")
	}
	if c.Over != nil {
		p.WriteString(" OVER ")
		p.over(c.Over)
	}
}

func (p *printer) over(o *Over) {
	p.WriteString("(")
	sep := ""
	if len(o.PartitionBy) > 0 {
		p.WriteString("PARTITION BY ")
		p.exprList(o.PartitionBy)
		sep = " "
	}
	if len(o.OrderBy) > 0 {
		p.WriteString(sep + "ORDER BY ")
		p.orderItems(o.OrderBy)
		sep = " "
	}
	if o.Frame != nil {
		p.WriteString(sep)
		p.frame(o.Frame)
	}
	p.WriteString(")")
}

func (p *printer) frame(f *Frame) {
	p.WriteString(f.Unit + " BETWEEN ")
	p.bound(f.Start)
	p.WriteString(" AND ")
	p.bound(f.End)
}

func (p *printer) bound(b *FrameBound) {
	if b.Offset != nil {
		p.expr(b.Offset, precAdd)
		p.WriteString(" ")
	}
	p.WriteString(string(b.Kind))
}

func (p *printer) typ(t *Type) {
	p.WriteString(t.Name)
	if len(t.Args) > 0 {
		p.WriteString("(")
		for i, a := range t.Args {
			if i > 0 {
				p.WriteString(", ")
			}
			p.WriteString(strconv.Itoa(a))
		}
		p.WriteString(")")
	}
	if t.Array {
		p.WriteString("[]")
	}
}
