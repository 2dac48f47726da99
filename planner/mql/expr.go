package mql

// Expr is an aggregation expression: what $project, $addFields, $group,
// $expr and the rest evaluate per document. The nodes below are the whole
// tree; ParseExpr builds it from a decoded value and EncodeExpr turns it back
// into the document ASP accepts, so EncodeExpr(ParseExpr(v)) is v normalized.
type Expr interface{ exprNode() }

// Literal is a constant. A string that starts with "$", or a document whose
// first key starts with "$", encodes as {$literal: …} so it is not mistaken
// for a field path or an operator.
type Literal struct{ Value any }

// FieldPath reads a field of the current document: "$a.b" is FieldPath{"a.b"}.
type FieldPath struct{ Path string }

// Variable reads a variable: "$$ROOT" is Variable{Name: "ROOT"},
// "$$this.price" is Variable{Name: "this", Path: "price"}.
type Variable struct{ Name, Path string }

// Call is an operator with positional arguments: {$add: ["$a", 1]}.
// An operator the registry calls unary may be written without the array
// ({$toInt: "$a"}); it is stored with one argument either way. $cond is
// always a Call of [if, then, else], whichever form it was written in.
type Call struct {
	Op   string // with the dollar: "$add"
	Args []Expr
}

// NamedCall is an operator whose argument is a document of named arguments:
// {$dateToString: {date: "$t", format: "%Y"}}, {$filter: {input, as, cond}},
// {$median: {input, method}}. Args keep their written order. Arguments that
// are not expressions (as, sortBy, method, lang, body) are Literals as
// written; $let's vars is an Object; $switch's branches is an Array of
// {case, then} Objects. The date part operators ($year, $hour, …) and
// $getField are NamedCalls even in their short forms: {$year: "$t"} is
// {$year: {date: "$t"}}. Operators written with {} ($count, $rank,
// $createUUID, $currentDate, $rand) have no Args.
type NamedCall struct {
	Op   string
	Args []NamedArg
}

// NamedArg is one argument of a NamedCall.
type NamedArg struct {
	Name  string
	Value Expr
}

// Object builds a document: {total: {$sum: "$a"}, n: 1}.
type Object struct{ Fields []Field }

// Field is one field of an Object.
type Field struct {
	Name  string
	Value Expr
}

// Array builds an array from expressions.
type Array struct{ Elems []Expr }

// Meta reads stream metadata: {$meta: "stream.window.start"} is
// Meta{Path: "stream.window.start"}.
type Meta struct{ Path string }

func (Literal) exprNode()   {}
func (FieldPath) exprNode() {}
func (Variable) exprNode()  {}
func (Call) exprNode()      {}
func (NamedCall) exprNode() {}
func (Object) exprNode()    {}
func (Array) exprNode()     {}
func (Meta) exprNode()      {}
