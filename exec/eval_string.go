package exec

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

var stringOps = map[string]opFunc{
	"$concat":       opConcat,
	"$toUpper":      caseOp("$toUpper", strings.ToUpper),
	"$toLower":      caseOp("$toLower", strings.ToLower),
	"$substrCP":     opSubstrCP,
	"$substrBytes":  substrBytes("$substrBytes"),
	"$substr":       substrBytes("$substr"),
	"$strLenCP":     strLen("$strLenCP", utf8.RuneCountInString),
	"$strLenBytes":  strLen("$strLenBytes", func(s string) int { return len(s) }),
	"$split":        opSplit,
	"$indexOfCP":    indexOf("$indexOfCP", true),
	"$indexOfBytes": indexOf("$indexOfBytes", false),
	"$strcasecmp":   opStrcasecmp,
}

// coerceToString is MongoDB's string coercion for $toUpper, $substr and
// friends: null and missing become "", numbers and dates their text.
func coerceToString(op string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bson.Symbol:
		return string(x), nil
	case nil, missing, bson.Undefined, bson.Null:
		return "", nil
	case int32, int64, int, float64, bson.Decimal128:
		return numberToString(v), nil
	case bson.DateTime:
		return formatISODate(x), nil
	case bson.Timestamp:
		return fmt.Sprintf("Timestamp(%d, %d)", x.T, x.I), nil
	case bson.JavaScript:
		return string(x), nil
	}
	return "", fmt.Errorf("%s: can't convert from BSON type %s to String", op, TypeName(v))
}

