package planner

import (
	"fmt"
	"strings"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner/mql"
)

func (q *query) addRel(alias string, n parser.Node, unnest bool) error {
	if !simpleName(alias) {
		return errorf(n, CodeFeatureNotSupport, "alias %q can't be a document field (no dots, no leading $); choose another", alias)
	}
	if alias == q.streamAlias || q.rels[alias] != nil {
		return errorf(n, CodeDuplicateAlias, "table name %q specified more than once; give the join another alias", alias)
	}
	q.rels[alias] = &rel{alias: alias, unnest: unnest}
	q.relOrder = append(q.relOrder, alias)
	return nil
}

// join plans a JOIN: $lookup + $unwind against a collection, or $addFields
// + $unwind for UNNEST. The joined document (or element) becomes the field
// named by the alias.
func (q *query) join(j *parser.Join) ([]mql.Stage, error) {
	if j.Unnest != nil {
		return q.unnest(j)
	}
	parts := j.Table.Parts
	switch len(parts) {
	case 2:
		return nil, errorf(j.Table, CodeFeatureNotSupport, "stream-stream joins are not supported yet; %s is a stream (connection.topic); join a collection (connection.db.collection) instead", strings.Join(parts, "."))
	case 3:
	default:
		return nil, errorf(j.Table, CodeSyntax, "JOIN %s: expected connection.db.collection", strings.Join(parts, "."))
	}
	alias := j.Alias
	if alias == "" {
		alias = parts[2]
	}
	if err := q.addRel(alias, j, false); err != nil {
		return nil, err
	}
	lk := &mql.Lookup{From: &mql.Namespace{ConnectionName: parts[0], DB: parts[1], Coll: parts[2]}, As: alias}
	if j.On == nil {
		// CROSS JOIN: every document of the collection.
		lk.Pipeline = mql.Pipeline{}
	} else if err := q.lookupOn(lk, j.On); err != nil {
		return nil, err
	}
	uw := &mql.Unwind{Path: alias}
	if j.Kind == parser.JoinLeft {
		yes := true
		uw.PreserveNullAndEmptyArrays = &yes
	}
	return []mql.Stage{lk, uw}, nil
}

// lookupOn turns an ON condition into the $lookup's match. One equality
// between a stream field and a field of the joined collection becomes
// localField/foreignField; the rest is a $match in the lookup's pipeline,
// with stream values passed in through let.
func (q *query) lookupOn(lk *mql.Lookup, on parser.Expr) error {
	alias := lk.As
	var lets []mql.Field
	letIndex := map[string]string{}
	ft := &tr{q: q, aggErr: "JOIN conditions", overErr: "JOIN conditions"}
	ft.ref = func(id *parser.Ident) (val, error) {
		if id.Parts[0] == alias {
			if len(id.Parts) == 1 {
				return exprVal(mql.Variable{Name: "ROOT"}, tUnknown, true), nil
			}
			return fieldVal(id.Parts[1:]), nil
		}
		v, err := q.rowRef(id)
		if err != nil {
			return val{}, err
		}
		enc := encode(v.e)
		name, ok := letIndex[enc]
		if !ok {
			name = letName(id.Parts[len(id.Parts)-1], len(lets), letIndex)
			letIndex[enc] = name
			lets = append(lets, mql.Field{Name: name, Value: v.e})
		}
		return exprVal(mql.Variable{Name: name}, v.t, v.notNull), nil
	}
	conj := splitAnd(on)
	for i, c := range conj {
		b, ok := c.(*parser.Binary)
		if !ok || b.Op != "=" {
			continue
		}
		local, foreign, ok := q.equiJoin(b.L, b.R, alias)
		if !ok {
			local, foreign, ok = q.equiJoin(b.R, b.L, alias)
		}
		if ok {
			lk.LocalField, lk.ForeignField = local, foreign
			conj = append(conj[:i:i], conj[i+1:]...)
			break
		}
	}
	var filters []*mql.Query
	if lk.ForeignField != "" && lk.ForeignField != "_id" {
		// SQL's NULL joins nothing, but $lookup matches a null or
		// missing localField with foreign documents whose field is
		// null or missing. Every document has an _id, so an _id
		// foreignField needs no filter.
		filters = append(filters, fieldQuery(lk.ForeignField, mql.Cond{Op: "$ne", Value: nil}))
	}
	for _, c := range conj {
		m, err := ft.matchQuery(c, false)
		if err != nil {
			return err
		}
		filters = append(filters, m)
	}
	if len(filters) > 0 {
		lk.Pipeline = mql.Pipeline{&mql.Match{Query: andQueries(filters...)}}
	}
	if len(lets) > 0 {
		lk.Let = lets
	}
	return nil
}

