package exec

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"weak"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// JSONSchema is a compiled $jsonSchema: the JSON Schema Draft 4 subset
// MongoDB documents (reference/operator/query/jsonSchema). Its keywords:
// bsonType, type, required, properties, patternProperties,
// additionalProperties, minProperties, maxProperties, enum, minimum,
// maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minLength,
// maxLength, pattern, items, additionalItems, minItems, maxItems,
// uniqueItems, allOf, anyOf, oneOf, not, dependencies, title, description.
// As in JSON Schema, a keyword about one type (minimum, properties, …)
// holds for values of other types; $jsonSchema never traverses arrays
// implicitly.
type JSONSchema struct{ root *jsNode }

// CompileJSONSchema checks and prepares a $jsonSchema document. Its
// errors name the keyword's place in the schema
// ("$jsonSchema.properties.a.bsonType: …").
func CompileJSONSchema(schema any) (*JSONSchema, error) {
	n, err := jsCompile(schema, "$jsonSchema")
	if err != nil {
		return nil, err
	}
	return &JSONSchema{root: n}, nil
}

// Matches reports whether v (a document, for $match and $validate)
// satisfies the schema.
func (s *JSONSchema) Matches(v any) bool { return s.root.valid(v) }

// jsonSchemaCache holds compiled schemas by the address of the schema
// document's first element, so a $validate compiles its schema once and
// not per document. Entries go when the schema document is collected.
var jsonSchemaCache sync.Map // weak.Pointer[bson.E] → jsCached

type jsCached struct {
	s   *JSONSchema
	err error
}

func cachedJSONSchema(schema any) (*JSONSchema, error) {
	d, ok := schema.(bson.D)
	if !ok || len(d) == 0 {
		return CompileJSONSchema(schema)
	}
	key := weak.Make(&d[0])
	if c, ok := jsonSchemaCache.Load(key); ok {
		c := c.(jsCached)
		return c.s, c.err
	}
	s, err := CompileJSONSchema(d)
	if _, loaded := jsonSchemaCache.LoadOrStore(key, jsCached{s, err}); !loaded {
		runtime.AddCleanup(&d[0], func(k weak.Pointer[bson.E]) { jsonSchemaCache.Delete(k) }, key)
	}
	return s, err
}

// jsNode is one compiled schema (the root or a subschema).
type jsNode struct {
	types []func(any) bool // bsonType or type; nil allows any

	required     []string
	props        map[string]*jsNode
	patternProps []jsPatternProp
	addlProps    *jsNode // nil: anything goes
	minProps     int
	maxProps     int // -1: no limit

	enum []any // canonical (fields sorted), compared with jsEqual

	minimum, maximum any
	exclMin, exclMax bool
	multipleOf       *big.Rat

	minLength, maxLength int // code points; maxLength -1: no limit
	pattern              *regexp.Regexp

	items      *jsNode   // one schema for every element
	itemList   []*jsNode // positional schemas
	addlItems  *jsNode   // beyond itemList; nil: anything goes
	minItems   int
	maxItems   int
	uniqueItem bool

	allOf, anyOf, oneOf []*jsNode
	not                 *jsNode
	deps                []jsDependency
}

type jsPatternProp struct {
	re   *regexp.Regexp
	node *jsNode
}

// jsDependency is one entry of dependencies: when prop is present, the
// document needs the required properties, or must satisfy schema.
type jsDependency struct {
	prop     string
	required []string
	schema   *jsNode
}

// jsFalse is the schema additionalProperties: false and
// additionalItems: false stand for.
var jsFalse = &jsNode{not: &jsNode{maxProps: -1, maxLength: -1, maxItems: -1}, maxProps: -1, maxLength: -1, maxItems: -1}

// jsUnsupported are Draft 4 keywords MongoDB refuses.
var jsUnsupported = []string{"$ref", "$schema", "default", "definitions", "format", "id"}

