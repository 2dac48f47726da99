package exec

import (
	"strings"
	"testing"
)

// The $jsonSchema page's example (reference/operator/query/jsonSchema):
// paper and planner have instock: 1, not a bool, so only $nor of the
// schema returns them. mongosh numbers are doubles, hence 14.0.
func TestJSONSchemaDocsInventory(t *testing.T) {
	const schema = `{"required": ["item", "qty", "instock"], "properties": {
		"item": {"bsonType": "string"},
		"qty": {"bsonType": "int"},
		"size": {"bsonType": "object", "required": ["uom"], "properties": {
			"uom": {"bsonType": "string"}, "h": {"bsonType": "double"}, "w": {"bsonType": "double"}}},
		"instock": {"bsonType": "bool"}}}`
	docs := map[string]string{
		"journal":  `{"item": "journal", "qty": 25, "size": {"h": 14.0, "w": 21.0, "uom": "cm"}, "instock": true}`,
		"notebook": `{"item": "notebook", "qty": 50, "size": {"h": 8.5, "w": 11.0, "uom": "in"}, "instock": true}`,
		"paper":    `{"item": "paper", "qty": 100, "size": {"h": 8.5, "w": 11.0, "uom": "in"}, "instock": 1}`,
		"planner":  `{"item": "planner", "qty": 75, "size": {"h": 22.85, "w": 30.0, "uom": "cm"}, "instock": 1}`,
		"postcard": `{"item": "postcard", "qty": 45, "size": {"h": 10.0, "w": 15.25, "uom": "cm"}, "instock": true}`,
		"apple":    `{"item": "apple", "qty": 45, "status": "A", "instock": true}`,
		"pears":    `{"item": "pears", "qty": 50, "status": "A", "instock": true}`,
	}
	for name, doc := range docs {
		want := name != "paper" && name != "planner"
		runMatchCases(t, []matchCase{
			{name, `{"$jsonSchema": ` + schema + `}`, doc, want},
			{name + " under $nor", `{"$nor": [{"$jsonSchema": ` + schema + `}]}`, doc, !want},
		})
	}
}

// The schema validation page's students example: gpa must be a double,
// so Int32(3) fails; year is an int in [2017, 3017].
func TestJSONSchemaDocsStudents(t *testing.T) {
	const q = `{"$jsonSchema": {"bsonType": "object", "title": "Student Object Validation",
		"required": ["address", "major", "name", "year"],
		"properties": {
			"name": {"bsonType": "string", "description": "'name' must be a string and is required"},
			"year": {"bsonType": "int", "minimum": 2017, "maximum": 3017},
			"gpa": {"bsonType": ["double"], "description": "'gpa' must be a double if the field exists"},
			"major": {"enum": ["Math", "English", "Computer Science", "History", null]}}}}`
	runMatchCases(t, []matchCase{
		{"int gpa fails", q, `{"name": "Alice", "year": 2019, "major": "History", "gpa": 3, "address": {"city": "NYC"}}`, false},
		{"double gpa passes", q, `{"name": "Alice", "year": 2019, "major": "History", "gpa": 3.0, "address": {"city": "NYC"}}`, true},
		{"gpa may be absent", q, `{"name": "Alice", "year": 2019, "major": "History", "address": {}}`, true},
		{"required field missing", q, `{"name": "Alice", "year": 2019, "major": "History"}`, false},
		{"year below minimum", q, `{"name": "A", "year": 2016, "major": "Math", "address": {}}`, false},
		{"year as long fails bsonType int", q, `{"name": "A", "year": {"$numberLong": "2019"}, "major": "Math", "address": {}}`, false},
		{"enum allows null", q, `{"name": "A", "year": 2019, "major": null, "address": {}}`, true},
		{"enum rejects other strings", q, `{"name": "A", "year": 2019, "major": "Art", "address": {}}`, false},
	})
}

