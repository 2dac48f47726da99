package exec

import (
	"strings"
	"testing"
)

// matchErrCase is a matchCase whose query may fail on the document: want
// is "true", "false" or "ERROR: <substring>".
type matchErrCase struct {
	name  string
	query string
	doc   string
	want  string
}

func runMatchErrCases(t *testing.T, cases []matchErrCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Match(parseQuery(t, c.query), parseDoc(t, c.doc), nil)
			if want, ok := strings.CutPrefix(c.want, "ERROR:"); ok {
				want = strings.TrimSpace(want)
				if err == nil {
					t.Fatalf("%s over %s: got %v, want an error containing %q", c.query, c.doc, got, want)
				}
				if !strings.Contains(err.Error(), want) {
					t.Fatalf("%s over %s: error %q does not contain %q", c.query, c.doc, err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s over %s: %v", c.query, c.doc, err)
			}
			if g := map[bool]string{true: "true", false: "false"}[got]; g != c.want {
				t.Fatalf("%s over %s: got %s, want %s", c.query, c.doc, g, c.want)
			}
		})
	}
}

// The bit-test collection of the MongoDB manual's $bitsAllSet,
// $bitsAnySet, $bitsAllClear and $bitsAnyClear pages.
var bitsDocs = []struct{ id, doc string }{
	{"1", `{"_id": 1, "a": 54}`},   // 00110110
	{"2", `{"_id": 2, "a": 20}`},   // 00010100
	{"3", `{"_id": 3, "a": 20.0}`}, // 00010100
	{"4", `{"_id": 4, "a": {"$binary": {"base64": "Zg==", "subType": "00"}}}`}, // 01100110
}

func TestMatchBitsManualExamples(t *testing.T) {
	for _, c := range []struct {
		query string
		ids   string // the _ids that match, as the manual lists them
	}{
		{`{"a": {"$bitsAllSet": [1, 5]}}`, "1 4"},
		{`{"a": {"$bitsAllSet": 50}}`, "1"},
		{`{"a": {"$bitsAllSet": {"$binary": {"base64": "MC==", "subType": "00"}}}}`, "1"},
		{`{"a": {"$bitsAnySet": [1, 5]}}`, "1 4"},
		{`{"a": {"$bitsAnySet": 35}}`, "1 4"},
		{`{"a": {"$bitsAnySet": {"$binary": {"base64": "MC==", "subType": "00"}}}}`, "1 2 3 4"},
		{`{"a": {"$bitsAllClear": [1, 5]}}`, "2 3"},
		{`{"a": {"$bitsAllClear": 35}}`, "2 3"},
		{`{"a": {"$bitsAllClear": {"$binary": {"base64": "ID==", "subType": "00"}}}}`, "2 3"},
		{`{"a": {"$bitsAnyClear": [1, 5]}}`, "2 3"},
		{`{"a": {"$bitsAnyClear": 35}}`, "1 2 3 4"},
		{`{"a": {"$bitsAnyClear": {"$binary": {"base64": "MC==", "subType": "00"}}}}`, "2 3 4"},
	} {
		var got []string
		for _, d := range bitsDocs {
			ok, err := Match(parseQuery(t, c.query), parseDoc(t, d.doc), nil)
			if err != nil {
				t.Fatalf("%s over %s: %v", c.query, d.doc, err)
			}
			if ok {
				got = append(got, d.id)
			}
		}
		if g := strings.Join(got, " "); g != c.ids {
			t.Errorf("%s matches _id %q, want %q", c.query, g, c.ids)
		}
	}
}

