package mql

import (
	"fmt"
	"math"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ParseQuery parses a query predicate document, as $match and $validate
// take it. {f: v} is implicit equality (a regular expression value means
// $regex); {f: {$op: v, …}} are conditions; $and, $or, $nor, $expr,
// $jsonSchema and $comment are top-level clauses. Operators ASP rejects
// ($near, $nearSphere, $text, $where) are errors.
func ParseQuery(v any, p Path) (*Query, error) { return parseQuery(v, p, nil) }

// ParseQueryIn is ParseQuery where $expr may read the user variables vars,
// as in a $lookup pipeline's $match.
func ParseQueryIn(v any, p Path, vars []string) (*Query, error) {
	return parseQuery(v, p, (*scope)(nil).with(vars...))
}

// topLevelQueryOps are the $-keys a query document may have at its top level.
var topLevelQueryOps = []string{"$and", "$comment", "$expr", "$jsonSchema", "$nor", "$or"}

func parseQuery(v any, p Path, sc *scope) (*Query, error) {
	d, ok := v.(bson.D)
	if !ok {
		return nil, Errorf(p, "a query is a document, found %s", describeArg(v))
	}
	q := &Query{}
	for _, e := range d {
		at := p.Key(e.Key)
		if !strings.HasPrefix(e.Key, "$") {
			c, err := parseFieldClause(e.Key, e.Value, at, sc)
			if err != nil {
				return nil, err
			}
			q.Clauses = append(q.Clauses, c)
			continue
		}
		switch e.Key {
		case "$and", "$or", "$nor":
			a, ok := asArray(e.Value)
			if !ok || len(a) == 0 {
				return nil, Errorf(at, "%s takes a non-empty array of queries, found %s", e.Key, describeArg(e.Value))
			}
			l := Logical{Op: e.Key}
			for i, sub := range a {
				sq, err := parseQuery(sub, at.Index(i), sc)
				if err != nil {
					return nil, err
				}
				l.Queries = append(l.Queries, sq)
			}
			q.Clauses = append(q.Clauses, l)
		case "$expr":
			x, err := parseExpr(e.Value, at, sc)
			if err != nil {
				return nil, err
			}
			q.Clauses = append(q.Clauses, ExprClause{Expr: x})
		case "$jsonSchema":
			if _, ok := e.Value.(bson.D); !ok {
				return nil, Errorf(at, "$jsonSchema takes a schema document, found %s", describeArg(e.Value))
			}
			q.Clauses = append(q.Clauses, SchemaClause{Schema: e.Value})
		case "$comment":
			q.Comment = e.Value
		default:
			if unsupportedQueryOps[e.Key] {
				return nil, Errorf(at, "%s is not supported in stream processing", e.Key)
			}
			if _, ok := queryIndex[e.Key]; ok {
				return nil, Errorf(at, "%s applies to a field: write {<field>: {%s: …}}", e.Key, e.Key)
			}
			return nil, Errorf(at, "unknown top-level query operator %s%s", e.Key, suggest(e.Key, topLevelQueryOps))
		}
	}
	return q, nil
}

func parseFieldClause(path string, v any, p Path, sc *scope) (Clause, error) {
	for _, part := range strings.Split(path, ".") {
		if part == "" {
			return nil, Errorf(p, "field path %q has an empty part", path)
		}
	}
	switch x := v.(type) {
	case bson.D:
		if len(x) > 0 && strings.HasPrefix(x[0].Key, "$") {
			conds, err := parseConds(x, p, sc)
			if err != nil {
				return nil, err
			}
			return FieldClause{Path: path, Conds: conds}, nil
		}
	case bson.Regex:
		return FieldClause{Path: path, Conds: []Cond{{Op: "$regex", Value: x}}, Implicit: true}, nil
	}
	return FieldClause{Path: path, Conds: []Cond{{Op: "$eq", Value: v}}, Implicit: true}, nil
}

// bsonTypeAliases are the names $type accepts, with their numbers.
var bsonTypeAliases = map[string]int{
	"double": 1, "string": 2, "object": 3, "array": 4, "binData": 5, "undefined": 6,
	"objectId": 7, "bool": 8, "date": 9, "null": 10, "regex": 11, "dbPointer": 12,
	"javascript": 13, "symbol": 14, "javascriptWithScope": 15, "int": 16, "timestamp": 17,
	"long": 18, "decimal": 19, "minKey": -1, "maxKey": 127, "number": 0,
}

// typeNameTypos are type names from other languages people write for $type.
var typeNameTypos = map[string]string{
	"integer": "int", "int32": "int", "int64": "long", "boolean": "bool", "float": "double",
	"datetime": "date", "timestamp": "timestamp", "decimal128": "decimal", "oid": "objectId",
}

// parseConds parses a field's operator document: {$gt: 1, $lt: 5}.
func parseConds(d bson.D, p Path, sc *scope) ([]Cond, error) {
	var conds []Cond
	regexAt := -1 // index in conds of the $regex cond, which $options joins
	var options *string
	for _, e := range d {
		at := p.Key(e.Key)
		op, v := e.Key, e.Value
		if !strings.HasPrefix(op, "$") {
			return nil, Errorf(p, "document mixes query operators with field %q; compare to a whole document with {$eq: {…}}", op)
		}
		if unsupportedQueryOps[op] {
			return nil, Errorf(at, "%s is not supported in stream processing", op)
		}
		c := Cond{Op: op, Value: v}
		switch op {
		case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte":
		case "$in", "$nin":
			a, ok := asArray(v)
			if !ok {
				return nil, Errorf(at, "%s takes an array, found %s", op, describeArg(v))
			}
			for i, el := range a {
				if ed, ok := el.(bson.D); ok && len(ed) > 0 && strings.HasPrefix(ed[0].Key, "$") {
					return nil, Errorf(at.Index(i), "%s takes values, found operator %s", op, ed[0].Key)
				}
			}
		case "$exists":
			if _, ok := v.(bool); !ok {
				n, ok := asNumber(v)
				if !ok {
					return nil, Errorf(at, "$exists takes true or false, found %s", describeArg(v))
				}
				c.Value = n != 0
			}
		case "$type":
			if err := checkTypeOperand(v, at); err != nil {
				return nil, err
			}
		case "$regex":
			switch r := v.(type) {
			case string:
				c.Value = bson.Regex{Pattern: r}
			case bson.Regex:
			default:
				return nil, Errorf(at, "$regex takes a string or a regular expression, found %s", describeArg(v))
			}
			if regexAt >= 0 {
				return nil, Errorf(at, "$regex appears twice")
			}
			regexAt = len(conds)
		case "$options":
			s, ok := v.(string)
			if !ok {
				return nil, Errorf(at, "$options takes a string of flags, found %s", describeArg(v))
			}
			if err := checkRegexOptions(s, at); err != nil {
				return nil, err
			}
			options = &s
			continue
		case "$mod":
			if err := checkMod(v, at); err != nil {
				return nil, err
			}
		case "$all":
			if _, ok := asArray(v); !ok {
				return nil, Errorf(at, "$all takes an array, found %s", describeArg(v))
			}
		case "$size":
			n, ok := asNumber(v)
			if !ok || n < 0 || n != math.Trunc(n) {
				return nil, Errorf(at, "$size takes a non-negative whole number, found %s", describeArg(v))
			}
		case "$elemMatch":
			sub, ok := v.(bson.D)
			if !ok {
				return nil, Errorf(at, "$elemMatch takes a query document, found %s", describeArg(v))
			}
			c.Value = nil
			if len(sub) > 0 && strings.HasPrefix(sub[0].Key, "$") && nameIndex(topLevelQueryOps, sub[0].Key) < 0 {
				// Conditions on the elements themselves: {$gte: 80, $lt: 85}.
				cs, err := parseConds(sub, at, sc)
				if err != nil {
					return nil, err
				}
				c.Conds = cs
			} else {
				q, err := parseQuery(sub, at, sc)
				if err != nil {
					return nil, err
				}
				c.Query = q
			}
		case "$not":
			c.Value = nil
			switch x := v.(type) {
			case bson.Regex:
				c.Conds = []Cond{{Op: "$regex", Value: x}}
			case bson.D:
				if len(x) == 0 || !strings.HasPrefix(x[0].Key, "$") {
					return nil, Errorf(at, "$not takes a regular expression or a document of operators, found %s", describeArg(v))
				}
				cs, err := parseConds(x, at, sc)
				if err != nil {
					return nil, err
				}
				c.Conds = cs
			default:
				return nil, Errorf(at, "$not takes a regular expression or a document of operators, found %s", describeArg(v))
			}
		case "$bitsAllSet", "$bitsAnySet", "$bitsAllClear", "$bitsAnyClear":
			if err := checkBitmask(op, v, at); err != nil {
				return nil, err
			}
		case "$geoWithin", "$geoIntersects":
			if _, ok := v.(bson.D); !ok {
				return nil, Errorf(at, "%s takes a shape document, found %s", op, describeArg(v))
			}
		default:
			if nameIndex(topLevelQueryOps, op) >= 0 {
				return nil, Errorf(at, "%s is a top-level query operator; it can't apply to a field", op)
			}
			return nil, Errorf(at, "unknown query operator %s%s", op, suggest(op, opNames(queryIndex)))
		}
		conds = append(conds, c)
	}
	if options != nil {
		if regexAt < 0 {
			return nil, Errorf(p.Key("$options"), "$options needs a $regex")
		}
		r := conds[regexAt].Value.(bson.Regex)
		if r.Options != "" && *options != "" {
			return nil, Errorf(p.Key("$options"), "options are set both in the $regex value and in $options")
		}
		if *options != "" {
			r.Options = *options
		}
		conds[regexAt].Value = r
	}
	return conds, nil
}

func checkTypeOperand(v any, at Path) error {
	if a, ok := asArray(v); ok {
		if len(a) == 0 {
			return Errorf(at, "$type takes a type or a non-empty array of types, found an empty array")
		}
		for i, el := range a {
			if err := checkTypeOperand(el, at.Index(i)); err != nil {
				return err
			}
		}
		return nil
	}
	if s, ok := v.(string); ok {
		if _, known := bsonTypeAliases[s]; !known {
			names := make([]string, 0, len(bsonTypeAliases))
			for n := range bsonTypeAliases {
				names = append(names, n)
			}
			hint := suggestArg(s, names)
			if alias, ok := typeNameTypos[strings.ToLower(s)]; ok {
				hint = fmt.Sprintf("; did you mean %q?", alias)
			}
			return Errorf(at, "%q is not a BSON type name%s", s, hint)
		}
		return nil
	}
	n, ok := asNumber(v)
	if !ok {
		return Errorf(at, "$type takes a BSON type name or number, found %s", describeArg(v))
	}
	for _, k := range bsonTypeAliases {
		if float64(k) == n && n != 0 {
			return nil
		}
	}
	return Errorf(at, "%v is not a BSON type number; expected 1–19, -1 or 127", n)
}

func checkRegexOptions(s string, at Path) error {
	for _, r := range s {
		if !strings.ContainsRune("imsxu", r) {
			return Errorf(at, "%q is not a regular expression flag; expected i, m, s, x or u", string(r))
		}
	}
	return nil
}

func checkMod(v any, at Path) error {
	a, ok := asArray(v)
	if !ok || len(a) != 2 {
		return Errorf(at, "$mod takes [divisor, remainder], found %s", describeArg(v))
	}
	div, ok1 := asNumber(a[0])
	_, ok2 := asNumber(a[1])
	if !ok1 || !ok2 {
		return Errorf(at, "$mod takes two numbers [divisor, remainder]")
	}
	if math.Trunc(div) == 0 {
		return Errorf(at.Index(0), "$mod divisor is 0")
	}
	return nil
}

func checkBitmask(op string, v any, at Path) error {
	if _, ok := v.(bson.Binary); ok {
		return nil
	}
	if a, ok := asArray(v); ok {
		for i, el := range a {
			n, ok := asNumber(el)
			if !ok || n < 0 || n != math.Trunc(n) {
				return Errorf(at.Index(i), "a bit position is a non-negative whole number, found %s", describeArg(el))
			}
		}
		return nil
	}
	n, ok := asNumber(v)
	if !ok || n < 0 || n != math.Trunc(n) {
		return Errorf(at, "%s takes a non-negative whole-number mask, an array of bit positions or binData, found %s", op, describeArg(v))
	}
	return nil
}

// EncodeQuery returns q as the document ASP accepts. ParseQuery of the
// result equals q for every q ParseQuery returns.
func EncodeQuery(q *Query) bson.D {
	d := bson.D{}
	if q == nil {
		return d
	}
	for _, c := range q.Clauses {
		switch x := c.(type) {
		case FieldClause:
			var v any
			if x.Implicit && len(x.Conds) == 1 && (x.Conds[0].Op == "$eq" || x.Conds[0].Op == "$regex") {
				v = x.Conds[0].Value
			} else {
				v = encodeConds(x.Conds)
			}
			d = append(d, bson.E{Key: x.Path, Value: v})
		case Logical:
			a := bson.A{}
			for _, sub := range x.Queries {
				a = append(a, EncodeQuery(sub))
			}
			d = append(d, bson.E{Key: x.Op, Value: a})
		case ExprClause:
			d = append(d, bson.E{Key: "$expr", Value: EncodeExpr(x.Expr)})
		case SchemaClause:
			d = append(d, bson.E{Key: "$jsonSchema", Value: x.Schema})
		}
	}
	if q.Comment != nil {
		d = append(d, bson.E{Key: "$comment", Value: q.Comment})
	}
	return d
}

func encodeConds(conds []Cond) bson.D {
	d := bson.D{}
	for _, c := range conds {
		switch c.Op {
		case "$regex":
			r, ok := c.Value.(bson.Regex)
			if !ok {
				d = append(d, bson.E{Key: c.Op, Value: c.Value})
				continue
			}
			d = append(d, bson.E{Key: "$regex", Value: r.Pattern})
			if r.Options != "" {
				d = append(d, bson.E{Key: "$options", Value: r.Options})
			}
		case "$not":
			d = append(d, bson.E{Key: c.Op, Value: encodeConds(c.Conds)})
		case "$elemMatch":
			if c.Query != nil {
				d = append(d, bson.E{Key: c.Op, Value: EncodeQuery(c.Query)})
			} else {
				d = append(d, bson.E{Key: c.Op, Value: encodeConds(c.Conds)})
			}
		default:
			d = append(d, bson.E{Key: c.Op, Value: c.Value})
		}
	}
	return d
}
