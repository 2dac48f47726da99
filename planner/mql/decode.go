package mql

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Decode reads a processor from Extended JSON (relaxed or canonical): a
// JSON array of stages, or a document {name, pipeline, options}. When the
// text isn't strict JSON it is read as mongosh syntax (DecodeShell), so what
// users paste from the ASP docs works. It validates the processor and
// returns its lints, decode-time ones (aliases) first.
func Decode(data []byte) (*Processor, []Warning, error) {
	if err := checkText(data); err != nil {
		return nil, nil, err
	}
	v, err := ParseJSON(data)
	if err != nil {
		// The shell reader accepts all of JSON, so its error (with a line
		// and column) is the one to show.
		return DecodeShell(data)
	}
	return DecodeValue(v)
}

// checkText rejects text Decode can't read faithfully or cheaply: bytes
// that aren't UTF-8 (the JSON reader would keep them and the encoder print
// them as U+FFFD, so a name would differ between what the user wrote and
// what weir runs), and nesting deeper than maxDepth, which costs the
// recursive readers and the indented printer time and memory that grow
// with the square of the depth long before the depth is useful.
func checkText(src []byte) error {
	if !utf8.Valid(src) {
		for i := 0; i < len(src); {
			r, n := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && n <= 1 {
				return Errorf(lineCol(src, i), "the input is not valid UTF-8 (byte 0x%02x); save the file as UTF-8", src[i])
			}
			i += n
		}
	}
	depth := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"', '\'':
			// A string; its brackets don't nest.
			for i++; i < len(src) && src[i] != c; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '/':
			switch {
			case i+1 < len(src) && src[i+1] == '/':
				for i < len(src) && src[i] != '\n' {
					i++
				}
			case i+1 < len(src) && src[i+1] == '*':
				if end := bytes.Index(src[i+2:], []byte("*/")); end >= 0 {
					i += end + 3
				} else {
					i = len(src)
				}
			}
		case '[', '{', '(':
			if depth++; depth > maxDepth {
				return Errorf(lineCol(src, i), "nested more than %d levels deep; weir reads at most %d, as MongoDB's maxBSONDepth", maxDepth, maxDepth)
			}
		case ']', '}', ')':
			depth--
		}
	}
	return nil
}

// maxDepth is how deeply arrays, documents and calls may nest in a
// pipeline's text: MongoDB's default maxBSONDepth.
const maxDepth = 200

