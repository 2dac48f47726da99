package mql

import (
	"fmt"
	"strings"
	"unicode"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// scope is the chain of user variables defined where an expression is
// parsed: $let vars, the as name of $map and $filter, $$this and $$value in
// $reduce, and a $lookup's let.
type scope struct {
	name   string
	parent *scope
}

func (s *scope) with(names ...string) *scope {
	for _, n := range names {
		s = &scope{name: n, parent: s}
	}
	return s
}

func (s *scope) has(name string) bool {
	for ; s != nil; s = s.parent {
		if s.name == name {
			return true
		}
	}
	return false
}

// ParseExpr parses an aggregation expression from a decoded bson value.
// "$a.b" is a field path, "$$x" a variable, a document with one "$op" key an
// operator, any other document an Object, an array an Array and anything
// else a Literal. Errors name the place below p.
func ParseExpr(v any, p Path) (Expr, error) { return parseExpr(v, p, nil) }

// ParseExprIn is ParseExpr where the user variables vars are in scope, as the
// let variables of a $lookup are in its pipeline.
func ParseExprIn(v any, p Path, vars []string) (Expr, error) {
	return parseExpr(v, p, (*scope)(nil).with(vars...))
}

func parseExpr(v any, p Path, sc *scope) (Expr, error) {
	switch x := v.(type) {
	case string:
		return parseString(x, p, sc)
	case bson.D:
		return parseDoc(x, p, sc)
	case bson.A:
		return parseArray(x, p, sc)
	case []any:
		return parseArray(x, p, sc)
	default:
		return Literal{Value: v}, nil
	}
}

func parseArray(a []any, p Path, sc *scope) (Expr, error) {
	var elems []Expr
	for i, v := range a {
		e, err := parseExpr(v, p.Index(i), sc)
		if err != nil {
			return nil, err
		}
		elems = append(elems, e)
	}
	return Array{Elems: elems}, nil
}

func parseString(s string, p Path, sc *scope) (Expr, error) {
	switch {
	case strings.HasPrefix(s, "$$"):
		return parseVariable(s, p, sc)
	case strings.HasPrefix(s, "$"):
		path := s[1:]
		if err := checkFieldPath(path); err != nil {
			return nil, Errorf(p, "%q is not a valid field path: %s", s, err)
		}
		return FieldPath{Path: path}, nil
	default:
		return Literal{Value: s}, nil
	}
}

func checkFieldPath(path string) error {
	if path == "" {
		return fmt.Errorf("it is empty; expected \"$<field>\"")
	}
	for _, part := range strings.Split(path, ".") {
		if part == "" {
			return fmt.Errorf("it has an empty part")
		}
		if strings.HasPrefix(part, "$") {
			return fmt.Errorf("part %q starts with $", part)
		}
	}
	return nil
}

// systemVariables are the $$ variables ASP defines everywhere.
var systemVariables = map[string]bool{"ROOT": true, "CURRENT": true, "REMOVE": true}

func parseVariable(s string, p Path, sc *scope) (Expr, error) {
	name, path, _ := strings.Cut(s[2:], ".")
	if name == "" {
		return nil, Errorf(p, "%q is not a valid variable: the name is empty", s)
	}
	if strings.Contains(s[2:], ".") {
		if err := checkFieldPath(path); err != nil {
			return nil, Errorf(p, "%q is not a valid variable path: %s", s, err)
		}
	}
	switch {
	case systemVariables[name] || sc.has(name):
	case name == "NOW" || name == "CLUSTER_TIME":
		return nil, Errorf(p, "$$%s is not supported in stream processing; use {$currentDate: {}}", name)
	case name == "this" || name == "value":
		return nil, Errorf(p, "undefined variable $$%s; $$this and $$value are defined only inside $map, $filter and $reduce", name)
	default:
		return nil, Errorf(p, "undefined variable $$%s", name)
	}
	return Variable{Name: name, Path: path}, nil
}

// checkVarName applies MongoDB's rule for user variable names.
func checkVarName(name string) error {
	if name == "" {
		return fmt.Errorf("a variable name is empty")
	}
	for i, r := range name {
		ok := r > unicode.MaxASCII || (r >= 'a' && r <= 'z') ||
			(i > 0 && ((r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_'))
		if !ok {
			return fmt.Errorf("%q is not a valid variable name; a name starts with a lowercase letter and holds only letters, digits and _", name)
		}
	}
	return nil
}

func parseDoc(d bson.D, p Path, sc *scope) (Expr, error) {
	var ops []string
	for _, e := range d {
		if strings.HasPrefix(e.Key, "$") {
			ops = append(ops, e.Key)
		}
	}
	switch {
	case len(ops) == 1 && len(d) == 1:
		return parseOp(d[0].Key, d[0].Value, p, sc)
	case len(ops) > 1:
		return nil, Errorf(p, "an expression document has one $operator, found %d (%s)", len(ops), strings.Join(ops, ", "))
	case len(ops) == 1:
		field := d[0].Key
		if field == ops[0] {
			field = d[1].Key
		}
		return nil, Errorf(p, "document mixes operator %s with field %q; an expression document is either one $operator or only field names", ops[0], field)
	}
	var fields []Field
	seen := map[string]bool{}
	for _, e := range d {
		if strings.Contains(e.Key, ".") {
			return nil, Errorf(p, "field name %q contains '.'; nest documents instead", e.Key)
		}
		if seen[e.Key] {
			return nil, Errorf(p, "field %q appears twice", e.Key)
		}
		seen[e.Key] = true
		v, err := parseExpr(e.Value, p.Key(e.Key), sc)
		if err != nil {
			return nil, err
		}
		fields = append(fields, Field{Name: e.Key, Value: v})
	}
	return Object{Fields: fields}, nil
}

func parseOp(op string, arg any, p Path, sc *scope) (Expr, error) {
	switch op {
	case "$literal":
		return Literal{Value: arg}, nil
	case "$meta":
		s, ok := arg.(string)
		if !ok {
			return nil, Errorf(p.Key(op), "$meta takes a \"stream.…\" path string, found %s", describeArg(arg))
		}
		if s != "stream" && !strings.HasPrefix(s, "stream.") {
			return nil, Errorf(p.Key(op), "%q is not stream metadata; $meta in stream processing takes \"stream\" or \"stream.<path>\"", s)
		}
		return Meta{Path: s}, nil
	case "$cond":
		return parseCond(arg, p, sc)
	}
	info, ok := exprIndex[op]
	if !ok {
		return nil, unknownExprOp(op, p)
	}
	if info.Named {
		return parseNamed(info, arg, p, sc)
	}
	return parsePositional(info, arg, p, sc, false)
}

func unknownExprOp(op string, p Path) error {
	if _, ok := accIndex[op]; ok {
		return Errorf(p, "%s is an accumulator; it is allowed only as a $group or $setWindowFields output", op)
	}
	if _, ok := queryIndex[op]; ok {
		return Errorf(p, "%s is a query operator, not an aggregation expression; use it in $match, or use an expression operator inside $expr", op)
	}
	return Errorf(p, "unknown operator %s%s", op, suggest(op, opNames(exprIndex)))
}

// parsePositional parses [a, b, …] or a bare single argument. An accumulator
// of one argument takes the bare form only, as MongoDB rejects {$sum: [x]}
// in $group.
func parsePositional(info OpInfo, arg any, p Path, sc *scope, acc bool) (Expr, error) {
	op := info.Name
	var exprs []Expr
	if a, ok := asArray(arg); ok && !(acc && info.MaxArgs == 1) {
		for i, v := range a {
			e, err := parseExpr(v, p.Key(op).Index(i), sc)
			if err != nil {
				return nil, err
			}
			exprs = append(exprs, e)
		}
	} else {
		if acc && info.MaxArgs == 1 {
			if a, ok := asArray(arg); ok {
				return nil, Errorf(p, "the %s accumulator takes one expression, found an array of %d", op, len(a))
			}
		}
		e, err := parseExpr(arg, p.Key(op), sc)
		if err != nil {
			return nil, err
		}
		exprs = []Expr{e}
	}
	if err := checkArity(info, len(exprs), p); err != nil {
		return nil, err
	}
	return Call{Op: op, Args: exprs}, nil
}

func asArray(v any) ([]any, bool) {
	switch a := v.(type) {
	case bson.A:
		return a, true
	case []any:
		return a, true
	}
	return nil, false
}

func checkArity(info OpInfo, n int, p Path) error {
	min, max := info.MinArgs, info.MaxArgs
	if n >= min && (max < 0 || n <= max) {
		return nil
	}
	var want string
	switch {
	case min == max:
		want = plural(min, "argument")
	case max < 0:
		want = "at least " + plural(min, "argument")
	default:
		want = fmt.Sprintf("%d to %d arguments", min, max)
	}
	return Errorf(p, "%s takes %s, found %d", info.Name, want, n)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// parseCond accepts both forms of $cond and keeps the array form.
func parseCond(arg any, p Path, sc *scope) (Expr, error) {
	info := exprIndex["$cond"]
	d, ok := arg.(bson.D)
	if !ok || (len(d) > 0 && strings.HasPrefix(d[0].Key, "$")) {
		return parsePositional(info, arg, p, sc, false)
	}
	var parts [3]Expr
	names := []string{"if", "then", "else"}
	for _, e := range d {
		i := nameIndex(names, e.Key)
		if i < 0 {
			return nil, Errorf(p.Key("$cond"), "unknown argument %q of $cond; expected if, then and else%s", e.Key, suggestArg(e.Key, names))
		}
		if parts[i] != nil {
			return nil, Errorf(p.Key("$cond"), "argument %q of $cond appears twice", e.Key)
		}
		x, err := parseExpr(e.Value, p.Key("$cond").Key(e.Key), sc)
		if err != nil {
			return nil, err
		}
		parts[i] = x
	}
	for i, x := range parts {
		if x == nil {
			return nil, Errorf(p.Key("$cond"), "$cond requires %s", names[i])
		}
	}
	return Call{Op: "$cond", Args: parts[:]}, nil
}

func nameIndex(names []string, s string) int {
	for i, n := range names {
		if n == s {
			return i
		}
	}
	return -1
}

func suggestArg(name string, names []string) string {
	if c := nearestName(name, names); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}

// parseNamed parses {op: {name: value, …}}.
func parseNamed(info OpInfo, arg any, p Path, sc *scope) (Expr, error) {
	op := info.Name
	spec := namedSpecs[op]
	at := p.Key(op)
	d, isDoc := arg.(bson.D)
	if spec.shorthand != "" && (!isDoc || (len(d) > 0 && strings.HasPrefix(d[0].Key, "$"))) {
		if a, ok := asArray(arg); ok && len(a) == 1 {
			arg = a[0]
		}
		e, err := parseExpr(arg, at, sc)
		if err != nil {
			return nil, err
		}
		return NamedCall{Op: op, Args: []NamedArg{{Name: spec.shorthand, Value: e}}}, nil
	}
	all := append(append([]string(nil), info.Required...), info.Optional...)
	if !isDoc {
		if len(all) == 0 {
			return nil, Errorf(at, "%s takes an empty document {}, found %s", op, describeArg(arg))
		}
		return nil, Errorf(at, "%s takes a document of named arguments (%s), found %s", op, strings.Join(all, ", "), describeArg(arg))
	}
	seen := map[string]any{}
	for _, e := range d {
		if nameIndex(all, e.Key) < 0 {
			if len(all) == 0 {
				return nil, Errorf(at, "%s takes an empty document {}, found argument %q", op, e.Key)
			}
			return nil, Errorf(at, "unknown argument %q of %s; expected %s%s", e.Key, op, strings.Join(all, ", "), suggestArg(e.Key, all))
		}
		if _, dup := seen[e.Key]; dup {
			return nil, Errorf(at, "argument %q of %s appears twice", e.Key, op)
		}
		seen[e.Key] = e.Value
	}
	for _, r := range info.Required {
		if _, ok := seen[r]; !ok {
			return nil, Errorf(at, "%s requires %s", op, r)
		}
	}
	inner, err := innerScope(op, seen, at, sc)
	if err != nil {
		return nil, err
	}
	var out []NamedArg
	for _, e := range d {
		var v Expr
		switch {
		case spec.isRaw(e.Key):
			v = Literal{Value: e.Value}
		case op == "$let" && e.Key == "vars":
			v, err = parseLetVars(e.Value, at.Key("vars"), sc)
		case op == "$switch" && e.Key == "branches":
			v, err = parseBranches(e.Value, at.Key("branches"), sc)
		case innerArg(op, e.Key):
			v, err = parseExpr(e.Value, at.Key(e.Key), inner)
		default:
			v, err = parseExpr(e.Value, at.Key(e.Key), sc)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, NamedArg{Name: e.Key, Value: v})
	}
	if err := checkNamed(op, seen, at); err != nil {
		return nil, err
	}
	return NamedCall{Op: op, Args: out}, nil
}

// innerArg reports whether argument name of op is evaluated with op's own
// variables in scope.
func innerArg(op, name string) bool {
	switch op {
	case "$filter":
		return name == "cond"
	case "$map", "$reduce", "$let":
		return name == "in"
	}
	return false
}

// innerScope is the scope of op's inner arguments.
func innerScope(op string, args map[string]any, at Path, sc *scope) (*scope, error) {
	switch op {
	case "$filter", "$map":
		as, ok := args["as"]
		if !ok {
			return sc.with("this"), nil
		}
		name, isStr := as.(string)
		if !isStr {
			return nil, Errorf(at.Key("as"), "as takes a variable name string, found %s", describeArg(as))
		}
		if err := checkVarName(name); err != nil {
			return nil, Errorf(at.Key("as"), "%s", err)
		}
		return sc.with(name), nil
	case "$reduce":
		return sc.with("this", "value"), nil
	case "$let":
		d, ok := args["vars"].(bson.D)
		if !ok {
			return nil, Errorf(at.Key("vars"), "vars takes a document of variables, found %s", describeArg(args["vars"]))
		}
		inner := sc
		for _, e := range d {
			if err := checkVarName(e.Key); err != nil {
				return nil, Errorf(at.Key("vars"), "%s", err)
			}
			inner = inner.with(e.Key)
		}
		return inner, nil
	}
	return sc, nil
}

// parseLetVars parses $let's vars in the enclosing scope: a variable can't
// see its siblings.
func parseLetVars(v any, p Path, sc *scope) (Expr, error) {
	d := v.(bson.D) // checked by innerScope
	var fields []Field
	for _, e := range d {
		x, err := parseExpr(e.Value, p.Key(e.Key), sc)
		if err != nil {
			return nil, err
		}
		fields = append(fields, Field{Name: e.Key, Value: x})
	}
	return Object{Fields: fields}, nil
}

// parseBranches parses $switch's branches into an Array of {case, then}
// Objects.
func parseBranches(v any, p Path, sc *scope) (Expr, error) {
	a, ok := asArray(v)
	if !ok || len(a) == 0 {
		return nil, Errorf(p, "branches takes a non-empty array of {case, then} documents, found %s", describeArg(v))
	}
	var elems []Expr
	for i, b := range a {
		bp := p.Index(i)
		d, ok := b.(bson.D)
		if !ok {
			return nil, Errorf(bp, "a branch is a {case, then} document, found %s", describeArg(b))
		}
		var c, t Expr
		for _, e := range d {
			x, err := parseExpr(e.Value, bp.Key(e.Key), sc)
			if err != nil {
				return nil, err
			}
			switch e.Key {
			case "case":
				c = x
			case "then":
				t = x
			default:
				return nil, Errorf(bp, "unknown argument %q of a $switch branch; expected case and then", e.Key)
			}
		}
		if c == nil || t == nil || len(d) != 2 {
			return nil, Errorf(bp, "a $switch branch needs case and then")
		}
		elems = append(elems, Object{Fields: []Field{{Name: "case", Value: c}, {Name: "then", Value: t}}})
	}
	return Array{Elems: elems}, nil
}

// checkNamed applies the rules of a named operator that are more than
// "these are required".
func checkNamed(op string, args map[string]any, at Path) error {
	has := func(n string) bool { _, ok := args[n]; return ok }
	switch op {
	case "$dateFromParts":
		cal := has("year")
		iso := has("isoWeekYear")
		if cal == iso {
			return Errorf(at, "$dateFromParts requires either year (with month, day) or isoWeekYear (with isoWeek, isoDayOfWeek), not both")
		}
		for _, n := range []string{"month", "day"} {
			if iso && has(n) {
				return Errorf(at, "$dateFromParts can't mix %s with isoWeekYear", n)
			}
		}
		for _, n := range []string{"isoWeek", "isoDayOfWeek"} {
			if cal && has(n) {
				return Errorf(at, "$dateFromParts can't mix %s with year", n)
			}
		}
	case "$dateTrunc", "$dateAdd", "$dateSubtract", "$dateDiff":
		if args["unit"] == "ms" {
			return Errorf(at.Key("unit"), "\"ms\" is a window's unit; date operators write \"millisecond\"")
		}
		if err := checkConstName(args["unit"], at.Key("unit"), "a date unit", dateUnits, false); err != nil {
			return err
		}
		if err := checkConstName(args["startOfWeek"], at.Key("startOfWeek"), "a day of the week", weekDays, true); err != nil {
			return err
		}
	case "$convert":
		if err := checkConstName(args["to"], at.Key("to"), "a type $convert converts to", convertTypes, false); err != nil {
			return err
		}
	case "$regexMatch", "$regexFind", "$regexFindAll":
		if o, ok := args["options"].(string); ok {
			for _, c := range o {
				if !strings.ContainsRune("imsxu", c) {
					return Errorf(at.Key("options"), "%q is not a regular expression flag; expected i, m, s, x or u", string(c))
				}
			}
		}
	case "$expMovingAvg":
		if has("N") == has("alpha") {
			return Errorf(at, "$expMovingAvg requires exactly one of N and alpha")
		}
	case "$median", "$percentile":
		if m, ok := args["method"].(string); !ok || m != "approximate" {
			return Errorf(at.Key("method"), "method must be \"approximate\", found %s", describeArg(args["method"]))
		}
	case "$top", "$bottom", "$topN", "$bottomN":
		if err := checkSortSpec(args["sortBy"], at.Key("sortBy")); err != nil {
			return err
		}
	case "$sortArray":
		if n, ok := asNumber(args["sortBy"]); ok && (n == 1 || n == -1) {
			return nil
		}
		if err := checkSortSpec(args["sortBy"], at.Key("sortBy")); err != nil {
			return Errorf(at.Key("sortBy"), "sortBy takes 1, -1 or a document of field: 1 or -1, found %s", describeArg(args["sortBy"]))
		}
	case "$function":
		if l, ok := args["lang"].(string); !ok || l != "js" {
			return Errorf(at.Key("lang"), "lang must be \"js\", found %s", describeArg(args["lang"]))
		}
		switch args["body"].(type) {
		case string, bson.JavaScript:
		default:
			return Errorf(at.Key("body"), "body takes a JavaScript function as a string, found %s", describeArg(args["body"]))
		}
		if _, ok := asArray(args["args"]); !ok {
			return Errorf(at.Key("args"), "args takes an array, found %s", describeArg(args["args"]))
		}
	}
	return nil
}

// The names date operators take as unit and startOfWeek. A window's
// {size, unit} takes others ("ms"), which is easy to carry over by mistake.
var (
	dateUnits    = []string{"year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond"}
	weekDays     = []string{"monday", "mon", "tuesday", "tue", "wednesday", "wed", "thursday", "thu", "friday", "fri", "saturday", "sat", "sunday", "sun"}
	convertTypes = []string{"double", "string", "binData", "objectId", "bool", "date", "int", "long", "decimal"}
)

// checkConstName checks an argument that is written as a constant string
// against the names allowed; an expression computing it is checked when it
// runs. what names the kind of value in the error; fold accepts any case,
// as MongoDB does for days of the week.
func checkConstName(v any, p Path, what string, names []string, fold bool) error {
	s, ok := v.(string)
	if !ok || strings.HasPrefix(s, "$") {
		return nil
	}
	for _, n := range names {
		if s == n || fold && strings.EqualFold(s, n) {
			return nil
		}
	}
	return Errorf(p, "%q is not %s; expected one of %s%s", s, what, strings.Join(names, ", "), suggestArg(s, names))
}

// checkSortSpec checks a {field: 1 | -1, …} document.
func checkSortSpec(v any, p Path) error {
	d, ok := v.(bson.D)
	if !ok || len(d) == 0 {
		return Errorf(p, "sortBy takes a non-empty document of field: 1 or -1, found %s", describeArg(v))
	}
	for _, e := range d {
		if n, ok := asNumber(e.Value); !ok || (n != 1 && n != -1) {
			return Errorf(p.Key(e.Key), "a sort direction is 1 or -1, found %s", describeArg(e.Value))
		}
	}
	return nil
}

// asNumber returns a numeric bson value as a float64.
func asNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// describeArg names a value's type for an error message, with the value when
// it is short.
func describeArg(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("string %q", x)
	case bool:
		return fmt.Sprintf("bool %v", x)
	case int32, int64, int, float64:
		return fmt.Sprintf("number %v", x)
	case bson.D:
		if len(x) == 0 {
			return "an empty document"
		}
		return "a document"
	case bson.A:
		return describeArray(len(x))
	case []any:
		return describeArray(len(x))
	default:
		return typeName(v)
	}
}

func describeArray(n int) string {
	switch n {
	case 0:
		return "an empty array"
	case 1:
		return "an array of 1 element"
	}
	return fmt.Sprintf("an array of %d elements", n)
}

// typeName is the BSON type name of a value, as $type prints it.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "bool"
	case int32, int:
		return "int"
	case int64:
		return "long"
	case float64:
		return "double"
	case bson.Decimal128:
		return "decimal"
	case bson.D:
		return "object"
	case bson.A, []any:
		return "array"
	case bson.DateTime:
		return "date"
	case bson.ObjectID:
		return "objectId"
	case bson.Binary:
		return "binData"
	case bson.Regex:
		return "regex"
	case bson.Timestamp:
		return "timestamp"
	case bson.MinKey:
		return "minKey"
	case bson.MaxKey:
		return "maxKey"
	case bson.JavaScript:
		return "javascript"
	}
	return fmt.Sprintf("%T", v)
}

// ParseAccumulator parses a $group accumulator or a $setWindowFields window
// function: a document with one key naming one, such as {$sum: "$x"},
// {$count: {}} or {$top: {output: "$x", sortBy: {t: -1}}}. Positional forms
// give a Call, named forms a NamedCall. A window's "window" key is the
// stage's to remove before calling this.
func ParseAccumulator(v any, p Path) (Expr, error) {
	return ParseAccumulatorIn(v, p, nil)
}

// ParseAccumulatorIn is ParseAccumulator with the user variables vars in
// scope.
func ParseAccumulatorIn(v any, p Path, vars []string) (Expr, error) {
	sc := (*scope)(nil).with(vars...)
	d, ok := v.(bson.D)
	if !ok || len(d) != 1 || !strings.HasPrefix(d[0].Key, "$") {
		return nil, Errorf(p, "an accumulator is a document with one $operator such as {$sum: \"$x\"}, found %s", describeDoc(v))
	}
	op, arg := d[0].Key, d[0].Value
	info, ok := accIndex[op]
	if !ok {
		if _, isExpr := exprIndex[op]; isExpr {
			return nil, Errorf(p, "%s is not an accumulator; wrap it: {$sum: {%s: …}}, or use one of %s", op, op, "$sum, $avg, $min, $max, $first, $last, $push, $addToSet, $count")
		}
		return nil, Errorf(p, "unknown accumulator %s%s", op, suggest(op, opNames(accIndex)))
	}
	if info.Named {
		return parseNamed(info, arg, p, sc)
	}
	return parsePositional(info, arg, p, sc, true)
}

func describeDoc(v any) string {
	d, ok := v.(bson.D)
	if !ok {
		return describeArg(v)
	}
	keys := make([]string, len(d))
	for i, e := range d {
		keys[i] = e.Key
	}
	if len(keys) == 0 {
		return "an empty document"
	}
	return fmt.Sprintf("a document with keys %s", strings.Join(keys, ", "))
}

// EncodeExpr returns e as the bson value ASP accepts. ParseExpr of the
// result equals e for every e ParseExpr returns.
func EncodeExpr(e Expr) any {
	switch x := e.(type) {
	case Literal:
		return encodeLiteral(x.Value)
	case FieldPath:
		return "$" + x.Path
	case Variable:
		if x.Path == "" {
			return "$$" + x.Name
		}
		return "$$" + x.Name + "." + x.Path
	case Meta:
		return bson.D{{Key: "$meta", Value: x.Path}}
	case Object:
		d := bson.D{}
		for _, f := range x.Fields {
			d = append(d, bson.E{Key: f.Name, Value: EncodeExpr(f.Value)})
		}
		return d
	case Array:
		a := bson.A{}
		for _, el := range x.Elems {
			a = append(a, EncodeExpr(el))
		}
		return a
	case Call:
		args := bson.A{}
		for _, a := range x.Args {
			args = append(args, EncodeExpr(a))
		}
		if len(args) == 1 && x.Op != "$cond" {
			if _, isArr := args[0].(bson.A); !isArr {
				return bson.D{{Key: x.Op, Value: args[0]}}
			}
		}
		return bson.D{{Key: x.Op, Value: args}}
	case NamedCall:
		spec := namedSpecs[x.Op]
		if len(x.Args) == 1 && x.Args[0].Name == spec.shorthand && spec.shorthand != "" {
			// An Object would read back as named arguments, and an
			// array of one as its element.
			v := EncodeExpr(x.Args[0].Value)
			_, isObj := x.Args[0].Value.(Object)
			_, isArr := v.(bson.A)
			if !isObj && !isArr {
				return bson.D{{Key: x.Op, Value: v}}
			}
		}
		d := bson.D{}
		for _, a := range x.Args {
			var v any
			if lit, ok := a.Value.(Literal); ok && spec.isRaw(a.Name) {
				v = lit.Value
			} else {
				v = EncodeExpr(a.Value)
			}
			d = append(d, bson.E{Key: a.Name, Value: v})
		}
		return bson.D{{Key: x.Op, Value: d}}
	case nil:
		return nil
	}
	panic(fmt.Sprintf("mql: EncodeExpr of unknown node %T", e))
}

// encodeLiteral writes a constant bare when it would read back as the same
// constant, and as {$literal: v} otherwise.
func encodeLiteral(v any) any {
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "$") {
			return bson.D{{Key: "$literal", Value: x}}
		}
	case bson.D, bson.A, []any, bson.M, map[string]any:
		return bson.D{{Key: "$literal", Value: x}}
	}
	return v
}