func TestJSONSchemaKeywords(t *testing.T) {
	s := func(schema string) string { return `{"$jsonSchema": ` + schema + `}` }
	runMatchCases(t, []matchCase{
		// bsonType "number" and the JSON type "number" take every numeric type.
		{"bsonType number long", s(`{"properties": {"a": {"bsonType": "number"}}}`), `{"a": {"$numberLong": "5"}}`, true},
		{"bsonType number decimal", s(`{"properties": {"a": {"bsonType": "number"}}}`), `{"a": {"$numberDecimal": "5.5"}}`, true},
		{"bsonType array of types", s(`{"properties": {"a": {"bsonType": ["string", "null"]}}}`), `{"a": null}`, true},
		{"bsonType date", s(`{"properties": {"a": {"bsonType": "date"}}}`), `{"a": {"$date": "2024-01-01T00:00:00Z"}}`, true},
		{"type number int", s(`{"properties": {"a": {"type": "number"}}}`), `{"a": 5}`, true},
		{"type boolean", s(`{"properties": {"a": {"type": "boolean"}}}`), `{"a": 5}`, false},
		{"type object is the top level", s(`{"type": "object"}`), `{"a": 5}`, true},
		{"type array", s(`{"properties": {"a": {"type": ["array", "string"]}}}`), `{"a": [1]}`, true},
		// No implicit array traversal: the array itself is not a string.
		{"no array traversal", s(`{"properties": {"a": {"bsonType": "string"}}}`), `{"a": ["x"]}`, false},
		// Keywords of another type are ignored.
		{"minimum ignores strings", s(`{"properties": {"a": {"minimum": 5}}}`), `{"a": "x"}`, true},
		{"minLength ignores numbers", s(`{"properties": {"a": {"minLength": 5}}}`), `{"a": 1}`, true},
		{"required counts null as present", s(`{"required": ["a"]}`), `{"a": null}`, true},
		{"required", s(`{"required": ["a", "b"]}`), `{"a": 1}`, false},
		// Ranges, Draft 4's boolean exclusive form.
		{"minimum inclusive", s(`{"properties": {"a": {"minimum": 5}}}`), `{"a": 5}`, true},
		{"exclusiveMinimum", s(`{"properties": {"a": {"minimum": 5, "exclusiveMinimum": true}}}`), `{"a": 5}`, false},
		{"exclusiveMaximum", s(`{"properties": {"a": {"maximum": 5, "exclusiveMaximum": true}}}`), `{"a": 4.999}`, true},
		{"maximum across types", s(`{"properties": {"a": {"maximum": 5}}}`), `{"a": {"$numberDecimal": "5.1"}}`, false},
		{"multipleOf int", s(`{"properties": {"a": {"multipleOf": 3}}}`), `{"a": 9}`, true},
		{"multipleOf int fails", s(`{"properties": {"a": {"multipleOf": 3}}}`), `{"a": 10}`, false},
		// MongoDB compares in decimal, so 0.3 is a multiple of 0.1.
		{"multipleOf decimal arithmetic", s(`{"properties": {"a": {"multipleOf": 0.1}}}`), `{"a": 0.3}`, true},
		{"multipleOf double", s(`{"properties": {"a": {"multipleOf": 0.5}}}`), `{"a": 2.25}`, false},
		// Lengths count code points, not bytes.
		{"maxLength code points", s(`{"properties": {"a": {"maxLength": 3}}}`), `{"a": "héé"}`, true},
		{"minLength", s(`{"properties": {"a": {"minLength": 4}}}`), `{"a": "héé"}`, false},
		{"pattern is a search", s(`{"properties": {"a": {"pattern": "b+"}}}`), `{"a": "abbc"}`, true},
		{"pattern anchored", s(`{"properties": {"a": {"pattern": "^b"}}}`), `{"a": "abbc"}`, false},
		// Objects.
		{"additionalProperties false counts _id", s(`{"properties": {"name": {}}, "additionalProperties": false}`), `{"_id": 1, "name": "x"}`, false},
		{"additionalProperties false with _id listed", s(`{"properties": {"_id": {}, "name": {}}, "additionalProperties": false}`), `{"_id": 1, "name": "x"}`, true},
		{"additionalProperties schema", s(`{"properties": {"_id": {}}, "additionalProperties": {"bsonType": "int"}}`), `{"_id": "k", "a": 1, "b": 2.5}`, false},
		{"patternProperties", s(`{"patternProperties": {"^n_": {"bsonType": "int"}}}`), `{"n_a": 1, "n_b": "x"}`, false},
		{"patternProperties are not additional", s(`{"patternProperties": {"^n_": {}}, "additionalProperties": false}`), `{"n_a": 1}`, true},
		{"minProperties", s(`{"minProperties": 2}`), `{"a": 1}`, false},
		{"maxProperties", s(`{"maxProperties": 2}`), `{"a": 1, "b": 2}`, true},
		{"dependencies array", s(`{"dependencies": {"card": ["billing"]}}`), `{"card": 1}`, false},
		{"dependencies absent trigger", s(`{"dependencies": {"card": ["billing"]}}`), `{"other": 1}`, true},
		{"dependencies schema", s(`{"dependencies": {"card": {"required": ["billing"]}}}`), `{"card": 1, "billing": 2}`, true},
		// Arrays.
		{"items schema", s(`{"properties": {"a": {"items": {"bsonType": "int"}}}}`), `{"a": [1, 2, "x"]}`, false},
		{"items list and additionalItems false", s(`{"properties": {"a": {"items": [{"bsonType": "int"}], "additionalItems": false}}}`), `{"a": [1, 2]}`, false},
		{"items list, additional allowed", s(`{"properties": {"a": {"items": [{"bsonType": "int"}, {"bsonType": "string"}]}}}`), `{"a": [1, "x", null]}`, true},
		{"additionalItems schema", s(`{"properties": {"a": {"items": [{}], "additionalItems": {"bsonType": "string"}}}}`), `{"a": [1, "x", 2]}`, false},
		{"additionalItems ignored without items list", s(`{"properties": {"a": {"additionalItems": false}}}`), `{"a": [1, 2]}`, true},
		{"minItems", s(`{"properties": {"a": {"minItems": 2}}}`), `{"a": [1]}`, false},
		{"maxItems", s(`{"properties": {"a": {"maxItems": 2}}}`), `{"a": [1, 2]}`, true},
		{"uniqueItems numbers by value", s(`{"properties": {"a": {"uniqueItems": true}}}`), `{"a": [1, 1.0]}`, false},
		{"uniqueItems objects regardless of field order", s(`{"properties": {"a": {"uniqueItems": true}}}`), `{"a": [{"x": 1, "y": 2}, {"y": 2, "x": 1}]}`, false},
		{"uniqueItems distinct", s(`{"properties": {"a": {"uniqueItems": true}}}`), `{"a": [1, "1", [1]]}`, true},
		{"enum object field order", s(`{"properties": {"a": {"enum": [{"x": 1, "y": 2}]}}}`), `{"a": {"y": 2, "x": 1}}`, true},
		{"enum is not array traversal", s(`{"properties": {"a": {"enum": [1, 2]}}}`), `{"a": [1]}`, false},
		// Combinators.
		{"allOf", s(`{"properties": {"a": {"allOf": [{"minimum": 1}, {"maximum": 3}]}}}`), `{"a": 4}`, false},
		{"anyOf", s(`{"properties": {"a": {"anyOf": [{"bsonType": "string"}, {"minimum": 3}]}}}`), `{"a": 4}`, true},
		{"oneOf both match", s(`{"properties": {"a": {"oneOf": [{"minimum": 1}, {"maximum": 5}]}}}`), `{"a": 3}`, false},
		{"oneOf one matches", s(`{"properties": {"a": {"oneOf": [{"minimum": 1}, {"maximum": 5}]}}}`), `{"a": 7}`, true},
		{"not", s(`{"not": {"required": ["secret"]}}`), `{"secret": 1}`, false},
		{"empty schema", s(`{}`), `{"a": 1}`, true},
		{"with other clauses", `{"a": {"$gt": 1}, "$jsonSchema": {"required": ["a"]}}`, `{"a": 2}`, true},
	})
}

