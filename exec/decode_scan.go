package exec

// The JSON scanner under Decoder: byte-level functions that skip or read
// one value and return the index after it. They check JSON syntax (so a
// broken line is reported even where no requested path lies), and read
// numbers, strings and literals exactly as the MongoDB Go driver's
// Extended JSON parser does, because the row evaluator's documents come
// from that parser and the two must agree.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// decMaxDepth bounds nesting so a hostile line cannot exhaust the stack;
// BSON documents nest at most 100 deep in MongoDB.
const decMaxDepth = 200

var errDecEOF = errors.New("unexpected end of line")

func decSyntax(b []byte, i int, what string) error {
	if i >= len(b) {
		return fmt.Errorf("unexpected end of line, expected %s", what)
	}
	return fmt.Errorf("offset %d: unexpected %q, expected %s", i, b[i], what)
}

func decWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// decString scans the string starting at the quote b[i]; the content is
// b[s:e] (escapes not yet resolved when esc), next is after the closing
// quote.
func decString(b []byte, i int) (s, e int, esc bool, next int, err error) {
	s = i + 1
	k := s
	for {
		// Eight bytes at a time to the next quote or backslash: lines are
		// mostly strings, and this loop is most of a skipped field's cost.
		for k+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[k:])
			if m := decHasByte(x, '"') | decHasByte(x, '\\'); m != 0 {
				k += bits.TrailingZeros64(m) >> 3
				break
			}
			k += 8
		}
		for k < len(b) && b[k] != '"' && b[k] != '\\' {
			k++
		}
		if k >= len(b) {
			return 0, 0, false, 0, errors.New("unterminated string")
		}
		if b[k] == '"' {
			return s, k, esc, k + 1, nil
		}
		esc = true
		k++
		if k >= len(b) {
			return 0, 0, false, 0, errors.New("unterminated string")
		}
		switch b[k] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			if k+4 >= len(b) {
				return 0, 0, false, 0, errors.New("unterminated string")
			}
			k += 4 // the driver reads bad hex digits as U+FFFD, not an error
		default:
			return 0, 0, false, 0, fmt.Errorf("invalid escape sequence in JSON string '\\%c'", b[k])
		}
		k++
	}
}

// decHasByte has the high bit set in each byte of x equal to c, exact up
// to the lowest such byte (borrows can mark bytes above it).
func decHasByte(x uint64, c byte) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	y := x ^ (lo * uint64(c))
	return (y - lo) &^ y & hi
}

// decTrim drops the blanks around a line (bytes.TrimSpace also handles
// Unicode spaces, which JSON does not allow there anyway).
func decTrim(b []byte) []byte {
	for len(b) > 0 && decIsWS(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && decIsWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func decIsWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decUnescape appends the string content src, escapes resolved, to dst.
// Surrogates follow the driver: a valid pair is one rune, anything else
// becomes U+FFFD (and the second escape, if any, its own rune).
func decUnescape(dst, src []byte) []byte {
	for k := 0; k < len(src); k++ {
		c := src[k]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		k++
		switch src[k] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			rn := decHex4(src[k+1:])
			k += 4
			if !utf16.IsSurrogate(rn) {
				dst = utf8.AppendRune(dst, rn)
				continue
			}
			if k+1 >= len(src) || src[k+1] != '\\' {
				dst = utf8.AppendRune(dst, unicode.ReplacementChar)
				continue
			}
			if k+2 >= len(src) || src[k+2] != 'u' {
				// The next escape is processed on its own.
				dst = utf8.AppendRune(dst, unicode.ReplacementChar)
				continue
			}
			rn2 := decHex4(src[k+3:])
			k += 6
			if p := utf16.DecodeRune(rn, rn2); p != unicode.ReplacementChar {
				dst = utf8.AppendRune(dst, p)
			} else {
				dst = utf8.AppendRune(dst, unicode.ReplacementChar)
				dst = utf8.AppendRune(dst, rn2)
			}
		default: // '"', '\\', '/'
			dst = append(dst, src[k])
		}
	}
	return dst
}

func decHex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// decNumber scans a JSON number (RFC 8259) at b[i]; float reports a
// fraction or exponent, which makes it a double rather than an integer.
func decNumber(b []byte, i int) (next int, float bool, err error) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return 0, false, fmt.Errorf("invalid JSON number at offset %d", start)
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0, false, fmt.Errorf("invalid JSON number at offset %d", start)
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		float = true
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0, false, fmt.Errorf("invalid JSON number at offset %d", start)
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		float = true
	}
	// A number must end at a delimiter: "01" or "1x" is not a number.
	if i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r', ',', '}', ']':
		default:
			return 0, false, fmt.Errorf("invalid JSON number at offset %d", start)
		}
	}
	return i, float, nil
}

// decNumberValue reads the number b (already scanned) the way the driver
// does: an integer is an int if it fits 32 bits, a long if it fits 64, a
// double beyond; a fraction or exponent makes a double.
func decNumberValue(b []byte, float bool, v *colValue) error {
	if !float {
		if n, ok := decSmallInt(b); ok {
			v.i64 = n
		} else if n, err := strconv.ParseInt(decStr(b), 10, 64); err == nil {
			v.i64 = n
		} else {
			float = true
		}
		if !float {
			if v.i64 >= math.MinInt32 && v.i64 <= math.MaxInt32 {
				v.kind = KindInt
			} else {
				v.kind = KindLong
			}
			return nil
		}
	}
	f, err := strconv.ParseFloat(decStr(b), 64)
	if err != nil {
		return err
	}
	v.kind, v.f64 = KindDouble, f
	return nil
}