// lineCol is the "line:column" path of byte offset off in src, counting
// columns in characters.
func lineCol(src []byte, off int) Path {
	line, col := 1, 1
	for _, r := range string(src[:off]) {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return Path(fmt.Sprintf("%d:%d", line, col))
}

// DecodeValue is Decode for an already parsed value: a bson.A of stages or
// a bson.D {name, pipeline, options}.
func DecodeValue(v any) (*Processor, []Warning, error) {
	d := &decoder{}
	proc, err := d.processor(v)
	if err != nil {
		return nil, nil, err
	}
	if err := Validate(proc); err != nil {
		return nil, nil, err
	}
	return proc, append(d.warns, Lint(proc)...), nil
}

// DecodeStage decodes one stage document found at p in a pipeline of the
// given place. It checks the stage's shape and option types; where the stage
// may appear and its option values are Validate's job.
func DecodeStage(v any, p Path, where Place) (Stage, []Warning, error) {
	d := &decoder{}
	s, err := d.stage(v, p, where)
	return s, d.warns, err
}

// decoder carries the warnings found while decoding and the user variables
// in scope ($lookup let).
type decoder struct {
	warns []Warning
	vars  []string
}

func (d *decoder) warnf(p Path, format string, args ...any) {
	d.warns = append(d.warns, Warning{Path: p, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) processor(v any) (*Processor, error) {
	switch v := v.(type) {
	case bson.A:
		pl, err := d.pipeline(v, "pipeline", InMain)
		if err != nil {
			return nil, err
		}
		return &Processor{Pipeline: pl}, nil
	case bson.D:
		if len(v) == 1 && strings.HasPrefix(v[0].Key, "$") {
			// One stage pasted on its own, as the mongosh reader already
			// takes it: a pipeline of that stage.
			return d.processor(bson.A{v})
		}
		o, err := d.opts(v, "", "a processor", "name", "pipeline", "options")
		if err != nil {
			return nil, err
		}
		proc := &Processor{}
		if proc.Name, err = o.str("name"); err != nil {
			return nil, err
		}
		raw, ok := o.get("pipeline")
		if !ok {
			return nil, Errorf("pipeline", "missing; a processor document needs a pipeline array")
		}
		if proc.Pipeline, err = d.pipeline(raw, "pipeline", InMain); err != nil {
			return nil, err
		}
		if raw, ok := o.get("options"); ok {
			if proc.Options, err = d.options(raw, "options"); err != nil {
				return nil, err
			}
		}
		return proc, nil
	default:
		return nil, Errorf("", "expected an array of stages or a document {name, pipeline, options}, found %s", describe(v))
	}
}

func (d *decoder) options(v any, p Path) (Options, error) {
	var opt Options
	o, err := d.opts(v, p, "options", "dlq", "streamMetaFieldName", "tier")
	if err != nil {
		return opt, err
	}
	if raw, ok := o.get("dlq"); ok {
		// modify's dlq: {} removes the DLQ.
		if doc, isDoc := raw.(bson.D); !isDoc || len(doc) > 0 {
			ns, err := d.namespace(raw, p.Key("dlq"), "options.dlq")
			if err != nil {
				return opt, err
			}
			opt.DLQ = &ns
		}
	}
	if o.has("streamMetaFieldName") {
		s, err := o.str("streamMetaFieldName")
		if err != nil {
			return opt, err
		}
		opt.StreamMetaFieldName = &s
	}
	if opt.Tier, err = o.str("tier"); err != nil {
		return opt, err
	}
	return opt, nil
}

// namespace decodes {connectionName, db, coll}, all three required.
func (d *decoder) namespace(v any, p Path, what string) (Namespace, error) {
	var ns Namespace
	o, err := d.opts(v, p, what, "connectionName", "db", "coll")
	if err != nil {
		return ns, err
	}
	if ns.ConnectionName, err = o.reqStr("connectionName"); err != nil {
		return ns, err
	}
	if ns.DB, err = o.reqStr("db"); err != nil {
		return ns, err
	}
	if ns.Coll, err = o.reqStr("coll"); err != nil {
		return ns, err
	}
	return ns, nil
}

func (d *decoder) pipeline(v any, p Path, where Place) (Pipeline, error) {
	arr, ok := v.(bson.A)
	if !ok {
		return nil, Errorf(p, "expected an array of stages, found %s", describe(v))
	}
	pl := make(Pipeline, 0, len(arr))
	for i, sv := range arr {
		s, err := d.stage(sv, p.Index(i), where)
		if err != nil {
			return nil, err
		}
		pl = append(pl, s)
	}
	return pl, nil
}

func (d *decoder) stage(v any, p Path, where Place) (Stage, error) {
	doc, ok := v.(bson.D)
	if !ok {
		return nil, Errorf(p, "expected a stage document such as {$match: {…}}, found %s", describe(v))
	}
	if len(doc) != 1 {
		keys := make([]string, len(doc))
		for i, e := range doc {
			keys[i] = e.Key
		}
		return nil, Errorf(p, "a stage document has exactly one field, the stage name; found %d (%s)", len(doc), strings.Join(keys, ", "))
	}
	name, body := doc[0].Key, doc[0].Value
	sp := p.Key(name)
	switch name {
	case "$source":
		return d.source(body, sp)
	case "$validate":
		return d.validate(body, sp)
	case "$match":
		q, err := d.query(body, sp)
		if err != nil {
			return nil, err
		}
		return &Match{Query: q}, nil
	case "$project":
		return d.project(body, sp)
	case "$addFields", "$set":
		return d.addFields(name, body, sp)
	case "$unset":
		return d.unset(body, sp)
	case "$replaceRoot":
		return d.replaceRoot(body, sp)
	case "$replaceWith":
		e, err := d.expr(body, sp)
		if err != nil {
			return nil, err
		}
		return &ReplaceRoot{NewRoot: e, With: true}, nil
	case "$redact":
		// $$DESCEND, $$PRUNE and $$KEEP exist only in $redact.
		e, err := ParseExprIn(body, sp, append(slices.Clone(d.vars), "DESCEND", "PRUNE", "KEEP"))
		if err != nil {
			return nil, err
		}
		return &Redact{Expr: e}, nil
	case "$unwind":
		return d.unwind(body, sp)
	case "$lookup":
		return d.lookup(body, sp)
	case "$cachedLookup":
		return d.cachedLookup(body, sp)
	case "$documents":
		e, err := d.expr(body, sp)
		if err != nil {
			return nil, err
		}
		return &Documents{Docs: e}, nil
	case "$tumblingWindow", "$hoppingWindow":
		return d.fixedWindow(name, body, sp)
	case "$sessionWindow":
		return d.sessionWindow(body, sp)
	case "$group":
		return d.group(body, sp)
	case "$sort":
		keys, err := d.sortKeys(body, sp)
		if err != nil {
			return nil, err
		}
		return &Sort{Keys: keys}, nil
	case "$limit":
		n, err := d.integer(body, sp)
		if err != nil {
			return nil, err
		}
		return &Limit{N: n}, nil
	case "$count":
		s, ok := body.(string)
		if !ok {
			return nil, Errorf(sp, "expected the name of the output field as a string, found %s", describe(body))
		}
		return &Count{Field: s}, nil
	case "$setWindowFields":
		return d.setWindowFields(body, sp)
	case "$setStreamMeta":
		return d.setStreamMeta(body, sp)
	case "$https":
		return d.https(body, sp)
	case "$externalFunction":
		return d.externalFunction(body, sp)
	case "$throttle":
		return d.throttle(body, sp)
	case "$merge":
		return d.merge(body, sp)
	case "$emit":
		return d.emit(body, sp)
	}
	if alt, ok := notYetStages[name]; ok {
		msg := name + " is an Atlas Stream Processing stage weir does not support yet"
		if alt != "" {
			msg += "; " + alt
		}
		return nil, Errorf(p, "%s", msg)
	}
	if alt, ok := unsupportedStages[name]; ok {
		msg := name + " is not supported by Atlas Stream Processing or weir"
		if alt != "" {
			msg += "; " + alt
		}
		return nil, Errorf(p, "%s", msg)
	}
	names := make([]string, len(stageInfos))
	for i, s := range stageInfos {
		names[i] = s.Name
	}
	if c := closest(name, names); c != "" {
		return nil, Errorf(p, "unknown stage %q; did you mean %q?", name, c)
	}
	return nil, Errorf(p, "unknown stage %q", name)
}

// expr, query and accumulator parse with the decoder's variables in scope.
func (d *decoder) expr(v any, p Path) (Expr, error) { return ParseExprIn(v, p, d.vars) }

func (d *decoder) query(v any, p Path) (*Query, error) {
	if _, ok := v.(bson.D); !ok {
		return nil, Errorf(p, "expected a query document, found %s", describe(v))
	}
	return ParseQueryIn(v, p, d.vars)
}

// letVars decodes the let of $lookup or $merge: variables, whose names
// follow MongoDB's rule.
func (d *decoder) letVars(v any, p Path) ([]Field, error) {
	fs, err := d.fields(v, p)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if err := checkVarName(f.Name); err != nil {
			return nil, Errorf(p.Key(f.Name), "%s", err)
		}
	}
	return fs, nil
}

// fields decodes a document of named expressions ($addFields, let, …).
func (d *decoder) fields(v any, p Path) ([]Field, error) {
	doc, ok := v.(bson.D)
	if !ok {
		return nil, Errorf(p, "expected a document of fields, found %s", describe(v))
	}
	out := make([]Field, 0, len(doc))
	for _, e := range doc {
		if err := dupKey(doc, e.Key, p); err != nil {
			return nil, err
		}
		x, err := d.expr(e.Value, p.Key(e.Key))
		if err != nil {
			return nil, err
		}
		out = append(out, Field{Name: e.Key, Value: x})
	}
	return out, nil
}

func dupKey(doc bson.D, k string, p Path) error {
	n := 0
	for _, e := range doc {
		if e.Key == k {
			n++
		}
	}
	if n > 1 {
		return Errorf(p.Key(k), "given %d times; give it once", n)
	}
	return nil
}

// nameExpr decodes a string that is a plain name unless it starts with "$"
// or is an expression document.
func (d *decoder) nameExpr(v any, p Path) (NameExpr, error) {
	if s, ok := v.(string); ok && !strings.HasPrefix(s, "$") {
		return NameExpr{Name: s}, nil
	}
	switch v.(type) {
	case string, bson.D:
		e, err := d.expr(v, p)
		if err != nil {
			return NameExpr{}, err
		}
		return NameExpr{Expr: e}, nil
	}
	return NameExpr{}, Errorf(p, "expected a string or an expression, found %s", describe(v))
}

// opts is a document of options whose keys have been checked.
type opts struct {
	d    *decoder
	path Path
	doc  bson.D
}

// opts checks that v is a document whose keys are all in allowed, each
// given once. what names the document in errors ("$source").
func (d *decoder) opts(v any, p Path, what string, allowed ...string) (*opts, error) {
	doc, ok := v.(bson.D)
	if !ok {
		return nil, Errorf(p, "expected a document, found %s", describe(v))
	}
	for _, e := range doc {
		if !slices.Contains(allowed, e.Key) {
			return nil, unknownKey(p.Key(e.Key), e.Key, what, allowed)
		}
		if err := dupKey(doc, e.Key, p); err != nil {
			return nil, err
		}
	}
	return &opts{d: d, path: p, doc: doc}, nil
}

func unknownKey(p Path, key, what string, allowed []string) error {
	msg := fmt.Sprintf("unknown option %q of %s", key, what)
	if c := closest(key, allowed); c != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", c)
	}
	return Errorf(p, "%s; expected one of %s", msg, strings.Join(allowed, ", "))
}

func (o *opts) get(k string) (any, bool) {
	for _, e := range o.doc {
		if e.Key == k {
			return e.Value, true
		}
	}
	return nil, false
}

func (o *opts) has(k string) bool { _, ok := o.get(k); return ok }

func (o *opts) at(k string) Path { return o.path.Key(k) }

// str returns the string option k, "" when absent.
func (o *opts) str(k string) (string, error) {
	v, ok := o.get(k)
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", Errorf(o.at(k), "expected a string, found %s", describe(v))
	}
	return s, nil
}

