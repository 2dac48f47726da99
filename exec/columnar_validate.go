package exec

import (
	"encoding/binary"
	"math"
	"strconv"
	"unicode/utf8"
)

// colSafeExtJSON reports whether line lies in a subset of Extended JSON on
// which the Decoder and the driver's parser (what the row path unmarshals
// with) surely agree: the driver accepts the line, and every value the
// decoder reads equals the driver's. The columnar fast path trusts its
// kernel's decision for a row only then; any other row takes the row path,
// so a line the driver rejects still reaches the DLQ with the driver's
// reason, even when the kernel would have filtered it out.
//
// The subset is plain JSON with a top-level object: strings of valid UTF-8
// without control characters, keys without escapes and not starting with
// "$", numbers strconv reads without a range error, and as the only
// Extended JSON the usual one-key forms of $date (ISO 8601 UTC string),
// $numberInt, $numberLong, $numberDouble and $oid. False means "not sure",
// never "invalid".
func colSafeExtJSON(line []byte) bool {
	i := decWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return false
	}
	i, ok := colSafeObject(line, i, 0, true)
	return ok && decWS(line, i) == len(line)
}

// colSafeDepth is well below the driver's and the decoder's limit (200).
const colSafeDepth = 100

func colSafeValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch c := b[i]; {
	case c == '{':
		return colSafeObject(b, i, depth+1, false)
	case c == '[':
		return colSafeArray(b, i, depth+1)
	case c == '"':
		_, _, next, ok := colSafeString(b, i)
		return next, ok
	case c == '-' || (c >= '0' && c <= '9'):
		return colSafeNumber(b, i)
	case c == 't':
		return colSafeLit(b, i, "true")
	case c == 'f':
		return colSafeLit(b, i, "false")
	case c == 'n':
		return colSafeLit(b, i, "null")
	}
	return 0, false
}

func colSafeLit(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

func colSafeObject(b []byte, i, depth int, top bool) (int, bool) {
	if depth > colSafeDepth {
		return 0, false
	}
	i = decWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for first := true; ; first = false {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		key, esc, next, ok := colSafeString(b, i)
		if !ok || esc {
			return 0, false
		}
		i = decWS(b, next)
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i = decWS(b, i+1)
		if len(key) > 0 && key[0] == '$' {
			if !first || top {
				return 0, false
			}
			return colSafeWrapper(b, i, key)
		}
		if i, ok = colSafeValue(b, i, depth); !ok {
			return 0, false
		}
		i = decWS(b, i)
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i = decWS(b, i+1)
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

func colSafeArray(b []byte, i, depth int) (int, bool) {
	if depth > colSafeDepth {
		return 0, false
	}
	i = decWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = colSafeValue(b, i, depth); !ok {
			return 0, false
		}
		i = decWS(b, i)
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i = decWS(b, i+1)
		case ']':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// colSafeWrapper checks the one-key wrapper {key: value} whose value
// starts at b[i], and returns the index after its closing brace.
func colSafeWrapper(b []byte, i int, key []byte) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	s, esc, next, ok := colSafeString(b, i)
	if !ok || esc {
		return 0, false
	}
	switch string(key) {
	case "$date":
		_, ok = decISODate(s)
	case "$numberLong":
		_, err := strconv.ParseInt(decStr(s), 10, 64)
		ok = err == nil
	case "$numberInt":
		n, err := strconv.ParseInt(decStr(s), 10, 64)
		ok = err == nil && n >= math.MinInt32 && n <= math.MaxInt32
	case "$numberDouble":
		switch string(s) {
		case "Infinity", "-Infinity", "NaN":
		default:
			_, err := strconv.ParseFloat(decStr(s), 64)
			ok = err == nil
		}
	case "$oid":
		ok = len(s) == 24 && colIsHex(s)
	default:
		ok = false
	}
	if !ok {
		return 0, false
	}
	i = decWS(b, next)
	if i >= len(b) || b[i] != '}' {
		return 0, false
	}
	return i + 1, true
}

func colIsHex(s []byte) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// colSafeString scans the string at the quote b[i]: its content (escapes
// unresolved), whether it has escapes, and the index after it. Control
// characters, invalid UTF-8 and \u escapes are outside the subset.
func colSafeString(b []byte, i int) (content []byte, esc bool, next int, ok bool) {
	s, e, esc, next, err := decString(b, i)
	if err != nil {
		return nil, false, 0, false
	}
	content = b[s:e]
	high := false
	k := 0
	if !esc {
		// Eight bytes at a time while none is a control character or
		// beyond ASCII, the usual case.
		const lo, hi = 0x0101010101010101, 0x8080808080808080
		for ; k+8 <= len(content); k += 8 {
			x := binary.LittleEndian.Uint64(content[k:])
			if (x|(x-0x20*lo))&hi != 0 {
				break
			}
		}
	}
	for ; k < len(content); k++ {
		c := content[k]
		switch {
		case c < 0x20:
			return nil, false, 0, false
		case c >= 0x80:
			high = true
		case c == '\\':
			k++
			if content[k] == 'u' {
				return nil, false, 0, false
			}
		}
	}
	if high && !utf8.Valid(content) {
		return nil, false, 0, false
	}
	return content, esc, next, true
}

// colSafeNumber scans a JSON number; one strconv would reject (out of
// range) is outside the subset.
func colSafeNumber(b []byte, i int) (int, bool) {
	start := i
	if b[i] == '-' {
		i++
	}
	digits := 0
	switch {
	case i < len(b) && b[i] == '0':
		i++
		digits = 1
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			digits++
		}
	default:
		return 0, false
	}
	check := digits > 18
	if i < len(b) && b[i] == '.' {
		i++
		k := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == k {
			return 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		k := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == k {
			return 0, false
		}
		check = true
	}
	if check {
		if _, err := strconv.ParseFloat(decStr(b[start:i]), 64); err != nil {
			return 0, false
		}
	}
	return i, true
}
