package exec

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// The line encoder of the columnar fast path: it writes a message's
// document as the output line `weir run` prints — relaxed Extended JSON
// as bson.MarshalExtJSON(doc, false, false) writes it — straight from the
// message's bytes, without building the bson.D. For a line in the safe
// subset (colSafeExtJSON) it writes, byte for byte, what the driver's
// encoder writes of the document colDoc builds: the same numbers (an
// integer is an int32 or an int64, printed as is; anything else a double,
// printed as the driver prints doubles), dates in the driver's relaxed
// form, strings unescaped and escaped again as the driver escapes them.
// Any line outside the subset makes it return ok == false, and the caller
// takes the row path. FuzzColLine checks the two agree.

// colLineDoc appends the top-level object of line to dst as the driver
// would encode it, keeping only the fields keep accepts (all when keep is
// nil), without the closing brace, so the caller can add fields. It
// returns whether a field was written. stop names keys whose presence
// makes it give up (the fields the caller will set: metadata, _ts).
func colLineDoc(dst, line []byte, keep func(key []byte, first bool) (bool, bool), stop [2]string) (out []byte, wrote, ok bool) {
	i := decWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return dst, false, false
	}
	dst = append(dst, '{')
	i = decWS(line, i+1)
	if i < len(line) && line[i] == '}' {
		return dst, false, decWS(line, i+1) == len(line)
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return dst, false, false
		}
		key, esc, next, ok := colSafeString(line, i)
		if !ok || esc || (len(key) > 0 && key[0] == '$') || (stop[0] != "" && string(key) == stop[0]) || (stop[1] != "" && string(key) == stop[1]) {
			return dst, false, false
		}
		i = decWS(line, next)
		if i >= len(line) || line[i] != ':' {
			return dst, false, false
		}
		i = decWS(line, i+1)
		take := true
		if keep != nil {
			var fine bool
			if take, fine = keep(key, !wrote); !fine {
				return dst, false, false
			}
		}
		if take {
			if wrote {
				dst = append(dst, ',')
			}
			dst = colLineString(dst, key)
			dst = append(dst, ':')
			if dst, i, ok = colLineValue(dst, line, i, 0); !ok {
				return dst, false, false
			}
			wrote = true
		} else if i, ok = colSafeValue(line, i, 0); !ok {
			return dst, false, false
		}
		i = decWS(line, i)
		if i >= len(line) {
			return dst, false, false
		}
		switch line[i] {
		case ',':
			i = decWS(line, i+1)
		case '}':
			return dst, wrote, decWS(line, i+1) == len(line)
		default:
			return dst, false, false
		}
	}
}

// colLineValue appends the value at b[i] as the driver encodes what
// colDocValue reads there, and returns the index after it.
func colLineValue(dst, b []byte, i, depth int) ([]byte, int, bool) {
	if i >= len(b) {
		return dst, 0, false
	}
	switch c := b[i]; {
	case c == '{':
		return colLineObject(dst, b, i, depth+1)
	case c == '[':
		return colLineArray(dst, b, i, depth+1)
	case c == '"':
		s, esc, next, ok := colSafeString(b, i)
		if !ok {
			return dst, 0, false
		}
		if esc {
			return colLineString(dst, decUnescape(nil, s)), next, true
		}
		return colLineString(dst, s), next, true
	case c == '-' || (c >= '0' && c <= '9'):
		next, ok := colSafeNumber(b, i)
		if !ok {
			return dst, 0, false
		}
		dst, ok = colLineNumber(dst, b[i:next])
		return dst, next, ok
	case c == 't':
		next, ok := colSafeLit(b, i, "true")
		return append(dst, "true"...), next, ok
	case c == 'f':
		next, ok := colSafeLit(b, i, "false")
		return append(dst, "false"...), next, ok
	case c == 'n':
		next, ok := colSafeLit(b, i, "null")
		return append(dst, "null"...), next, ok
	}
	return dst, 0, false
}

// colLineNumber appends a JSON number as colDocNumber reads it and the
// driver prints it: an integer that fits an int64 as itself (without a
// sign on zero), anything else as a double.
func colLineNumber(dst, s []byte) ([]byte, bool) {
	plain := len(s) <= 18
	for _, c := range s {
		if c == '.' || c == 'e' || c == 'E' {
			plain = false
			break
		}
	}
	if plain {
		// JSON has no leading zeros, so the digits are the int's.
		if len(s) == 2 && s[0] == '-' && s[1] == '0' {
			return append(dst, '0'), true
		}
		return append(dst, s...), true
	}
	v, ok := colDocNumber(s)
	if !ok {
		return dst, false
	}
	switch n := v.(type) {
	case int32:
		return strconv.AppendInt(dst, int64(n), 10), true
	case int64:
		return strconv.AppendInt(dst, n, 10), true
	}
	return colLineDouble(dst, v.(float64)), true
}

