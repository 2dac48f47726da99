package planner

import (
	"strings"

	"github.com/weir-stream/weir/parser"
)

// walk calls fn for e and, while fn returns true, for its sub-expressions.
// It does not enter OVER clauses or FILTER/WITHIN GROUP, which belong to
// the call.
func walk(e parser.Expr, fn func(parser.Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch n := e.(type) {
	case *parser.Unary:
		walk(n.X, fn)
	case *parser.Binary:
		walk(n.L, fn)
		walk(n.R, fn)
	case *parser.IsNull:
		walk(n.X, fn)
	case *parser.IsBool:
		walk(n.X, fn)
	case *parser.Between:
		walk(n.X, fn)
		walk(n.Lo, fn)
		walk(n.Hi, fn)
	case *parser.In:
		walk(n.X, fn)
		for _, el := range n.List {
			walk(el, fn)
		}
	case *parser.Like:
		walk(n.X, fn)
		walk(n.Pattern, fn)
	case *parser.Call:
		for _, a := range n.Args {
			walk(a, fn)
		}
	case *parser.Case:
		walk(n.Operand, fn)
		for _, w := range n.Whens {
			walk(w.Cond, fn)
			walk(w.Result, fn)
		}
		walk(n.Else, fn)
	case *parser.Cast:
		walk(n.X, fn)
	case *parser.Subscript:
		walk(n.X, fn)
		walk(n.Index, fn)
	case *parser.Array:
		for _, el := range n.Elems {
			walk(el, fn)
		}
	}
}

// aggregates are the aggregate functions; docs/sql.md lists their MQL.
var aggregates = map[string]bool{
	"COUNT": true, "SUM": true, "AVG": true, "MIN": true, "MAX": true,
	"ARRAY_AGG": true, "FIRST": true, "LAST": true,
	"STDDEV": true, "STDDEV_POP": true, "STDDEV_SAMP": true,
	"MEDIAN": true, "PERCENTILE_CONT": true,
}

// windowOnly are the functions that exist only with OVER.
var windowOnly = map[string]string{
	"ROW_NUMBER": "$documentNumber", "RANK": "$rank", "DENSE_RANK": "$denseRank",
	"LAG": "$shift", "LEAD": "$shift", "FIRST_VALUE": "$first", "LAST_VALUE": "$last",
}

func isAggregate(c *parser.Call) bool {
	return c.Over == nil && aggregates[strings.ToUpper(c.Name)]
}

// findAgg returns the first aggregate call in e, or nil.
func findAgg(e parser.Expr) *parser.Call {
	var found *parser.Call
	walk(e, func(e parser.Expr) bool {
		if found != nil {
			return false
		}
		if c, ok := e.(*parser.Call); ok && isAggregate(c) {
			found = c
			return false
		}
		return true
	})
	return found
}

// findOver returns the first window function call in e, or nil.
func findOver(e parser.Expr) *parser.Call {
	var found *parser.Call
	walk(e, func(e parser.Expr) bool {
		if found != nil {
			return false
		}
		if c, ok := e.(*parser.Call); ok && c.Over != nil {
			found = c
			return false
		}
		return true
	})
	return found
}

// isWindowBound reports whether a column name is WINDOW_START or
// WINDOW_END, which are keywords: any case.
func isWindowBound(id *parser.Ident) (string, bool) {
	if len(id.Parts) != 1 {
		return "", false
	}
	switch strings.ToUpper(id.Parts[0]) {
	case "WINDOW_START":
		return "stream.window.start", true
	case "WINDOW_END":
		return "stream.window.end", true
	}
	return "", false
}
