package mql

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Stage is one stage of a pipeline. Each stage type marshals to exactly the
// document ASP accepts: bson.D{{Key: s.Op(), Value: s.Body()}}.
type Stage interface {
	// Op is the stage name with its dollar: "$match".
	Op() string
	// Body is the stage's argument as a bson value, normalized: options in
	// a fixed order, unset options omitted.
	Body() any
}

// checker is implemented by every stage: it checks the values of the
// stage's options (enums, ranges, required fields), so that pipelines the
// SQL planner builds get the same checks as decoded ones. p is the stage's
// path (pipeline[1].$tumblingWindow).
type checker interface {
	check(p Path) error
}

// Pipeline is a stream processor's stages in order.
type Pipeline []Stage

// Processor is a named pipeline with its options: what a pipeline file in
// the {name, pipeline, options} form holds, and what a SQL statement plans.
type Processor struct {
	Name     string
	Pipeline Pipeline
	Options  Options
}

// Options are a processor's options (ASP's sp.createStreamProcessor options).
type Options struct {
	// DLQ is where documents that can't be processed go; nil for none.
	DLQ *Namespace
	// StreamMetaFieldName renames _stream_meta; nil keeps the default and
	// a pointer to "" drops the field.
	StreamMetaFieldName *string
	// Tier is the Atlas processor size (SP2 … SP50); weir records it so a
	// pipeline deploys to Atlas unchanged, and otherwise ignores it.
	Tier string
}

func (o Options) isZero() bool {
	return o.DLQ == nil && o.StreamMetaFieldName == nil && o.Tier == ""
}

// Namespace is a collection in a connection: {connectionName, db, coll}.
type Namespace struct {
	ConnectionName string
	DB             string
	Coll           string
}

func (n Namespace) doc() bson.D {
	return bson.D{{Key: "connectionName", Value: n.ConnectionName}, {Key: "db", Value: n.DB}, {Key: "coll", Value: n.Coll}}
}

// Doc returns the stage as the document ASP accepts.
func Doc(s Stage) bson.D { return bson.D{{Key: s.Op(), Value: s.Body()}} }

// Duration is ASP's {size, unit}. A zero Duration stands for the literal 0
// that idleTimeout and allowedLateness accept to mean "off".
type Duration struct {
	Size int64
	Unit string
}

// Units are the duration units ASP accepts, shortest first.
var Units = []string{"ms", "second", "minute", "hour", "day"}

func (d Duration) value() any {
	if d == (Duration{}) {
		return int32(0)
	}
	return bson.D{{Key: "size", Value: num(d.Size)}, {Key: "unit", Value: d.Unit}}
}

func (d Duration) check(p Path, zeroOK bool) error {
	if zeroOK && d == (Duration{}) {
		return nil
	}
	if d.Size <= 0 {
		return Errorf(p.Key("size"), "size must be a positive integer, found %d", d.Size)
	}
	if !slices.Contains(Units, d.Unit) {
		return Errorf(p.Key("unit"), "%q is not a unit (%s)", d.Unit, strings.Join(Units, ", "))
	}
	// The engine holds durations as time.Duration, which ends at about
	// 292 years; a longer one would wrap around to a negative duration.
	if d.Size > math.MaxInt64/int64(time.Millisecond)/unitMillis[d.Unit] {
		return Errorf(p.Key("size"), "%d %s is longer than weir can hold (about 292 years)", d.Size, d.Unit)
	}
	return nil
}

var unitMillis = map[string]int64{"ms": 1, "second": 1000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000}

// String prints the duration as "5 minute".
func (d Duration) String() string { return fmt.Sprintf("%d %s", d.Size, d.Unit) }

// NameExpr is a name that may instead be computed per document: the db and
// coll of $merge.into, the topic of $emit. Expr is set for the computed form.
type NameExpr struct {
	Name string
	Expr Expr
}

func (n NameExpr) value() any {
	if n.Expr != nil {
		return EncodeExpr(n.Expr)
	}
	return n.Name
}

func (n NameExpr) isZero() bool { return n.Name == "" && n.Expr == nil }

// num returns n as an int32 when it fits, so small numbers print as ASP's
// examples write them, in canonical Extended JSON too.
func num(n int64) any {
	if n >= -1<<31 && n < 1<<31 {
		return int32(n)
	}
	return n
}

// fieldsDoc encodes named expressions in order.
func fieldsDoc(fs []Field) bson.D {
	d := make(bson.D, 0, len(fs))
	for _, f := range fs {
		d = append(d, bson.E{Key: f.Name, Value: EncodeExpr(f.Value)})
	}
	return d
}

// Place is where in a processor a stage may appear; a stage may be allowed
// in several.
type Place uint8