func colLineObject(dst, b []byte, i, depth int) ([]byte, int, bool) {
	if depth > colSafeDepth {
		return dst, 0, false
	}
	i = decWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return append(dst, "{}"...), i + 1, true
	}
	dst = append(dst, '{')
	for first := true; ; first = false {
		if i >= len(b) || b[i] != '"' {
			return dst, 0, false
		}
		key, esc, next, ok := colSafeString(b, i)
		if !ok || esc {
			return dst, 0, false
		}
		i = decWS(b, next)
		if i >= len(b) || b[i] != ':' {
			return dst, 0, false
		}
		i = decWS(b, i+1)
		if len(key) > 0 && key[0] == '$' {
			if !first {
				return dst, 0, false
			}
			return colLineWrapper(dst[:len(dst)-1], b, i, key)
		}
		if !first {
			dst = append(dst, ',')
		}
		dst = colLineString(dst, key)
		dst = append(dst, ':')
		if dst, i, ok = colLineValue(dst, b, i, depth); !ok {
			return dst, 0, false
		}
		i = decWS(b, i)
		if i >= len(b) {
			return dst, 0, false
		}
		switch b[i] {
		case ',':
			i = decWS(b, i+1)
		case '}':
			return append(dst, '}'), i + 1, true
		default:
			return dst, 0, false
		}
	}
}

func colLineArray(dst, b []byte, i, depth int) ([]byte, int, bool) {
	if depth > colSafeDepth {
		return dst, 0, false
	}
	i = decWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return append(dst, "[]"...), i + 1, true
	}
	dst = append(dst, '[')
	for first := true; ; first = false {
		if !first {
			dst = append(dst, ',')
		}
		var ok bool
		if dst, i, ok = colLineValue(dst, b, i, depth); !ok {
			return dst, 0, false
		}
		i = decWS(b, i)
		if i >= len(b) {
			return dst, 0, false
		}
		switch b[i] {
		case ',':
			i = decWS(b, i+1)
		case ']':
			return append(dst, ']'), i + 1, true
		default:
			return dst, 0, false
		}
	}
}

// colLineWrapper appends the value of the one-key wrapper {key: "…"}
// whose value starts at b[i], as colDocWrapper reads it.
func colLineWrapper(dst, b []byte, i int, key []byte) ([]byte, int, bool) {
	end, ok := colSafeWrapper(b, i, key)
	if !ok {
		return dst, 0, false
	}
	s, _, _, _ := colSafeString(b, i)
	switch string(key) {
	case "$date":
		ms, _ := decISODate(s)
		dst = colLineDate(dst, ms)
	case "$numberLong", "$numberInt":
		n, _ := strconv.ParseInt(decStr(s), 10, 64)
		dst = strconv.AppendInt(dst, n, 10)
	case "$numberDouble":
		var f float64
		switch string(s) {
		case "Infinity":
			f = math.Inf(1)
		case "-Infinity":
			f = math.Inf(-1)
		case "NaN":
			f = math.NaN()
		default:
			f, _ = strconv.ParseFloat(decStr(s), 64)
		}
		dst = colLineDouble(dst, f)
	case "$oid":
		dst = append(dst, `{"$oid":"`...)
		for _, c := range s {
			if 'A' <= c && c <= 'F' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		dst = append(dst, `"}`...)
	default:
		return dst, 0, false
	}
	return dst, end, true
}

// colLineDouble appends a double as the driver's relaxed form prints it.
func colLineDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, `{"$numberDouble":"Infinity"}`...)
	case math.IsInf(f, -1):
		return append(dst, `{"$numberDouble":"-Infinity"}`...)
	case math.IsNaN(f):
		return append(dst, `{"$numberDouble":"NaN"}`...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'G', -1, 64)
	for _, c := range dst[start:] {
		if c == '.' || c == 'E' {
			return dst
		}
	}
	return append(dst, ".0"...)
}

// colLineDate appends a date (ms since the epoch) as the driver's relaxed
// form prints it: an ISO 8601 string with the milliseconds' trailing
// zeros dropped for years 1970 to 9999, else the canonical form.
func colLineDate(dst []byte, ms int64) []byte {
	if ms < 0 || ms > 253402300799999 {
		dst = append(dst, `{"$date":{"$numberLong":"`...)
		dst = strconv.AppendInt(dst, ms, 10)
		return append(dst, `"}}`...)
	}
	days, rem := ms/86_400_000, ms%86_400_000
	// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
		y++
	}
	dst = append(dst, `{"$date":"`...)
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10), 'T')
	h, mi, s, milli := rem/3_600_000, rem/60_000%60, rem/1000%60, rem%1000
	dst = append(dst, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10))
	if milli != 0 {
		dst = append(dst, '.', byte('0'+milli/100))
		if milli%100 != 0 {
			dst = append(dst, byte('0'+milli/10%10))
			if milli%10 != 0 {
				dst = append(dst, byte('0'+milli%10))
			}
		}
	}
	return append(dst, `Z"}`...)
}

// colLineSafe marks the ASCII bytes the driver writes as they are in a
// string (escapeHTML off): printable ASCII but '"' and '\\'.
var colLineSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// colLineString appends s as a JSON string escaped as the driver escapes
// (bson's writeStringWithEscapes with escapeHTML off).
func colLineString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if colLineSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				const hex = "0123456789abcdef"
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', "0123456789abcdef"[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