// jsJSONTypes are type's names; MongoDB has no "integer" (use bsonType
// "int" or "long").
var jsJSONTypes = map[string]func(any) bool{
	"object":  func(v any) bool { _, ok := v.(bson.D); return ok },
	"array":   func(v any) bool { _, ok := v.(bson.A); return ok },
	"number":  IsNumber,
	"boolean": func(v any) bool { _, ok := v.(bool); return ok },
	"string":  func(v any) bool { _, ok := v.(string); return ok },
	"null":    func(v any) bool { return v == nil || v == (bson.Null{}) },
}

func jsCompile(schema any, at string) (*jsNode, error) {
	d, ok := schema.(bson.D)
	if !ok {
		return nil, fmt.Errorf("%s: a schema must be an object, not %s", at, TypeName(schema))
	}
	n := &jsNode{maxProps: -1, maxLength: -1, maxItems: -1}
	var hasType, hasBSONType, hasMax, hasMin, hasExclMax, hasExclMin bool
	for _, e := range d {
		p := at + "." + e.Key
		var err error
		switch e.Key {
		case "title", "description":
			if _, ok := e.Value.(string); !ok {
				err = fmt.Errorf("%s: must be a string, not %s", p, TypeName(e.Value))
			}
		case "bsonType":
			hasBSONType = true
			n.types, err = jsTypes(e.Value, p, true)
		case "type":
			hasType = true
			n.types, err = jsTypes(e.Value, p, false)
		case "required":
			n.required, err = jsStrings(e.Value, p, false)
		case "properties":
			n.props = map[string]*jsNode{}
			err = jsEachSchema(e.Value, p, func(k string, s *jsNode) { n.props[k] = s })
		case "patternProperties":
			err = jsEachSchema(e.Value, p, func(k string, s *jsNode) {
				n.patternProps = append(n.patternProps, jsPatternProp{node: s})
			})
			if err == nil {
				for i, pe := range e.Value.(bson.D) {
					if n.patternProps[i].re, err = compileRegex(pe.Key, ""); err != nil {
						err = fmt.Errorf("%s.%s: not a valid regular expression: %v", p, pe.Key, err)
						break
					}
				}
			}
		case "additionalProperties":
			n.addlProps, err = jsBoolOrSchema(e.Value, p)
		case "minProperties":
			n.minProps, err = jsCount(e.Value, p)
		case "maxProperties":
			n.maxProps, err = jsCount(e.Value, p)
		case "enum":
			arr, ok := e.Value.(bson.A)
			if !ok || len(arr) == 0 {
				err = fmt.Errorf("%s: must be a non-empty array, not %s", p, jsDescribe(e.Value))
				break
			}
			for _, v := range arr {
				n.enum = append(n.enum, jsCanon(v))
			}
		case "minimum":
			hasMin = true
			n.minimum, err = jsNumber(e.Value, p)
		case "maximum":
			hasMax = true
			n.maximum, err = jsNumber(e.Value, p)
		case "exclusiveMinimum":
			hasExclMin = true
			n.exclMin, err = jsBool(e.Value, p)
		case "exclusiveMaximum":
			hasExclMax = true
			n.exclMax, err = jsBool(e.Value, p)
		case "multipleOf":
			r, ok := jsRat(e.Value)
			if !IsNumber(e.Value) || !ok || r.Sign() <= 0 {
				err = fmt.Errorf("%s: must be a positive number, not %v", p, jsDescribe(e.Value))
				break
			}
			n.multipleOf = r
		case "minLength":
			n.minLength, err = jsCount(e.Value, p)
		case "maxLength":
			n.maxLength, err = jsCount(e.Value, p)
		case "pattern":
			s, ok := e.Value.(string)
			if !ok {
				err = fmt.Errorf("%s: must be a string, not %s", p, TypeName(e.Value))
				break
			}
			if n.pattern, err = compileRegex(s, ""); err != nil {
				err = fmt.Errorf("%s: not a valid regular expression: %v", p, err)
			}
		case "items":
			switch x := e.Value.(type) {
			case bson.D:
				n.items, err = jsCompile(x, p)
			case bson.A:
				n.itemList, err = jsSchemaList(x, p, false)
			default:
				err = fmt.Errorf("%s: must be an object or an array of objects, not %s", p, TypeName(e.Value))
			}
		case "additionalItems":
			n.addlItems, err = jsBoolOrSchema(e.Value, p)
		case "minItems":
			n.minItems, err = jsCount(e.Value, p)
		case "maxItems":
			n.maxItems, err = jsCount(e.Value, p)
		case "uniqueItems":
			n.uniqueItem, err = jsBool(e.Value, p)
		case "allOf":
			n.allOf, err = jsSchemaList(e.Value, p, true)
		case "anyOf":
			n.anyOf, err = jsSchemaList(e.Value, p, true)
		case "oneOf":
			n.oneOf, err = jsSchemaList(e.Value, p, true)
		case "not":
			n.not, err = jsCompile(e.Value, p)
		case "dependencies":
			err = jsDependencies(n, e.Value, p)
		default:
			if slices.Contains(jsUnsupported, e.Key) {
				return nil, fmt.Errorf("%s: $jsonSchema keyword %q is not supported by MongoDB", p, e.Key)
			}
			return nil, fmt.Errorf("%s: unknown $jsonSchema keyword %q", p, e.Key)
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case hasType && hasBSONType:
		return nil, fmt.Errorf("%s: give type or bsonType, not both", at)
	case hasExclMax && !hasMax:
		return nil, fmt.Errorf("%s.exclusiveMaximum: needs maximum beside it", at)
	case hasExclMin && !hasMin:
		return nil, fmt.Errorf("%s.exclusiveMinimum: needs minimum beside it", at)
	}
	if n.addlItems != nil && n.itemList == nil {
		// additionalItems only extends a positional items list.
		n.addlItems = nil
	}
	return n, nil
}

func jsTypes(v any, p string, bsonTypes bool) ([]func(any) bool, error) {
	names, err := jsStrings(v, p, true)
	if err != nil {
		return nil, err
	}
	var out []func(any) bool
	for _, name := range names {
		if !bsonTypes {
			f, ok := jsJSONTypes[name]
			if !ok {
				hint := ""
				if name == "integer" {
					hint = `; MongoDB has no "integer" type: use bsonType "int" or "long"`
				}
				return nil, fmt.Errorf("%s: %q is not a JSON type (object, array, number, boolean, string, null)%s", p, name, hint)
			}
			out = append(out, f)
			continue
		}
		f, err := typeChecker(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a BSON type alias (double, string, object, array, binData, objectId, bool, date, null, regex, int, timestamp, long, decimal, number, …)", p, name)
		}
		out = append(out, f)
	}
	return out, nil
}

// jsStrings reads a string, when one is allowed, or a non-empty array of
// distinct strings.
func jsStrings(v any, p string, single bool) ([]string, error) {
	if s, ok := v.(string); ok && single {
		return []string{s}, nil
	}
	arr, ok := v.(bson.A)
	if !ok || len(arr) == 0 {
		want := "a non-empty array of strings"
		if single {
			want = "a string or " + want
		}
		return nil, fmt.Errorf("%s: must be %s, not %s", p, want, jsDescribe(v))
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%s[%d]: must be a string, not %s", p, i, TypeName(e))
		}
		if slices.Contains(out[:i], s) {
			return nil, fmt.Errorf("%s: %q appears twice", p, s)
		}
		out[i] = s
	}
	return out, nil
}

