package mql

import (
	"bytes"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Values in a pipeline are the Go types the MongoDB driver's bson package
// decodes Extended JSON into: bson.D for documents (field order kept),
// bson.A for arrays, string, int32, int64, float64, bool, nil for null,
// bson.DateTime, bson.ObjectID, bson.Decimal128, bson.Timestamp, bson.Regex,
// bson.Binary, bson.MinKey and bson.MaxKey.

// ParseJSON decodes one Extended JSON value (relaxed or canonical) of any
// type, including a top-level array.
func ParseJSON(data []byte) (any, error) {
	var wrapper bson.D
	// bson.UnmarshalExtJSON wants a document at the top level.
	buf := make([]byte, 0, len(data)+8)
	buf = append(buf, `{"v":`...)
	buf = append(buf, data...)
	buf = append(buf, '}')
	if err := bson.UnmarshalExtJSON(buf, false, &wrapper); err != nil {
		return nil, fmt.Errorf("invalid Extended JSON: %w", err)
	}
	if len(wrapper) != 1 {
		return nil, fmt.Errorf("invalid Extended JSON: expected one value")
	}
	return wrapper[0].Value, nil
}

// EncodeJSON encodes v as Extended JSON, relaxed unless canonical is set.
// With indent it prints one field per line, two spaces a level.
func EncodeJSON(v any, canonical, indent bool) ([]byte, error) {
	doc := bson.D{{Key: "v", Value: v}}
	var out []byte
	var err error
	if indent {
		out, err = bson.MarshalExtJSONIndent(doc, canonical, false, "", "  ")
	} else {
		out, err = bson.MarshalExtJSON(doc, canonical, false)
	}
	if err != nil {
		return nil, err
	}
	return unwrapV(out), nil
}

// unwrapV strips the {"v": …} wrapper EncodeJSON adds.
func unwrapV(out []byte) []byte {
	start := bytes.IndexByte(out, ':')
	end := bytes.LastIndexByte(out, '}')
	body := bytes.TrimSpace(out[start+1 : end])
	if bytes.Contains(body, []byte("\n")) {
		// MarshalExtJSONIndent indented the body one level deeper than
		// a top-level value wants.
		body = bytes.ReplaceAll(body, []byte("\n  "), []byte("\n"))
	}
	return body
}
