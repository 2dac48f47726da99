package exec

import (
	"testing"
)

// benchDoc is a 10-field document of mixed types, the shape of a typical
// Kafka event.
const benchDoc = `{"_id": {"$oid": "5ab9cbfa31c2ab715d42129e"}, "customerId": "c-1042",
	"amount": 1250.5, "qty": 3, "status": "paid", "region": "eu-west",
	"ts": {"$date": "2024-05-06T07:08:09Z"}, "tags": ["new", "promo"],
	"address": {"city": "Lyon", "zip": "69001"}, "priority": {"$numberLong": "2"}}`

// Baseline for the Arrow kernels: one field-path comparison per row.
func BenchmarkEvalFieldComparison(b *testing.B) {
	e := parseExpr(b, `{"$gt": ["$amount", 1000]}`)
	doc := parseDoc(b, benchDoc)
	b.ReportAllocs()
	for b.Loop() {
		if v, err := Eval(e, doc, nil); err != nil || v != true {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkEvalArithmetic(b *testing.B) {
	e := parseExpr(b, `{"$multiply": ["$amount", {"$add": ["$qty", 1]}]}`)
	doc := parseDoc(b, benchDoc)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Eval(e, doc, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// Baseline for the Arrow kernels: a typical $match over a 10-field
// document (equality, range, $in, and a dotted path).
func BenchmarkMatch10Fields(b *testing.B) {
	q := parseQuery(b, `{"status": "paid", "amount": {"$gte": 1000, "$lt": 5000},
		"region": {"$in": ["eu-west", "eu-central"]}, "address.city": "Lyon", "tags": "promo"}`)
	doc := parseDoc(b, benchDoc)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := Match(q, doc, nil); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