// reqStr returns the string option k, which must be present and non-empty.
func (o *opts) reqStr(k string) (string, error) {
	if !o.has(k) {
		return "", Errorf(o.path, "%s is required", k)
	}
	s, err := o.str(k)
	if err == nil && s == "" {
		err = Errorf(o.at(k), "must not be empty")
	}
	return s, err
}

// strs returns a string or an array of strings, and whether it was an
// array.
func (o *opts) strs(k string) ([]string, error) {
	v, ok := o.get(k)
	if !ok {
		return nil, nil
	}
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case bson.A:
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, Errorf(o.at(k).Index(i), "expected a string, found %s", describe(e))
			}
			out[i] = s
		}
		if len(out) == 0 {
			return nil, Errorf(o.at(k), "expected a string or a non-empty array of strings, found an empty array")
		}
		return out, nil
	}
	return nil, Errorf(o.at(k), "expected a string or an array of strings, found %s", describe(v))
}

func (o *opts) boolean(k string) (*bool, error) {
	v, ok := o.get(k)
	if !ok {
		return nil, nil
	}
	b, ok := v.(bool)
	if !ok {
		return nil, Errorf(o.at(k), "expected true or false, found %s", describe(v))
	}
	return &b, nil
}

// int returns the integer option k, 0 when absent.
func (o *opts) int(k string) (int64, error) {
	v, ok := o.get(k)
	if !ok {
		return 0, nil
	}
	return o.d.integer(v, o.at(k))
}

