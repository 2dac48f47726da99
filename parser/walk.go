package parser

// Inspect calls f for n and then, if f returns true, for each of n's
// children in source order, depth first. Nil children are skipped. It is how
// the planner finds, say, every aggregate call in a select list.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	visit := func(children ...Node) {
		for _, c := range children {
			Inspect(c, f)
		}
	}
	switch n := n.(type) {
	case *Select:
		for _, it := range n.Items {
			visit(it)
		}
		visit(src(n.From))
		for _, j := range n.Joins {
			visit(j)
		}
		visit(n.Where, win(n.Window))
		visit(exprNodes(n.GroupBy)...)
		visit(n.Having)
		for _, o := range n.OrderBy {
			visit(o)
		}
		visit(n.Limit)
	case *SelectItem:
		visit(n.Expr)
	case *Source:
		visit(n.Name, n.TimestampBy)
		for _, o := range n.With {
			visit(o)
		}
	case *Join:
		if n.Table != nil {
			visit(n.Table)
		}
		visit(n.Unnest, n.On)
	case *Window:
		for _, i := range []*Interval{n.Slide, n.Size, n.Gap, n.AllowedLateness, n.IdleTimeout} {
			if i != nil {
				visit(i)
			}
		}
	case *OrderItem:
		visit(n.Expr)
	case *Option:
		visit(n.Value)
	case *Insert:
		visit(n.Target, n.Query)
	case *Explain:
		visit(n.Stmt)
	case *CreateConnection:
		visit(n.Name)
		for _, o := range n.Options {
			visit(o)
		}
	case *CreateProcessor:
		visit(n.Name)
		for _, o := range n.With {
			visit(o)
		}
		if n.Insert != nil {
			visit(n.Insert)
		}
		if n.MQL != nil {
			visit(n.MQL)
		}
	case *StartProcessor:
		visit(n.Name)
	case *StopProcessor:
		visit(n.Name)
	case *DropProcessor:
		visit(n.Name)
	case *Unary:
		visit(n.X)
	case *Binary:
		visit(n.L, n.R)
	case *IsNull:
		visit(n.X)
	case *IsBool:
		visit(n.X)
	case *Between:
		visit(n.X, n.Lo, n.Hi)
	case *In:
		visit(n.X)
		visit(exprNodes(n.List)...)
	case *Like:
		visit(n.X, n.Pattern)
	case *Call:
		visit(exprNodes(n.Args)...)
		visit(n.Filter)
		for _, o := range n.WithinGroup {
			visit(o)
		}
		if n.Over != nil {
			visit(n.Over)
		}
	case *Over:
		visit(exprNodes(n.PartitionBy)...)
		for _, o := range n.OrderBy {
			visit(o)
		}
		if n.Frame != nil {
			visit(n.Frame)
		}
	case *Frame:
		visit(n.Start, n.End)
	case *FrameBound:
		visit(n.Offset)
	case *Case:
		visit(n.Operand)
		for _, w := range n.Whens {
			visit(w)
		}
		visit(n.Else)
	case *When:
		visit(n.Cond, n.Result)
	case *Cast:
		visit(n.X, n.Type)
	case *Subscript:
		visit(n.X, n.Index)
	case *Array:
		visit(exprNodes(n.Elems)...)
	}
}

func src(s *Source) Node {
	if s == nil {
		return nil
	}
	return s
}

func win(w *Window) Node {
	if w == nil {
		return nil
	}
	return w
}

func exprNodes(es []Expr) []Node {
	out := make([]Node, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
