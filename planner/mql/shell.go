package mql

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// DecodeShell reads a processor written in mongosh syntax, as ASP's docs
// print pipelines: unquoted keys, single-quoted strings, trailing commas,
// comments, ISODate('…'), new Date('…'), NumberInt, Int32, NumberLong,
// Long, NumberDecimal, ObjectId, Timestamp, UUID, BinData; variables
// (let s = {…}; pipeline = […]); sp.createStreamProcessor(name, pipeline,
// options), sp.process(pipeline) and sp.<name>.modify(pipeline, options);
// or a bare sequence of stages, with or without commas between them.
//
// It is a small reader for literals, not a JavaScript engine: no
// arithmetic, functions or loops. Syntax errors are *Error with the path
// "line:column".
func DecodeShell(src []byte) (*Processor, []Warning, error) {
	v, warns, err := parseShell(src)
	if err != nil {
		return nil, nil, err
	}
	p, more, err := DecodeValue(v)
	if err != nil {
		return nil, nil, err
	}
	return p, append(warns, more...), nil
}

// ShellToJSON converts mongosh syntax to the Extended JSON document or
// array that Decode reads, without decoding the stages.
func ShellToJSON(src []byte) ([]byte, error) {
	v, _, err := parseShell(src)
	if err != nil {
		return nil, err
	}
	return EncodeJSON(v, false, true)
}

func parseShell(src []byte) (any, []Warning, error) {
	if err := checkText(src); err != nil {
		return nil, nil, err
	}
	sh := &shell{src: string(src), line: 1, col: 1, vars: map[string]any{}}
	v, err := sh.program()
	if err != nil {
		return nil, nil, err
	}
	return v, sh.warns, nil
}

type shell struct {
	src       string
	pos       int
	line, col int
	vars      map[string]any
	warns     []Warning
}

func (sh *shell) errorf(format string, args ...any) error {
	return Errorf(Path(fmt.Sprintf("%d:%d", sh.line, sh.col)), format, args...)
}

// skip passes whitespace and comments; it reports whether a newline was
// among them, which ends a statement like a semicolon.
func (sh *shell) skip() (newline bool, err error) {
	for sh.pos < len(sh.src) {
		c := sh.src[sh.pos]
		switch {
		case c == '\n':
			newline = true
			sh.advance(1)
		case c == ' ' || c == '\t' || c == '\r':
			sh.advance(1)
		case strings.HasPrefix(sh.src[sh.pos:], "//"):
			for sh.pos < len(sh.src) && sh.src[sh.pos] != '\n' {
				sh.advance(1)
			}
		case strings.HasPrefix(sh.src[sh.pos:], "/*"):
			end := strings.Index(sh.src[sh.pos+2:], "*/")
			if end < 0 {
				return newline, sh.errorf("unterminated /* comment")
			}
			if strings.Contains(sh.src[sh.pos:sh.pos+2+end], "\n") {
				newline = true
			}
			sh.advance(end + 4)
		default:
			return newline, nil
		}
	}
	return newline, nil
}

func (sh *shell) advance(n int) {
	for i := 0; i < n && sh.pos < len(sh.src); i++ {
		if sh.src[sh.pos] == '\n' {
			sh.line, sh.col = sh.line+1, 1
		} else if sh.src[sh.pos]&0xC0 != 0x80 {
			sh.col++
		}
		sh.pos++
	}
}

func (sh *shell) peek() byte {
	if sh.pos < len(sh.src) {
		return sh.src[sh.pos]
	}
	return 0
}

// expect skips blanks and consumes c.
func (sh *shell) expect(c byte) error {
	if _, err := sh.skip(); err != nil {
		return err
	}
	if sh.peek() != c {
		return sh.errorf("expected %q, found %s", c, sh.found())
	}
	sh.advance(1)
	return nil
}

func (sh *shell) found() string {
	if sh.pos >= len(sh.src) {
		return "the end of the input"
	}
	r, _ := utf8.DecodeRuneInString(sh.src[sh.pos:])
	return fmt.Sprintf("%q", r)
}