// numberToString formats a number the way $toString does: integers in
// decimal, doubles in their shortest round-trip form ("2.5", "1e+20").
func numberToString(v any) string {
	switch x := v.(type) {
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		switch {
		case math.IsNaN(x):
			return "NaN"
		case math.IsInf(x, 1):
			return "Infinity"
		case math.IsInf(x, -1):
			return "-Infinity"
		case x == math.Trunc(x) && math.Abs(x) < 1e15:
			if x == 0 && math.Signbit(x) {
				return "-0"
			}
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bson.Decimal128:
		return x.String()
	}
	return ""
}

func formatISODate(d bson.DateTime) string {
	return d.Time().UTC().Format("2006-01-02T15:04:05.000Z")
}

func opConcat(args []any) (any, error) {
	var b strings.Builder
	for _, a := range args {
		if IsNullish(a) {
			return nil, nil
		}
	}
	for _, a := range args {
		s, ok := a.(string)
		if !ok {
			return nil, fmt.Errorf("$concat only supports strings, not %s", TypeName(a))
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func caseOp(op string, f func(string) string) opFunc {
	return func(args []any) (any, error) {
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		s, err := coerceToString(op, args[0])
		if err != nil {
			return nil, err
		}
		return f(s), nil
	}
}

// intArg reads an integral numeric argument.
func intArg(op, what string, v any) (int64, error) {
	if !IsNumber(v) {
		return 0, fmt.Errorf("%s: %s must be a numeric type (is BSON type %s)", op, what, TypeName(v))
	}
	i, ok := exactInt(v)
	if !ok {
		return 0, fmt.Errorf("%s: %s must be an integral value, not %v", op, what, v)
	}
	return i, nil
}

func opSubstrCP(args []any) (any, error) {
	if err := arity("$substrCP", args, 3, 3); err != nil {
		return nil, err
	}
	s, err := coerceToString("$substrCP", args[0])
	if err != nil {
		return nil, err
	}
	start, err := intArg("$substrCP", "starting index", args[1])
	if err != nil {
		return nil, err
	}
	n, err := intArg("$substrCP", "length", args[2])
	if err != nil {
		return nil, err
	}
	if start < 0 {
		return nil, fmt.Errorf("$substrCP: the starting index must be nonnegative integer")
	}
	if n < 0 {
		return nil, fmt.Errorf("$substrCP: length must be a nonnegative integer")
	}
	r := []rune(s)
	if start >= int64(len(r)) {
		return "", nil
	}
	end := min(start+n, int64(len(r)))
	return string(r[start:end]), nil
}

// substrBytes is $substrBytes, and $substr, its old name, for which a
// negative length means "to the end".
func substrBytes(op string) opFunc {
	return func(args []any) (any, error) {
		if err := arity(op, args, 3, 3); err != nil {
			return nil, err
		}
		s, err := coerceToString(op, args[0])
		if err != nil {
			return nil, err
		}
		start, err := intArg(op, "starting index", args[1])
		if err != nil {
			return nil, err
		}
		n, err := intArg(op, "length", args[2])
		if err != nil {
			return nil, err
		}
		if start < 0 {
			if op == "$substr" {
				return "", nil
			}
			return nil, fmt.Errorf("%s: starting index must be non-negative (got: %d)", op, start)
		}
		if start >= int64(len(s)) {
			return "", nil
		}
		if !utf8.RuneStart(s[start]) {
			return nil, fmt.Errorf("%s: invalid range, starting index is a UTF-8 continuation byte", op)
		}
		end := int64(len(s))
		if n >= 0 && start+n < end {
			end = start + n
			if !utf8.RuneStart(s[end]) {
				return nil, fmt.Errorf("%s: invalid range, ending index is in the middle of a UTF-8 character", op)
			}
		}
		return s[start:end], nil
	}
}

func strLen(op string, f func(string) int) opFunc {
	return func(args []any) (any, error) {
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		s, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("%s requires a string argument, found: %s", op, TypeName(args[0]))
		}
		return int32(f(s)), nil
	}
}

func opSplit(args []any) (any, error) {
	if err := arity("$split", args, 2, 2); err != nil {
		return nil, err
	}
	if IsNullish(args[0]) || IsNullish(args[1]) {
		return nil, nil
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("$split requires an expression that evaluates to a string as a first argument, found: %s", TypeName(args[0]))
	}
	sep, ok := args[1].(string)
	if !ok {
		return nil, fmt.Errorf("$split requires an expression that evaluates to a string as a second argument, found: %s", TypeName(args[1]))
	}
	if sep == "" {
		return nil, fmt.Errorf("$split requires a non-empty separator")
	}
	parts := strings.Split(s, sep)
	out := make(bson.A, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

// indexOf is $indexOfCP (code points) or $indexOfBytes.
func indexOf(op string, cp bool) opFunc {
	return func(args []any) (any, error) {
		if err := arity(op, args, 2, 4); err != nil {
			return nil, err
		}
		if IsNullish(args[0]) {
			return nil, nil
		}
		s, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("%s requires a string as the first argument, found: %s", op, TypeName(args[0]))
		}
		sub, ok := args[1].(string)
		if !ok {
			return nil, fmt.Errorf("%s requires a string as the second argument, found: %s", op, TypeName(args[1]))
		}
		var units []string // one entry per code point when cp
		length := len(s)
		if cp {
			units = make([]string, 0, len(s))
			for i, w := 0, 0; i < len(s); i += w {
				_, w = utf8.DecodeRuneInString(s[i:])
				units = append(units, s[i:i+w])
			}
			length = len(units)
		}
		start, end := int64(0), int64(length)
		if len(args) > 2 {
			v, err := intArg(op, "starting index", args[2])
			if err != nil {
				return nil, err
			}
			if v < 0 {
				return nil, fmt.Errorf("%s: starting index must be non-negative, got: %d", op, v)
			}
			start = v
		}
		if len(args) > 3 {
			v, err := intArg(op, "ending index", args[3])
			if err != nil {
				return nil, err
			}
			if v < 0 {
				return nil, fmt.Errorf("%s: ending index must be non-negative, got: %d", op, v)
			}
			end = min(v, int64(length))
		}
		if start > int64(length) || start > end {
			return int32(-1), nil
		}
		if !cp {
			i := strings.Index(s[start:end], sub)
			if i < 0 {
				return int32(-1), nil
			}
			return int32(int64(i) + start), nil
		}
		subLen := utf8.RuneCountInString(sub)
		for i := start; i+int64(subLen) <= end; i++ {
			if strings.Join(units[i:i+int64(subLen)], "") == sub {
				return int32(i), nil
			}
		}
		return int32(-1), nil
	}
}

func opStrcasecmp(args []any) (any, error) {
	if err := arity("$strcasecmp", args, 2, 2); err != nil {
		return nil, err
	}
	a, err := coerceToString("$strcasecmp", args[0])
	if err != nil {
		return nil, err
	}
	b, err := coerceToString("$strcasecmp", args[1])
	if err != nil {
		return nil, err
	}
	// MongoDB folds ASCII letters only.
	return int32(strings.Compare(asciiLower(a), asciiLower(b))), nil
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// isTrimSpace is the default character set of $trim: the Unicode
// whitespace characters and the null byte.
func isTrimSpace(r rune) bool { return r == 0 || unicode.IsSpace(r) }

func (ev *evaluator) trim(op string, n namedArgs) (any, error) {
	if err := n.check(op, []string{"input"}, "chars"); err != nil {
		return nil, err
	}
	in, err := ev.evalNamed(n, "input")
	if err != nil {
		return nil, err
	}
	if IsNullish(in) {
		return nil, nil
	}
	s, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("%s requires its input to be a string, got %s", op, TypeName(in))
	}
	cut := isTrimSpace
	if _, ok := n.get("chars"); ok {
		c, err := ev.evalNamed(n, "chars")
		if err != nil {
			return nil, err
		}
		if IsNullish(c) {
			return nil, nil
		}
		cs, ok := c.(string)
		if !ok {
			return nil, fmt.Errorf("%s requires 'chars' to be a string, got %s", op, TypeName(c))
		}
		cut = func(r rune) bool { return strings.ContainsRune(cs, r) }
	}
	switch op {
	case "$ltrim":
		return strings.TrimLeftFunc(s, cut), nil
	case "$rtrim":
		return strings.TrimRightFunc(s, cut), nil
	}
	return strings.TrimFunc(s, cut), nil
}

func (ev *evaluator) replace(op string, n namedArgs) (any, error) {
	if err := n.check(op, []string{"input", "find", "replacement"}); err != nil {
		return nil, err
	}
	var vals [3]string
	nullish := false
	for i, name := range []string{"input", "find", "replacement"} {
		v, err := ev.evalNamed(n, name)
		if err != nil {
			return nil, err
		}
		if IsNullish(v) {
			nullish = true
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s requires that '%s' be a string, found: %s", op, name, TypeName(v))
		}
		vals[i] = s
	}
	if nullish {
		return nil, nil
	}
	if op == "$replaceOne" {
		return strings.Replace(vals[0], vals[1], vals[2], 1), nil
	}
	return strings.ReplaceAll(vals[0], vals[1], vals[2]), nil
}

func (ev *evaluator) regexOp(op string, n namedArgs) (any, error) {
	if err := n.check(op, []string{"input", "regex"}, "options"); err != nil {
		return nil, err
	}
	in, err := ev.evalNamed(n, "input")
	if err != nil {
		return nil, err
	}
	rv, err := ev.evalNamed(n, "regex")
	if err != nil {
		return nil, err
	}
	ov, err := ev.evalNamed(n, "options")
	if err != nil {
		return nil, err
	}
	var pattern, options string
	switch x := rv.(type) {
	case string:
		pattern = x
	case bson.Regex:
		pattern, options = x.Pattern, x.Options
	case nil, missing, bson.Undefined:
	default:
		return nil, fmt.Errorf("%s needs 'regex' to be of type string or regex, not %s", op, TypeName(rv))
	}
	if !IsNullish(ov) {
		o, ok := ov.(string)
		if !ok {
			return nil, fmt.Errorf("%s needs 'options' to be of type string, not %s", op, TypeName(ov))
		}
		if options != "" && o != "" {
			return nil, fmt.Errorf("%s found regex options specified in both 'regex' and 'options' fields", op)
		}
		if o != "" {
			options = o
		}
	}
	nothing := func() any {
		switch op {
		case "$regexMatch":
			return false
		case "$regexFindAll":
			return bson.A{}
		}
		return nil
	}
	if IsNullish(in) || IsNullish(rv) {
		return nothing(), nil
	}
	s, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("%s needs 'input' to be of type string, not %s", op, TypeName(in))
	}
	re, err := compileRegex(pattern, options)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	switch op {
	case "$regexMatch":
		return re.MatchString(s), nil
	case "$regexFind":
		m := re.FindStringSubmatchIndex(s)
		if m == nil {
			return nil, nil
		}
		return regexFindResult(s, m), nil
	}
	out := bson.A{}
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		out = append(out, regexFindResult(s, m))
	}
	return out, nil
}

// regexFindResult is {match, idx, captures}; idx counts code points, and
// a capture group that did not take part is null.
func regexFindResult(s string, m []int) bson.D {
	caps := bson.A{}
	for i := 2; i+1 < len(m); i += 2 {
		if m[i] < 0 {
			caps = append(caps, nil)
			continue
		}
		caps = append(caps, s[m[i]:m[i+1]])
	}
	return bson.D{
		{Key: "match", Value: s[m[0]:m[1]]},
		{Key: "idx", Value: int32(utf8.RuneCountInString(s[:m[0]]))},
		{Key: "captures", Value: caps},
	}
}

var regexCache sync.Map // pattern + "\x00" + options → *regexp.Regexp

// compileRegex compiles a MongoDB (PCRE) regex with Go's regexp. The
// options i, m and s map to RE2 flags; x (extended) is applied by removing
// unescaped whitespace and # comments, which RE2 does not support itself.
// PCRE-only syntax (look-around, back-references) is reported as an error.
func compileRegex(pattern, options string) (*regexp.Regexp, error) {
	key := pattern + "\x00" + options
	if re, ok := regexCache.Load(key); ok {
		return re.(*regexp.Regexp), nil
	}
	flags := ""
	for _, o := range options {
		switch o {
		case 'i', 'm', 's':
			if !strings.ContainsRune(flags, o) {
				flags += string(o)
			}
		case 'x':
			pattern = stripExtended(pattern)
		case 'u':
			// UTF-8 is RE2's only mode.
		default:
			return nil, fmt.Errorf("invalid flag in regex options: %c", o)
		}
	}
	src := pattern
	if flags != "" {
		src = "(?" + flags + ")" + pattern
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression /%s/%s: %v", pattern, options, err)
	}
	regexCache.Store(key, re)
	return re, nil
}

// stripExtended removes whitespace and #-to-end-of-line comments outside
// character classes and escapes, as PCRE's x option does.
func stripExtended(p string) string {
	var b strings.Builder
	inClass, comment := false, false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case comment:
			if c == '\n' {
				comment = false
			}
		case c == '\\' && i+1 < len(p):
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
		case c == '#':
			comment = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