// Schema errors name the keyword's place and say what was expected.
func TestJSONSchemaErrors(t *testing.T) {
	cases := []struct{ schema, want string }{
		{`{"properties": {"a": {"type": "integer"}}}`, `$jsonSchema.properties.a.type: "integer" is not a JSON type`},
		{`{"properties": {"a": {"bsonType": "integer"}}}`, `$jsonSchema.properties.a.bsonType: "integer" is not a BSON type alias`},
		{`{"properties": {"a": {"minimun": 1}}}`, `$jsonSchema.properties.a.minimun: unknown $jsonSchema keyword "minimun"`},
		{`{"format": "email"}`, `$jsonSchema.format: $jsonSchema keyword "format" is not supported by MongoDB`},
		{`{"type": "object", "bsonType": "object"}`, `$jsonSchema: give type or bsonType, not both`},
		{`{"required": []}`, `$jsonSchema.required: must be a non-empty array of strings, not an empty array`},
		{`{"required": ["a", "a"]}`, `$jsonSchema.required: "a" appears twice`},
		{`{"items": [{}, 3]}`, `$jsonSchema.items[1]: a schema must be an object, not int`},
		{`{"properties": {"a": {"maximum": 5, "exclusiveMinimum": true}}}`, `$jsonSchema.properties.a.exclusiveMinimum: needs minimum beside it`},
		{`{"multipleOf": 0}`, `$jsonSchema.multipleOf: must be a positive number, not 0`},
		{`{"minLength": -1}`, `$jsonSchema.minLength: must be a non-negative whole number, not -1`},
		{`{"anyOf": []}`, `$jsonSchema.anyOf: must be a non-empty array of schemas, not an empty array`},
		{`{"pattern": "("}`, `$jsonSchema.pattern: not a valid regular expression`},
		{`{"additionalProperties": "no"}`, `$jsonSchema.additionalProperties: must be a boolean or a schema, not string`},
	}
	for _, c := range cases {
		_, err := Match(parseQuery(t, `{"$jsonSchema": `+c.schema+`}`), parseDoc(t, `{"a": 1}`), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want %q", c.schema, err, c.want)
		}
	}
}

// The compiled schema is reused for the same schema document.
func TestJSONSchemaCached(t *testing.T) {
	q := parseQuery(t, `{"$jsonSchema": {"required": ["a"]}}`)
	doc := parseDoc(t, `{"a": 1}`)
	if _, err := Match(q, doc, nil); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() { _, _ = Match(q, doc, nil) })
	if allocs > 2 {
		t.Errorf("Match with a $jsonSchema allocates %v times per document; the schema should compile once", allocs)
	}
}