// missingHint suggests the usual cause of a document where a separator
// belongs: a closing brace left out above.
func (sh *shell) missingHint() string {
	if sh.peek() == '{' {
		return "; is a closing '}' or ']' missing before it?"
	}
	return ""
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func (sh *shell) ident() string {
	start := sh.pos
	for sh.pos < len(sh.src) && isIdentPart(sh.src[sh.pos]) {
		sh.advance(1)
	}
	return sh.src[start:sh.pos]
}

// program reads statements and returns the processor value they build.
func (sh *shell) program() (any, error) {
	var bare []any
	var call any
	for {
		if _, err := sh.skip(); err != nil {
			return nil, err
		}
		if sh.pos >= len(sh.src) {
			break
		}
		if c := sh.peek(); c == ';' || c == ',' {
			sh.advance(1)
			continue
		}
		if name, ok := sh.assignment(); ok {
			v, err := sh.value()
			if err != nil {
				return nil, err
			}
			sh.vars[name] = v
			continue
		}
		v, isCall, err := sh.statement()
		if err != nil {
			return nil, err
		}
		if isCall {
			call = v
			continue
		}
		if v == nil {
			continue
		}
		bare = append(bare, v)
	}
	switch {
	case call != nil:
		return call, nil
	case len(bare) == 1:
		if d, ok := bare[0].(bson.D); ok && indexOf(d, "pipeline") < 0 {
			return bson.A{d}, nil
		}
		return bare[0], nil
	case len(bare) > 1:
		return bson.A(bare), nil
	}
	if p, ok := sh.vars["pipeline"]; ok {
		return p, nil
	}
	return nil, sh.errorf("found no pipeline: give an array of stages, stages separated by commas, a pipeline variable, or sp.createStreamProcessor(name, [stages])")
}

// assignment consumes "let name =" (or const, var, or no keyword) and
// returns the name; otherwise it consumes nothing.
func (sh *shell) assignment() (string, bool) {
	save := *sh
	if !isIdentStart(sh.peek()) {
		return "", false
	}
	name := sh.ident()
	if name == "let" || name == "const" || name == "var" {
		sh.skip()
		name = sh.ident()
	}
	sh.skip()
	if name != "" && sh.peek() == '=' && !strings.HasPrefix(sh.src[sh.pos:], "==") {
		sh.advance(1)
		return name, true
	}
	*sh = save
	return "", false
}

// statement reads a value; for an sp.… call it returns the processor
// document the call builds, with isCall set.
func (sh *shell) statement() (v any, isCall bool, err error) {
	if strings.HasPrefix(sh.src[sh.pos:], "sp.") || strings.HasPrefix(sh.src[sh.pos:], "sp[") {
		return sh.spCall()
	}
	v, err = sh.value()
	return v, false, err
}

func (sh *shell) spCall() (any, bool, error) {
	line, col := sh.line, sh.col
	var parts []string
	for {
		if sh.peek() == '[' {
			sh.advance(1)
			s, err := sh.str()
			if err != nil {
				return nil, false, err
			}
			if err := sh.expect(']'); err != nil {
				return nil, false, err
			}
			parts = append(parts, s)
		} else {
			parts = append(parts, sh.ident())
		}
		if c := sh.peek(); c == '.' {
			sh.advance(1)
			continue
		} else if c == '[' {
			continue
		}
		break
	}
	args, err := sh.args()
	if err != nil {
		return nil, false, err
	}
	method := parts[len(parts)-1]
	at := Path(fmt.Sprintf("%d:%d", line, col))
	proc := bson.D{}
	var pipeline, options any
	switch {
	case method == "createStreamProcessor" && len(parts) == 2:
		if len(args) < 2 {
			return nil, false, Errorf(at, "sp.createStreamProcessor takes (name, pipeline[, options])")
		}
		proc = append(proc, bson.E{Key: "name", Value: args[0]})
		pipeline = args[1]
		if len(args) > 2 {
			options = args[2]
		}
	case method == "process" && len(parts) == 2, method == "modify" && len(parts) == 3:
		if len(args) < 1 {
			return nil, false, Errorf(at, "sp.%s takes (pipeline[, options])", method)
		}
		pipeline = args[0]
		if len(args) > 1 {
			options = args[1]
		}
		if method == "modify" {
			proc = append(proc, bson.E{Key: "name", Value: parts[1]})
		}
	default:
		return nil, false, Errorf(at, "sp.%s is not a call weir reads; use sp.createStreamProcessor, sp.process or sp.<name>.modify", strings.Join(parts[1:], "."))
	}
	proc = append(proc, bson.E{Key: "pipeline", Value: pipeline})
	if od, ok := options.(bson.D); ok {
		kept := bson.D{}
		for _, e := range od {
			if e.Key == "resumeFromCheckpoint" {
				sh.warns = append(sh.warns, Warning{Path: at, Msg: "resumeFromCheckpoint is an option of starting a processor, not of the processor; ignored"})
				continue
			}
			kept = append(kept, e)
		}
		if len(kept) > 0 {
			proc = append(proc, bson.E{Key: "options", Value: kept})
		}
	} else if options != nil {
		return nil, false, Errorf(at, "expected an options document, found %s", describe(options))
	}
	return proc, true, nil
}

// args reads "(a, b, …)".
func (sh *shell) args() ([]any, error) {
	if err := sh.expect('('); err != nil {
		return nil, err
	}
	var out []any
	for {
		if _, err := sh.skip(); err != nil {
			return nil, err
		}
		if sh.peek() == ')' {
			sh.advance(1)
			return out, nil
		}
		v, err := sh.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if _, err := sh.skip(); err != nil {
			return nil, err
		}
		switch sh.peek() {
		case ',':
			sh.advance(1)
		case ')':
		default:
			return nil, sh.errorf("expected ',' or ')', found %s", sh.found())
		}
	}
}

func (sh *shell) value() (any, error) {
	if _, err := sh.skip(); err != nil {
		return nil, err
	}
	c := sh.peek()
	switch {
	case c == '{':
		return sh.object()
	case c == '[':
		return sh.array()
	case c == '"' || c == '\'':
		return sh.str()
	case c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
		return sh.number()
	case isIdentStart(c):
		return sh.identValue()
	case c == 0:
		return nil, sh.errorf("expected a value, found the end of the input")
	}
	return nil, sh.errorf("expected a value, found %s", sh.found())
}

func (sh *shell) object() (any, error) {
	sh.advance(1) // {
	d := bson.D{}
	for {
		if _, err := sh.skip(); err != nil {
			return nil, err
		}
		if sh.peek() == '}' {
			sh.advance(1)
			break
		}
		var key string
		switch c := sh.peek(); {
		case c == '"' || c == '\'':
			s, err := sh.str()
			if err != nil {
				return nil, err
			}
			key = s
		case isIdentStart(c):
			key = sh.ident()
		case c >= '0' && c <= '9':
			start := sh.pos
			for sh.pos < len(sh.src) && sh.src[sh.pos] >= '0' && sh.src[sh.pos] <= '9' {
				sh.advance(1)
			}
			key = sh.src[start:sh.pos]
		default:
			return nil, sh.errorf("expected a field name, found %s", sh.found())
		}
		if _, err := sh.skip(); err != nil {
			return nil, err
		}
		if c := sh.peek(); c == ',' || c == '}' {
			// Shorthand {t, i}: the variable of that name.
			v, ok := sh.vars[key]
			if !ok {
				return nil, sh.errorf("expected ':' after %q", key)
			}
			d = append(d, bson.E{Key: key, Value: v})
		} else {
			if err := sh.expect(':'); err != nil {
				return nil, err
			}
			v, err := sh.value()
			if err != nil {
				return nil, err
			}
			d = append(d, bson.E{Key: key, Value: v})
		}
		if _, err := sh.skip(); err != nil {
			return nil, err
		}
		switch sh.peek() {
		case ',':
			sh.advance(1)
		case '}':
		default:
			return nil, sh.errorf("expected ',' or '}', found %s%s", sh.found(), sh.missingHint())
		}
	}
	if len(d) > 0 && slices.Contains(extJSONKeys, d[0].Key) {
		return sh.extJSON(d)
	}
	return d, nil
}

// extJSONKeys start the Extended JSON wrappers ({$date: …}), which shell
// text may contain as well.
var extJSONKeys = []string{"$date", "$oid", "$numberLong", "$numberInt", "$numberDouble", "$numberDecimal",
	"$timestamp", "$binary", "$uuid", "$regularExpression", "$minKey", "$maxKey", "$symbol", "$code"}

func (sh *shell) extJSON(d bson.D) (any, error) {
	b, err := EncodeJSON(d, false, false)
	if err != nil {
		return nil, sh.errorf("invalid Extended JSON %s: %v", d[0].Key, err)
	}
	v, err := ParseJSON(b)
	if err != nil {
		return nil, sh.errorf("invalid Extended JSON %s: %v", d[0].Key, err)
	}
	return v, nil
}

func (sh *shell) array() (any, error) {
	line, col := sh.line, sh.col
	sh.advance(1) // [
	a := bson.A{}
	// mongosh prints [Object] and [Array] for values nested too deep to
	// show; ASP's docs publish pipelines with them.
	for _, elided := range []string{"Object", "Array"} {
		if rest := sh.src[sh.pos:]; strings.HasPrefix(rest, elided+"]") {
			sh.advance(len(elided) + 1)
			sh.warns = append(sh.warns, Warning{Path: Path(fmt.Sprintf("%d:%d", line, col)),
				Msg: fmt.Sprintf("[%s] is mongosh's placeholder for a value it did not print; read as an empty %s", elided, map[string]string{"Object": "document", "Array": "array"}[elided])})
			if elided == "Object" {
				return bson.D{}, nil
			}
			return bson.A{}, nil
		}
	}
	for {
		if _, err := sh.skip(); err != nil {
			return nil, err
		}
		if sh.peek() == ']' {
			sh.advance(1)
			return a, nil
		}
		v, err := sh.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		if _, err := sh.skip(); err != nil {
			return nil, err
		}
		switch sh.peek() {
		case ',':
			sh.advance(1)
		case ']':
		default:
			return nil, sh.errorf("expected ',' or ']', found %s%s", sh.found(), sh.missingHint())
		}
	}
}

func (sh *shell) str() (string, error) {
	q := sh.peek()
	sh.advance(1)
	var b strings.Builder
	for {
		if sh.pos >= len(sh.src) || sh.src[sh.pos] == '\n' {
			return "", sh.errorf("unterminated string")
		}
		c := sh.src[sh.pos]
		if c == q {
			sh.advance(1)
			return b.String(), nil
		}
		if c != '\\' {
			b.WriteByte(c)
			sh.advance(1)
			continue
		}
		sh.advance(1)
		e := sh.peek()
		sh.advance(1)
		switch e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case '0':
			b.WriteByte(0)
		case 'v':
			b.WriteByte('\v')
		case 'x':
			if sh.pos+2 > len(sh.src) {
				return "", sh.errorf("invalid \\x escape")
			}
			n, err := strconv.ParseUint(sh.src[sh.pos:sh.pos+2], 16, 8)
			if err != nil {
				return "", sh.errorf("invalid \\x escape")
			}
			b.WriteRune(rune(n))
			sh.advance(2)
		case 'u':
			if sh.pos+4 > len(sh.src) {
				return "", sh.errorf("invalid \\u escape")
			}
			n, err := strconv.ParseUint(sh.src[sh.pos:sh.pos+4], 16, 32)
			if err != nil {
				return "", sh.errorf("invalid \\u escape")
			}
			sh.advance(4)
			r := rune(n)
			// A character beyond U+FFFF is written as a surrogate pair,
			// \ud83d\ude00, as in JSON.
			if utf16.IsSurrogate(r) && strings.HasPrefix(sh.src[sh.pos:], `\u`) && sh.pos+6 <= len(sh.src) {
				if lo, err := strconv.ParseUint(sh.src[sh.pos+2:sh.pos+6], 16, 32); err == nil {
					if c := utf16.DecodeRune(r, rune(lo)); c != utf8.RuneError {
						r = c
						sh.advance(6)
					}
				}
			}
			b.WriteRune(r)
		default:
			b.WriteByte(e)
		}
	}
}