const (
	// InMain is the processor's own pipeline.
	InMain Place = 1 << iota
	// InWindow is the inner pipeline of a window stage.
	InWindow
	// InPayload is the payload pipeline of $https or $externalFunction.
	InPayload
	// InLookup is a $lookup's sub-pipeline, which runs against a collection.
	InLookup
	// InWhenMatched is a $merge whenMatched pipeline.
	InWhenMatched
	// InChangeStream is $source.config.pipeline, run by the change stream.
	InChangeStream
)

var placeNames = []struct {
	p    Place
	name string
}{
	{InMain, "the main pipeline"},
	{InWindow, "a window's pipeline"},
	{InPayload, "an $https or $externalFunction payload"},
	{InLookup, "a $lookup pipeline"},
	{InWhenMatched, "a $merge whenMatched pipeline"},
	{InChangeStream, "a change stream's config.pipeline"},
}

func (p Place) String() string {
	var out []string
	for _, n := range placeNames {
		if p&n.p != 0 {
			out = append(out, n.name)
		}
	}
	return strings.Join(out, ", ")
}

// StageInfo describes one stage for validation and docs.
type StageInfo struct {
	Name   string // "$match"
	Family string // source, stateless, lookup, window, sink, other
	// Options are the stage's option names, in canonical order.
	Options []string
	// Allowed is everywhere the stage may appear, extensions included.
	Allowed Place
	// Extension is where the stage is a weir extension that Atlas refuses.
	Extension Place
	Doc       string
}

// IsExtension reports whether the stage is a weir extension wherever it
// is allowed (Atlas has no such stage at all).
func (s StageInfo) IsExtension() bool { return s.Extension != 0 && s.Extension == s.Allowed }

const (
	inStateless = InMain | InWindow | InLookup | InWhenMatched | InChangeStream
	inShaping   = inStateless | InPayload
)