// MongoDB "$bitsAllSet" and the others, Behavior: only numbers that are
// exactly a signed 64-bit integer, and binData, take part; numbers are
// sign-extended; a bad mask is an error.
func TestMatchBitsBehavior(t *testing.T) {
	runMatchErrCases(t, []matchErrCase{
		{"manual: bit 200 is set in -5", `{"a": {"$bitsAllSet": [200]}}`, `{"a": -5}`, "true"},
		{"manual: bit 200 is clear in 5", `{"a": {"$bitsAllClear": [200]}}`, `{"a": 5}`, "true"},
		{"bit 63 is the sign", `{"a": {"$bitsAllSet": [63]}}`, `{"a": {"$numberLong": "-1"}}`, "true"},
		{"-5 has bit 2 clear", `{"a": {"$bitsAnyClear": [2]}}`, `{"a": -5}`, "true"},
		{"-5 has bits 0 and 1 set", `{"a": {"$bitsAllSet": 3}}`, `{"a": -5}`, "true"},
		{"long value", `{"a": {"$bitsAllSet": [40]}}`, `{"a": {"$numberLong": "1099511627776"}}`, "true"},
		{"integral double", `{"a": {"$bitsAllSet": [1]}}`, `{"a": 2.0}`, "true"},
		{"integral decimal", `{"a": {"$bitsAllSet": [1]}}`, `{"a": {"$numberDecimal": "2"}}`, "true"},
		{"manual: a fraction does not match", `{"a": {"$bitsAllSet": [1]}}`, `{"a": 2.5}`, "false"},
		{"a fraction does not match a clear test either", `{"a": {"$bitsAllClear": [5]}}`, `{"a": 2.5}`, "false"},
		{"manual: beyond int64 does not match", `{"a": {"$bitsAnyClear": [0]}}`, `{"a": 1e19}`, "false"},
		{"NaN does not match", `{"a": {"$bitsAnyClear": [0]}}`, `{"a": {"$numberDouble": "NaN"}}`, "false"},
		{"manual: a string does not match", `{"a": {"$bitsAllClear": [0]}}`, `{"a": "0"}`, "false"},
		{"null does not match", `{"a": {"$bitsAllClear": [0]}}`, `{"a": null}`, "false"},
		{"missing does not match", `{"a": {"$bitsAllClear": [0]}}`, `{}`, "false"},
		{"binData bits past its end are clear", `{"a": {"$bitsAllClear": [8, 100]}}`, `{"a": {"$binary": {"base64": "/w==", "subType": "00"}}}`, "true"},
		{"binData second byte", `{"a": {"$bitsAllSet": [8]}}`, `{"a": {"$binary": {"base64": "AAE=", "subType": "00"}}}`, "true"},
		{"binData mask against a number", `{"a": {"$bitsAllSet": {"$binary": {"base64": "AAE=", "subType": "00"}}}}`, `{"a": 256}`, "true"},
		{"any element of an array", `{"a": {"$bitsAllSet": [0]}}`, `{"a": [2, 4, 5]}`, "true"},
		{"no element of an array", `{"a": {"$bitsAllSet": [0]}}`, `{"a": [2, 4]}`, "false"},
		{"empty position list: all set", `{"a": {"$bitsAllSet": []}}`, `{"a": 0}`, "true"},
		{"empty position list: any set", `{"a": {"$bitsAnySet": []}}`, `{"a": -1}`, "false"},
		{"mask 0: all clear", `{"a": {"$bitsAllClear": 0}}`, `{"a": -1}`, "true"},
		{"integral double mask", `{"a": {"$bitsAllSet": 6.0}}`, `{"a": 7}`, "true"},
		{"long mask", `{"a": {"$bitsAllSet": {"$numberLong": "4294967296"}}}`, `{"a": {"$numberLong": "4294967296"}}`, "true"},
		{"$not of a bit test", `{"a": {"$not": {"$bitsAnySet": [0]}}}`, `{"a": 2}`, "true"},
	})
}