// decSmallInt parses an optionally signed run of at most 18 digits, which
// cannot overflow, without strconv's generality.
func decSmallInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// decStr views b as a string without copying, for strconv calls that do
// not keep their argument (their errors copy it).
func decStr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// decLiteral scans true, false or null at b[i].
func decLiteral(b []byte, i int) (next int, v colValue, err error) {
	rest := b[i:]
	switch {
	case bytes.HasPrefix(rest, []byte("true")):
		next, v = i+4, colValue{kind: KindBool, b: true}
	case bytes.HasPrefix(rest, []byte("false")):
		next, v = i+5, colValue{kind: KindBool}
	case bytes.HasPrefix(rest, []byte("null")):
		next, v = i+4, colValue{null: true}
	default:
		return 0, v, fmt.Errorf("offset %d: invalid JSON literal", i)
	}
	if next < len(b) {
		switch b[next] {
		case ' ', '\t', '\n', '\r', ',', '}', ']':
		default:
			return 0, v, fmt.Errorf("offset %d: invalid JSON literal", i)
		}
	}
	return next, v, nil
}

// decSkip skips the value at b[i], checking its syntax.
func decSkip(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return 0, errDecEOF
	}
	switch c := b[i]; {
	case c == '"':
		_, _, _, next, err := decString(b, i)
		return next, err
	case c == '{':
		return decSkipContainer(b, i, depth, '}')
	case c == '[':
		return decSkipContainer(b, i, depth, ']')
	case c == '-' || (c >= '0' && c <= '9'):
		next, _, err := decNumber(b, i)
		return next, err
	case c == 't' || c == 'f' || c == 'n':
		next, _, err := decLiteral(b, i)
		return next, err
	}
	return 0, decSyntax(b, i, "a value")
}

// decSkipContainer skips an object (close '}') or array (close ']').
func decSkipContainer(b []byte, i, depth int, close byte) (int, error) {
	if depth > decMaxDepth {
		return 0, errors.New("document nested too deeply")
	}
	i = decWS(b, i+1)
	if i < len(b) && b[i] == close {
		return i + 1, nil
	}
	for {
		if close == '}' {
			if i >= len(b) || b[i] != '"' {
				return 0, decSyntax(b, i, "a field name")
			}
			_, _, _, next, err := decString(b, i)
			if err != nil {
				return 0, err
			}
			i = decWS(b, next)
			if i >= len(b) || b[i] != ':' {
				return 0, decSyntax(b, i, "':'")
			}
			i = decWS(b, i+1)
		}
		next, err := decSkip(b, i, depth+1)
		if err != nil {
			return 0, err
		}
		i = decWS(b, next)
		if i >= len(b) {
			return 0, errDecEOF
		}
		switch b[i] {
		case ',':
			i = decWS(b, i+1)
		case close:
			return i + 1, nil
		default:
			return 0, decSyntax(b, i, fmt.Sprintf("',' or '%c'", close))
		}
	}
}

// decISODate parses the common "YYYY-MM-DDTHH:MM:SS[.fff…]Z" form of a
// $date string into milliseconds since the epoch; ok is false for anything
// else, which the caller hands to time.Parse with the driver's layouts.
func decISODate(s []byte) (ms int64, ok bool) {
	if len(s) < 20 || s[len(s)-1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return 0, false
	}
	num := func(a, b int) (int, bool) {
		n := 0
		for _, c := range s[a:b] {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return 0, false
	}
	if d > decDaysIn(y, mo) {
		return 0, false
	}
	frac := 0
	if len(s) > 20 {
		// ".d…Z": one to nine digits, truncated to milliseconds.
		f := s[19 : len(s)-1]
		if f[0] != '.' || len(f) < 2 || len(f) > 10 {
			return 0, false
		}
		for k, c := range f[1:] {
			if c < '0' || c > '9' {
				return 0, false
			}
			if k < 3 {
				frac = frac*10 + int(c-'0')
			}
		}
		for k := len(f) - 1; k < 3; k++ {
			frac *= 10
		}
	}
	days := decDaysFromCivil(y, mo, d)
	return ((days*24+int64(h))*60+int64(mi))*60000 + int64(sec)*1000 + int64(frac), true
}

func decDaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// decDaysFromCivil is days since 1970-01-01 of a proleptic Gregorian date
// (Howard Hinnant's algorithm).
func decDaysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// decDateLayouts are the driver's accepted $date string layouts.
var decDateLayouts = []string{"2006-01-02T15:04:05.999Z07:00", "2006-01-02T15:04:05.999Z0700"}

// decParseDate parses a $date string as the driver does.
func decParseDate(s []byte) (int64, error) {
	if ms, ok := decISODate(s); ok {
		return ms, nil
	}
	var t time.Time
	var err error
	for _, layout := range decDateLayouts {
		if t, err = time.Parse(layout, string(s)); err == nil {
			return t.Unix()*1e3 + int64(t.Nanosecond())/1e6, nil
		}
	}
	return 0, fmt.Errorf("invalid $date value string: %s", s)
}
