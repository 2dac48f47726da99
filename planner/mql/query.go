package mql

// Query is a query predicate document, as $match and $validate take it.
// Its clauses are ANDed, in written order. Comment is a top-level $comment,
// kept so the query encodes back with it; it does not affect matching.
type Query struct {
	Clauses []Clause
	Comment any
}

// Clause is one top-level entry of a Query.
type Clause interface{ clauseNode() }

// FieldClause tests one field path: {amount: {$gt: 1000, $lt: 5000}}.
// {status: "A"} is a FieldClause with one implicit $eq condition; Implicit
// records the short form so it encodes back the way it was written.
type FieldClause struct {
	Path     string
	Conds    []Cond
	Implicit bool
}

// Cond is one operator applied to a field: {$gt: 1000}. Value is the operand
// as decoded, except that $regex (with its $options) holds a bson.Regex and
// $exists a bool. $elemMatch carries its sub-query in Query (or, over scalars,
// its conditions in Conds); $not carries the negated conditions in Conds.
type Cond struct {
	Op    string
	Value any
	Query *Query
	Conds []Cond
}

// Logical is $and, $or or $nor over sub-queries.
type Logical struct {
	Op      string
	Queries []*Query
}

// ExprClause is {$expr: <aggregation expression>}.
type ExprClause struct{ Expr Expr }

// SchemaClause is {$jsonSchema: {...}}, kept as written (Draft 4).
type SchemaClause struct{ Schema any }

func (FieldClause) clauseNode()  {}
func (Logical) clauseNode()      {}
func (ExprClause) clauseNode()   {}
func (SchemaClause) clauseNode() {}
