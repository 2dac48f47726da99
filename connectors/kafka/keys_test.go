package kafka

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestKeyDecode(t *testing.T) {
	for _, tc := range []struct {
		format string
		raw    []byte
		want   any
		err    string
	}{
		{"", []byte{1, 2}, bson.Binary{Data: []byte{1, 2}}, ""},
		{"binData", nil, nil, ""},
		{"string", []byte("cust-7"), "cust-7", ""},
		{"string", []byte{0xff}, nil, "not UTF-8"},
		{"json", []byte(`{"id": 7, "at": {"$date": "2024-01-02T03:04:05Z"}}`), bson.D{{Key: "id", Value: int32(7)}, {Key: "at", Value: bson.DateTime(1704164645000)}}, ""},
		{"json", []byte(`"plain"`), "plain", ""},
		{"json", []byte(`42`), int32(42), ""},
		{"json", []byte(`1, "k": 2`), nil, "not a JSON value"},
		{"int", []byte{0, 0, 1, 0}, int32(256), ""},
		{"int", []byte{0xff, 0xff, 0xff, 0xfe}, int32(-2), ""},
		{"int", []byte{1, 2, 3}, nil, "key of 3 bytes is not an int"},
		{"long", []byte{0, 0, 0, 0, 0, 0, 0, 9}, int64(9), ""},
		{"long", []byte{0, 0, 0, 9}, nil, "key of 4 bytes is not a long"},
	} {
		f, err := ParseKeyFormat(tc.format)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.Decode(tc.raw)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s %q: error = %v, want %q", f, tc.raw, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %q = %#v, %v; want %#v", f, tc.raw, got, err, tc.want)
		}
	}
	if _, err := ParseKeyFormat("avro"); err == nil || !strings.Contains(err.Error(), `"avro" is not one of binData, string, json, int, long`) {
		t.Errorf("error = %v", err)
	}
}

func TestKeyEncode(t *testing.T) {
	for _, tc := range []struct {
		format string
		v      any
		want   []byte
		err    string
	}{
		{"binData", bson.Binary{Data: []byte{7}}, []byte{7}, ""},
		{"binData", "text", nil, "key of type string can't be written with keyFormat binData"},
		{"string", "c-1", []byte("c-1"), ""},
		{"string", int32(1), nil, "of type int"},
		{"json", bson.D{{Key: "a", Value: int32(1)}}, []byte(`{"a":1}`), ""},
		{"json", "x", []byte(`"x"`), ""},
		{"int", int32(256), []byte{0, 0, 1, 0}, ""},
		{"int", 7.0, []byte{0, 0, 0, 7}, ""},
		{"int", int64(1) << 40, nil, "of type long can't be written with keyFormat int"},
		{"int", 7.5, nil, "of type double"},
		{"long", int32(-1), bytes.Repeat([]byte{0xff}, 8), ""},
		{"string", nil, nil, ""},
		{"long", bson.Null{}, nil, ""},
	} {
		f, _ := ParseKeyFormat(tc.format)
		got, err := f.Encode(tc.v)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s %#v: error = %v, want %q", f, tc.v, err, tc.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("%s %#v = %q, %v; want %q", f, tc.v, got, err, tc.want)
		}
		// What Encode writes, Decode reads back (binData aside, which
		// always decodes to binData).
		if tc.v != nil && f != BinData {
			if _, isNull := tc.v.(bson.Null); isNull {
				continue
			}
			back, err := f.Decode(got)
			if err != nil {
				t.Errorf("%s: decode of %q: %v", f, got, err)
			}
			if n, ok := integer(tc.v); ok && f == IntKey && back != int32(n) {
				t.Errorf("%s: %#v round-tripped to %#v", f, tc.v, back)
			}
		}
	}
}