// MongoDB "$geoWithin", "$box", "$polygon", "$center", "$centerSphere",
// "$geometry" and "$geoIntersects", over points (legacy pairs and GeoJSON),
// with the manual's shapes.
func TestMatchGeo(t *testing.T) {
	// The manual's triangle, as a GeoJSON polygon.
	const triangle = `{"$geometry": {"type": "Polygon", "coordinates": [[[0, 0], [3, 6], [6, 1], [0, 0]]]}}`
	// A polygon between latitudes 40 and 60 with long edges: its geodesic
	// edges bow toward the pole, so (0, 42) is outside and (0, 65) inside,
	// the opposite of the flat $polygon with the same vertices.
	const wide = `{"type": "Polygon", "coordinates": [[[-60, 40], [60, 40], [60, 60], [-60, 60], [-60, 40]]]}`
	const holed = `{"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]]}`
	runMatchErrCases(t, []matchErrCase{
		// $box
		{"manual: $box contains a legacy pair", `{"loc": {"$geoWithin": {"$box": [[0, 0], [100, 100]]}}}`, `{"loc": [50, 50]}`, "true"},
		{"$box border is inside", `{"loc": {"$geoWithin": {"$box": [[0, 0], [100, 100]]}}}`, `{"loc": [100, 0]}`, "true"},
		{"$box outside", `{"loc": {"$geoWithin": {"$box": [[0, 0], [100, 100]]}}}`, `{"loc": [101, 50]}`, "false"},
		{"$box corners in any order", `{"loc": {"$geoWithin": {"$box": [[100, 100], [0, 0]]}}}`, `{"loc": [50, 50]}`, "true"},
		{"$box over an embedded-document pair", `{"loc": {"$geoWithin": {"$box": [[0, 0], [100, 100]]}}}`, `{"loc": {"lng": 5, "lat": 6}}`, "true"},
		{"$box over a GeoJSON point (projected to flat)", `{"loc": {"$geoWithin": {"$box": [[0, 0], [10, 10]]}}}`, `{"loc": {"type": "Point", "coordinates": [5, 5]}}`, "true"},
		{"$box: flat coordinates need not be longitude/latitude", `{"loc": {"$geoWithin": {"$box": [[0, 0], [1000, 1000]]}}}`, `{"loc": [500, 500]}`, "true"},
		{"not a point: no match", `{"loc": {"$geoWithin": {"$box": [[0, 0], [10, 10]]}}}`, `{"loc": "5,5"}`, "false"},
		{"missing: no match", `{"loc": {"$geoWithin": {"$box": [[0, 0], [10, 10]]}}}`, `{}`, "false"},
		{"an array of locations: any", `{"loc": {"$geoWithin": {"$box": [[0, 0], [10, 10]]}}}`, `{"loc": [[50, 50], [5, 5]]}`, "true"},
		// $polygon
		{"manual: $polygon contains", `{"loc": {"$geoWithin": {"$polygon": [[0, 0], [3, 6], [6, 0]]}}}`, `{"loc": [3, 2]}`, "true"},
		{"$polygon vertex is inside", `{"loc": {"$geoWithin": {"$polygon": [[0, 0], [3, 6], [6, 0]]}}}`, `{"loc": [3, 6]}`, "true"},
		{"$polygon edge is inside", `{"loc": {"$geoWithin": {"$polygon": [[0, 0], [3, 6], [6, 0]]}}}`, `{"loc": [3, 0]}`, "true"},
		{"$polygon outside", `{"loc": {"$geoWithin": {"$polygon": [[0, 0], [3, 6], [6, 0]]}}}`, `{"loc": [5, 5]}`, "false"},
		{"flat $polygon: (0, 42) is inside", `{"loc": {"$geoWithin": {"$polygon": [[-60, 40], [60, 40], [60, 60], [-60, 60]]}}}`, `{"loc": [0, 42]}`, "true"},
		// $center
		{"manual: $center contains", `{"loc": {"$geoWithin": {"$center": [[-74, 40.74], 10]}}}`, `{"loc": [-70, 45]}`, "true"},
		{"$center border is inside", `{"loc": {"$geoWithin": {"$center": [[0, 0], 5]}}}`, `{"loc": [3, 4]}`, "true"},
		{"$center outside", `{"loc": {"$geoWithin": {"$center": [[-74, 40.74], 10]}}}`, `{"loc": [-60, 40.74]}`, "false"},
		// $centerSphere: the manual's 10-mile circle, radius 10/3963.2 radians.
		{"manual: $centerSphere about 7 miles away", `{"loc": {"$geoWithin": {"$centerSphere": [[-88, 30], 0.0025232135647961246]}}}`, `{"loc": [-88, 30.1]}`, "true"},
		{"$centerSphere about 14 miles away", `{"loc": {"$geoWithin": {"$centerSphere": [[-88, 30], 0.0025232135647961246]}}}`, `{"loc": [-88, 30.2]}`, "false"},
		{"$centerSphere over a GeoJSON point", `{"loc": {"$geoWithin": {"$centerSphere": [[-88, 30], 0.0025232135647961246]}}}`, `{"loc": {"type": "Point", "coordinates": [-88.05, 30.05]}}`, "true"},
		{"$centerSphere across the antimeridian", `{"loc": {"$geoWithin": {"$centerSphere": [[180, 0], 0.01]}}}`, `{"loc": [-179.9, 0]}`, "true"},
		{"$centerSphere ignores pairs that are not longitude/latitude", `{"loc": {"$geoWithin": {"$centerSphere": [[0, 0], 3.2]}}}`, `{"loc": [500, 0]}`, "false"},
		// $geometry
		{"manual: $geometry triangle contains", `{"loc": {"$geoWithin": ` + triangle + `}}`, `{"loc": {"type": "Point", "coordinates": [3, 2]}}`, "true"},
		{"$geometry triangle, outside", `{"loc": {"$geoWithin": ` + triangle + `}}`, `{"loc": {"type": "Point", "coordinates": [1, 5]}}`, "false"},
		{"$geometry over a legacy pair", `{"loc": {"$geoWithin": ` + triangle + `}}`, `{"loc": [3, 2]}`, "true"},
		{"$geometry vertex is inside", `{"loc": {"$geoWithin": ` + triangle + `}}`, `{"loc": [3, 6]}`, "true"},
		{"geodesic edges: (0, 42) is outside", `{"loc": {"$geoWithin": {"$geometry": ` + wide + `}}}`, `{"loc": [0, 42]}`, "false"},
		{"geodesic edges: (0, 65) is inside", `{"loc": {"$geoWithin": {"$geometry": ` + wide + `}}}`, `{"loc": [0, 65]}`, "true"},
		{"hole excluded", `{"loc": {"$geoWithin": {"$geometry": ` + holed + `}}}`, `{"loc": [5, 5]}`, "false"},
		{"outside the hole", `{"loc": {"$geoWithin": {"$geometry": ` + holed + `}}}`, `{"loc": [2, 2]}`, "true"},
		{"hole border is part of the shape", `{"loc": {"$geoWithin": {"$geometry": ` + holed + `}}}`, `{"loc": [4, 5]}`, "true"},
		{"MultiPolygon: either", `{"loc": {"$geoWithin": {"$geometry": {"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[10, 10], [11, 10], [11, 11], [10, 10]]]]}}}}`, `{"loc": [10.8, 10.2]}`, "true"},
		{"MultiPoint within: every point", `{"loc": {"$geoWithin": ` + triangle + `}}`, `{"loc": {"type": "MultiPoint", "coordinates": [[3, 2], [1, 5]]}}`, "false"},
		{"MultiPoint within, all inside", `{"loc": {"$geoWithin": ` + triangle + `}}`, `{"loc": {"type": "MultiPoint", "coordinates": [[3, 2], [3, 3]]}}`, "true"},
		{"invalid GeoJSON point: no match", `{"loc": {"$geoWithin": ` + triangle + `}}`, `{"loc": {"type": "Point", "coordinates": [200, 2]}}`, "false"},
		// $geoIntersects
		{"manual: $geoIntersects triangle", `{"loc": {"$geoIntersects": ` + triangle + `}}`, `{"loc": {"type": "Point", "coordinates": [3, 2]}}`, "true"},
		{"$geoIntersects triangle, outside", `{"loc": {"$geoIntersects": ` + triangle + `}}`, `{"loc": {"type": "Point", "coordinates": [-1, 2]}}`, "false"},
		{"$geoIntersects a point: the same point", `{"loc": {"$geoIntersects": {"$geometry": {"type": "Point", "coordinates": [1, 2]}}}}`, `{"loc": [1, 2]}`, "true"},
		{"$geoIntersects a point: another point", `{"loc": {"$geoIntersects": {"$geometry": {"type": "Point", "coordinates": [1, 2]}}}}`, `{"loc": [1, 2.001]}`, "false"},
		{"$geoIntersects a line along the equator", `{"loc": {"$geoIntersects": {"$geometry": {"type": "LineString", "coordinates": [[0, 0], [10, 0]]}}}}`, `{"loc": [5, 0]}`, "true"},
		{"$geoIntersects a line, off it", `{"loc": {"$geoIntersects": {"$geometry": {"type": "LineString", "coordinates": [[0, 0], [10, 0]]}}}}`, `{"loc": [5, 0.001]}`, "false"},
		{"$geoIntersects a line, past its end", `{"loc": {"$geoIntersects": {"$geometry": {"type": "LineString", "coordinates": [[0, 0], [10, 0]]}}}}`, `{"loc": [11, 0]}`, "false"},
		{"$geoIntersects a meridian line", `{"loc": {"$geoIntersects": {"$geometry": {"type": "MultiLineString", "coordinates": [[[0, 0], [0, 10]]]}}}}`, `{"loc": [0, 5]}`, "true"},
		{"$geoIntersects a MultiPoint", `{"loc": {"$geoIntersects": {"$geometry": {"type": "MultiPoint", "coordinates": [[1, 1], [2, 2]]}}}}`, `{"loc": {"type": "Point", "coordinates": [2, 2]}}`, "true"},
		{"$geoIntersects a GeometryCollection", `{"loc": {"$geoIntersects": {"$geometry": {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [50, 50]}, ` + wide + `]}}}}`, `{"loc": [0, 65]}`, "true"},
		{"$geoIntersects a MultiPoint document: any point", `{"loc": {"$geoIntersects": ` + triangle + `}}`, `{"loc": {"type": "MultiPoint", "coordinates": [[-1, 5], [3, 2]]}}`, "true"},
		// Refusals and malformed shapes.
		{"a line in the document is refused", `{"loc": {"$geoWithin": ` + triangle + `}}`, `{"loc": {"type": "LineString", "coordinates": [[1, 1], [2, 2]]}}`, "ERROR: $geoWithin is implemented for points only, not for a GeoJSON LineString"},
		{"a polygon in the document is refused", `{"loc": {"$geoIntersects": ` + triangle + `}}`, `{"loc": ` + holed + `}`, "ERROR: $geoIntersects is implemented for points only, not for a GeoJSON Polygon"},
		{"$geoWithin a point geometry", `{"loc": {"$geoWithin": {"$geometry": {"type": "Point", "coordinates": [1, 2]}}}}`, `{"loc": [1, 2]}`, "ERROR: $geoWithin's $geometry must be a Polygon or a MultiPolygon, not a Point"},
		{"$geoIntersects a $box", `{"loc": {"$geoIntersects": {"$box": [[0, 0], [1, 1]]}}}`, `{}`, "ERROR: $geoIntersects takes a $geometry, not $box"},
		{"unknown specifier", `{"loc": {"$geoWithin": {"$circle": [[0, 0], 1]}}}`, `{}`, "ERROR: unknown geo specifier $circle"},
		{"open ring", `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[0, 0], [3, 6], [6, 1], [1, 1]]]}}}}`, `{}`, "ERROR: polygon ring is not closed"},
		{"ring too short", `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[0, 0], [3, 6], [0, 0]]]}}}}`, `{}`, "ERROR: a polygon ring needs at least 4 positions"},
		{"latitude out of range", `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[0, 0], [3, 96], [6, 1], [0, 0]]]}}}}`, `{}`, "ERROR: longitude/latitude is out of bounds"},
		{"big polygon CRS", `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[0, 0], [3, 6], [6, 1], [0, 0]]], "crs": {"type": "name", "properties": {"name": "urn:x-mongodb:crs:strictwinding:EPSG:4326"}}}}}}`, `{}`, "ERROR: crs (big polygons, strict winding) is not supported"},
		{"polygon past a hemisphere", `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[-170, 0], [-50, 0], [70, 0], [-170, 0]]]}}}}`, `{}`, "ERROR: a polygon as large as a hemisphere is not supported"},
		{"negative $center radius", `{"loc": {"$geoWithin": {"$center": [[0, 0], -1]}}}`, `{}`, "ERROR: non-negative finite radius"},
		{"$box of one point", `{"loc": {"$geoWithin": {"$box": [[0, 0]]}}}`, `{}`, "ERROR: $box takes two points"},
	})
}
