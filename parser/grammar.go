package parser

import (
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar is participle's: the structs below are the grammar rules (their
// names are the rule names in docs/grammar.ebnf), and convert.go turns what
// they capture into the AST in ast.go. Keeping the two apart lets the grammar
// follow participle's shape (one struct per precedence level) while the
// planner walks a small closed set of nodes.

// reserved are the words that can't be bare identifiers, a subset of
// PostgreSQL's reserved words; quote them ("end") to use them as names. Every
// other keyword of the dialect (TIMESTAMP, MINUTE, ROWS, KAFKA, …) is matched
// case-insensitively against Ident tokens, so documents can keep fields named
// timestamp, key or value.
var reserved = []string{
	"ALL", "AND", "ARRAY", "AS", "ASC", "BETWEEN", "BY", "CASE", "CAST",
	"CREATE", "CROSS", "DESC", "DISTINCT", "DROP", "ELSE", "END", "FALSE",
	"FROM", "GROUP", "HAVING", "ILIKE", "IN", "INNER", "INSERT", "INTO", "IS",
	"JOIN", "LEFT", "LIKE", "LIMIT", "NOT", "NULL", "ON", "OR", "ORDER",
	"OUTER", "OVER", "PARTITION", "SELECT", "THEN", "TRUE", "WHEN", "WHERE",
	"WINDOW", "WITH",
}

var lexRules = []lexer.SimpleRule{
	{Name: "Comment", Pattern: `--[^\n]*|/\*([^*]|\*+[^*/])*\*+/`},
	// An unclosed /* becomes one token, so the error names it rather than
	// the "/" it starts with.
	{Name: "OpenComment", Pattern: `/\*[\s\S]*`},
	{Name: "Whitespace", Pattern: `\s+`},
	{Name: "Keyword", Pattern: `(?i)\b(?:` + strings.Join(reserved, "|") + `)\b`},
	{Name: "Number", Pattern: `(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?`},
	{Name: "Param", Pattern: `\$\d+`},
	{Name: "String", Pattern: `'(?:[^']|'')*'`},
	{Name: "QIdent", Pattern: `"(?:[^"]|"")*"|` + "`(?:[^`]|``)*`"},
	{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_$]*`},
	{Name: "Operator", Pattern: `<>|!=|<=|>=|::|\|\||[-+*/%=<>(),.;\[\]]`},
}

var sqlLexer = lexer.MustSimple(lexRules)

// sqlParser is built once; participle parsers are safe for concurrent use.
var sqlParser = participle.MustBuild[script](
	participle.Lexer(sqlLexer),
	participle.Elide("Comment", "Whitespace"),
	participle.CaseInsensitive("Keyword", "Ident"),
	// Deep enough to back out of a.b.c.* versus a.b.c, INTERVAL versus a
	// column named interval, and similar choices that differ late.
	participle.UseLookahead(16),
)

// ---- statements ----

type script struct {
	Stmts []*statement `parser:"';'* ( @@ ( ';'+ @@ )* ';'* )?"`
}

type statement struct {
	Pos       lexer.Position
	Explain   *statement        `parser:"  'EXPLAIN' @@"`
	Select    *selectStmt       `parser:"| @@"`
	Insert    *insertStmt       `parser:"| @@"`
	CreateCon *createConnection `parser:"| @@"`
	CreatePro *createProcessor  `parser:"| @@"`
	Start     *processorRef     `parser:"| 'START' 'STREAM' 'PROCESSOR' @@"`
	Stop      *processorRef     `parser:"| 'STOP' 'STREAM' 'PROCESSOR' @@"`
	Drop      *processorRef     `parser:"| 'DROP' 'STREAM' 'PROCESSOR' @@"`
	ShowProcs bool              `parser:"| @( 'SHOW' 'STREAM' 'PROCESSORS' )"`
	ShowConns bool              `parser:"| @( 'SHOW' 'CONNECTIONS' )"`
}

type insertStmt struct {
	Pos    lexer.Position
	Target *dottedName `parser:"'INSERT' 'INTO' @@"`
	Query  *selectStmt `parser:"@@"`
}

type createConnection struct {
	Pos     lexer.Position
	Name    *dottedName `parser:"'CREATE' 'CONNECTION' @@"`
	Type    string      `parser:"'TO' @Ident"`
	Options []*option   `parser:"( '(' ( @@ ( ',' @@ )* )? ')' )?"`
}

type createProcessor struct {
	Pos       lexer.Position
	OrReplace bool        `parser:"'CREATE' @( 'OR' 'REPLACE' )?"`
	Name      *dottedName `parser:"'STREAM' 'PROCESSOR' @@"`
	With      []*option   `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
	Insert    *insertStmt `parser:"'AS' ( @@"`
	MQL       *stringLit  `parser:"     | 'MQL' @@ )"`
}

type processorRef struct {
	Pos      lexer.Position
	IfExists bool        `parser:"@( 'IF' 'EXISTS' )?"`
	Name     *dottedName `parser:"@@"`
}

type selectStmt struct {
	Pos      lexer.Position
	Distinct bool          `parser:"'SELECT' @'DISTINCT'?"`
	Items    []*selectItem `parser:"@@ ( ',' @@ )*"`
	From     *fromSource   `parser:"( 'FROM' @@"`
	Joins    []*joinClause `parser:"  @@* )?"`
	Where    *orExpr       `parser:"( 'WHERE' @@ )?"`
	Window   *windowClause `parser:"@@?"`
	GroupBy  []*orExpr     `parser:"( 'GROUP' 'BY' @@ ( ',' @@ )* )?"`
	Window2  *windowClause `parser:"@@?"`
	Having   *orExpr       `parser:"( 'HAVING' @@ )?"`
	OrderBy  []*orderItem  `parser:"( 'ORDER' 'BY' @@ ( ',' @@ )* )?"`
	Limit    *limitValue   `parser:"( 'LIMIT' @@ )?"`
}

type selectItem struct {
	Pos   lexer.Position
	Star  *qualifiedStar `parser:"  @@"`
	Expr  *orExpr        `parser:"| @@"`
	Alias *identTok      `parser:"  ( 'AS'? @@ )?"`
}

type qualifiedStar struct {
	Pos       lexer.Position
	Qualifier []*identTok `parser:"( @@ '.' )* '*'"`
}

type fromSource struct {
	Pos         lexer.Position
	Name        *dottedName `parser:"@@"`
	Alias       *identTok   `parser:"( (?! 'TIMESTAMP' 'BY' ) 'AS'? @@ )?"`
	TimestampBy *orExpr     `parser:"( 'TIMESTAMP' 'BY' @@ )?"`
	With        []*option   `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
}

type joinClause struct {
	Pos    lexer.Position
	Comma  bool        `parser:"(  @','"`
	Cross  bool        `parser:" | @'CROSS' 'JOIN'"`
	Left   bool        `parser:" | @'LEFT' 'OUTER'? 'JOIN'"`
	Inner  bool        `parser:" | 'INNER'? 'JOIN' )"`
	Unnest *orExpr     `parser:"(   'UNNEST' '(' @@ ')'"`
	Table  *dottedName `parser:"  | @@ )"`
	Alias  *identTok   `parser:"( 'AS'? @@ )?"`
	On     *orExpr     `parser:"( 'ON' @@ )?"`
}

type windowClause struct {
	Pos     lexer.Position
	Kind    string          `parser:"'WINDOW' @( 'TUMBLE' | 'HOP' | 'SESSION' )"`
	Args    []*intervalLit  `parser:"'(' @@ ( ',' @@ )* ')'"`
	Options []*windowOption `parser:"@@*"`
}

type windowOption struct {
	Pos      lexer.Position
	Lateness *intervalLit `parser:"  'ALLOWED' 'LATENESS' @@"`
	Idle     *intervalLit `parser:"| 'IDLE' 'TIMEOUT' @@"`
}

type orderItem struct {
	Pos   lexer.Position
	Expr  *orExpr `parser:"@@"`
	Dir   string  `parser:"@( 'ASC' | 'DESC' )?"`
	Nulls string  `parser:"( 'NULLS' @( 'FIRST' | 'LAST' ) )?"`
}

type limitValue struct {
	Pos    lexer.Position
	Number string `parser:"  @Number"`
	Param  string `parser:"| @Param"`
}

type option struct {
	Pos   lexer.Position
	Key   []*identTok  `parser:"(   @@ ( '.' @@ )*"`
	KeyS  *stringLit   `parser:"  | @@ ) '='"`
	Value *optionValue `parser:"@@"`
}

type optionValue struct {
	Pos    lexer.Position
	String *stringLit  `parser:"  @@"`
	Neg    bool        `parser:"| ( @'-'?"`
	Number string      `parser:"    @Number )"`
	Bool   string      `parser:"| @( 'TRUE' | 'FALSE' )"`
	Ident  *dottedName `parser:"| @@"`
}

type dottedName struct {
	Pos   lexer.Position
	Parts []*identTok `parser:"@@ ( '.' @@ )*"`
}

// identTok is one identifier, bare or quoted; quotes are undone in convert.go.
type identTok struct {
	Pos   lexer.Position
	Value string `parser:"@( Ident | QIdent )"`
}

type stringLit struct {
	Pos   lexer.Position
	Value string `parser:"@String"`
}

// ---- expressions, one struct per PostgreSQL precedence level ----

type orExpr struct {
	Pos   lexer.Position
	Left  *andExpr  `parser:"@@"`
	Right []*orTerm `parser:"@@*"`
}

type orTerm struct {
	Pos lexer.Position
	X   *andExpr `parser:"'OR' @@"`
}

type andExpr struct {
	Pos   lexer.Position
	Left  *notExpr   `parser:"@@"`
	Right []*andTerm `parser:"@@*"`
}

type andTerm struct {
	Pos lexer.Position
	X   *notExpr `parser:"'AND' @@"`
}

type notExpr struct {
	Pos lexer.Position
	Not *notExpr `parser:"  'NOT' @@"`
	X   *isExpr  `parser:"| @@"`
}

type isExpr struct {
	Pos   lexer.Position
	X     *cmpExpr  `parser:"@@"`
	Tests []*isTest `parser:"@@*"`
}

type isTest struct {
	Pos  lexer.Position
	Not  bool   `parser:"'IS' @'NOT'?"`
	What string `parser:"@( 'NULL' | 'TRUE' | 'FALSE' )"`
}

type cmpExpr struct {
	Pos lexer.Position
	L   *predExpr `parser:"@@"`
	R   *cmpTerm  `parser:"@@?"`
}

type cmpTerm struct {
	Pos lexer.Position
	Op  string    `parser:"@( '=' | '<>' | '!=' | '<=' | '>=' | '<' | '>' )"`
	X   *predExpr `parser:"@@"`
}

type predExpr struct {
	Pos  lexer.Position
	X    *concatExpr `parser:"@@"`
	Tail *predTail   `parser:"@@?"`
}

type predTail struct {
	Pos     lexer.Position
	Not     bool        `parser:"@'NOT'?"`
	Lo      *concatExpr `parser:"(   'BETWEEN' @@"`
	Hi      *concatExpr `parser:"    'AND' @@"`
	In      []*orExpr   `parser:"  | 'IN' '(' @@ ( ',' @@ )* ')'"`
	LikeOp  string      `parser:"  | @( 'LIKE' | 'ILIKE' )"`
	Pattern *concatExpr `parser:"    @@ )"`
}

type concatExpr struct {
	Pos   lexer.Position
	Left  *addExpr      `parser:"@@"`
	Right []*concatTerm `parser:"@@*"`
}

type concatTerm struct {
	Pos lexer.Position
	Op  string   `parser:"@'||'"`
	X   *addExpr `parser:"@@"`
}

type addExpr struct {
	Pos   lexer.Position
	Left  *mulExpr   `parser:"@@"`
	Right []*addTerm `parser:"@@*"`
}

type addTerm struct {
	Pos lexer.Position
	Op  string   `parser:"@( '+' | '-' )"`
	X   *mulExpr `parser:"@@"`
}

type mulExpr struct {
	Pos   lexer.Position
	Left  *unaryExpr `parser:"@@"`
	Right []*mulTerm `parser:"@@*"`
}

type mulTerm struct {
	Pos lexer.Position
	Op  string     `parser:"@( '*' | '/' | '%' )"`
	X   *unaryExpr `parser:"@@"`
}

type unaryExpr struct {
	Pos lexer.Position
	Op  string       `parser:"  @( '-' | '+' )"`
	X   *unaryExpr   `parser:"  @@"`
	P   *postfixExpr `parser:"| @@"`
}

type postfixExpr struct {
	Pos lexer.Position
	X   *primary     `parser:"@@"`
	Ops []*postfixOp `parser:"@@*"`
}

// postfixOp is [i], .field (after a subscript or a parenthesized
// expression: items[0].sku) or ::type.
type postfixOp struct {
	Pos   lexer.Position
	Index *orExpr   `parser:"  '[' @@ ']'"`
	Field *identTok `parser:"| '.' @@"`
	Cast  *typeName `parser:"| '::' @@"`
}

type primary struct {
	Pos      lexer.Position
	Number   string        `parser:"  @Number"`
	String   *stringLit    `parser:"| @@"`
	Param    string        `parser:"| @Param"`
	Bool     string        `parser:"| @( 'TRUE' | 'FALSE' )"`
	Null     bool          `parser:"| @'NULL'"`
	Interval *intervalLit  `parser:"| @@"`
	Typed    *typedLiteral `parser:"| @@"`
	Cast     *castExpr     `parser:"| @@"`
	Case     *caseExpr     `parser:"| @@"`
	Array    *arrayExpr    `parser:"| @@"`
	Call     *call         `parser:"| @@"`
	Ident    *dottedName   `parser:"| @@"`
	Paren    *orExpr       `parser:"| '(' @@ ')'"`
}

type intervalLit struct {
	Pos   lexer.Position
	Value *stringLit `parser:"'INTERVAL' @@"`
	Unit  string     `parser:"@( 'MILLISECOND' | 'MILLISECONDS' | 'SECOND' | 'SECONDS' | 'MINUTE' | 'MINUTES' | 'HOUR' | 'HOURS' | 'DAY' | 'DAYS' )?"`
}

type typedLiteral struct {
	Pos   lexer.Position
	Type  string     `parser:"@( 'TIMESTAMP' | 'TIMESTAMPTZ' | 'DATE' )"`
	Value *stringLit `parser:"@@"`
}

type castExpr struct {
	Pos  lexer.Position
	X    *orExpr   `parser:"'CAST' '(' @@"`
	Type *typeName `parser:"'AS' @@ ')'"`
}

type typeName struct {
	Pos   lexer.Position
	Words []string `parser:"@Ident ( @'PRECISION' | @'WITH' @'TIME' @'ZONE' )?"`
	Args  []string `parser:"( '(' @Number ( ',' @Number )* ')' )?"`
	Array bool     `parser:"@( '[' ']' )?"`
}

type caseExpr struct {
	Pos     lexer.Position
	Operand *orExpr       `parser:"'CASE' ( (?! 'WHEN' ) @@ )?"`
	Whens   []*whenClause `parser:"@@+"`
	Else    *orExpr       `parser:"( 'ELSE' @@ )? 'END'"`
}

type whenClause struct {
	Pos    lexer.Position
	Cond   *orExpr `parser:"'WHEN' @@"`
	Result *orExpr `parser:"'THEN' @@"`
}

type arrayExpr struct {
	Pos   lexer.Position
	Elems []*orExpr `parser:"'ARRAY' '[' ( @@ ( ',' @@ )* )? ']'"`
}

type call struct {
	Pos         lexer.Position
	Name        string       `parser:"@Ident '('"`
	Star        bool         `parser:"(   @'*'"`
	Distinct    bool         `parser:"  | @'DISTINCT' "`
	DArgs       []*orExpr    `parser:"    @@ ( ',' @@ )*"`
	Args        []*orExpr    `parser:"  | @@ ( ',' @@ )* )? ')'"`
	Filter      *orExpr      `parser:"( 'FILTER' '(' 'WHERE' @@ ')' )?"`
	WithinGroup []*orderItem `parser:"( 'WITHIN' 'GROUP' '(' 'ORDER' 'BY' @@ ( ',' @@ )* ')' )?"`
	Over        *over        `parser:"( 'OVER' @@ )?"`
}

type over struct {
	Pos         lexer.Position
	PartitionBy []*orExpr    `parser:"'(' ( 'PARTITION' 'BY' @@ ( ',' @@ )* )?"`
	OrderBy     []*orderItem `parser:"( 'ORDER' 'BY' @@ ( ',' @@ )* )?"`
	Frame       *frame       `parser:"@@? ')'"`
}

type frame struct {
	Pos   lexer.Position
	Unit  string      `parser:"@( 'ROWS' | 'RANGE' )"`
	Start *frameBound `parser:"( 'BETWEEN' @@"`
	End   *frameBound `parser:"  'AND' @@"`
	Only  *frameBound `parser:"| @@ )"`
}

type frameBound struct {
	Pos       lexer.Position
	Unbounded string   `parser:"  'UNBOUNDED' @( 'PRECEDING' | 'FOLLOWING' )"`
	Current   bool     `parser:"| @( 'CURRENT' 'ROW' )"`
	Offset    *addExpr `parser:"| @@"`
	Dir       string   `parser:"  @( 'PRECEDING' | 'FOLLOWING' )"`
}