// stageInfos is the stage registry; decode.go's switch and the stage types
// follow it. Order is the order of the docs.
var stageInfos = []StageInfo{
	{Name: "$source", Family: "source", Allowed: InMain,
		Options: []string{"connectionName", "topic", "db", "coll", "documents", "schedule", "timeField", "tsFieldName", "partitionIdleTimeout", "schemaRegistry", "initialSync", "readPreference", "readPreferenceTags", "config"},
		Doc:     "Reads a Kafka topic, a MongoDB change stream, inline documents, the sample solar stream or a schedule. First stage, exactly once. A change stream's `config.fallback` is a weir extension: on a server without change streams (FerretDB, some MongoDB-compatible services), `\"poll\"` tails inserts of one collection in _id order instead (inserts only; updates and deletes are not seen), `\"none\"` fails at start; without it the connection's `fallback` option decides."},
	{Name: "$validate", Family: "stateless", Allowed: InMain | InWindow,
		Options: []string{"validator", "validationAction"},
		Doc:     "Drops (discard) or dead-letters (dlq) documents that fail a query predicate."},
	// A $merge whenMatched pipeline only reshapes the matched document
	// ($addFields, $set, $project, $unset, $replaceRoot, $replaceWith).
	{Name: "$match", Family: "stateless", Allowed: inStateless &^ InWhenMatched,
		Doc: "Keeps documents that match a query predicate."},
	{Name: "$project", Family: "stateless", Allowed: inShaping,
		Doc: "Includes, excludes or computes fields; inclusion and exclusion don't mix, except for _id."},
	{Name: "$addFields", Family: "stateless", Allowed: inShaping,
		Doc: "Adds or replaces fields computed by expressions."},
	{Name: "$set", Family: "stateless", Allowed: inShaping,
		Doc: "Alias of $addFields."},
	{Name: "$unset", Family: "stateless", Allowed: inStateless,
		Doc: "Removes fields."},
	{Name: "$replaceRoot", Family: "stateless", Allowed: inShaping,
		Options: []string{"newRoot"},
		Doc:     "Replaces the document with an embedded document or a computed one."},
	{Name: "$replaceWith", Family: "stateless", Allowed: inStateless,
		Doc: "Short form of $replaceRoot."},
	{Name: "$redact", Family: "stateless", Allowed: InMain | InWindow | InLookup | InChangeStream,
		Doc: "Prunes document levels by $$DESCEND, $$PRUNE and $$KEEP."},
	{Name: "$unwind", Family: "stateless", Allowed: InMain | InWindow | InLookup,
		Options: []string{"path", "includeArrayIndex", "preserveNullAndEmptyArrays"},
		Doc:     "Emits one document per array element."},
	{Name: "$lookup", Family: "lookup", Allowed: InMain | InWindow | InLookup,
		Options: []string{"from", "localField", "foreignField", "let", "pipeline", "as", "parallelism", "partitionBy"},
		Doc:     "Left outer join against a MongoDB collection: equality, let+pipeline, concise and collectionless forms."},
	{Name: "$cachedLookup", Family: "lookup", Allowed: InMain,
		Options: []string{"ttl", "maxMemUsageBytes", "from", "localField", "foreignField", "as"},
		Doc:     "Equality $lookup through a cache whose entries live ttl."},
	{Name: "$documents", Family: "lookup", Allowed: InLookup,
		Doc: "Inline documents that start a collectionless $lookup pipeline (at the top level, use $source.documents)."},
	{Name: "$tumblingWindow", Family: "window", Allowed: InMain,
		Options: []string{"boundary", "interval", "offset", "idleTimeout", "allowedLateness", "pipeline"},
		Doc:     "Fixed, non-overlapping windows; the inner pipeline runs once per window when it closes."},
	{Name: "$hoppingWindow", Family: "window", Allowed: InMain,
		Options: []string{"boundary", "interval", "hopSize", "offset", "idleTimeout", "allowedLateness", "pipeline"},
		Doc:     "Fixed windows that start every hopSize and may overlap."},
	{Name: "$sessionWindow", Family: "window", Allowed: InMain,
		Options: []string{"boundary", "partitionBy", "gap", "allowedLateness", "pipeline"},
		Doc:     "Per-partition windows that close after a gap without documents."},
	{Name: "$group", Family: "window", Allowed: InMain | InWindow | InLookup, Extension: InMain,
		Doc: "Groups by _id and computes accumulators. At the top level: a continuously maintained aggregate that emits updated groups (weir extension)."},
	{Name: "$sort", Family: "window", Allowed: InMain | InWindow | InLookup, Extension: InMain,
		Doc: "Orders documents. At the top level: a continuously maintained ordered result (weir extension)."},
	{Name: "$limit", Family: "window", Allowed: InMain | InWindow | InLookup, Extension: InMain,
		Doc: "Keeps the first n documents. At the top level: passes the stream's first n documents (weir extension)."},
	{Name: "$count", Family: "window", Allowed: InMain | InWindow | InLookup, Extension: InMain,
		Doc: "Counts documents into one field. At the top level: a running count (weir extension)."},
	{Name: "$setWindowFields", Family: "window", Allowed: InMain, Extension: InMain,
		Options: []string{"partitionBy", "sortBy", "output"},
		Doc:     "Computes window functions over neighbouring documents of each partition (weir extension)."},
	{Name: "$setStreamMeta", Family: "other", Allowed: InMain,
		Doc: "Sets stream metadata fields (keys start with stream.) for later routing."},
	{Name: "$https", Family: "other", Allowed: InMain | InWindow,
		Options: []string{"connectionName", "path", "method", "parameters", "headers", "payload", "as", "onError", "config"},
		Doc:     "Calls an HTTPS endpoint per document; may be the last stage."},
	{Name: "$externalFunction", Family: "other", Allowed: InMain | InWindow,
		Options: []string{"connectionName", "functionName", "execution", "payload", "as", "onError"},
		Doc:     "Invokes an AWS Lambda function per document; may be the last stage when async."},
	{Name: "$throttle", Family: "other", Allowed: InMain,
		Options: []string{"bytesPerSec", "messagesPerSec"},
		Doc:     "Rate-limits the stream (token bucket)."},
	{Name: "$merge", Family: "sink", Allowed: InMain,
		Options: []string{"into", "on", "let", "whenMatched", "whenNotMatched", "parallelism"},
		Doc:     "Writes to a MongoDB collection, whose db and coll may be computed per document. Last stage."},
	{Name: "$emit", Family: "sink", Allowed: InMain,
		Options: []string{"connectionName", "topic", "db", "coll", "timeseries", "bucket", "region", "path", "config"},
		Doc:     "Writes to a Kafka topic, a time-series collection or S3. Last stage."},
}

// Stages returns the stage registry, in documentation order.
func Stages() []StageInfo { return slices.Clone(stageInfos) }

// LookupStage returns the registry entry of the stage called name ("$match").
func LookupStage(name string) (StageInfo, bool) {
	for _, s := range stageInfos {
		if s.Name == name {
			return s, true
		}
	}
	return StageInfo{}, false
}

// unsupportedStages are MongoDB stages ASP doesn't run, with what to use
// instead where there is something.
var unsupportedStages = map[string]string{
	"$out":            "use $merge",
	"$facet":          "split the stream into several processors",
	"$bucket":         "use a window with $group on a computed _id",
	"$bucketAuto":     "use a window with $group on a computed _id",
	"$sortByCount":    "use a window with $group and $sort",
	"$skip":           "",
	"$sample":         "",
	"$densify":        "",
	"$fill":           "",
	"$graphLookup":    "use $lookup",
	"$unionWith":      "run one processor per source",
	"$geoNear":        "",
	"$search":         "",
	"$searchMeta":     "",
	"$changeStream":   "use $source with db and coll",
	"$collStats":      "",
	"$indexStats":     "",
	"$currentOp":      "",
	"$listSessions":   "",
	"$planCacheStats": "",
}

// notYetStages are ASP stages weir doesn't run yet.
var notYetStages = map[string]string{
	"$iceberg":      "write with $merge or $emit",
	"$vectorSearch": "",
}