func (sh *shell) number() (any, error) {
	start := sh.pos
	if c := sh.peek(); c == '-' || c == '+' {
		sh.advance(1)
		sh.skip()
		if isIdentStart(sh.peek()) {
			name := sh.ident()
			if name == "Infinity" {
				if sh.src[start] == '-' {
					return math.Inf(-1), nil
				}
				return math.Inf(1), nil
			}
			return nil, sh.errorf("expected a number after the sign, found %s", name)
		}
	}
	numStart := sh.pos
	for sh.pos < len(sh.src) && strings.IndexByte("0123456789.eE+-_", sh.src[sh.pos]) >= 0 {
		if c := sh.src[sh.pos]; (c == '+' || c == '-') && !(sh.pos > numStart && (sh.src[sh.pos-1] == 'e' || sh.src[sh.pos-1] == 'E')) {
			break
		}
		sh.advance(1)
	}
	text := sh.src[numStart:sh.pos]
	if sh.src[start] == '-' {
		text = "-" + text
	}
	text = strings.ReplaceAll(text, "_", "")
	if !strings.ContainsAny(text, ".eE") {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return num(n), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, sh.errorf("%q is not a number", text)
	}
	return f, nil
}

// identValue reads a keyword, a variable or a constructor call.
func (sh *shell) identValue() (any, error) {
	line, col := sh.line, sh.col
	name := sh.ident()
	switch name {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null", "undefined":
		return nil, nil
	case "Infinity":
		return math.Inf(1), nil
	case "NaN":
		return math.NaN(), nil
	case "new":
		sh.skip()
		name = sh.ident()
	}
	// Binary.createFromBase64(…) and friends.
	for sh.peek() == '.' {
		sh.advance(1)
		name += "." + sh.ident()
	}
	sh.skip()
	if sh.peek() != '(' {
		if v, ok := sh.vars[name]; ok {
			return v, nil
		}
		return nil, Errorf(Path(fmt.Sprintf("%d:%d", line, col)), "%s is not defined; define it first (let %s = …) or write its value", name, name)
	}
	args, err := sh.args()
	if err != nil {
		return nil, err
	}
	v, err := construct(name, args)
	if err != nil {
		return nil, Errorf(Path(fmt.Sprintf("%d:%d", line, col)), "%s", err.Error())
	}
	return v, nil
}