func (d *decoder) integer(v any, p Path) (int64, error) {
	n, ok := asInt(v)
	if !ok {
		return 0, Errorf(p, "expected an integer, found %s", describe(v))
	}
	return n, nil
}

// asInt accepts any BSON number with an integral value.
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}

func (o *opts) expr(k string) (Expr, error) {
	v, ok := o.get(k)
	if !ok {
		return nil, nil
	}
	return o.d.expr(v, o.at(k))
}

func (o *opts) duration(k string) (*Duration, error) {
	v, ok := o.get(k)
	if !ok {
		return nil, nil
	}
	return o.d.duration(v, o.at(k))
}

// duration decodes {size, unit}, or the literal 0 ("off").
func (d *decoder) duration(v any, p Path) (*Duration, error) {
	if n, ok := asInt(v); ok && n == 0 {
		return &Duration{}, nil
	}
	o, err := d.opts(v, p, "a duration", "size", "unit")
	if err != nil {
		if _, isDoc := v.(bson.D); !isDoc {
			return nil, Errorf(p, "expected a duration {size, unit}, found %s", describe(v))
		}
		return nil, err
	}
	if !o.has("size") || !o.has("unit") {
		return nil, Errorf(p, "a duration needs size and unit: {size: 5, unit: \"second\"}")
	}
	size, err := o.int("size")
	if err != nil {
		return nil, Errorf(o.at("size"), "size must be a positive integer, found %s", describe(o.doc[indexOf(o.doc, "size")].Value))
	}
	unit, err := o.str("unit")
	if err != nil {
		return nil, err
	}
	dur := &Duration{Size: size, Unit: unit}
	// Check here as well as in Validate, so that a bad duration is reported
	// where it is and not as a zero duration.
	if err := dur.check(p, false); err != nil {
		return nil, err
	}
	return dur, nil
}