func jsEachSchema(v any, p string, f func(string, *jsNode)) error {
	d, ok := v.(bson.D)
	if !ok {
		return fmt.Errorf("%s: must be an object of schemas, not %s", p, TypeName(v))
	}
	for _, e := range d {
		s, err := jsCompile(e.Value, p+"."+e.Key)
		if err != nil {
			return err
		}
		f(e.Key, s)
	}
	return nil
}

func jsSchemaList(v any, p string, nonEmpty bool) ([]*jsNode, error) {
	arr, ok := v.(bson.A)
	if !ok || nonEmpty && len(arr) == 0 {
		return nil, fmt.Errorf("%s: must be a non-empty array of schemas, not %s", p, jsDescribe(v))
	}
	out := make([]*jsNode, len(arr))
	for i, e := range arr {
		s, err := jsCompile(e, fmt.Sprintf("%s[%d]", p, i))
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func jsBoolOrSchema(v any, p string) (*jsNode, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return nil, nil
		}
		return jsFalse, nil
	case bson.D:
		return jsCompile(x, p)
	}
	return nil, fmt.Errorf("%s: must be a boolean or a schema, not %s", p, TypeName(v))
}

func jsDependencies(n *jsNode, v any, p string) error {
	d, ok := v.(bson.D)
	if !ok {
		return fmt.Errorf("%s: must be an object, not %s", p, TypeName(v))
	}
	for _, e := range d {
		dep := jsDependency{prop: e.Key}
		var err error
		switch e.Value.(type) {
		case bson.A:
			dep.required, err = jsStrings(e.Value, p+"."+e.Key, false)
		case bson.D:
			dep.schema, err = jsCompile(e.Value, p+"."+e.Key)
		default:
			err = fmt.Errorf("%s.%s: must be an array of property names or a schema, not %s", p, e.Key, TypeName(e.Value))
		}
		if err != nil {
			return err
		}
		n.deps = append(n.deps, dep)
	}
	return nil
}