// construct evaluates the shell's BSON constructors.
func construct(name string, args []any) (any, error) {
	arg := func(i int) any {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	str := func(i int) (string, error) {
		s, ok := arg(i).(string)
		if !ok {
			return "", fmt.Errorf("%s takes a string, found %s", name, describe(arg(i)))
		}
		return s, nil
	}
	integer := func(i int) (int64, error) {
		switch v := arg(i).(type) {
		case string:
			return strconv.ParseInt(v, 10, 64)
		default:
			if n, ok := asInt(v); ok {
				return n, nil
			}
		}
		return 0, fmt.Errorf("%s takes an integer, found %s", name, describe(arg(i)))
	}
	switch name {
	case "ISODate", "Date":
		if len(args) == 0 {
			return nil, fmt.Errorf("%s() without an argument is the current time, which a pipeline can't hold; give a date string", name)
		}
		if n, ok := asInt(arg(0)); ok {
			return bson.DateTime(n), nil
		}
		s, err := str(0)
		if err != nil {
			return nil, err
		}
		t, err := parseShellDate(s)
		if err != nil {
			return nil, err
		}
		return bson.NewDateTimeFromTime(t), nil
	case "NumberInt", "Int32":
		n, err := integer(0)
		if err != nil {
			return nil, err
		}
		if n != int64(int32(n)) {
			return nil, fmt.Errorf("%s(%d) does not fit in 32 bits", name, n)
		}
		return int32(n), nil
	case "NumberLong", "Long":
		return integer(0)
	case "Double":
		if f, ok := boundNum(arg(0)); ok {
			return f, nil
		}
		return nil, fmt.Errorf("Double takes a number, found %s", describe(arg(0)))
	case "NumberDecimal", "Decimal128":
		s := fmt.Sprint(arg(0))
		d, err := bson.ParseDecimal128(s)
		if err != nil {
			return nil, fmt.Errorf("%s(%q): %v", name, s, err)
		}
		return d, nil
	case "ObjectId":
		s, err := str(0)
		if err != nil {
			return nil, err
		}
		id, err := bson.ObjectIDFromHex(s)
		if err != nil {
			return nil, fmt.Errorf("ObjectId(%q) is not 24 hex digits", s)
		}
		return id, nil
	case "Timestamp":
		if d, ok := arg(0).(bson.D); ok {
			var t, i int64
			for _, e := range d {
				n, _ := asInt(e.Value)
				switch e.Key {
				case "t":
					t = n
				case "i":
					i = n
				}
			}
			return bson.Timestamp{T: uint32(t), I: uint32(i)}, nil
		}
		t, err := integer(0)
		if err != nil {
			return nil, err
		}
		i, err := integer(1)
		if err != nil {
			return nil, err
		}
		return bson.Timestamp{T: uint32(t), I: uint32(i)}, nil
	case "UUID":
		s, err := str(0)
		if err != nil {
			return nil, err
		}
		hex := strings.ReplaceAll(s, "-", "")
		var b [16]byte
		if len(hex) != 32 {
			return nil, fmt.Errorf("UUID(%q) is not 32 hex digits", s)
		}
		for i := range b {
			n, err := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("UUID(%q) is not 32 hex digits", s)
			}
			b[i] = byte(n)
		}
		return bson.Binary{Subtype: 4, Data: b[:]}, nil
	case "BinData", "Binary.createFromBase64":
		sub, data := arg(0), arg(1)
		if name != "BinData" {
			sub, data = arg(1), arg(0)
		}
		n, _ := asInt(sub)
		s, ok := data.(string)
		if !ok {
			return nil, fmt.Errorf("%s takes base64 data as a string", name)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid base64: %v", name, err)
		}
		return bson.Binary{Subtype: byte(n), Data: b}, nil
	case "MinKey":
		return bson.MinKey{}, nil
	case "MaxKey":
		return bson.MaxKey{}, nil
	}
	return nil, fmt.Errorf("%s(…) is not a constructor weir reads (ISODate, Date, NumberInt, Int32, NumberLong, Long, Double, NumberDecimal, ObjectId, Timestamp, UUID, BinData)", name)
}

// parseShellDate reads the date forms mongosh takes: RFC 3339 with or
// without fractions or zone (UTC when absent), or a bare date.
func parseShellDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date; write it as 2024-01-15T08:00:00Z", s)
}
