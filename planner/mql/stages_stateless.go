package mql

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ValidateStage is $validate. (Validate is the function that checks a
// processor.)
type ValidateStage struct {
	Validator *Query
	// ValidationAction is "discard" or "dlq"; "" leaves ASP's default,
	// discard.
	ValidationAction string
}

func (*ValidateStage) Op() string { return "$validate" }

func (s *ValidateStage) Body() any {
	d := bson.D{{Key: "validator", Value: EncodeQuery(s.Validator)}}
	if s.ValidationAction != "" {
		d = append(d, bson.E{Key: "validationAction", Value: s.ValidationAction})
	}
	return d
}

func (s *ValidateStage) check(p Path) error {
	if s.Validator == nil {
		return Errorf(p, "validator is required")
	}
	return optOneOf(p.Key("validationAction"), s.ValidationAction, []string{"discard", "dlq"})
}

func (d *decoder) validate(v any, p Path) (Stage, error) {
	o, err := d.opts(v, p, "$validate", "validator", "validationAction")
	if err != nil {
		return nil, err
	}
	s := &ValidateStage{}
	raw, ok := o.get("validator")
	if !ok {
		return nil, Errorf(p, "validator is required")
	}
	if s.Validator, err = d.query(raw, o.at("validator")); err != nil {
		return nil, err
	}
	if s.ValidationAction, err = o.str("validationAction"); err != nil {
		return nil, err
	}
	return s, nil
}

// Match is $match.
type Match struct{ Query *Query }

func (*Match) Op() string       { return "$match" }
func (s *Match) Body() any      { return EncodeQuery(s.Query) }
func (*Match) check(Path) error { return nil }

// ProjectKind is what a $project field does.
type ProjectKind uint8

const (
	// Include keeps the field (1 or true).
	Include ProjectKind = iota
	// Exclude drops the field (0 or false).
	Exclude
	// Compute sets the field to an expression.
	Compute
)

// Project is $project. Nested specifications ({a: {b: 1}}) are flattened to
// dotted paths ({"a.b": 1}), which MongoDB treats the same.
type Project struct{ Fields []ProjectField }

// ProjectField is one field of a $project.
type ProjectField struct {
	Path string
	Kind ProjectKind
	Expr Expr // for Compute
}

func (*Project) Op() string { return "$project" }

func (s *Project) Body() any {
	d := make(bson.D, 0, len(s.Fields))
	for _, f := range s.Fields {
		var v any
		switch f.Kind {
		case Include:
			v = int32(1)
		case Exclude:
			v = int32(0)
		default:
			v = EncodeExpr(f.Expr)
			// A number or boolean would read back as inclusion or
			// exclusion.
			switch v.(type) {
			case int32, int64, float64, bool, bson.Decimal128:
				v = bson.D{{Key: "$literal", Value: v}}
			}
		}
		d = append(d, bson.E{Key: f.Path, Value: v})
	}
	return d
}

// Exclusion reports whether the projection removes fields rather than
// keeping the listed ones.
func (s *Project) Exclusion() bool {
	for _, f := range s.Fields {
		if f.Kind != Exclude {
			return false
		}
	}
	return len(s.Fields) > 0
}

func (s *Project) check(p Path) error {
	if len(s.Fields) == 0 {
		return Errorf(p, "a $project needs at least one field")
	}
	var incl, excl string
	for _, f := range s.Fields {
		switch {
		case f.Kind == Exclude && f.Path != "_id":
			excl = f.Path
		case f.Kind != Exclude:
			incl = f.Path
		}
		if excl != "" && incl != "" {
			return Errorf(p.Key(f.Path), "cannot mix exclusion (%s: 0) with inclusion or computed fields (%s) in one $project; only _id may be excluded from an inclusion", excl, incl)
		}
	}
	// MongoDB refuses a path given twice, or with one of its parents:
	// {a: 1, "a.b": 1} and {a: {b: 1}, "a.b": 0}.
	for i, f := range s.Fields {
		for _, g := range s.Fields[:i] {
			if g.Path == f.Path || strings.HasPrefix(f.Path, g.Path+".") || strings.HasPrefix(g.Path, f.Path+".") {
				return Errorf(p.Key(f.Path), "path collision with %s; give each path once, and a field or its subfields, not both", g.Path)
			}
		}
	}
	return nil
}

func (d *decoder) project(v any, p Path) (Stage, error) {
	doc, ok := v.(bson.D)
	if !ok {
		return nil, Errorf(p, "expected a document of fields, found %s", describe(v))
	}
	s := &Project{}
	if err := d.projectFields(doc, "", p, s); err != nil {
		return nil, err
	}
	return s, nil
}

func (d *decoder) projectFields(doc bson.D, prefix string, p Path, s *Project) error {
	for _, e := range doc {
		if err := dupKey(doc, e.Key, p); err != nil {
			return err
		}
		fp := p.Key(e.Key)
		if strings.HasPrefix(e.Key, "$") {
			return Errorf(fp, "%q is not a field name; $project takes {field: 1 | 0 | expression}", e.Key)
		}
		path := prefix + e.Key
		f := ProjectField{Path: path, Kind: Compute}
		switch x := e.Value.(type) {
		case bool:
			f.Kind = Include
			if !x {
				f.Kind = Exclude
			}
		case int32, int64, float64, bson.Decimal128:
			f.Kind = Include
			if isZero(x) {
				f.Kind = Exclude
			}
		case bson.D:
			if len(x) == 0 {
				return Errorf(fp, "an empty document is not a projection; give fields or an expression")
			}
			if !strings.HasPrefix(x[0].Key, "$") {
				if err := d.projectFields(x, path+".", fp, s); err != nil {
					return err
				}
				continue
			}
		}
		if f.Kind == Compute {
			ex, err := d.expr(e.Value, fp)
			if err != nil {
				return err
			}
			f.Expr = ex
		}
		s.Fields = append(s.Fields, f)
	}
	return nil
}

func isZero(v any) bool {
	switch n := v.(type) {
	case int32:
		return n == 0
	case int64:
		return n == 0
	case float64:
		return n == 0
	case bson.Decimal128:
		return n.IsZero()
	}
	return false
}

// AddFields is $addFields, or its alias $set when Set is true.
type AddFields struct {
	Fields []Field
	Set    bool
}

func (s *AddFields) Op() string {
	if s.Set {
		return "$set"
	}
	return "$addFields"
}

func (s *AddFields) Body() any { return fieldsDoc(s.Fields) }

func (s *AddFields) check(p Path) error {
	if len(s.Fields) == 0 {
		return Errorf(p, "%s needs at least one field", s.Op())
	}
	for _, f := range s.Fields {
		if strings.HasPrefix(f.Name, "$") || checkFieldPath(f.Name) != nil {
			return Errorf(p.Key(f.Name), "%q is not a field name", f.Name)
		}
	}
	return nil
}

func (d *decoder) addFields(name string, v any, p Path) (Stage, error) {
	fs, err := d.fields(v, p)
	if err != nil {
		return nil, err
	}
	return &AddFields{Fields: fs, Set: name == "$set"}, nil
}

// Unset is $unset.
type Unset struct{ Fields []string }

func (*Unset) Op() string  { return "$unset" }
func (s *Unset) Body() any { return strsValue(s.Fields) }

func (s *Unset) check(p Path) error {
	if len(s.Fields) == 0 {
		return Errorf(p, "$unset needs at least one field")
	}
	for i, f := range s.Fields {
		if f == "" || strings.HasPrefix(f, "$") {
			return Errorf(p.Index(i), "%q is not a field name", f)
		}
	}
	return nil
}

func (d *decoder) unset(v any, p Path) (Stage, error) {
	o := &opts{d: d, path: p, doc: bson.D{{Key: "", Value: v}}}
	fs, err := o.strs("")
	if err != nil {
		return nil, Errorf(p, "expected a field name or an array of field names, found %s", describe(v))
	}
	return &Unset{Fields: fs}, nil
}

// ReplaceRoot is $replaceRoot {newRoot}, or $replaceWith when With is true.
type ReplaceRoot struct {
	NewRoot Expr
	With    bool
}

func (s *ReplaceRoot) Op() string {
	if s.With {
		return "$replaceWith"
	}
	return "$replaceRoot"
}

func (s *ReplaceRoot) Body() any {
	if s.With {
		return EncodeExpr(s.NewRoot)
	}
	return bson.D{{Key: "newRoot", Value: EncodeExpr(s.NewRoot)}}
}

func (s *ReplaceRoot) check(p Path) error {
	if s.NewRoot == nil {
		return Errorf(p, "newRoot is required")
	}
	return nil
}

func (d *decoder) replaceRoot(v any, p Path) (Stage, error) {
	o, err := d.opts(v, p, "$replaceRoot", "newRoot")
	if err != nil {
		return nil, err
	}
	raw, ok := o.get("newRoot")
	if !ok {
		return nil, Errorf(p, "newRoot is required")
	}
	e, err := d.expr(raw, o.at("newRoot"))
	if err != nil {
		return nil, err
	}
	return &ReplaceRoot{NewRoot: e}, nil
}

// Redact is $redact.
type Redact struct{ Expr Expr }

func (*Redact) Op() string       { return "$redact" }
func (s *Redact) Body() any      { return EncodeExpr(s.Expr) }
func (*Redact) check(Path) error { return nil }

// Unwind is $unwind. It encodes in the short "$path" form when it has no
// options.
type Unwind struct {
	Path                       string // without the "$"
	IncludeArrayIndex          string
	PreserveNullAndEmptyArrays *bool
}

func (*Unwind) Op() string { return "$unwind" }

func (s *Unwind) Body() any {
	if s.IncludeArrayIndex == "" && s.PreserveNullAndEmptyArrays == nil {
		return "$" + s.Path
	}
	d := bson.D{{Key: "path", Value: "$" + s.Path}}
	if s.IncludeArrayIndex != "" {
		d = append(d, bson.E{Key: "includeArrayIndex", Value: s.IncludeArrayIndex})
	}
	if s.PreserveNullAndEmptyArrays != nil {
		d = append(d, bson.E{Key: "preserveNullAndEmptyArrays", Value: *s.PreserveNullAndEmptyArrays})
	}
	return d
}

func (s *Unwind) check(p Path) error {
	if s.Path == "" || strings.HasPrefix(s.Path, "$") {
		return Errorf(p, "expected a field path such as \"$items\", found %q", "$"+s.Path)
	}
	if strings.HasPrefix(s.IncludeArrayIndex, "$") {
		return Errorf(p.Key("includeArrayIndex"), "expected a field name without \"$\", found %q", s.IncludeArrayIndex)
	}
	return nil
}

func (d *decoder) unwind(v any, p Path) (Stage, error) {
	s := &Unwind{}
	path, pp := v, p
	if _, isDoc := v.(bson.D); isDoc {
		o, err := d.opts(v, p, "$unwind", "path", "includeArrayIndex", "preserveNullAndEmptyArrays")
		if err != nil {
			return nil, err
		}
		var ok bool
		if path, ok = o.get("path"); !ok {
			return nil, Errorf(p, "path is required")
		}
		pp = o.at("path")
		if s.IncludeArrayIndex, err = o.str("includeArrayIndex"); err != nil {
			return nil, err
		}
		if s.PreserveNullAndEmptyArrays, err = o.boolean("preserveNullAndEmptyArrays"); err != nil {
			return nil, err
		}
	}
	str, ok := path.(string)
	if !ok || !strings.HasPrefix(str, "$") || strings.HasPrefix(str, "$$") {
		return nil, Errorf(pp, "expected a field path such as \"$items\", found %s", describe(path))
	}
	s.Path = str[1:]
	return s, nil
}