func indexOf(doc bson.D, k string) int {
	for i, e := range doc {
		if e.Key == k {
			return i
		}
	}
	return -1
}

// describe names a value's type for "found …" in errors.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("%t", v)
	case int32, int64:
		return fmt.Sprintf("the integer %d", v)
	case float64:
		return fmt.Sprintf("the number %v", v)
	case bson.D:
		if len(v) > 0 && strings.HasPrefix(v[0].Key, "$") {
			return "an expression {" + v[0].Key + ": …}"
		}
		return "a document"
	case bson.A:
		if len(v) == 0 {
			return "an empty array"
		}
		return "an array"
	case bson.DateTime:
		return "a date"
	case bson.Timestamp:
		return "a timestamp"
	case bson.ObjectID:
		return "an ObjectId"
	}
	return fmt.Sprintf("a %T", v)
}

// closest returns the candidate nearest to s by edit distance, if near
// enough to be a plausible typo.
func closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	ls := strings.ToLower(s)
	for _, c := range candidates {
		dist := EditDistance(ls, strings.ToLower(c))
		if dist < bestD {
			best, bestD = c, dist
		}
	}
	// Short names are one typo away from many others: suggest only a
	// difference of case for them.
	limit := max(1, len(s)/3)
	if len(s) < 4 {
		limit = 0
	}
	if bestD <= limit || (best != "" && len(ls) > 3 && strings.Contains(strings.ToLower(best), strings.Trim(ls, "$"))) {
		return best
	}
	return ""
}