// jsCount reads a non-negative whole number (minLength, maxItems, …).
func jsCount(v any, p string) (int, error) {
	i, ok := exactInt(v)
	if !IsNumber(v) || !ok || i < 0 || i > math.MaxInt32 {
		return 0, fmt.Errorf("%s: must be a non-negative whole number, not %s", p, jsDescribe(v))
	}
	return int(i), nil
}

func jsNumber(v any, p string) (any, error) {
	if !IsNumber(v) {
		return nil, fmt.Errorf("%s: must be a number, not %s", p, TypeName(v))
	}
	return v, nil
}

func jsBool(v any, p string) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%s: must be a boolean, not %s", p, TypeName(v))
	}
	return b, nil
}

func jsDescribe(v any) string {
	if a, ok := v.(bson.A); ok && len(a) == 0 {
		return "an empty array"
	}
	if IsNumber(v) {
		return fmt.Sprintf("%v", v)
	}
	return TypeName(v)
}

// jsRat is a number as an exact fraction. A double counts with 15
// significant digits, as MongoDB turns it into a decimal for multipleOf,
// so 0.3 is a multiple of 0.1.
func jsRat(v any) (*big.Rat, bool) {
	var s string
	switch x := v.(type) {
	case int32:
		return new(big.Rat).SetInt64(int64(x)), true
	case int64:
		return new(big.Rat).SetInt64(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		s = strconv.FormatFloat(x, 'g', 15, 64)
	case bson.Decimal128:
		s = x.String()
	default:
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// jsCanon sorts the fields of documents, recursively: enum and
// uniqueItems compare objects regardless of field order, as JSON Schema
// requires and MongoDB does.
func jsCanon(v any) any {
	switch x := v.(type) {
	case bson.D:
		out := make(bson.D, len(x))
		for i, e := range x {
			out[i] = bson.E{Key: e.Key, Value: jsCanon(e.Value)}
		}
		slices.SortStableFunc(out, func(a, b bson.E) int { return strings.Compare(a.Key, b.Key) })
		return out
	case bson.A:
		out := make(bson.A, len(x))
		for i, e := range x {
			out[i] = jsCanon(e)
		}
		return out
	}
	return v
}

func (n *jsNode) valid(v any) bool {
	if n.types != nil && !slices.ContainsFunc(n.types, func(f func(any) bool) bool { return f(v) }) {
		return false
	}
	if n.enum != nil {
		c := jsCanon(v)
		if !slices.ContainsFunc(n.enum, func(e any) bool { return Equal(c, e) }) {
			return false
		}
	}
	switch x := v.(type) {
	case bson.D:
		if !n.validObject(x) {
			return false
		}
	case bson.A:
		if !n.validArray(x) {
			return false
		}
	case string:
		if n.minLength > 0 || n.maxLength >= 0 {
			l := utf8.RuneCountInString(x)
			if l < n.minLength || n.maxLength >= 0 && l > n.maxLength {
				return false
			}
		}
		if n.pattern != nil && !n.pattern.MatchString(x) {
			return false
		}
	default:
		if IsNumber(v) && !n.validNumber(v) {
			return false
		}
	}
	for _, s := range n.allOf {
		if !s.valid(v) {
			return false
		}
	}
	if n.anyOf != nil && !slices.ContainsFunc(n.anyOf, func(s *jsNode) bool { return s.valid(v) }) {
		return false
	}
	if n.oneOf != nil {
		count := 0
		for _, s := range n.oneOf {
			if s.valid(v) {
				count++
			}
		}
		if count != 1 {
			return false
		}
	}
	return n.not == nil || !n.not.valid(v)
}

func (n *jsNode) validNumber(v any) bool {
	if n.minimum != nil {
		c := Compare(v, n.minimum)
		if isNaN(v) || c < 0 || c == 0 && n.exclMin {
			return false
		}
	}
	if n.maximum != nil {
		c := Compare(v, n.maximum)
		if isNaN(v) || c > 0 || c == 0 && n.exclMax {
			return false
		}
	}
	if n.multipleOf != nil {
		r, ok := jsRat(v)
		if !ok || !r.Quo(r, n.multipleOf).IsInt() {
			return false
		}
	}
	return true
}

func (n *jsNode) validObject(d bson.D) bool {
	if len(d) < n.minProps || n.maxProps >= 0 && len(d) > n.maxProps {
		return false
	}
	for _, r := range n.required {
		if _, ok := docGet(d, r); !ok {
			return false
		}
	}
	for _, e := range d {
		matched := false
		if s, ok := n.props[e.Key]; ok {
			matched = true
			if !s.valid(e.Value) {
				return false
			}
		}
		for _, pp := range n.patternProps {
			if pp.re.MatchString(e.Key) {
				matched = true
				if !pp.node.valid(e.Value) {
					return false
				}
			}
		}
		if !matched && n.addlProps != nil && !n.addlProps.valid(e.Value) {
			return false
		}
	}
	for _, dep := range n.deps {
		if _, ok := docGet(d, dep.prop); !ok {
			continue
		}
		for _, r := range dep.required {
			if _, ok := docGet(d, r); !ok {
				return false
			}
		}
		if dep.schema != nil && !dep.schema.valid(d) {
			return false
		}
	}
	return true
}

func (n *jsNode) validArray(a bson.A) bool {
	if len(a) < n.minItems || n.maxItems >= 0 && len(a) > n.maxItems {
		return false
	}
	for i, e := range a {
		switch {
		case n.items != nil:
			if !n.items.valid(e) {
				return false
			}
		case i < len(n.itemList):
			if !n.itemList[i].valid(e) {
				return false
			}
		case n.addlItems != nil:
			if !n.addlItems.valid(e) {
				return false
			}
		}
	}
	if n.uniqueItem {
		canon := make([]any, len(a))
		for i, e := range a {
			canon[i] = jsCanon(e)
			for j := range i {
				if Equal(canon[i], canon[j]) {
					return false
				}
			}
		}
	}
	return true
}