// equiJoin reports whether l = r is stream field = joined collection field,
// both plain paths.
func (q *query) equiJoin(l, r parser.Expr, alias string) (local, foreign string, ok bool) {
	li, ok1 := l.(*parser.Ident)
	ri, ok2 := r.(*parser.Ident)
	if !ok1 || !ok2 || li.Parts[0] == alias || len(ri.Parts) < 2 || ri.Parts[0] != alias {
		return "", "", false
	}
	if _, isBound := isWindowBound(li); isBound {
		return "", "", false
	}
	lv, err := q.rowRef(li)
	if err != nil || lv.path == "" {
		return "", "", false
	}
	fv := fieldVal(ri.Parts[1:])
	if fv.path == "" {
		return "", "", false
	}
	return lv.path, fv.path, true
}

func splitAnd(e parser.Expr) []parser.Expr {
	if b, ok := e.(*parser.Binary); ok && b.Op == "AND" {
		return append(splitAnd(b.L), splitAnd(b.R)...)
	}
	return []parser.Expr{e}
}

// letName names a $lookup variable after the field it holds when that is
// a valid variable name (lower-case first letter, letters, digits, _).
func letName(field string, n int, taken map[string]string) string {
	ok := field != "" && field[0] >= 'a' && field[0] <= 'z'
	for _, r := range field {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			ok = false
		}
	}
	name := field
	if !ok {
		name = fmt.Sprintf("v%d", n)
	}
	for used := true; used; {
		used = false
		for _, v := range taken {
			if v == name {
				used = true
				name = fmt.Sprintf("%s%d", name, n)
				break
			}
		}
	}
	return name
}

// unnest plans CROSS JOIN UNNEST(x) AS i: the alias holds the array, then
// $unwind replaces it with each element, so x itself stays the array.
func (q *query) unnest(j *parser.Join) ([]mql.Stage, error) {
	if j.On != nil {
		if l, ok := j.On.(*parser.Literal); !ok || l.Kind != parser.LitBool || !l.Bool() {
			return nil, errorf(j.On, CodeFeatureNotSupport, "a join with UNNEST takes ON TRUE (or no ON with CROSS JOIN); filter the elements in WHERE")
		}
	}
	alias := j.Alias
	if alias == "" {
		alias = "unnest"
	}
	v, err := q.rowTr("UNNEST").x(j.Unnest)
	if err != nil {
		return nil, err
	}
	if err := q.addRel(alias, j, true); err != nil {
		return nil, err
	}
	uw := &mql.Unwind{Path: alias}
	if j.Kind == parser.JoinLeft {
		yes := true
		uw.PreserveNullAndEmptyArrays = &yes
	}
	return []mql.Stage{&mql.AddFields{Fields: []mql.Field{{Name: alias, Value: v.e}}}, uw}, nil
}

// encode is an expression's canonical text, to compare expressions.
func encode(e mql.Expr) string {
	b, err := mql.EncodeJSON(mql.EncodeExpr(e), true, false)
	if err != nil {
		return fmt.Sprintf("%#v", e)
	}
	return string(b)
}
