package exec

import (
	"encoding/hex"
	"math"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// colDoc builds the bson.D of a line in the safe subset (colSafeExtJSON)
// directly, the document the driver's Extended JSON parser would build,
// value for value and type for type, at a fraction of its cost: the
// driver's parser allocates a token per value and decodes through
// reflection. ok is false for anything outside the subset; the caller then
// asks the driver. FuzzColSafeExtJSON checks the two agree.
func colDoc(line []byte) (bson.D, bool) {
	i := decWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return nil, false
	}
	v, i, ok := colDocObject(line, i, 0)
	if !ok || decWS(line, i) != len(line) {
		return nil, false
	}
	d, ok := v.(bson.D)
	return d, ok
}

func colDocValue(b []byte, i, depth int) (any, int, bool) {
	if i >= len(b) {
		return nil, 0, false
	}
	switch c := b[i]; {
	case c == '{':
		return colDocObject(b, i, depth+1)
	case c == '[':
		return colDocArray(b, i, depth+1)
	case c == '"':
		s, esc, next, ok := colSafeString(b, i)
		if !ok {
			return nil, 0, false
		}
		if esc {
			return string(decUnescape(nil, s)), next, true
		}
		return string(s), next, true
	case c == '-' || (c >= '0' && c <= '9'):
		next, ok := colSafeNumber(b, i)
		if !ok {
			return nil, 0, false
		}
		v, ok := colDocNumber(b[i:next])
		return v, next, ok
	case c == 't':
		next, ok := colSafeLit(b, i, "true")
		return true, next, ok
	case c == 'f':
		next, ok := colSafeLit(b, i, "false")
		return false, next, ok
	case c == 'n':
		next, ok := colSafeLit(b, i, "null")
		return nil, next, ok
	}
	return nil, 0, false
}

// colDocNumber reads a JSON number as the driver does: an integer is an
// int32 when it fits, else an int64, else a double; anything with a
// fraction or exponent is a double.
func colDocNumber(s []byte) (any, bool) {
	float := false
	for _, c := range s {
		if c == '.' || c == 'e' || c == 'E' {
			float = true
			break
		}
	}
	if !float {
		if n, err := strconv.ParseInt(decStr(s), 10, 64); err == nil {
			if n < math.MinInt32 || n > math.MaxInt32 {
				return n, true
			}
			return int32(n), true
		}
	}
	f, err := strconv.ParseFloat(decStr(s), 64)
	return f, err == nil
}

func colDocObject(b []byte, i, depth int) (any, int, bool) {
	if depth > colSafeDepth {
		return nil, 0, false
	}
	i = decWS(b, i+1)
	doc := bson.D{}
	if i < len(b) && b[i] == '}' {
		return doc, i + 1, true
	}
	for first := true; ; first = false {
		if i >= len(b) || b[i] != '"' {
			return nil, 0, false
		}
		key, esc, next, ok := colSafeString(b, i)
		if !ok || esc {
			return nil, 0, false
		}
		i = decWS(b, next)
		if i >= len(b) || b[i] != ':' {
			return nil, 0, false
		}
		i = decWS(b, i+1)
		if len(key) > 0 && key[0] == '$' {
			if !first || depth == 0 {
				return nil, 0, false
			}
			return colDocWrapper(b, i, key)
		}
		var v any
		if v, i, ok = colDocValue(b, i, depth); !ok {
			return nil, 0, false
		}
		doc = append(doc, bson.E{Key: string(key), Value: v})
		i = decWS(b, i)
		if i >= len(b) {
			return nil, 0, false
		}
		switch b[i] {
		case ',':
			i = decWS(b, i+1)
		case '}':
			return doc, i + 1, true
		default:
			return nil, 0, false
		}
	}
}

func colDocArray(b []byte, i, depth int) (any, int, bool) {
	if depth > colSafeDepth {
		return nil, 0, false
	}
	i = decWS(b, i+1)
	arr := bson.A{}
	if i < len(b) && b[i] == ']' {
		return arr, i + 1, true
	}
	for {
		v, next, ok := colDocValue(b, i, depth)
		if !ok {
			return nil, 0, false
		}
		arr = append(arr, v)
		i = decWS(b, next)
		if i >= len(b) {
			return nil, 0, false
		}
		switch b[i] {
		case ',':
			i = decWS(b, i+1)
		case ']':
			return arr, i + 1, true
		default:
			return nil, 0, false
		}
	}
}

// colDocWrapper reads the one-key wrapper {key: "…"} whose value starts at
// b[i], as colSafeWrapper accepts it.
func colDocWrapper(b []byte, i int, key []byte) (any, int, bool) {
	end, ok := colSafeWrapper(b, i, key)
	if !ok {
		return nil, 0, false
	}
	s, _, _, _ := colSafeString(b, i)
	var v any
	switch string(key) {
	case "$date":
		ms, _ := decISODate(s)
		v = bson.DateTime(ms)
	case "$numberLong":
		n, _ := strconv.ParseInt(decStr(s), 10, 64)
		v = n
	case "$numberInt":
		n, _ := strconv.ParseInt(decStr(s), 10, 64)
		v = int32(n)
	case "$numberDouble":
		switch string(s) {
		case "Infinity":
			v = math.Inf(1)
		case "-Infinity":
			v = math.Inf(-1)
		case "NaN":
			v = math.NaN()
		default:
			v, _ = strconv.ParseFloat(decStr(s), 64)
		}
	case "$oid":
		var id bson.ObjectID
		if _, err := hex.Decode(id[:], s); err != nil {
			return nil, 0, false
		}
		v = id
	default:
		return nil, 0, false
	}
	return v, end, true
}
