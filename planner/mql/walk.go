package mql

import "strings"

// WalkExpr calls fn for e and then, unless fn returns false, for each of its
// children, depth first in written order.
func WalkExpr(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch x := e.(type) {
	case Call:
		for _, a := range x.Args {
			WalkExpr(a, fn)
		}
	case NamedCall:
		for _, a := range x.Args {
			WalkExpr(a.Value, fn)
		}
	case Object:
		for _, f := range x.Fields {
			WalkExpr(f.Value, fn)
		}
	case Array:
		for _, el := range x.Elems {
			WalkExpr(el, fn)
		}
	}
}

// pathSet collects paths once each, in first-seen order.
type pathSet struct {
	seen  map[string]bool
	paths []string
}

func (s *pathSet) add(p string) {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if !s.seen[p] {
		s.seen[p] = true
		s.paths = append(s.paths, p)
	}
}

// ExprPaths returns the field paths of the current document e reads:
// "$a.b" reads "a.b", "$$ROOT.x" and "$$CURRENT.x" read "x", and "$$ROOT"
// alone reads "" (the whole document). Paths below $$this or another user
// variable are not the document's and are left out.
func ExprPaths(e Expr) []string {
	var s pathSet
	exprPaths(e, &s)
	return s.paths
}

func exprPaths(e Expr, s *pathSet) {
	WalkExpr(e, func(e Expr) bool {
		switch x := e.(type) {
		case FieldPath:
			s.add(x.Path)
		case Variable:
			if x.Name == "ROOT" || x.Name == "CURRENT" {
				s.add(x.Path)
			}
		case NamedCall:
			if x.Op == "$getField" {
				getFieldPath(x, s)
			}
		}
		return true
	})
}

// getFieldPath adds the field a $getField reads from the current document.
// Its name may hold "." or "$", which a path can't say, so such a read needs
// the whole document.
func getFieldPath(x NamedCall, s *pathSet) {
	var field Expr
	onCurrent := true
	for _, a := range x.Args {
		switch a.Name {
		case "field":
			field = a.Value
		case "input":
			v, ok := a.Value.(Variable)
			onCurrent = ok && (v.Name == "ROOT" || v.Name == "CURRENT") && v.Path == ""
		}
	}
	if !onCurrent {
		return
	}
	name, ok := field.(Literal)
	str, isStr := name.Value.(string)
	if !ok || !isStr || str == "" || strings.ContainsAny(str, ".$") {
		s.add("")
		return
	}
	s.add(str)
}

// QueryPaths returns the field paths of the document q reads, as ExprPaths
// does. A $jsonSchema reads the whole document (""). The conditions of an
// $elemMatch are on the elements of its field, so only the field is listed.
func QueryPaths(q *Query) []string {
	var s pathSet
	queryPaths(q, &s)
	return s.paths
}

func queryPaths(q *Query, s *pathSet) {
	if q == nil {
		return
	}
	for _, c := range q.Clauses {
		switch x := c.(type) {
		case FieldClause:
			s.add(x.Path)
		case Logical:
			for _, sub := range x.Queries {
				queryPaths(sub, s)
			}
		case ExprClause:
			exprPaths(x.Expr, s)
		case SchemaClause:
			s.add("")
		}
	}
}

// knownMetaPaths are the leaves of ASP's stream metadata (asp.md §2.10).
var knownMetaPaths = []string{
	"stream.source.type", "stream.source.ts", "stream.source.topic", "stream.source.partition",
	"stream.source.offset", "stream.source.key", "stream.source.headers",
	"stream.source.operationType", "stream.source.ns.db", "stream.source.ns.coll",
	"stream.source.documentKey._id", "stream.source.initialSync.phase",
	"stream.source.kinesisStream", "stream.source.shardId", "stream.source.sequenceNumber",
	"stream.source.partitionKey",
	"stream.window.start", "stream.window.end", "stream.window.partition",
	"stream.https.url", "stream.https.method", "stream.https.httpStatusCode", "stream.https.responseTimeMs",
}

// KnownMetaPath reports whether path is one of ASP's $meta paths
// ("stream.window.start") or a prefix of one ("stream.window", "stream").
func KnownMetaPath(path string) bool {
	for _, k := range knownMetaPaths {
		if k == path || strings.HasPrefix(k, path+".") {
			return true
		}
	}
	return false
}
